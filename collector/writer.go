package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/humas-id/humas/store"
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

	mu      sync.Mutex // pending
	pending Batch

	ioMu sync.Mutex // one insert or replay at a time, in order

	written, buffered atomic.Int64 // rows, for run bookkeeping
	insertNanos       atomic.Int64 // time spent in successful inserts (rows/s)
}

func newWriter(ch *store.ClickHouse, buf *diskBuffer, m *metrics, log *slog.Logger, flushRows int) *writer {
	if flushRows <= 0 {
		flushRows = 20000
	}
	w := &writer{ch: ch, buf: buf, m: m, log: log, flushRows: flushRows}
	buf.onDamaged = func(s segment, err error) {
		m.bufferDamaged.Inc()
		dir, _ := filepath.Split(s.path)
		log.Error("collector buffer segment is damaged and was moved aside; its snapshots are not written",
			"segment", s.name, "moved_to", filepath.Join(dir, damagedDir), "err", err)
	}
	w.updateBufferGauge()
	return w
}

// Add queues rows and writes them once enough are pending.
func (w *writer) Add(ctx context.Context, b Batch) error {
	w.mu.Lock()
	w.pending.add(b)
	if w.pending.Rows() < w.flushRows {
		w.mu.Unlock()
		return nil
	}
	out := w.pending
	w.pending = Batch{}
	w.mu.Unlock()
	return w.write(ctx, out)
}

// Flush writes whatever is pending.
func (w *writer) Flush(ctx context.Context) error {
	w.mu.Lock()
	out := w.pending
	w.pending = Batch{}
	w.mu.Unlock()
	if out.Rows() == 0 {
		_, err := w.Replay(ctx)
		return err
	}
	return w.write(ctx, out)
}

// write inserts b, or keeps it in the buffer when ClickHouse is away. Once
// the buffer holds anything, new batches queue behind it so the order of
// writes is the order of collection.
func (w *writer) write(ctx context.Context, b Batch) error {
	w.ioMu.Lock()
	defer w.ioMu.Unlock()
	if err := w.replayLocked(ctx); err != nil && !errors.Is(err, store.ErrUnavailable) {
		return err
	}
	if _, segs := w.buf.Size(); segs == 0 {
		err := w.insert(ctx, b)
		if err == nil {
			return nil
		}
		if !errors.Is(err, store.ErrUnavailable) {
			return err
		}
		w.log.WarnContext(ctx, "clickhouse unreachable; keeping snapshots in the on-disk buffer", "rows", b.Rows(), "err", err)
	}
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
		if err := w.insert(ctx, b); err != nil {
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

// insert writes the three tables of b, each as one batch.
func (w *writer) insert(ctx context.Context, b Batch) error {
	start := time.Now()
	defer func() { w.insertNanos.Add(int64(time.Since(start))) }()
	if len(b.Posts) > 0 {
		if err := w.insertPosts(ctx, b.Posts); err != nil {
			return err
		}
	}
	if len(b.Snapshots) > 0 {
		if err := w.insertSnapshots(ctx, b.Snapshots); err != nil {
			return err
		}
	}
	if len(b.Accounts) > 0 {
		if err := w.insertAccounts(ctx, b.Accounts); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) insertPosts(ctx context.Context, rows []PostRow) error {
	return w.count(TablePosts, len(rows), insertRows(ctx, w.ch, qInsertPosts, rows))
}

func (w *writer) insertSnapshots(ctx context.Context, rows []SnapshotRow) error {
	return w.count(TableSnapshots, len(rows), insertRows(ctx, w.ch, qInsertSnapshots, rows))
}

func (w *writer) insertAccounts(ctx context.Context, rows []AccountRow) error {
	return w.count(TableAccounts, len(rows), insertRows(ctx, w.ch, qInsertAccounts, rows))
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

// insertRows writes rows as one batch, column by column: each field with
// a ch tag is gathered into one slice (in the order of Columns, which
// names the columns of query) and appended whole, which costs the client
// a fraction of appending row by row.
func insertRows[T any](ctx context.Context, ch *store.ClickHouse, query string, rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	table := strings.Fields(query)[2]
	bt, err := ch.PrepareBatch(ctx, query)
	if err != nil {
		return fmt.Errorf("insert %s: %w", table, err)
	}
	defer bt.Abort()
	for i, col := range columnSlices(rows) {
		if err := bt.Column(i).Append(col); err != nil {
			return fmt.Errorf("insert %s: column %d: %w", table, i, err)
		}
	}
	if err := store.WrapError(bt.Send()); err != nil {
		return fmt.Errorf("insert %s: %w", table, err)
	}
	return nil
}

// columnSlices turns rows into one slice per ch-tagged field ([]time.Time,
// []uint64, [][]string, …), in the order of Columns[T].
func columnSlices[T any](rows []T) []any {
	t := reflect.TypeFor[T]()
	v := reflect.ValueOf(rows)
	var out []any
	for f := range t.NumField() {
		if c := t.Field(f).Tag.Get("ch"); c == "" || c == "-" {
			continue
		}
		col := reflect.MakeSlice(reflect.SliceOf(t.Field(f).Type), len(rows), len(rows))
		for r := range rows {
			col.Index(r).Set(v.Index(r).Field(f))
		}
		out = append(out, col.Interface())
	}
	return out
}

// Insert writes b straight into the collector's tables, without the
// on-disk buffer: the seed command's demo and benchmark data goes the
// writer's way through it.
func Insert(ctx context.Context, ch *store.ClickHouse, b Batch) error {
	if err := insertRows(ctx, ch, qInsertPosts, b.Posts); err != nil {
		return err
	}
	if err := insertRows(ctx, ch, qInsertSnapshots, b.Snapshots); err != nil {
		return err
	}
	return insertRows(ctx, ch, qInsertAccounts, b.Accounts)
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
