package auth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/humas-id/humas/store"
)

// AuditFilter selects audit lines. Units is required: lines about things
// (posts, deliveries, channels, units, users) outside these units are
// never returned, so an admin sees their own subtree only.
type AuditFilter struct {
	Units    []int64
	Actor    string // actor name, exact (case-insensitive)
	Entity   string // post, delivery, unit, channel, user
	EntityID int64
	UnitID   int64 // only lines about this unit's things
	Action   string
	From, To time.Time // [From, To)
	BeforeID int64     // paging: lines older than this id
	Limit    int
}

// AuditLine is one audit line with the unit of the thing it is about.
type AuditLine struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	ActorID   int64     `json:"actor_id,omitempty"`
	ActorName string    `json:"actor_name"`
	Entity    string    `json:"entity"`
	EntityID  int64     `json:"entity_id"`
	UnitID    int64     `json:"unit_id"`
	Action    string    `json:"action"`
	From      string    `json:"from_state,omitempty"`
	To        string    `json:"to_state,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Detail    string    `json:"detail"`
}

// The unit of each line's thing, from the table that owns it.
const qAuditScoped = `WITH lines AS (
    SELECT a.id, a.at, COALESCE(a.actor_id, 0) AS actor_id, a.actor_name, a.entity, a.entity_id, a.action,
           a.from_state, a.to_state, a.reason, a.detail,
           CASE a.entity
               WHEN 'post' THEN (SELECT p.unit_id FROM posts p WHERE p.id = a.entity_id)
               WHEN 'delivery' THEN (SELECT p.unit_id FROM deliveries d JOIN posts p ON p.id = d.post_id WHERE d.id = a.entity_id)
               WHEN 'unit' THEN a.entity_id
               WHEN 'channel' THEN (SELECT c.unit_id FROM channels c WHERE c.id = a.entity_id)
               WHEN 'user' THEN (SELECT u.unit_id FROM users u WHERE u.id = a.entity_id)
               WHEN 'comment' THEN (SELECT cm.unit_id FROM comments cm WHERE cm.id = a.entity_id)
               WHEN 'ppid_request' THEN (SELECT pr.unit_id FROM ppid_requests pr WHERE pr.id = a.entity_id)
           END AS unit_id
    FROM audit_log a
    WHERE 1 = 1`

// QueryAudit returns audit lines matching f, newest first (at most
// f.Limit, default 200, at most 50 000).
func (s *Store) QueryAudit(ctx context.Context, f AuditFilter) ([]AuditLine, error) {
	if len(f.Units) == 0 {
		return nil, nil
	}
	var q strings.Builder
	q.WriteString(qAuditScoped)
	var args []any
	// Filters on audit_log itself go inside, so the index on at is used.
	if !f.From.IsZero() {
		q.WriteString(" AND a.at >= ?")
		args = append(args, store.FormatTime(f.From))
	}
	if !f.To.IsZero() {
		q.WriteString(" AND a.at < ?")
		args = append(args, store.FormatTime(f.To))
	}
	if f.Actor != "" {
		q.WriteString(" AND lower(a.actor_name) = lower(?)")
		args = append(args, f.Actor)
	}
	if f.Entity != "" {
		q.WriteString(" AND a.entity = ?")
		args = append(args, f.Entity)
	}
	if f.EntityID != 0 {
		q.WriteString(" AND a.entity_id = ?")
		args = append(args, f.EntityID)
	}
	if f.Action != "" {
		q.WriteString(" AND a.action = ?")
		args = append(args, f.Action)
	}
	if f.BeforeID != 0 {
		q.WriteString(" AND a.id < ?")
		args = append(args, f.BeforeID)
	}
	q.WriteString("\n)\nSELECT id, at, actor_id, actor_name, entity, entity_id, COALESCE(unit_id, 0), action, from_state, to_state, reason, detail\nFROM lines WHERE unit_id IN (?")
	q.WriteString(strings.Repeat(", ?", len(f.Units)-1))
	q.WriteString(")")
	for _, u := range f.Units {
		args = append(args, u)
	}
	if f.UnitID != 0 {
		q.WriteString(" AND unit_id = ?")
		args = append(args, f.UnitID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 200
	}
	limit = min(limit, 50_000)
	q.WriteString(" ORDER BY id DESC LIMIT ?")
	args = append(args, limit)
	rows, err := s.db.DB.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("query audit: %w", err)
	}
	defer rows.Close()
	out := []AuditLine{}
	for rows.Next() {
		var l AuditLine
		var at string
		if err := rows.Scan(&l.ID, &at, &l.ActorID, &l.ActorName, &l.Entity, &l.EntityID, &l.UnitID, &l.Action, &l.From, &l.To, &l.Reason, &l.Detail); err != nil {
			return nil, fmt.Errorf("query audit: %w", err)
		}
		l.At, _ = store.ParseTime(at)
		out = append(out, l)
	}
	return out, rows.Err()
}
