package scheduler

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/store"
)

const (
	qAuditList = `SELECT id, at, COALESCE(actor_id, 0), actor_name, entity, entity_id, action, from_state, to_state, reason, detail
FROM audit_log WHERE (entity = 'post' AND entity_id = ?)
   OR (entity = 'delivery' AND entity_id IN (SELECT id FROM deliveries WHERE post_id = ?))
ORDER BY id`
)

// systemActor is who the publisher acts as in the audit log.
var systemActor = auth.Principal{Name: "scheduler"}

type auditRec struct {
	actor    auth.Principal
	entity   string
	id       int64
	action   string
	from, to string
	reason   string
	detail   any
}

func writeAudit(ctx context.Context, tx *sql.Tx, at time.Time, r auditRec) error {
	return auth.AppendAudit(ctx, tx, at, auth.AuditRecord{Actor: r.actor, Entity: r.entity, EntityID: r.id, Action: r.action,
		From: r.from, To: r.to, Reason: r.reason, Detail: r.detail})
}

// Audit returns the audit log of a post and its deliveries, oldest first.
func (s *Service) Audit(ctx context.Context, p auth.Principal, postID int64) ([]AuditEntry, error) {
	if _, err := s.Post(ctx, p, postID); err != nil {
		return nil, err
	}
	rows, err := s.db.DB.QueryContext(ctx, qAuditList, postID, postID)
	if err != nil {
		return nil, fmt.Errorf("audit of post %d: %w", postID, err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &e.Entity, &e.EntityID, &e.Action, &e.FromState, &e.ToState,
			&e.Reason, &e.Detail); err != nil {
			return nil, fmt.Errorf("audit of post %d: %w", postID, err)
		}
		e.At, _ = store.ParseTime(at)
		if e.Detail == "{}" {
			e.Detail = ""
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
