package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/humas-id/humas/store"
)

// A snapshot batch of at least 2 × minStreamRows rows is written as
// defaultStreams inserts at once (writer.insertSnapshots): two, for the
// two cores humas is sized for; a part smaller than a few thousand rows
// costs ClickHouse more per row than it gains.
//
// defaultFlushRows is the writer's batch (Options.FlushRows): ClickHouse
// pays per insert for every part it writes (a part per partition and
// table: about 40 MB of buffers and a hundred files each on 18.16), so
// two inserts of 50,000 rows cost it about a third less CPU per row than
// 20,000-row inserts (BenchmarkIngest, server_cpu_ns/row). The pending
// rows take about 36 MB (SnapshotRow is 280 bytes, about 360 with its
// strings), in the callers' own slices (pendingRows); the driver holds
// one chunk (insertChunk rows, about 3 MB) per insert besides.
const (
	defaultStreams   = 2
	minStreamRows    = 5000
	defaultFlushRows = 100_000
)

// writer batches rows into ClickHouse. While ClickHouse is unreachable
// (store.ErrUnavailable) batches go to the on-disk buffer, and the buffer
// is replayed, oldest first, before anything new is written.
type writer struct {
	ch        *store.ClickHouse
	buf       *diskBuffer
	m         *metrics
	log       *slog.Logger
	flushRows int
	// streams is how many inserts a large snapshot batch is split into,
	// sent at once; a part has at least streamRows rows.
	streams, streamRows int
	// settings, when set, are sent with each snapshot insert (the
	// benchmark marks its inserts with them).
	settings clickhouse.Settings

	mu      sync.Mutex // pending
	pending pendingRows

	ioMu sync.Mutex // one insert or replay at a time, in order

	written, buffered atomic.Int64 // rows, for run bookkeeping
	insertNanos       atomic.Int64 // time spent in successful inserts (rows/s)
}

func newWriter(ch *store.ClickHouse, buf *diskBuffer, m *metrics, log *slog.Logger, flushRows int) *writer {
	if flushRows <= 0 {
		flushRows = defaultFlushRows
	}
	w := &writer{ch: ch, buf: buf, m: m, log: log, flushRows: flushRows, streams: defaultStreams, streamRows: minStreamRows}
	buf.onDamaged = func(s segment, err error) {
		m.bufferDamaged.Inc()
		dir, _ := filepath.Split(s.path)
		log.Error("collector buffer segment is damaged and was moved aside; its snapshots are not written",
			"segment", s.name, "moved_to", filepath.Join(dir, damagedDir), "err", err)
	}
	w.updateBufferGauge()
	return w
}

// Add queues b's rows and writes them once enough are pending. The writer
// keeps b's slices until they are written: the caller must not change
// them afterwards (the collector builds a new batch per channel).
func (w *writer) Add(ctx context.Context, b Batch) error {
	w.mu.Lock()
	w.pending.add(b)
	if w.pending.rows < w.flushRows {
		w.mu.Unlock()
		return nil
	}
	out := w.pending
	w.pending = pendingRows{}
	w.mu.Unlock()
	return w.write(ctx, out)
}

// pendingRows is the batches Add queued, as their callers built them.
// Copying them into one growing slice (100,000 rows of 280 bytes, again
// at each doubling, with the garbage collector's write barriers on every
// string) was a quarter of the client's CPU per row (BenchmarkIngest's
// profile); the snapshot inserts read the rows through pointers instead,
// and the posts and accounts are copied once, sized (pendingRows.posts:
// their insert builds columns from one slice).
type pendingRows struct {
	batches []Batch
	rows    int
}

// pendingOf is b alone as pending rows.
func pendingOf(b Batch) pendingRows {
	var p pendingRows
	p.add(b)
	return p
}

func (p *pendingRows) add(b Batch) {
	if b.Rows() == 0 {
		return
	}
	p.batches = append(p.batches, b)
	p.rows += b.Rows()
}

// batch is the pending rows as one Batch (a copy when several batches
// are pending), for the on-disk buffer.
func (p pendingRows) batch() Batch {
	if len(p.batches) == 1 {
		return p.batches[0]
	}
	var out Batch
	for _, b := range p.batches {
		out.add(b)
	}
	return out
}

// posts and accounts are the pending post and account rows, in the
// order added: a batch's own slices when one batch is pending, else one
// copy (sized once) of each.
func (p pendingRows) posts() ([]PostRow, []AccountRow) {
	if len(p.batches) == 1 {
		return p.batches[0].Posts, p.batches[0].Accounts
	}
	var np, na int
	for _, b := range p.batches {
		np, na = np+len(b.Posts), na+len(b.Accounts)
	}
	posts, accounts := make([]PostRow, 0, np), make([]AccountRow, 0, na)
	for _, b := range p.batches {
		posts, accounts = append(posts, b.Posts...), append(accounts, b.Accounts...)
	}
	return posts, accounts
}

