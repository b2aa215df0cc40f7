// Command humas-ceiling measures how many report answers a second
// ClickHouse itself gives for a load run's mix, with nothing of humas in
// between:
//
//	humas-load serve --database humas_bench --token T --cache -1ns --log-queries
//	humas-load run --token T --concurrency 200 --requests 2000 --seed 5
//	    (prints its window: --from '…' --to '…')
//	humas-ceiling --database humas_bench --from '…' --to '…' --reports 2000 [--chdb]
//
// serve --log-queries has ClickHouse record every report read in
// system.query_log; humas-ceiling reads back the statements of the run's
// window and sends them again, as humas sent them, at several
// concurrencies; with --chdb, also on chDB (the modern engine) over a copy
// of the tables they read. Sending the same statements, humas cannot
// answer faster than the engine does alone. Only the ClickHouse user's own
// statements are read back; on a server that logs every statement, use a
// quiet one or --match. It is a separate binary so that the
// chDB binding (purego) is not part of the server humas-load measures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/humas-id/humas/chdiff"
	"github.com/humas-id/humas/chdiff/chdb"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/store"
)

// qLoggedReads is the statements a user sent that ClickHouse finished
// between two times, in the order they started (type 2 is QueryFinish: a
// UInt8 on 18.16, an Enum8 on modern servers; event_date is in the
// server's time zone, hence the day before). Only reads: humas's report
// path sends no writes, and the log's own reads (system.) are not part of
// a run. A server that logs every statement (modern servers do by
// default) logs other clients' too: use a quiet server, or --match.
const qLoggedReads = `SELECT query
FROM system.query_log
WHERE toUInt8(type) = 2 AND is_initial_query = 1 AND user = ? AND event_date >= toDate(?) - 1
    AND event_time >= toDateTime(?, 'UTC') AND event_time <= toDateTime(?, 'UTC')
    AND startsWith(query, 'SELECT') AND position(query, 'system.') = 0
ORDER BY query_start_time, query`

const (
	qMergeTreeTables = `SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree' ORDER BY name`
	qShowCreate      = "SHOW CREATE TABLE `%s`" // a name from qMergeTreeTables, not user text
)

// loggedReads reads back the statements of [from, to] (UTC, seconds) from
// system.query_log, after flushing the log.
func loggedReads(ctx context.Context, ch *store.ClickHouse, user string, from, to time.Time) ([]string, error) {
	if err := ch.Exec(store.Volatile(ctx), "SYSTEM FLUSH LOGS"); err != nil {
		return nil, fmt.Errorf("flush system.query_log: %w", err)
	}
	// The log is the server's bookkeeping: another engine would answer
	// differently (store.Volatile keeps the differential test off it).
	out, err := ch.Strings(store.Volatile(ctx), qLoggedReads, user, from.Format(time.DateOnly), from.Format(time.DateTime), to.Format(time.DateTime))
	if err != nil {
		return nil, fmt.Errorf("read system.query_log: %w", err)
	}
	return out, nil
}

// replay sends every statement once, conc at a time, reading each answer
// to its end, and returns how long that took and how many failed.
func replay(ctx context.Context, ch *store.ClickHouse, stmts []string, conc int) (time.Duration, int, error) {
	var next atomic.Int64
	var failed atomic.Int64
	var firstErr atomic.Value
	start := time.Now()
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(stmts) {
					return
				}
				if err := drain(ctx, ch, stmts[i]); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Errorf("%.200s: %w", stmts[i], err))
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	if err := ctx.Err(); err != nil {
		return took, int(failed.Load()), err
	}
	var err error
	if e, ok := firstErr.Load().(error); ok {
		err = e
	}
	return took, int(failed.Load()), err
}

func drain(ctx context.Context, ch *store.ClickHouse, stmt string) error {
	rows, err := ch.Query(ctx, stmt)
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	return rows.Close()
}

// tablesRead is the MergeTree tables of ch's database that some statement
// names as a whole word: what a copy on another engine needs.
func tablesRead(ctx context.Context, ch *store.ClickHouse, stmts []string) ([]string, error) {
	names, err := ch.Strings(store.Volatile(ctx), qMergeTreeTables)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var out []string
	for _, n := range names {
		re := regexp.MustCompile(`\b` + regexp.QuoteMeta(n) + `\b`)
		for _, s := range stmts {
			if re.MatchString(s) {
				out = append(out, n)
				break
			}
		}
	}
	return out, nil
}

