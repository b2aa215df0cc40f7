package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
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
		flushRows = 5000
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
	bt, err := w.ch.PrepareBatch(ctx, qInsertPosts)
	if err != nil {
		return fmt.Errorf("insert posts: %w", err)
	}
	defer bt.Abort()
	for _, r := range rows {
		if err := bt.Append(r.Platform, r.PostID, r.ChannelID, r.AccountID, r.UnitID, r.ContentType, r.ContentTypeSource,
			r.MediaType, r.MediaProductType, r.Caption, nonNil(r.Hashtags), r.Campaign, r.PublishedAt.UTC(), r.Permalink,
			r.HumasPostID, r.DeliveryID, r.UpdatedAt.UTC(), r.Version, r.ThumbnailURL); err != nil {
			return fmt.Errorf("insert posts: %w", err)
		}
	}
	if err := store.WrapError(bt.Send()); err != nil {
		return fmt.Errorf("insert posts: %w", err)
	}
	w.written.Add(int64(len(rows)))
	w.m.rowsWritten.WithLabelValues("posts").Add(float64(len(rows)))
	return nil
}

func (w *writer) insertSnapshots(ctx context.Context, rows []SnapshotRow) error {
	bt, err := w.ch.PrepareBatch(ctx, qInsertSnapshots)
	if err != nil {
		return fmt.Errorf("insert post_metrics: %w", err)
	}
	defer bt.Abort()
	for _, r := range rows {
		if err := bt.Append(r.Slot.UTC(), r.CollectedAt.UTC(), r.Platform, r.PostID, r.ChannelID, r.AccountID,
			r.PublishedAt.UTC(), r.Reach, r.Views, r.Reactions, r.Likes, r.Comments, r.Shares, r.Saves, r.Clicks,
			r.VideoViews, r.Interactions, r.HasInsights, nonNil(r.MetricFields), nonNil(r.MetricSources), r.RunID); err != nil {
			return fmt.Errorf("insert post_metrics: %w", err)
		}
	}
	if err := store.WrapError(bt.Send()); err != nil {
		return fmt.Errorf("insert post_metrics: %w", err)
	}
	w.written.Add(int64(len(rows)))
	w.m.rowsWritten.WithLabelValues("post_metrics").Add(float64(len(rows)))
	return nil
}

func (w *writer) insertAccounts(ctx context.Context, rows []AccountRow) error {
	bt, err := w.ch.PrepareBatch(ctx, qInsertAccounts)
	if err != nil {
		return fmt.Errorf("insert account_metrics: %w", err)
	}
	defer bt.Abort()
	for _, r := range rows {
		if err := bt.Append(r.Day.UTC(), r.CollectedAt.UTC(), r.Platform, r.ChannelID, r.AccountID, r.UnitID,
			r.Followers, r.MetricSource); err != nil {
			return fmt.Errorf("insert account_metrics: %w", err)
		}
	}
	if err := store.WrapError(bt.Send()); err != nil {
		return fmt.Errorf("insert account_metrics: %w", err)
	}
	w.written.Add(int64(len(rows)))
	w.m.rowsWritten.WithLabelValues("account_metrics").Add(float64(len(rows)))
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