// snapshots points at every pending snapshot row, in the order added.
func (p pendingRows) snapshots() []*SnapshotRow {
	n := 0
	for _, b := range p.batches {
		n += len(b.Snapshots)
	}
	out := make([]*SnapshotRow, 0, n)
	for _, b := range p.batches {
		for i := range b.Snapshots {
			out = append(out, &b.Snapshots[i])
		}
	}
	return out
}

// Flush writes whatever is pending.
func (w *writer) Flush(ctx context.Context) error {
	w.mu.Lock()
	out := w.pending
	w.pending = pendingRows{}
	w.mu.Unlock()
	if out.rows == 0 {
		_, err := w.Replay(ctx)
		return err
	}
	return w.write(ctx, out)
}

// write inserts b, or keeps it in the buffer when ClickHouse is away. Once
// the buffer holds anything, new batches queue behind it so the order of
// writes is the order of collection.
func (w *writer) write(ctx context.Context, p pendingRows) error {
	w.ioMu.Lock()
	defer w.ioMu.Unlock()
	if err := w.replayLocked(ctx); err != nil && !errors.Is(err, store.ErrUnavailable) {
		return err
	}
	if _, segs := w.buf.Size(); segs == 0 {
		err := w.insert(ctx, p)
		if err == nil {
			return nil
		}
		if !errors.Is(err, store.ErrUnavailable) {
			return err
		}
		w.log.WarnContext(ctx, "clickhouse unreachable; keeping snapshots in the on-disk buffer", "rows", p.rows, "err", err)
	}
	b := p.batch()
	if err := w.buf.Append(b); err != nil {
		if errors.Is(err, ErrBufferFull) {
			w.m.bufferFull.Inc()
		}
		return err
	}
	w.buffered.Add(int64(b.Rows()))
	w.m.rowsBuffered.WithLabelValues("posts").Add(float64(len(b.Posts)))
	w.m.rowsBuffered.WithLabelValues("post_metrics").Add(float64(len(b.Snapshots)))
	w.m.rowsBuffered.WithLabelValues("account_metrics").Add(float64(len(b.Accounts)))
	w.updateBufferGauge()
	return nil
}

// Replay writes buffered batches to ClickHouse, oldest first, and returns
// how many rows it wrote. It stops at the first failure (the rest waits).
func (w *writer) Replay(ctx context.Context) (int, error) {
	w.ioMu.Lock()
	defer w.ioMu.Unlock()
	before := w.written.Load()
	err := w.replayLocked(ctx)
	return int(w.written.Load() - before), err
}

func (w *writer) replayLocked(ctx context.Context) error {
	defer w.updateBufferGauge()
	w.buf.rescan() // segments another process sharing the folder left
	for {
		seg, b, ok, err := w.buf.Oldest()
		if err != nil || !ok {
			return err
		}
		// A replayed batch may be partly in ClickHouse already (an insert
		// cut off midway); the tables' keys make writing it again harmless.
		if err := w.insert(ctx, pendingOf(b)); err != nil {
			return err
		}
		if err := w.buf.Remove(seg); err != nil {
			return err
		}
		w.log.InfoContext(ctx, "buffered snapshots written to clickhouse", "rows", b.Rows(), "segment", seg.name)
	}
}

func (w *writer) updateBufferGauge() {
	n, _ := w.buf.Size()
	w.m.bufferBytes.Set(float64(n))
}

// insert writes the three tables of p, each as one batch (the snapshots
// as w.streams inserts at once).
func (w *writer) insert(ctx context.Context, p pendingRows) error {
	start := time.Now()
	defer func() { w.insertNanos.Add(int64(time.Since(start))) }()
	posts, accounts := p.posts()
	if len(posts) > 0 {
		if err := w.insertPosts(ctx, posts); err != nil {
			return err
		}
	}
	if snaps := p.snapshots(); len(snaps) > 0 {
		if err := w.insertSnapshots(ctx, snaps); err != nil {
			return err
		}
	}
	if len(accounts) > 0 {
		if err := w.insertAccounts(ctx, accounts); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) insertPosts(ctx context.Context, rows []PostRow) error {
	return w.count(TablePosts, len(rows), insertRows(ctx, w.ch, qInsertPosts, len(rows), sliceColumns(rows, columnSlices[PostRow])))
}

// insertSnapshots writes rows as one insert, or a large batch as
// w.streams inserts sent at once, split by post (splitByPost). ClickHouse
// runs an insert and the views it feeds on one thread, so one insert
// leaves the server's other cores idle; two of them nearly double the
// rows written per second on two cores (BenchmarkIngest). Every row of a
// post goes to the same insert in its batch order, so the tables end as
// one insert leaves them (TestSplitInsertWritesTheSameTables). When one
// insert fails the batch fails whole and is kept or retried whole, as an
// insert cut off midway is: the tables' keys make rows written twice
// harmless.
func (w *writer) insertSnapshots(ctx context.Context, rows []*SnapshotRow) error {
	if w.settings != nil {
		ctx = clickhouse.Context(ctx, clickhouse.WithSettings(w.settings))
	}
	parts := splitByPost(rows, w.streams, w.streamRows)
	if parts == nil {
		return w.count(TableSnapshots, len(rows), insertRows(ctx, w.ch, qInsertSnapshots, len(rows), snapshotRefSource(rows)))
	}
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = insertRows(ctx, w.ch, qInsertSnapshots, len(p), snapshotRefSource(p))
		}()
	}
	wg.Wait()
	return w.count(TableSnapshots, len(rows), errors.Join(errs...))
}

