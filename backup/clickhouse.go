package backup

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/sync/errgroup"

	"github.com/humas-id/humas/store"
)

// ClickHouse reads and writes go over the native protocol humas is
// configured with (clickhouse.addr), through the same store as everything
// else, so the differential test replays them on the modern engine too.
const (
	qTableEngine = `SELECT engine, partition_key FROM system.tables WHERE database = currentDatabase() AND name = ?`
	// The columns a backup writes and a restore inserts: stored ones, in
	// the table's order (MATERIALIZED and ALIAS columns are computed).
	qTableColumns = `SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = ?
    AND default_kind NOT IN ('MATERIALIZED', 'ALIAS')`
	qCountByPartition = `SELECT CAST(_partition_id AS String) AS p, count() FROM %s GROUP BY p`
	qAllTables        = `SELECT name FROM system.tables WHERE database = currentDatabase()`

	// insertBatchRows rows go in one insert block.
	insertBatchRows = 100_000
	// exportWorkers partitions are read at once.
	exportWorkers = 2
	// exportSeconds bounds one partition's read on the server (the
	// report reads' clickhouse.query_timeout is far shorter).
	exportSeconds = 4 * 3600
)

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func quoteCH(name string) (string, error) {
	if !identRe.MatchString(name) {
		return "", fmt.Errorf("ClickHouse name %q is not a plain identifier", name)
	}
	return "`" + name + "`", nil
}

// finalEngines are the engines whose FINAL read is what the table means.
func finalEngine(engine string) bool {
	for _, e := range []string{"ReplacingMergeTree", "CollapsingMergeTree", "VersionedCollapsingMergeTree", "SummingMergeTree", "AggregatingMergeTree"} {
		if strings.HasSuffix(engine, e) {
			return true
		}
	}
	return false
}

// monthKey matches a partition key of one month: toYYYYMM(column).
var monthKey = regexp.MustCompile("^toYYYYMM\\(`?([A-Za-z_][A-Za-z0-9_]*)`?\\)$")

// partitionWhere selects one partition's rows. _partition_id alone makes
// 18.16 read every part of the table (70 s for one month of a 10 M-row
// post_metrics under FINAL, against 0.5 s), so a month partition is also
// selected by its key, which prunes the other months' parts; the id keeps
// the choice exact.
func partitionWhere(t Table, id string) (string, []any) {
	if m := monthKey.FindStringSubmatch(t.PartitionKey); m != nil {
		if month, err := strconv.ParseUint(id, 10, 32); err == nil && len(id) == 6 {
			return " WHERE toYYYYMM(`" + m[1] + "`) = ? AND _partition_id = ?", []any{uint32(month), id}
		}
	}
	return " WHERE _partition_id = ?", []any{id}
}

// partitionFingerprints maps each partition of a table to its parts
// fingerprint (store.Partitions).
func partitionFingerprints(ctx context.Context, ch *store.ClickHouse, table string) (map[string]string, error) {
	parts, err := ch.Partitions(ctx, table)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(parts))
	for id, p := range parts {
		out[id] = p.Parts
	}
	return out, nil
}

// describeTable reads a table's engine and stored columns.
func describeTable(ctx context.Context, ch *store.ClickHouse, name string) (Table, bool, error) {
	t := Table{Name: name}
	var engines, keys []string
	rows, err := ch.Query(ctx, qTableEngine, name)
	if err != nil {
		return t, false, err
	}
	for rows.Next() {
		var e, k string
		if err := rows.Scan(&e, &k); err != nil {
			rows.Close()
			return t, false, err
		}
		engines, keys = append(engines, e), append(keys, k)
	}
	rows.Close()
	if len(engines) == 0 {
		return t, false, nil
	}
	t.Engine, t.PartitionKey = engines[0], keys[0]
	t.Final = finalEngine(t.Engine)
	crows, err := ch.Query(ctx, qTableColumns, name)
	if err != nil {
		return t, false, err
	}
	defer crows.Close()
	for crows.Next() {
		var c Column
		if err := crows.Scan(&c.Name, &c.Type); err != nil {
			return t, false, err
		}
		if _, err := quoteCH(c.Name); err != nil {
			return t, false, err
		}
		if _, err := newCodec(c.Type); err != nil {
			return t, false, fmt.Errorf("table %s column %s: %w", name, c.Name, err)
		}
		t.Columns = append(t.Columns, c)
	}
	return t, true, crows.Err()
}

func columnList(cols []Column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = "`" + c.Name + "`"
	}
	return strings.Join(names, ", ")
}

