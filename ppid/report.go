package ppid

import (
	"context"
	"fmt"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/store"
)

// Month is one month of the public-information service: the requests
// received in it and what became of them.
type Month struct {
	Month    time.Time `json:"month"` // first day, local
	Received int       `json:"received"`
	// Answered (given the information) on time / late; refused; open
	// (still within the deadline) and open past it (late, unanswered).
	OnTime      int `json:"answered_on_time"`
	LateAnswer  int `json:"answered_late"`
	Refused     int `json:"refused"`
	Open        int `json:"open"`
	OpenOverdue int `json:"open_overdue"`
	// AvgWorkingDays is the mean of working days from receipt to the
	// answer or refusal (closed requests); 0 when none closed.
	AvgWorkingDays float64 `json:"avg_working_days"`
}

// Late is every request answered late or still unanswered past its deadline.
func (m Month) Late() int { return m.LateAnswer + m.OpenOverdue }

// Monthly counts the requests received in [from, to) in units (nil: all),
// by month of receipt in the calendar's zone; every month of the range
// is listed, empty ones too.
func (s *Service) Monthly(ctx context.Context, units []int64, from, to time.Time) ([]Month, error) {
	if err := s.Sync(ctx); err != nil {
		return nil, err
	}
	q := `SELECT ` + qCols + ` FROM ppid_requests WHERE received_at >= ? AND received_at < ?`
	args := []any{store.FormatTime(from), store.FormatTime(to)}
	if units != nil {
		q += ` AND unit_id IN (SELECT value FROM json_each(?))`
		args = append(args, jsonInts(units))
	}
	rows, err := s.db.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("monthly information requests: %w", err)
	}
	defer rows.Close()
	loc := s.cal.Location()
	first := func(t time.Time) time.Time {
		l := t.In(loc)
		return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc)
	}
	var out []Month
	idx := map[time.Time]int{}
	for m := first(from); m.Before(to); m = m.AddDate(0, 1, 0) {
		idx[m] = len(out)
		out = append(out, Month{Month: m})
	}
	days := make([]int, len(out))
	for rows.Next() {
		r, err := s.scan(rows)
		if err != nil {
			return nil, err
		}
		i, ok := idx[first(r.ReceivedAt)]
		if !ok {
			continue
		}
		m := &out[i]
		m.Received++
		switch {
		case r.Status == StatusRefused:
			m.Refused++
		case r.Status == StatusAnswered && !r.Late:
			m.OnTime++
		case r.Status == StatusAnswered:
			m.LateAnswer++
		case r.Overdue:
			m.OpenOverdue++
		default:
			m.Open++
		}
		if r.ClosedAt != nil {
			days[i] += s.cal.WorkingDaysLeft(s.cal.ReceivedDay(r.ReceivedAt), *r.ClosedAt)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if n := out[i].OnTime + out[i].LateAnswer + out[i].Refused; n > 0 {
			out[i].AvgWorkingDays = float64(days[i]) / float64(n)
		}
	}
	return out, nil
}

// Notifier tells people about a request past its deadline (the
// notifications outbox implements it: the unit's PPID officers and its
// head).
type Notifier interface {
	RequestOverdue(ctx context.Context, r Request) error
}

// Overdue lists the open requests past their deadline that nobody has
// been told about yet.
func (s *Service) Overdue(ctx context.Context) ([]Request, error) {
	if err := s.Sync(ctx); err != nil {
		return nil, err
	}
	now := store.FormatTime(s.now())
	rows, err := s.db.DB.QueryContext(ctx, `SELECT `+qCols+` FROM ppid_requests
WHERE status = 'open' AND overdue_notified_at IS NULL AND coalesce(extended_due_at, due_at) < ? ORDER BY id`, now)
	if err != nil {
		return nil, fmt.Errorf("overdue requests: %w", err)
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		r, err := s.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// NotifyOverdue tells n about each overdue request once (a failed notice
// is tried again at the next pass) and returns how many were told.
func (s *Service) NotifyOverdue(ctx context.Context, n Notifier) (int, error) {
	list, err := s.Overdue(ctx)
	if err != nil {
		return 0, err
	}
	told := 0
	for _, r := range list {
		if err := n.RequestOverdue(ctx, r); err != nil {
			s.log.WarnContext(ctx, "overdue information request not notified", "request_id", r.ID, "err", err)
			continue
		}
		if _, err := s.db.DB.ExecContext(ctx, `UPDATE ppid_requests SET overdue_notified_at = ? WHERE id = ?`, store.FormatTime(s.now()), r.ID); err != nil {
			return told, err
		}
		if err := s.audit(ctx, s.db.DB, auth.SystemActor, r.ID, "overdue_notified", "", "", "", map[string]any{"due": r.Due}); err != nil {
			return told, err
		}
		told++
	}
	return told, nil
}
