package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/humas-id/humas/auth"
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

func writeAudit(ctx context.Context, tx auth.Execer, at time.Time, r auditRec) error {
	return auth.AppendAudit(ctx, tx, at, auth.AuditRecord{Actor: r.actor, Entity: r.entity, EntityID: r.id, Action: r.action,
		From: r.from, To: r.to, Reason: r.reason, Detail: r.detail})
}

// Audit returns the audit log of a post and its deliveries, oldest first
// (auth reads it: the audit log is auth's).
func (s *Service) Audit(ctx context.Context, p auth.Principal, postID int64) ([]AuditEntry, error) {
	post, err := s.Post(ctx, p, postID)
	if err != nil {
		return nil, err
	}
	of := []auth.Entity{{Kind: "post", ID: postID}}
	for _, d := range post.Deliveries {
		of = append(of, auth.Entity{Kind: "delivery", ID: d.ID})
	}
	lines, err := auth.ReadAudit(ctx, s.db.DB, of)
	if err != nil {
		return nil, fmt.Errorf("audit of post %d: %w", postID, err)
	}
	out := make([]AuditEntry, 0, len(lines))
	for _, l := range lines {
		e := AuditEntry{ID: l.ID, At: l.At, ActorID: l.ActorID, ActorName: l.ActorName, Entity: l.Entity, EntityID: l.EntityID,
			Action: l.Action, FromState: l.From, ToState: l.To, Reason: l.Reason, Detail: l.Detail}
		if e.Detail == "{}" {
			e.Detail = ""
		}
		out = append(out, e)
	}
	return out, nil
}