func partitionFile(table, id string) string {
	return clickhouseDir + "/" + table + "/" + id + partitionExt
}

// exportClickHouse writes every source table (store.SourceTables), one
// file per partition. A partition whose parts are what the base backup
// recorded is taken from the base instead of read again.
func exportClickHouse(ctx context.Context, ch *store.ClickHouse, root string, base *Manifest, baseDir string, log *slog.Logger) (ClickHouseManifest, []File, error) {
	m := ClickHouseManifest{Database: ch.Database()}
	var err error
	if m.Server, err = ch.ServerVersion(); err != nil {
		return m, nil, err
	}
	applied, err := ch.AppliedMigrations(ctx)
	if err != nil {
		return m, nil, err
	}
	for v, name := range applied {
		m.Migrations = append(m.Migrations, AppliedMigration{Version: v, Name: name})
	}
	sort.Slice(m.Migrations, func(i, j int) bool { return m.Migrations[i].Version < m.Migrations[j].Version })
	all, err := tableNames(ctx, ch)
	if err != nil {
		return m, nil, err
	}
	for _, n := range all {
		if !slices.Contains(store.SourceTables, n) && n != "schema_migrations" && !strings.HasPrefix(n, ".inner") {
			m.Derived = append(m.Derived, n)
		}
	}
	// Partitions are read two at a time: a FINAL read is one thread on
	// the server (18.16), so two use both cores of a small machine.
	type job struct {
		table, slot int
		id, print   string
	}
	var jobs []job
	for _, name := range store.SourceTables {
		t, ok, err := describeTable(ctx, ch, name)
		if err != nil {
			return m, nil, fmt.Errorf("table %s: %w", name, err)
		}
		if !ok {
			continue // not created by this installation's schema yet
		}
		prints, err := partitionFingerprints(ctx, ch, name)
		if err != nil {
			return m, nil, err
		}
		var prev *Table
		if base != nil {
			for i := range base.ClickHouse.Tables {
				if bt := &base.ClickHouse.Tables[i]; bt.Name == name && slices.Equal(bt.Columns, t.Columns) && bt.Final == t.Final {
					prev = bt
				}
			}
		}
		ids := sortedKeys(prints)
		t.Partitions = make([]Partition, len(ids))
		for i, id := range ids {
			if p, f, ok := reusePartition(base, baseDir, root, prev, id, prints[id], log); ok {
				t.Partitions[i] = p
				t.files = append(t.files, f)
				continue
			}
			jobs = append(jobs, job{table: len(m.Tables), slot: i, id: id, print: prints[id]})
		}
		m.Tables = append(m.Tables, t)
	}
	// Each job writes its own result; the tables are read only.
	type result struct {
		p Partition
		f File
	}
	results := make([]result, len(jobs))
	tables := slices.Clone(m.Tables)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(exportWorkers)
	for k, j := range jobs {
		t := tables[j.table]
		g.Go(func() error {
			p, f, err := exportPartition(gctx, ch, root, t, j.id)
			if err != nil {
				return fmt.Errorf("export %s partition %s: %w", t.Name, j.id, err)
			}
			after, err := partitionFingerprints(gctx, ch, t.Name)
			if err != nil {
				return err
			}
			if after[j.id] == j.print {
				p.Parts = j.print
			}
			results[k] = result{p, f}
			log.Debug("partition exported", "table", t.Name, "partition", j.id, "rows", p.Rows)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return m, nil, err
	}
	for k, j := range jobs {
		m.Tables[j.table].Partitions[j.slot] = results[k].p
		m.Tables[j.table].files = append(m.Tables[j.table].files, results[k].f)
	}
	var files []File
	for i := range m.Tables {
		fs := m.Tables[i].files
		sort.Slice(fs, func(a, b int) bool { return fs[a].Path < fs[b].Path })
		files = append(files, fs...)
	}
	return m, files, nil
}

// reusePartition links the base backup's file of a partition whose parts
// have not changed.
func reusePartition(base *Manifest, baseDir, root string, prev *Table, id, print string, log *slog.Logger) (Partition, File, bool) {
	if prev == nil || print == "" {
		return Partition{}, File{}, false
	}
	for _, p := range prev.Partitions {
		if p.ID != id || p.Parts != print {
			continue
		}
		for _, f := range base.Files {
			if f.Path != p.File {
				continue
			}
			nf, err := reuse(baseDir, root, f)
			if err != nil {
				log.Warn("backup: the base backup's copy of an unchanged partition cannot be reused; reading it again",
					"file", f.Path, "err", err)
				return Partition{}, File{}, false
			}
			return p, nf, true
		}
	}
	return Partition{}, File{}, false
}

func tableNames(ctx context.Context, ch *store.ClickHouse) ([]string, error) {
	out, err := ch.Strings(ctx, qAllTables)
	sort.Strings(out)
	return out, err
}

// exportPartition streams one partition, read with FINAL where the engine
// collapses rows, into a zstd-compressed RowBinary file.
func exportPartition(ctx context.Context, ch *store.ClickHouse, root string, t Table, id string) (Partition, File, error) {
	p := Partition{ID: id, File: partitionFile(t.Name, id)}
	rc, err := newRowCodec(t.Columns)
	if err != nil {
		return p, File{}, err
	}
	table, _ := quoteCH(t.Name)
	q := "SELECT " + columnList(t.Columns) + " FROM " + table
	if t.Final {
		q += " FINAL"
	}
	where, args := partitionWhere(t, id)
	q += where
	// The driver holds a whole query to clickhouse.read_timeout (one read
	// deadline set when the answer starts, not per packet), so a partition
	// that takes longer to stream, as on a busy server, would fail at 60 s.
	// A deadline on the context replaces it (the driver then sets that one);
	// max_execution_time below stops the server at the same time.
	ctx, cancel := context.WithTimeout(ctx, exportSeconds*time.Second)
	defer cancel()
	qctx := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"max_execution_time": exportSeconds}))
	rows, err := ch.Conn().Query(qctx, q, args...)
	if err != nil {
		return p, File{}, store.WrapError(err)
	}
	defer rows.Close()
	w, err := createFile(root, p.File)
	if err != nil {
		return p, File{}, err
	}
	zw, err := zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	if err != nil {
		w.abort()
		return p, File{}, err
	}
	bw := bufio.NewWriterSize(zw, 1<<20)
	dests := rc.dests()
	for rows.Next() {
		if err := rows.Scan(dests...); err != nil {
			w.abort()
			return p, File{}, err
		}
		if err := rc.encode(bw, dests); err != nil {
			w.abort()
			return p, File{}, fmt.Errorf("row %d: %w", p.Rows+1, err)
		}
		p.Rows++
	}
	if err := rows.Err(); err != nil {
		w.abort()
		return p, File{}, store.WrapError(err)
	}
	if err := bw.Flush(); err != nil {
		w.abort()
		return p, File{}, err
	}
	if err := zw.Close(); err != nil {
		w.abort()
		return p, File{}, err
	}
	f, err := w.finish()
	return p, f, err
}

