package collector

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/humas-id/humas/store"
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
var ErrRunNotFound = errors.New("no collection run with this id")

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
    channels_failed = ?, channels_paused = ?, posts = ?, rows_written = ?, rows_buffered = ?, graph_calls = ?, errors = ?
WHERE id = ?`
	qRunGet = `SELECT id, trigger_kind, requested_by, channel_id, since, status, started_at, finished_at, channels_total,
    channels_done, channels_failed, channels_paused, posts, rows_written, rows_buffered, graph_calls, errors
FROM collect_runs WHERE id = ?`
)

type runStore struct{ db *store.SQLite }

func (s runStore) create(ctx context.Context, r RunStatus) error {
	var since any
	if r.Since != nil {
		since = store.FormatTime(*r.Since)
	}
	if _, err := s.db.DB.ExecContext(ctx, qRunInsert, r.ID, r.Trigger, r.RequestedBy, r.ChannelID, since, r.Status,
		store.FormatTime(r.StartedAt), r.ChannelsTotal); err != nil {
		return fmt.Errorf("record collection run: %w", err)
	}
	return nil
}

func (s runStore) update(ctx context.Context, r RunStatus) error {
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
		r.ChannelsPaused, r.Posts, r.RowsWritten, r.RowsBuffered, r.GraphCalls, string(ej), r.ID); err != nil {
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