// chdbCopy fills a chDB engine on dir with the tables of ch's database the
// statements read: their CREATE statements from the server, their rows
// exported in the Native format over the server's HTTP interface (the
// native protocol's driver would decode and re-encode every value).
func chdbCopy(ctx context.Context, ch *store.ClickHouse, database, httpAddr, dir string, tables []string, log io.Writer) (*chdb.Session, error) {
	edir, err := engineDir()
	if err != nil {
		return nil, fmt.Errorf("chDB data directory: %w", err)
	}
	s, err := chdb.Open(chdb.LibPath(), edir, "session_timezone=UTC", "compatibility=25.8")
	if err != nil {
		return nil, err
	}
	srv, err := chdiff.NewServer(httpAddr)
	if err != nil {
		return nil, fmt.Errorf("the server's HTTP interface at %s (--http): %w", httpAddr, err)
	}
	for _, t := range tables {
		if _, err := s.Query("DROP TABLE IF EXISTS "+t, "TSV"); err != nil { // a copy from an earlier call
			return nil, fmt.Errorf("drop %s on chDB: %w", t, err)
		}
		var ddl string
		if err := ch.QueryRow(store.Volatile(ctx), fmt.Sprintf(qShowCreate, t)).Scan(&ddl); err != nil {
			return nil, fmt.Errorf("show create table %s: %w", t, err)
		}
		// The copy lives in chDB's default database: the statements name
		// their tables without a database.
		ddl = strings.Replace(ddl, "CREATE TABLE "+database+".", "CREATE TABLE ", 1)
		if _, err := s.Query(ddl, "TSV"); err != nil {
			return nil, fmt.Errorf("create %s on chDB: %w", t, err)
		}
		file := filepath.Join(dir, t+".native")
		start := time.Now()
		if err := exportNative(srv, database, t, file); err != nil {
			return nil, err
		}
		if _, err := s.Query(fmt.Sprintf("INSERT INTO %s SELECT * FROM file('%s', Native)", t, file), "TSV"); err != nil {
			return nil, fmt.Errorf("load %s into chDB: %w", t, err)
		}
		_ = os.Remove(file)
		fmt.Fprintf(log, "  copied %s to chDB in %s\n", t, time.Since(start).Round(time.Millisecond))
	}
	return s, nil
}

// chDB keeps one engine per process, on one data directory: the first
// copy makes it (a fresh temporary directory), later ones (tests) reuse
// it; run removes it when it ends.
var (
	engineOnce sync.Once
	engineDirV string
	engineErr  error
)

func engineDir() (string, error) {
	engineOnce.Do(func() { engineDirV, engineErr = os.MkdirTemp("", "humas-ceiling-chdb-") })
	return engineDirV, engineErr
}

// exportNative writes a table's rows, in the Native format, to file.
func exportNative(srv *chdiff.Server, database, table, file string) error {
	f, err := os.Create(file)
	if err != nil {
		return fmt.Errorf("export %s: %w", table, err)
	}
	if err := srv.Export(database, "SELECT * FROM `"+table+"`", "Native", f); err != nil {
		f.Close()
		return fmt.Errorf("export %s over HTTP (the server's HTTP interface: --http): %w", table, err)
	}
	return f.Close()
}

// replayChDB sends every statement once on chDB. The engine runs one
// statement at a time in this process (each with all the cores it wants).
func replayChDB(ctx context.Context, s *chdb.Session, stmts []string) (time.Duration, int, error) {
	start := time.Now()
	failed := 0
	var first error
	for _, q := range stmts {
		if err := ctx.Err(); err != nil {
			return time.Since(start), failed, err
		}
		if _, err := s.Query(q, "Native"); err != nil {
			failed++
			if first == nil {
				first = fmt.Errorf("%.200s: %w", q, err)
			}
		}
	}
	return time.Since(start), failed, first
}

// parseWindowTime reads a time as `run` prints it (UTC).
func parseWindowTime(flagName, v string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateTime, v, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s %q: want a UTC time like %q (humas-load run prints its window)", flagName, v, "2026-12-03 07:10:04")
	}
	return t, nil
}

func parseConcurrencies(v string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 256 {
			return nil, fmt.Errorf("--concurrency %q: want numbers from 1 to 256, separated by commas (e.g. 1,2,4,8)", v)
		}
		out = append(out, n)
	}
	return out, nil
}

