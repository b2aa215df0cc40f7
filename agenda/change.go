package agenda

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/valid"
)

const (
	qUpdateEvent     = `UPDATE events SET title = ?, type = ?, starts_at = ?, ends_at = ?, all_day = ?, description = ? WHERE id = ?`
	qDeleteEventLink = `DELETE FROM event_posts WHERE event_id = ?`
	qDeleteEvent     = `DELETE FROM events WHERE id = ?`
)

// eventAudit is what the audit log keeps of an event before or after a change.
type eventAudit struct {
	Title  string `json:"title"`
	Type   string `json:"type"`
	Start  string `json:"start"`
	End    string `json:"end"`
	AllDay bool   `json:"all_day"`
	UID    string `json:"uid,omitempty"`
	Source string `json:"source,omitempty"`
}

func auditOf(e Event) eventAudit {
	return eventAudit{Title: e.Title, Type: e.Type, Start: store.FormatTime(e.Start), End: store.FormatTime(e.End), AllDay: e.AllDay,
		UID: e.UID, Source: e.Source}
}

// ForChange loads event id for a change by p: the same rule as Create (an
// editor, approver, PPID officer or admin, of the event's unit or a unit
// above it). An event inherited from a parent unit is changed there.
func (s *Service) ForChange(ctx context.Context, p auth.Principal, id int64) (Event, error) {
	if err := canWrite(p); err != nil {
		return Event{}, err
	}
	e, err := s.get(ctx, id)
	if err != nil {
		return Event{}, err
	}
	if err := s.inScope(ctx, p, e.UnitID); err != nil {
		return Event{}, valid.Forbidden("event %d belongs to a unit outside yours (an inherited event is changed by its own unit)",
			"kegiatan %d milik unit di luar unit Anda (kegiatan warisan diubah oleh unitnya sendiri)", id)
	}
	return e, nil
}

// Update changes an event's title, type, times and description (its unit
// and UID stay: a later import of the same file updates an imported event
// again). Audited with the values before and after.
func (s *Service) Update(ctx context.Context, p auth.Principal, id int64, in Input) (Event, error) {
	old, err := s.ForChange(ctx, p, id)
	if err != nil {
		return Event{}, err
	}
	if e := check(in); len(e) > 0 {
		return Event{}, e
	}
	in.End = defaultEnd(in)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, qUpdateEvent, strings.TrimSpace(in.Title), in.Type, store.FormatTime(in.Start),
			store.FormatTime(in.End), in.AllDay, in.Description, id); err != nil {
			return fmt.Errorf("update event %d: %w", id, err)
		}
		after := old
		after.Title, after.Type, after.Start, after.End, after.AllDay = strings.TrimSpace(in.Title), in.Type, in.Start, in.End, in.AllDay
		return auth.AppendAudit(ctx, tx, s.now(), auth.AuditRecord{Actor: p, Entity: "event", EntityID: id, Action: "event_update",
			Detail: map[string]any{"unit_id": old.UnitID, "before": auditOf(old), "after": auditOf(after)}})
	})
	if err != nil {
		return Event{}, err
	}
	return s.get(ctx, id)
}

// Delete removes an event and its links to posts (the posts stay).
// Audited with what was deleted. An imported event comes back at the
// next import of a file that still has it.
func (s *Service) Delete(ctx context.Context, p auth.Principal, id int64) error {
	old, err := s.ForChange(ctx, p, id)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, qDeleteEventLink, id); err != nil {
			return fmt.Errorf("unlink event %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, qDeleteEvent, id); err != nil {
			return fmt.Errorf("delete event %d: %w", id, err)
		}
		return auth.AppendAudit(ctx, tx, s.now(), auth.AuditRecord{Actor: p, Entity: "event", EntityID: id, Action: "event_delete",
			Detail: map[string]any{"unit_id": old.UnitID, "before": auditOf(old), "posts": old.Posts}})
	})
}

func (s *Service) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// defaultEnd is in's end, or its start (a day later for an all-day event)
// when it has none.
func defaultEnd(in Input) time.Time {
	if !in.End.IsZero() {
		return in.End
	}
	if in.AllDay {
		return in.Start.AddDate(0, 0, 1)
	}
	return in.Start
}

// Event returns one event the caller sees: one of its unit's or a unit's
// above it (the agenda it inherits), or below it (an admin: any).
func (s *Service) Event(ctx context.Context, p auth.Principal, id int64) (Event, error) {
	e, err := s.get(ctx, id)
	if err != nil {
		return Event{}, err
	}
	if s.inScope(ctx, p, e.UnitID) == nil {
		return e, nil
	}
	up, err := s.unitsFor(ctx, p.UnitID)
	if err != nil {
		return Event{}, err
	}
	if !slices.Contains(up, e.UnitID) {
		return Event{}, valid.NotFound("event %d does not exist", "kegiatan %d tidak ada", id)
	}
	return e, nil
}