// partitionReader reads a partition file's rows.
type partitionReader struct {
	f  *os.File
	zr *zstd.Decoder
	br *bufio.Reader
	rc *rowCodec
}

func openPartition(dir string, t Table, p Partition) (*partitionReader, error) {
	rc, err := newRowCodec(t.Columns)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(p.File)))
	if err != nil {
		return nil, err
	}
	zr, err := zstd.NewReader(f, zstd.WithDecoderConcurrency(1))
	if err != nil {
		f.Close()
		return nil, err
	}
	return &partitionReader{f: f, zr: zr, br: bufio.NewReaderSize(zr, 1<<20), rc: rc}, nil
}

// next reads one row into row; false at the end.
func (r *partitionReader) next(row []any) (bool, error) {
	err := r.rc.decode(r.br, row)
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	return err == nil, err
}

func (r *partitionReader) close() {
	r.zr.Close()
	r.f.Close()
}

// countPartitionRows decodes a partition file to the end and counts its
// rows (a deep check of a backup).
func countPartitionRows(dir string, t Table, p Partition) (uint64, error) {
	r, err := openPartition(dir, t, p)
	if err != nil {
		return 0, err
	}
	defer r.close()
	row := make([]any, len(t.Columns))
	var n uint64
	for {
		ok, err := r.next(row)
		if err != nil {
			return n, fmt.Errorf("row %d: %w", n+1, err)
		}
		if !ok {
			return n, nil
		}
		n++
	}
}

// clickHouseHolds says what rows the target database holds in the source
// tables ("" when none).
func clickHouseHolds(ctx context.Context, ch *store.ClickHouse) (string, error) {
	tables, err := tableNames(ctx, ch)
	if err != nil {
		return "", err
	}
	var held []string
	for _, name := range store.SourceTables {
		if !slices.Contains(tables, name) {
			continue
		}
		q, _ := quoteCH(name)
		var n uint64
		if err := ch.QueryRow(ctx, "SELECT count() FROM "+q).Scan(&n); err != nil {
			return "", fmt.Errorf("count %s: %w", name, err)
		}
		if n > 0 {
			held = append(held, fmt.Sprintf("%s %d", name, n))
		}
	}
	if len(held) == 0 {
		return "", nil
	}
	return fmt.Sprintf("ClickHouse database %s holds rows (%s)", ch.Database(), strings.Join(held, ", ")), nil
}