// rate is one replay's line: statements a second, and report answers a
// second when the run's request count is known.
func rate(name string, n int, took time.Duration, failed, reports int) string {
	line := fmt.Sprintf("  %-16s statements %d, failed %d, took %s: %.0f statements/s", name, n, failed,
		took.Round(time.Millisecond), float64(n)/took.Seconds())
	if reports > 0 {
		line += fmt.Sprintf(", %.0f reports/s", float64(reports)/took.Seconds())
	}
	return line
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "humas-ceiling:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("humas-ceiling", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:9000", "ClickHouse native address (the server `serve` used)")
	database := fs.String("database", "humas_bench", "ClickHouse database `serve` read")
	fromS := fs.String("from", "", "start of the run's window, UTC (humas-load run prints it)")
	toS := fs.String("to", "", "end of the run's window, UTC")
	concS := fs.String("concurrency", "1,2,4,8", "statements in flight, one replay each")
	reports := fs.Int("reports", 0, "requests the run sent (0: unknown): prints report answers a second")
	withChDB := fs.Bool("chdb", false, "also replay on chDB, the modern engine, over a copy of the tables read")
	httpAddr := fs.String("http", chdiff.ServerHTTPAddr(), "the ClickHouse server's HTTP address, for the chDB copy")
	match := fs.String("match", "", "replay only the statements this regular expression matches (e.g. a table's name)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	from, err := parseWindowTime("from", *fromS)
	if err != nil {
		return err
	}
	to, err := parseWindowTime("to", *toS)
	if err != nil {
		return err
	}
	if to.Before(from) {
		return fmt.Errorf("--to %s is before --from %s", *toS, *fromS)
	}
	concs, err := parseConcurrencies(*concS)
	if err != nil {
		return err
	}
	var only *regexp.Regexp
	if *match != "" {
		if only, err = regexp.Compile(*match); err != nil {
			return fmt.Errorf("--match: %w", err)
		}
	}
	whole := config.Default()
	cfg := &whole.ClickHouse
	cfg.Addr, cfg.Database, cfg.MaxOpenConns = *addr, *database, max(cfg.MaxOpenConns, slices.Max(concs))
	if err := whole.Validate(); err != nil { // the database name is quoted into DDL when opened
		return fmt.Errorf("--addr or --database: %w", err)
	}
	if err := databaseExists(ctx, *cfg); err != nil {
		return err
	}
	ch, err := store.OpenClickHouse(ctx, *cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer ch.Close()
	if *withChDB {
		defer func() {
			if d, err := engineDir(); err == nil {
				_ = os.RemoveAll(d)
			}
		}()
	}
	return ceilingOn(ctx, ch, ceilingArgs{database: *database, from: from, to: to, concs: concs, reports: *reports,
		chdb: *withChDB, httpAddr: *httpAddr, only: only, user: cfg.User}, out)
}

// databaseExists checks that cfg's database is on the server before it is
// opened: opening creates a missing one, and a mistyped --database would
// then replay every statement against no tables.
func databaseExists(ctx context.Context, cfg config.ClickHouse) error {
	ok, err := store.DatabaseExists(ctx, cfg)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("--database %s: no such database on %s: give the one humas-load serve read (its --database)", cfg.Database, cfg.Addr)
	}
	return nil
}

type ceilingArgs struct {
	database string
	from, to time.Time
	concs    []int
	reports  int
	chdb     bool
	httpAddr string
	only     *regexp.Regexp // nil: every statement
	user     string         // the ClickHouse user whose statements are replayed
}

func ceilingOn(ctx context.Context, ch *store.ClickHouse, a ceilingArgs, out io.Writer) error {
	stmts, err := loggedReads(ctx, ch, a.user, a.from, a.to)
	if err != nil {
		return err
	}
	if a.only != nil {
		stmts = slices.DeleteFunc(stmts, func(q string) bool { return !a.only.MatchString(q) })
	}
	if len(stmts) == 0 {
		return fmt.Errorf("no statements in system.query_log from %s to %s UTC: was the server run with humas-load serve --log-queries?",
			a.from.Format(time.DateTime), a.to.Format(time.DateTime))
	}
	fmt.Fprintf(out, "%d statements logged from %s to %s UTC\n", len(stmts), a.from.Format(time.DateTime), a.to.Format(time.DateTime))
	ver, err := ch.ServerVersion()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "ClickHouse %s, the statements as humas sent them (its read settings):\n", ver)
	var errs []error
	for _, c := range a.concs {
		took, failed, err := replay(ctx, ch, stmts, c)
		fmt.Fprintln(out, rate(fmt.Sprintf("concurrency %d", c), len(stmts), took, failed, a.reports))
		if err != nil {
			errs = append(errs, err)
			if ctx.Err() != nil {
				return errors.Join(errs...)
			}
		}
	}
	if a.chdb {
		dir, err := os.MkdirTemp("", "humas-ceiling-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		tables, err := tablesRead(ctx, ch, stmts)
		if err != nil {
			return err
		}
		s, err := chdbCopy(ctx, ch, a.database, a.httpAddr, dir, tables, out)
		if err != nil {
			return err
		}
		v, err := s.Query("SELECT version()", "TSVRaw")
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "chDB %s, ClickHouse %s (compatibility 25.8), one statement at a time:\n", chdb.Version, strings.TrimSpace(string(v)))
		for pass := 1; pass <= 2; pass++ { // the first pass also warms its caches
			took, failed, err := replayChDB(ctx, s, stmts)
			fmt.Fprintln(out, rate(fmt.Sprintf("pass %d", pass), len(stmts), took, failed, a.reports))
			if err != nil {
				errs = append(errs, err)
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("some statements failed: %w", errors.Join(errs...))
	}
	return nil
}
