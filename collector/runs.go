package collector

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/valid"
)

// Run triggers.
const (
	TriggerSchedule = "schedule"
	TriggerAPI      = "api"
	TriggerCLI      = "cli"
)

// Run statuses.
const (
	StatusRunning = "running"
	StatusDone    = "done"    // every channel collected
	StatusPartial = "partial" // some channels failed or stay paused
	StatusFailed  = "failed"  // nothing could be collected
)

// ErrRunNotFound means no run has the id asked for.
var ErrRunNotFound error = valid.NotFound("no collection run has this id", "tidak ada koleksi dengan id ini")

// ChannelError is why one channel was not collected.
type ChannelError struct {
	ChannelID int64  `json:"channel_id"`
	Channel   string `json:"channel"`
	Reason    string `json:"reason"` // throttled, auth, permission, graph, clickhouse, buffer_full, ...
	Message   string `json:"message"`
}

// RunStatus is a run's progress and outcome.
type RunStatus struct {
	ID             string         `json:"id"`
	Trigger        string         `json:"trigger"`
	RequestedBy    string         `json:"requested_by,omitempty"`
	ChannelID      int64          `json:"channel_id,omitempty"`
	Since          *time.Time     `json:"since,omitempty"`
	Status         string         `json:"status"`
	StartedAt      time.Time      `json:"started_at"`
	FinishedAt     *time.Time     `json:"finished_at,omitempty"`
	ChannelsTotal  int            `json:"channels_total"`
	ChannelsDone   int            `json:"channels_done"`
	ChannelsFailed int            `json:"channels_failed"`
	ChannelsPaused int            `json:"channels_paused"`
	Posts          int64          `json:"posts"`
	RowsWritten    int64          `json:"rows_written"`
	RowsBuffered   int64          `json:"rows_buffered"`
	GraphCalls     int64          `json:"graph_calls"`
	Errors         []ChannelError `json:"errors"`
}

const (
	qRunInsert = `INSERT INTO collect_runs (id, trigger_kind, requested_by, channel_id, since, status, started_at, channels_total)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	qRunUpdate = `UPDATE collect_runs SET status = ?, finished_at = ?, channels_total = ?, channels_done = ?,
    channels_failed = ?, channels_paused = ?, posts = ?, rows_written = ?, rows_buffered = ?, graph_calls = ?, errors = ?,
    heartbeat_at = ?
WHERE id = ?`
	// The lease (migration 0021): a run claims it by being the one
	// 'running' row; one whose heartbeat is older than the lease is
	// abandoned and marked failed first.
	qRunExpire = `UPDATE collect_runs SET status = 'failed', finished_at = ?, errors = ?
WHERE status = 'running' AND COALESCE(heartbeat_at, started_at) < ?`
	qRunClaim = `INSERT INTO collect_runs (id, trigger_kind, requested_by, channel_id, since, status, started_at, channels_total,
    heartbeat_at)
SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM collect_runs WHERE status = 'running')`
	qRunRunning   = `SELECT id FROM collect_runs WHERE status = 'running' LIMIT 1`
	qRunHeartbeat = `UPDATE collect_runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'`
	qRunGet       = `SELECT id, trigger_kind, requested_by, channel_id, since, status, started_at, finished_at, channels_total,
    channels_done, channels_failed, channels_paused, posts, rows_written, rows_buffered, graph_calls, errors
FROM collect_runs WHERE id = ?`
)

type runStore struct{ db *store.SQLite }

// abandoned is the error an expired run is closed with.
var abandoned = ChannelError{Reason: "abandoned", Message: "the process running this collection stopped before it finished " +
	"(no heartbeat within the lease) / proses yang menjalankan koleksi ini berhenti sebelum selesai"}

// claim records r as the running collection if no other run holds the
// lease, across every process sharing the state database. A running row
// whose heartbeat is before expired belonged to a process that died: it is
// marked failed first. Another live run gives *RunInProgressError.
func (s runStore) claim(ctx context.Context, r RunStatus, now, expired time.Time) error {
	var since any
	if r.Since != nil {
		since = store.FormatTime(*r.Since)
	}
	ej, _ := json.Marshal([]ChannelError{abandoned})
	tx, err := s.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record collection run: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, qRunExpire, store.FormatTime(now), string(ej), store.FormatTime(expired)); err != nil {
		return fmt.Errorf("expire abandoned collection runs: %w", err)
	}
	res, err := tx.ExecContext(ctx, qRunClaim, r.ID, r.Trigger, r.RequestedBy, r.ChannelID, since, r.Status,
		store.FormatTime(r.StartedAt), r.ChannelsTotal, store.FormatTime(now))
	if err != nil && !strings.Contains(err.Error(), "UNIQUE") {
		return fmt.Errorf("record collection run: %w", err)
	}
	if err == nil {
		if n, _ := res.RowsAffected(); n == 1 {
			if err := tx.Commit(); err != nil {
				return fmt.Errorf("record collection run: %w", err)
			}
			return nil
		}
	}
	var id string
	if err := tx.QueryRowContext(ctx, qRunRunning).Scan(&id); err != nil {
		return fmt.Errorf("read the running collection: %w", err)
	}
	return &RunInProgressError{ID: id}
}

// heartbeat renews a running run's lease; false when the run no longer
// holds it (another process found it expired).
func (s runStore) heartbeat(ctx context.Context, id string, now time.Time) (bool, error) {
	res, err := s.db.DB.ExecContext(ctx, qRunHeartbeat, store.FormatTime(now), id)
	if err != nil {
		return false, fmt.Errorf("renew collection run %s: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func (s runStore) update(ctx context.Context, r RunStatus, now time.Time) error {
	var fin any
	if r.FinishedAt != nil {
		fin = store.FormatTime(*r.FinishedAt)
	}
	errs := r.Errors
	if errs == nil {
		errs = []ChannelError{}
	}
	ej, _ := json.Marshal(errs)
	if _, err := s.db.DB.ExecContext(ctx, qRunUpdate, r.Status, fin, r.ChannelsTotal, r.ChannelsDone, r.ChannelsFailed,
		r.ChannelsPaused, r.Posts, r.RowsWritten, r.RowsBuffered, r.GraphCalls, string(ej), store.FormatTime(now), r.ID); err != nil {
		return fmt.Errorf("update collection run %s: %w", r.ID, err)
	}
	return nil
}

func (s runStore) get(ctx context.Context, id string) (RunStatus, error) {
	var r RunStatus
	var since, fin sql.NullString
	var started, errs string
	err := s.db.DB.QueryRowContext(ctx, qRunGet, id).Scan(&r.ID, &r.Trigger, &r.RequestedBy, &r.ChannelID, &since, &r.Status,
		&started, &fin, &r.ChannelsTotal, &r.ChannelsDone, &r.ChannelsFailed, &r.ChannelsPaused, &r.Posts, &r.RowsWritten,
		&r.RowsBuffered, &r.GraphCalls, &errs)
	if errors.Is(err, sql.ErrNoRows) {
		return RunStatus{}, ErrRunNotFound
	}
	if err != nil {
		return RunStatus{}, fmt.Errorf("read collection run %s: %w", id, err)
	}
	r.StartedAt, _ = store.ParseTime(started)
	if since.Valid {
		t, _ := store.ParseTime(since.String)
		r.Since = &t
	}
	if fin.Valid {
		t, _ := store.ParseTime(fin.String)
		r.FinishedAt = &t
	}
	_ = json.Unmarshal([]byte(errs), &r.Errors)
	return r, nil
}