// resetDatabase drops and creates the target database (a restore starts
// from nothing: the backup's schema is built, then upgraded).
func resetDatabase(ctx context.Context, ch *store.ClickHouse) error {
	db, err := quoteCH(ch.Database())
	if err != nil {
		return err
	}
	if err := ch.Exec(ctx, "DROP DATABASE IF EXISTS "+db); err != nil {
		return fmt.Errorf("drop database %s: %w", ch.Database(), err)
	}
	if err := ch.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+db); err != nil {
		return fmt.Errorf("create database %s: %w", ch.Database(), err)
	}
	return nil
}

// importClickHouse builds the backup's schema in the (empty) database,
// loads every partition file and checks each partition's row count.
// Materialized views fill the derived tables as the rows go in.
func importClickHouse(ctx context.Context, ch *store.ClickHouse, dir string, m ClickHouseManifest, log *slog.Logger) error {
	applied := map[int]string{}
	for _, a := range m.Migrations {
		applied[a.Version] = a.Name
	}
	if _, err := ch.MigrateLike(ctx, applied); err != nil {
		return fmt.Errorf("build the backup's ClickHouse schema: %w", err)
	}
	for _, t := range m.Tables {
		table, err := quoteCH(t.Name)
		if err != nil {
			return err
		}
		for _, p := range t.Partitions {
			start := time.Now()
			n, err := loadPartition(ctx, ch, dir, t, p)
			if err != nil {
				return fmt.Errorf("load %s: %w", p.File, err)
			}
			if n != p.Rows {
				return fmt.Errorf("load %s: %d rows, the manifest says %d", p.File, n, p.Rows)
			}
			log.Debug("partition restored", "table", t.Name, "partition", p.ID, "rows", n, "took", time.Since(start))
		}
		got, err := countByPartition(ctx, ch, table)
		if err != nil {
			return err
		}
		for _, p := range t.Partitions {
			if got[p.ID] != p.Rows {
				return fmt.Errorf("restored table %s partition %s holds %d rows, the manifest says %d", t.Name, p.ID, got[p.ID], p.Rows)
			}
			delete(got, p.ID)
		}
		for id, n := range got {
			return fmt.Errorf("restored table %s holds %d rows in partition %s, which the backup does not have", t.Name, n, id)
		}
	}
	return nil
}

func countByPartition(ctx context.Context, ch *store.ClickHouse, table string) (map[string]uint64, error) {
	rows, err := ch.Query(ctx, fmt.Sprintf(qCountByPartition, table))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]uint64{}
	for rows.Next() {
		var id string
		var n uint64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// loadPartition inserts one partition file's rows in blocks.
func loadPartition(ctx context.Context, ch *store.ClickHouse, dir string, t Table, p Partition) (uint64, error) {
	r, err := openPartition(dir, t, p)
	if err != nil {
		return 0, err
	}
	defer r.close()
	table, _ := quoteCH(t.Name)
	insert := "INSERT INTO " + table + " (" + columnList(t.Columns) + ")"
	row := make([]any, len(t.Columns))
	var n uint64
	for {
		// A deadline of its own, not clickhouse.read_timeout: the server
		// answers a block only after the views have taken it in.
		bctx, cancel := context.WithTimeout(ctx, exportSeconds*time.Second)
		b, err := ch.PrepareBatch(bctx, insert)
		if err != nil {
			cancel()
			return n, err
		}
		inBatch := 0
		for inBatch < insertBatchRows {
			ok, err := r.next(row)
			if err != nil {
				_ = b.Abort()
				cancel()
				return n, fmt.Errorf("row %d: %w", n+1, err)
			}
			if !ok {
				break
			}
			if err := b.Append(row...); err != nil {
				_ = b.Abort()
				cancel()
				return n, fmt.Errorf("row %d: %w", n+1, err)
			}
			inBatch++
			n++
		}
		if inBatch == 0 {
			_ = b.Abort()
			cancel()
			return n, nil
		}
		err = b.Send()
		cancel()
		if err != nil {
			return n, store.WrapError(err)
		}
		if inBatch < insertBatchRows {
			return n, nil
		}
	}
}
