package auth

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/humas-id/humas/store"
)

// CLIActor is who the command line acts as in the audit log.
var CLIActor = Principal{Name: "cli"}

// SystemActor is who acts when no principal is in the context (startup
// wiring, the sandbox's demo data).
var SystemActor = Principal{Name: "system"}

// Actor is who ctx acts for: its principal, or SystemActor.
func Actor(ctx context.Context) Principal {
	if p, ok := FromContext(ctx); ok && p.Name != "" {
		return p
	}
	return SystemActor
}

// AuditRecord is one line appended to the audit log. Detail is stored as
// JSON: never put a token, a secret or a hash of one in it.
type AuditRecord struct {
	Actor    Principal
	Entity   string // post, delivery, unit, channel, user
	EntityID int64
	Action   string
	From, To string // states, when the action changes one
	Reason   string
	Detail   any
}

// Execer runs a statement; *sql.Tx and *sql.DB are both one. Write the
// audit line in the transaction that makes the change.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

const qAuditInsert = `INSERT INTO audit_log (at, actor_id, actor_name, entity, entity_id, action, from_state, to_state, reason, detail)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// AppendAudit appends r to the append-only audit_log at time at.
func AppendAudit(ctx context.Context, x Execer, at time.Time, r AuditRecord) error {
	detail := "{}"
	if r.Detail != nil {
		b, err := json.Marshal(r.Detail)
		if err != nil {
			return fmt.Errorf("audit detail: %w", err)
		}
		detail = string(b)
	}
	var actorID any
	if r.Actor.UserID != 0 {
		actorID = r.Actor.UserID
	}
	if _, err := x.ExecContext(ctx, qAuditInsert, store.FormatTime(at), actorID, r.Actor.Name, r.Entity, r.EntityID, r.Action,
		r.From, r.To, r.Reason, detail); err != nil {
		return fmt.Errorf("audit %s %d %s: %w", r.Entity, r.EntityID, r.Action, err)
	}
	return nil
}

// Entity names one audited thing: its kind (post, delivery, unit,
// channel, user) and id.
type Entity struct {
	Kind string `json:"k"`
	ID   int64  `json:"i"`
}

// Queryer runs a query; *sql.Tx and *sql.DB are both one.
type Queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// qAuditOf reads the lines of the entities in a VALUES list of (kind, id)
// pairs (%s: "(?, ?), (?, ?)..."); both engines name its columns column1
// and column2.
const qAuditOf = `SELECT a.id, a.at, COALESCE(a.actor_id, 0), a.actor_name, a.entity, a.entity_id, a.action, a.from_state,
    a.to_state, a.reason, a.detail
FROM audit_log a JOIN (VALUES %s) e
  ON a.entity = e.column1 AND a.entity_id = CAST(e.column2 AS BIGINT)
ORDER BY a.id`

// ReadAudit returns the audit lines of the entities, oldest first
// (UnitID is left 0: the caller knows the entities).
func ReadAudit(ctx context.Context, q Queryer, of []Entity) ([]AuditLine, error) {
	if len(of) == 0 {
		return nil, nil
	}
	pairs := strings.Repeat("(?, ?), ", len(of))
	args := make([]any, 0, 2*len(of))
	for _, e := range of {
		args = append(args, e.Kind, e.ID)
	}
	rows, err := q.QueryContext(ctx, fmt.Sprintf(qAuditOf, pairs[:len(pairs)-2]), args...)
	if err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	defer rows.Close()
	var out []AuditLine
	for rows.Next() {
		var l AuditLine
		var at string
		if err := rows.Scan(&l.ID, &at, &l.ActorID, &l.ActorName, &l.Entity, &l.EntityID, &l.Action, &l.From, &l.To,
			&l.Reason, &l.Detail); err != nil {
			return nil, fmt.Errorf("read audit: %w", err)
		}
		if l.At, err = store.ParseTime(at); err != nil {
			return nil, fmt.Errorf("read audit line %d: %w", l.ID, err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
