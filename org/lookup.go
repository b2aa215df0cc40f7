package org

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/humas-id/humas/store"
)

// Lookups other packages make of channels in bulk: the scheduler asks
// these instead of joining the channels table (org owns it).
const (
	qChannelsByID = `SELECT ` + qChannelCols + ` FROM channels WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`
	qPublishable  = `SELECT id FROM channels WHERE status = 'active' AND deleted_at IS NULL
    AND (paused_until IS NULL OR paused_until <= ?) ORDER BY id`
	qBlocked         = `SELECT ` + qChannelCols + ` FROM channels WHERE status != 'active' OR deleted_at IS NOT NULL ORDER BY id`
	qReconnectNeeded = `SELECT count(*) FROM channels WHERE status = 'reconnect_needed' AND deleted_at IS NULL`
)

// Querier runs a query: *sql.DB, or the *sql.Tx a caller is in (a read
// inside a transaction must use it: the pool may have no other
// connection to give).
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// ChannelsByID returns the channels with these ids, deleted ones too (a
// post's deliveries name the channels they went to), in one query.
func (s *Store) ChannelsByID(ctx context.Context, ids []int64) (map[int64]Channel, error) {
	return s.ChannelsByIDIn(ctx, s.db.DB, ids)
}

// ChannelsByIDIn is ChannelsByID run on q: the caller's transaction.
func (s *Store) ChannelsByIDIn(ctx context.Context, q Querier, ids []int64) (map[int64]Channel, error) {
	out := make(map[int64]Channel, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("channels by id: %w", err)
	}
	rows, err := q.QueryContext(ctx, qChannelsByID, string(list))
	if err != nil {
		return nil, fmt.Errorf("channels by id: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, fmt.Errorf("channels by id: %w", err)
		}
		out[c.ID] = c
	}
	return out, rows.Err()
}

// Publishable lists the ids of the channels that may publish at t:
// active, not deleted, not paused past t.
func (s *Store) Publishable(ctx context.Context, t time.Time) ([]int64, error) {
	rows, err := s.db.DB.QueryContext(ctx, qPublishable, store.FormatTime(t))
	if err != nil {
		return nil, fmt.Errorf("publishable channels: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("publishable channels: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Blocked lists the channels that cannot publish whatever the time:
// reconnect needed, disabled or deleted.
func (s *Store) Blocked(ctx context.Context) ([]Channel, error) {
	return s.listChannels(ctx, qBlocked)
}

// ReconnectNeeded counts the channels (not deleted) waiting for a new
// access token.
func (s *Store) ReconnectNeeded(ctx context.Context) (int, error) {
	var n int
	if err := s.db.DB.QueryRowContext(ctx, qReconnectNeeded).Scan(&n); err != nil {
		return 0, fmt.Errorf("channels needing a reconnect: %w", err)
	}
	return n, nil
}
