package ppid

import (
	"context"
	"fmt"
	"time"

	"github.com/humas-id/humas/store"
)

// Outcomes of a request in the ClickHouse mirror.
const (
	OutcomeOnTime  = "on_time"
	OutcomeLate    = "late"
	OutcomeRefused = "refused"
	OutcomeOpen    = "open"
	OutcomeOverdue = "overdue"
)

// FactRow is one request in the ClickHouse ppid_facts mirror.
type FactRow struct {
	RequestID  uint64    `ch:"request_id"`
	UnitID     uint64    `ch:"unit_id"`
	ReceivedAt time.Time `ch:"received_at"`
	Outcome    string    `ch:"outcome"`
	Version    uint64    `ch:"version"`
}

const qMirrorFacts = `INSERT INTO ppid_facts (request_id, unit_id, received_at, outcome, version)`

// Outcome is a request's outcome now: on time, late, refused, open, or
// open past its deadline.
func (r Request) Outcome() string {
	switch {
	case r.Status == StatusRefused:
		return OutcomeRefused
	case r.Status == StatusAnswered && r.Late:
		return OutcomeLate
	case r.Status == StatusAnswered:
		return OutcomeOnTime
	case r.Overdue:
		return OutcomeOverdue
	}
	return OutcomeOpen
}

// MirrorToClickHouse writes every request received since `since` with its
// outcome as of now into ppid_facts (the newest mirror wins).
func (s *Service) MirrorToClickHouse(ctx context.Context, ch *store.ClickHouse, since time.Time) (int, error) {
	if err := s.Sync(ctx); err != nil {
		return 0, err
	}
	rows, err := s.db.DB.QueryContext(ctx, `SELECT `+qCols+` FROM ppid_requests WHERE received_at >= ?`, store.FormatTime(since))
	if err != nil {
		return 0, fmt.Errorf("ppid facts: %w", err)
	}
	version := uint64(s.now().UnixNano())
	var out []FactRow
	for rows.Next() {
		r, err := s.scan(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		out = append(out, FactRow{RequestID: uint64(r.ID), UnitID: uint64(r.UnitID), ReceivedAt: r.ReceivedAt.UTC(), Outcome: r.Outcome(), Version: version})
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return 0, err
	}
	b, err := ch.PrepareBatch(ctx, qMirrorFacts)
	if err != nil {
		return 0, store.WrapError(err)
	}
	defer b.Abort()
	for i := range out {
		if err := b.AppendStruct(&out[i]); err != nil {
			return 0, err
		}
	}
	if err := store.WrapError(b.Send()); err != nil {
		return 0, fmt.Errorf("mirror ppid facts: %w", err)
	}
	return len(out), nil
}