// splitByPost splits rows into at most n parts of about minRows rows or
// more, by a hash of (platform, post_id), as lists of pointers (no copy
// of the rows): a post's rows all land in one part, in their order in
// rows. It is nil when rows stay one insert.
func splitByPost(rows []*SnapshotRow, n, minRows int) [][]*SnapshotRow {
	n = max(1, min(n, len(rows)/max(1, minRows)))
	if n == 1 {
		return nil
	}
	parts := make([][]*SnapshotRow, n)
	for i := range parts {
		parts[i] = make([]*SnapshotRow, 0, len(rows)/n+len(rows)/(4*n)+1)
	}
	for _, r := range rows {
		p := fnv64(fnv64(fnvOffset, r.Platform), r.PostID) % uint64(n)
		parts[p] = append(parts[p], r)
	}
	return parts
}

// FNV-1a, 64 bits: cheap, and the same split every time.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv64(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return (h ^ 0xff) * fnvPrime // a separator: ("ab","c") and ("a","bc") differ
}

func (w *writer) insertAccounts(ctx context.Context, rows []AccountRow) error {
	return w.count(TableAccounts, len(rows), insertRows(ctx, w.ch, qInsertAccounts, len(rows), sliceColumns(rows, columnSlices[AccountRow])))
}

// count adds n written rows of table to the counters when err is nil.
func (w *writer) count(table string, n int, err error) error {
	if err != nil {
		return err
	}
	w.written.Add(int64(n))
	w.m.rowsWritten.WithLabelValues(table).Add(float64(n))
	return nil
}

// insertRows writes n rows as one batch, column by column: each field with
// a ch tag is gathered into one slice (in the order of Columns, which
// names the columns of query) and appended whole, which costs the client
// a fraction of appending row by row. cols builds the slices of rows
// lo to hi, a chunk at a time (columnSlices, or a typed builder for the
// busiest table that reuses its slices: the driver's columns copy what is
// appended).
func insertRows(ctx context.Context, ch *store.ClickHouse, query string, n int, cols func(lo, hi int) []any) error {
	if n == 0 {
		return nil
	}
	table := strings.Fields(query)[2]
	bt, err := ch.PrepareBatch(ctx, query)
	if err != nil {
		return fmt.Errorf("insert %s: %w", table, err)
	}
	defer bt.Abort()
	for lo := 0; lo < n; lo += insertChunk {
		for i, col := range cols(lo, min(n, lo+insertChunk)) {
			if err := appendColumn(bt.Column(i), col); err != nil {
				return fmt.Errorf("insert %s: column %d: %w", table, i, err)
			}
		}
		if lo+insertChunk < n {
			// Send this chunk as a block of the insert: the server
			// gathers the blocks of one insert into one before writing
			// (min_insert_block_size_rows), so the insert still writes
			// one part per partition, while the client holds one
			// chunk's columns and the server reads while the next chunk
			// is built.
			if err := store.WrapError(bt.Flush()); err != nil {
				return fmt.Errorf("insert %s: %w", table, err)
			}
		}
	}
	if err := store.WrapError(bt.Send()); err != nil {
		return fmt.Errorf("insert %s: %w", table, err)
	}
	return nil
}

// appendColumn appends a column's values. An Array(String) column is
// appended a row at a time: the driver takes a whole [][]string through
// reflection, element by element, and a []string row without it.
func appendColumn(c driver.BatchColumn, col any) error {
	arrs, ok := col.([][]string)
	if !ok {
		return c.Append(col)
	}
	for _, a := range arrs {
		if err := c.AppendRow(a); err != nil {
			return err
		}
	}
	return nil
}

// Insert writes b straight into the collector's tables, without the
// on-disk buffer: the seed command's demo and benchmark data goes the
// writer's way through it (one insert a table: the seeder runs several
// Inserts at once).
func Insert(ctx context.Context, ch *store.ClickHouse, b Batch) error {
	if err := insertRows(ctx, ch, qInsertPosts, len(b.Posts), sliceColumns(b.Posts, columnSlices[PostRow])); err != nil {
		return err
	}
	if err := insertRows(ctx, ch, qInsertSnapshots, len(b.Snapshots), snapshotSource(b.Snapshots)); err != nil {
		return err
	}
	return insertRows(ctx, ch, qInsertAccounts, len(b.Accounts), sliceColumns(b.Accounts, columnSlices[AccountRow]))
}

// CountSnapshots is how many snapshot rows the ClickHouse database holds
// (the seed command refuses to add to a database that has any).
func CountSnapshots(ctx context.Context, ch *store.ClickHouse) (uint64, error) {
	var n uint64
	if err := ch.QueryRow(ctx, "SELECT count() FROM "+TableSnapshots).Scan(&n); err != nil {
		return 0, fmt.Errorf("count snapshots: %w", store.WrapError(err))
	}
	return n, nil
}
