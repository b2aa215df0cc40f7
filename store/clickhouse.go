package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	sqldriver "database/sql/driver"
	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/humas-id/humas/config"
)

// ClickHouse is the metric store: a pooled native-protocol connection to
// one database.
type ClickHouse struct {
	conn         driver.Conn
	db           string
	cluster      string // clickhouse.cluster: replicated schema, DDL ON CLUSTER
	syncDrops    bool   // a cluster of servers that drop tables late unless told SYNC (see syncDrop)
	replicas     int    // addresses configured: reads retry on another when one is down
	queryTimeout time.Duration
	log          *slog.Logger
}

// Named statements used by the store itself.
const (
	qCreateMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations
(
    version    UInt32,
    name       String,
    applied_at DateTime('UTC')
)
ENGINE = MergeTree
ORDER BY version`
	qAppliedMigrations     = `SELECT version FROM schema_migrations`
	qAppliedMigrationNames = `SELECT version, name FROM schema_migrations`
	// Existence checks before DDL on a cluster (ON CLUSTER waits for every
	// replica, so it is sent only when something is missing).
	qDatabaseExists  = `SELECT count() FROM system.databases WHERE name = ?`
	qTableExists     = `SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = ?`
	qRecordMigration = `INSERT INTO schema_migrations (version, name, applied_at) SELECT ?, ?, ?`
)

func chOptions(cfg config.ClickHouse, database string) *clickhouse.Options {
	opts := &clickhouse.Options{
		Addr: cfg.Addrs(), // several: the first that answers; another when it goes down
		Auth: clickhouse.Auth{
			Database: database,
			Username: cfg.User,
			Password: cfg.Password.Reveal(),
		},
		DialTimeout:     cfg.DialTimeout.D(),
		ReadTimeout:     cfg.ReadTimeout.D(), // the driver's 300 s default reads as a hang
		MaxOpenConns:    cfg.MaxOpenConns,
		MaxIdleConns:    cfg.MaxOpenConns,
		ConnMaxLifetime: time.Hour,
	}
	switch cfg.Compression {
	case "lz4":
		opts.Compression = &clickhouse.Compression{Method: clickhouse.CompressionLZ4}
	case "zstd":
		opts.Compression = &clickhouse.Compression{Method: clickhouse.CompressionZSTD}
	}
	return opts
}

// OpenClickHouse connects, creating the database when it is missing.
func OpenClickHouse(ctx context.Context, cfg config.ClickHouse, log *slog.Logger) (*ClickHouse, error) {
	if log == nil {
		log = slog.Default()
	}
	boot, err := clickhouse.Open(chOptions(cfg, "default"))
	if err != nil {
		return nil, fmt.Errorf("clickhouse %s: %w", cfg.Addr, err)
	}
	// The database name passed config validation ([A-Za-z_][A-Za-z0-9_]*),
	// so it can be quoted as an identifier here. On a cluster, DDL waits
	// for every replica: it is sent only when the database is missing, so
	// humas starts with a replica down.
	if cfg.Cluster == "" || !chExists(ctx, boot, qDatabaseExists, cfg.Database) {
		err = boot.Exec(ctx, "CREATE DATABASE IF NOT EXISTS `"+cfg.Database+"`"+onCluster(cfg.Cluster))
	}
	boot.Close()
	if err != nil {
		return nil, fmt.Errorf("clickhouse %s: create database %s: %w", cfg.Addr, cfg.Database, wrapCH(err))
	}
	raw, err := clickhouse.Open(chOptions(cfg, cfg.Database))
	if err != nil {
		return nil, fmt.Errorf("clickhouse %s: %w", cfg.Addr, err)
	}
	var conn driver.Conn = raw
	if hook := connHook.Load(); hook != nil && cfg.Cluster == "" {
		conn = (*hook)(cfg.Database, conn)
	}
	c := &ClickHouse{conn: conn, db: cfg.Database, cluster: cfg.Cluster, replicas: len(cfg.Addrs()), queryTimeout: cfg.QueryTimeout.D(), log: log}
	if err := c.Ping(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	if c.cluster != "" {
		v, err := conn.ServerVersion()
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("clickhouse %s: server version: %w", cfg.Addr, wrapCH(err))
		}
		c.syncDrops = v.Version.Major >= 21
	}
	return c, nil
}

// DatabaseExists reports whether cfg's database is on the server, without
// creating it (OpenClickHouse does) and without a store: the check is not
// part of any database's statements (nor recorded with them by ConnHook).
func DatabaseExists(ctx context.Context, cfg config.ClickHouse) (bool, error) {
	conn, err := clickhouse.Open(chOptions(cfg, "default"))
	if err != nil {
		return false, fmt.Errorf("clickhouse %s: %w", cfg.Addr, err)
	}
	defer conn.Close()
	var n uint64
	if err := conn.QueryRow(ctx, qDatabaseExists, cfg.Database).Scan(&n); err != nil {
		return false, fmt.Errorf("clickhouse %s: look for database %s: %w", cfg.Addr, cfg.Database, wrapCH(err))
	}
	return n > 0, nil
}

// ConnHook wraps the driver connection of every single-server ClickHouse
// store opened after it is set (not a cluster store's: its schema needs a
// cluster and ZooKeeper, which the differential test's engines lack; its
// other statements are the single-server ones); database is the store's
// database. Test support uses it
// to record every statement humas sends (chdiff/capture, installed by
// storetest when HUMAS_CH_CAPTURE_DIR is set); a wrapper must forward
// everything it does not record.
type ConnHook func(database string, conn driver.Conn) driver.Conn

var connHook atomic.Pointer[ConnHook]

// SetConnHook installs hook for stores opened from now on (nil removes it)
// and returns the one it replaces.
func SetConnHook(hook ConnHook) ConnHook {
	var prev *ConnHook
	if hook == nil {
		prev = connHook.Swap(nil)
	} else {
		prev = connHook.Swap(&hook)
	}
	if prev == nil {
		return nil
	}
	return *prev
}

// Conn is the underlying driver connection, for batch inserts and reads.
func (c *ClickHouse) Conn() driver.Conn { return c.conn }

// Database is the database name.
func (c *ClickHouse) Database() string { return c.db }

// Cluster is clickhouse.cluster ("" for one server).
func (c *ClickHouse) Cluster() string { return c.cluster }

// DropDatabase drops the store's database (on every replica of the
// cluster); the store is unusable afterwards until opened again. Tools
// that rebuild a database from nothing (benchmarks, tests) use it.
func (c *ClickHouse) DropDatabase(ctx context.Context) error {
	// Dropping millions of rows' parts can outlast the read timeout
	// (nothing is sent until it ends); a deadline replaces it.
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	return c.Exec(ctx, "DROP DATABASE IF EXISTS `"+c.db+"`"+onCluster(c.cluster))
}

// chExists runs a count query with one argument and reports whether it
// counted anything (false on error: the DDL that follows reports it).
func chExists(ctx context.Context, conn driver.Conn, query string, arg any) bool {
	var n uint64
	if err := conn.QueryRow(ctx, query, arg).Scan(&n); err != nil {
		return false
	}
	return n > 0
}

// onCluster is the ON CLUSTER clause for a cluster name ("" for none).
// The name passed config validation (an identifier).
func onCluster(cluster string) string {
	if cluster == "" {
		return ""
	}
	return " ON CLUSTER `" + cluster + "`"
}

// Close releases the pool.
func (c *ClickHouse) Close() error { return c.conn.Close() }

// Ping checks the server answers.
func (c *ClickHouse) Ping(ctx context.Context) error {
	if err := c.conn.Ping(ctx); err != nil {
		return fmt.Errorf("clickhouse ping: %w", wrapCH(err))
	}
	return nil
}

// ServerVersion returns the server's version text, e.g. "18.16.1".
func (c *ClickHouse) ServerVersion() (string, error) {
	v, err := c.conn.ServerVersion()
	if err != nil {
		return "", wrapCH(err)
	}
	return fmt.Sprintf("%d.%d.%d", v.Version.Major, v.Version.Minor, v.Version.Patch), nil
}

// ReadContext adds max_execution_time to a report read so a slow query is
// stopped by the server, not left running after the client gives up (18.16
// keeps running a query whose client timed out).
func (c *ClickHouse) ReadContext(ctx context.Context) context.Context {
	secs := int(c.queryTimeout / time.Second)
	if secs < 1 {
		secs = 1
	}
	// use_uncompressed_cache: reports read small ranges of the same
	// blocks over and over; the cache (uncompressed_cache_size in the
	// server's config: the stock config.xml of the ClickHouse image and
	// of Debian's package set 8 GiB, scripts/clickhouse.sh 256 MiB)
	// halved a year's report median on 18.16. 18.16 uses it by default,
	// 25.8 only when asked; reads of over a million rows skip it.
	settings := clickhouse.Settings{"max_execution_time": secs, "use_uncompressed_cache": 1}
	if ctx.Value(logQueriesKey{}) != nil {
		settings["log_queries"] = 1
	}
	return clickhouse.Context(ctx, clickhouse.WithSettings(settings))
}

type logQueriesKey struct{}

// LogQueries marks ctx so that ClickHouse records the reads made with it
// in system.query_log (rows read, CPU time): benchmarks read their cost
// there. ReadContext's settings replace any set on ctx before.
func LogQueries(ctx context.Context) context.Context {
	return context.WithValue(ctx, logQueriesKey{}, true)
}

// Exec runs a statement that returns no rows.
func (c *ClickHouse) Exec(ctx context.Context, query string, args ...any) error {
	err := wrapCH(c.conn.Exec(ctx, query, args...))
	// On a replicated table, a partition or mutation ALTER right after a
	// replica comes back can meet a leader election in progress (code 292,
	// "Leader was suddenly changed"); it succeeds once the election ends.
	for try := 0; try < 10 && c.cluster != "" && leaderChanged(err); try++ {
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Second):
		}
		err = wrapCH(c.conn.Exec(ctx, query, args...))
	}
	return err
}

// leaderChanged reports ClickHouse's code 292 (a replicated table's leader
// changed while the statement ran): transient, worth a retry.
func leaderChanged(err error) bool {
	var ex *clickhouse.Exception
	return errors.As(err, &ex) && ex.Code == 292
}

// Select scans all rows into dest (a pointer to a slice of structs with
// ch tags), with the read timeout applied.
func (c *ClickHouse) Select(ctx context.Context, dest any, query string, args ...any) error {
	return c.failover(ctx, func() error { return wrapCH(c.conn.Select(c.ReadContext(ctx), dest, query, args...)) })
}

// Query runs a read with the read timeout applied.
func (c *ClickHouse) Query(ctx context.Context, query string, args ...any) (driver.Rows, error) {
	var rows driver.Rows
	err := c.failover(ctx, func() error {
		var err error
		rows, err = c.conn.Query(c.ReadContext(ctx), query, args...)
		return wrapCH(err)
	})
	return rows, err
}

// Strings runs a read of one String column and returns its values.
func (c *ClickHouse) Strings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := c.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// QueryRow runs a one-row read with the read timeout applied.
func (c *ClickHouse) QueryRow(ctx context.Context, query string, args ...any) driver.Row {
	var row driver.Row
	_ = c.failover(ctx, func() error {
		row = c.conn.QueryRow(c.ReadContext(ctx), query, args...)
		return wrapCH(row.Err())
	})
	return row
}

// failover runs a read again while the replica it reached was down and
// another may answer: with several addresses configured, the pool drops
// the broken connection and the next one dials the first address that
// answers. A statement the server rejected is not retried; neither are
// writes (the collector keeps their rows in its on-disk buffer).
func (c *ClickHouse) failover(ctx context.Context, read func() error) error {
	err := read()
	for try := 1; try <= 2*c.replicas && c.replicas > 1 && errors.Is(err, ErrUnavailable) && ctx.Err() == nil; try++ {
		c.log.WarnContext(ctx, "clickhouse read failed on an unreachable replica; trying another", "try", try, "err", err)
		err = read()
	}
	return err
}

// PrepareBatch starts a batch insert; the query must list its columns.
func (c *ClickHouse) PrepareBatch(ctx context.Context, query string) (driver.Batch, error) {
	b, err := c.conn.PrepareBatch(ctx, query)
	return b, wrapCH(err)
}

// Migrate applies the embedded ClickHouse migrations not yet recorded and
// returns the ones it applied. Running it again applies nothing. A
// superseded migration not yet applied is recorded without running (see
// chSuperseded) and is not returned. Each migration applied to a database
// holding data is checked not to lose rows (see guardTables).
func (c *ClickHouse) Migrate(ctx context.Context) ([]Migration, error) {
	return c.migrate(ctx, func(m Migration) step {
		if m.SupersededBy != 0 {
			return stepRecord
		}
		return stepRun
	})
}

// MigrateAsOf applies the migrations up to version as the humas of that
// version did, superseded ones included, to build an older installation's
// schema (upgrade tests). Statements of superseded migrations carry
// IsLegacy.
func (c *ClickHouse) MigrateAsOf(ctx context.Context, version int) ([]Migration, error) {
	return c.migrate(ctx, func(m Migration) step {
		switch {
		case m.Version > version:
			return stepSkip
		case m.SupersededBy != 0:
			return stepRunLegacy
		}
		return stepRun
	})
}

// MigrateExcept applies every migration but the ones listed, to build an
// installation that lacks exactly those (upgrade tests of one migration
// while the rest of today's schema, which today's code reads, is there).
func (c *ClickHouse) MigrateExcept(ctx context.Context, skip ...int) ([]Migration, error) {
	set := map[int]bool{}
	for _, v := range skip {
		set[v] = true
	}
	return c.migrate(ctx, func(m Migration) step {
		switch {
		case set[m.Version]:
			return stepSkip
		case m.SupersededBy != 0:
			return stepRecord
		}
		return stepRun
	})
}

// MigrateLike builds the schema of the installation whose schema_migrations
// held applied (version → the name recorded), as it was there: exactly
// those migrations, a superseded one run as history when it ran there and
// only recorded when it was recorded as superseded. A restore uses it to
// load a backup into the schema it was taken from, then Migrate upgrades
// it. A version this humas does not know is an error: the backup was made
// by a newer humas.
func (c *ClickHouse) MigrateLike(ctx context.Context, applied map[int]string) ([]Migration, error) {
	migs, err := ClickHouseMigrations()
	if err != nil {
		return nil, err
	}
	known := map[int]bool{}
	for _, m := range migs {
		known[m.Version] = true
	}
	for v := range applied {
		if !known[v] {
			return nil, fmt.Errorf("clickhouse migration %04d is not known to this humas: the data comes from a newer version; restore it with that version or a later one", v)
		}
	}
	return c.migrate(ctx, func(m Migration) step {
		name, ok := applied[m.Version]
		switch {
		case !ok:
			return stepSkip
		case m.SupersededBy != 0 && strings.Contains(name, "superseded by"):
			return stepRecord
		case m.SupersededBy != 0:
			return stepRunLegacy
		}
		return stepRun
	})
}

// AppliedMigrations returns the versions recorded in schema_migrations with
// the names they were recorded under (a superseded one says so).
func (c *ClickHouse) AppliedMigrations(ctx context.Context) (map[int]string, error) {
	var applied []struct {
		Version uint32 `ch:"version"`
		Name    string `ch:"name"`
	}
	if err := c.conn.Select(ctx, &applied, qAppliedMigrationNames); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", wrapCH(err))
	}
	out := make(map[int]string, len(applied))
	for _, a := range applied {
		out[int(a.Version)] = a.Name
	}
	return out, nil
}

// legacyKey marks a context whose statements are history: a superseded
// migration run the way it ran when it was current (tests that build a
// database as an older humas did use it).
type legacyKey struct{}

// Legacy marks ctx's statements as history: they build or observe an older
// installation's schema (MigrateAsOf does it for superseded migrations;
// upgrade tests for their checks of the old schema).
func Legacy(ctx context.Context) context.Context { return context.WithValue(ctx, legacyKey{}, true) }

// IsLegacy reports whether ctx carries statements that only servers of
// their time accept (the differential test does not hold them to the
// modern engine's answers).
func IsLegacy(ctx context.Context) bool {
	v, _ := ctx.Value(legacyKey{}).(bool)
	return v
}

// volatileKey marks reads of the server's own bookkeeping.
type volatileKey struct{}

// Volatile marks ctx's reads as observations of the server's bookkeeping
// rather than of data: part names, their modification times and row counts
// before merges (system.parts), which differ between engines and from one
// moment to the next. Backups compare them to find changed partitions. The
// differential test replays such reads without comparing their answers.
func Volatile(ctx context.Context) context.Context {
	return context.WithValue(ctx, volatileKey{}, true)
}

// IsVolatile reports whether ctx's reads observe server bookkeeping.
func IsVolatile(ctx context.Context) bool {
	v, _ := ctx.Value(volatileKey{}).(bool)
	return v
}

// step is what migrate does with one migration not yet recorded.
type step int

const (
	stepSkip      step = iota // leave it for later
	stepRecord                // record it as superseded, without running it
	stepRun                   // run it
	stepRunLegacy             // run it as history (a superseded migration)
)

// migrate applies the migrations not yet recorded as choose says.
func (c *ClickHouse) migrate(ctx context.Context, choose func(Migration) step) ([]Migration, error) {
	migs, err := ClickHouseMigrations()
	if err != nil {
		return nil, err
	}
	if c.cluster == "" || !chExists(ctx, c.conn, qTableExists, "schema_migrations") {
		if err := c.Exec(ctx, clusterDDL(qCreateMigrations, c.db, c.cluster)); err != nil {
			return nil, fmt.Errorf("create schema_migrations: %w", err)
		}
	}
	var applied []struct {
		Version uint32 `ch:"version"`
	}
	if err := c.conn.Select(ctx, &applied, qAppliedMigrations); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", wrapCH(err))
	}
	done := map[int]bool{}
	for _, a := range applied {
		done[int(a.Version)] = true
	}
	var ran []Migration
	for _, m := range migs {
		if done[m.Version] {
			continue
		}
		st := choose(m)
		if st == stepSkip {
			continue
		}
		if st == stepRecord {
			name := fmt.Sprintf("%s (superseded by %04d, not run)", m.Name, m.SupersededBy)
			if err := c.Exec(ctx, qRecordMigration, uint32(m.Version), name, time.Now().UTC()); err != nil {
				return ran, fmt.Errorf("record migration %04d: %w", m.Version, err)
			}
			c.log.Info("clickhouse migration skipped: a later one replaces it", "version", m.Version, "name", m.Name,
				"superseded_by", m.SupersededBy)
			continue
		}
		sctx := ctx
		if st == stepRunLegacy {
			sctx = Legacy(ctx)
		}
		before, err := c.guardCounts(sctx)
		if err != nil {
			return ran, fmt.Errorf("clickhouse migration %04d_%s: count rows before: %w", m.Version, m.Name, err)
		}
		for i, stmt := range m.Statements {
			ddl := clusterDDL(stmt, c.db, c.cluster)
			if c.syncDrops {
				ddl = syncDrop(ddl)
			}
			if err := c.Exec(sctx, ddl); err != nil {
				return ran, fmt.Errorf("clickhouse migration %04d_%s statement %d: %w", m.Version, m.Name, i+1, err)
			}
		}
		if err := c.checkCounts(sctx, m, before); err != nil {
			return ran, err
		}
		if err := c.Exec(ctx, qRecordMigration, uint32(m.Version), m.Name, time.Now().UTC()); err != nil {
			return ran, fmt.Errorf("record migration %04d: %w", m.Version, err)
		}
		c.log.Info("clickhouse migration applied", "version", m.Version, "name", m.Name)
		ran = append(ran, m)
	}
	return ran, nil
}

// ErrUnavailable marks errors that mean ClickHouse could not be reached,
// as opposed to a statement it rejected. Callers buffer and retry on it.
var ErrUnavailable = errors.New("clickhouse unavailable")

type unavailableError struct{ err error }

func (e unavailableError) Error() string { return "clickhouse unavailable: " + e.err.Error() }
func (e unavailableError) Unwrap() []error {
	return []error{ErrUnavailable, e.err}
}

// WrapError marks connection failures with ErrUnavailable; use it on
// errors from driver objects the store hands out (e.g. a batch's Send).
func WrapError(err error) error { return wrapCH(err) }

// wrapCH marks connection failures with ErrUnavailable.
func wrapCH(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrUnavailable) {
		return err
	}
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		return err // the server answered: not a connectivity problem
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, sqldriver.ErrBadConn) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, clickhouse.ErrAcquireConnTimeout) ||
		strings.Contains(err.Error(), "connection refused") {
		return unavailableError{err}
	}
	return err
}
