package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/humas-id/humas/notify/mail"
	"github.com/humas-id/humas/store"
)

const (
	qEmailCols = `id, COALESCE(notification_id, 0), to_addr, subject, status, attempts, next_attempt_at, last_error, created_at, sent_at`
	qDueEmails = `SELECT ` + qEmailCols + `, body, user_id FROM notification_emails
WHERE status IN ('pending', 'retrying') AND next_attempt_at <= ? ORDER BY id LIMIT 50`
	qEmailSent = `UPDATE notification_emails SET status = 'sent', attempts = attempts + 1, next_attempt_at = NULL, last_error = '',
    sent_at = ?, updated_at = ? WHERE id = ?`
	qEmailFailed = `UPDATE notification_emails SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
    updated_at = ? WHERE id = ?`
	qEmailsOf   = `SELECT ` + qEmailCols + ` FROM notification_emails WHERE user_id = ? ORDER BY id DESC LIMIT ?`
	qEmailRetry = `UPDATE notification_emails SET status = 'pending', next_attempt_at = ?, updated_at = ?
WHERE id = ? AND user_id = ? AND status = 'failed'`
	qEmailsWaiting = `SELECT count(*) FROM notification_emails WHERE status IN ('pending', 'retrying')`
)

// DrainStats is what one pass of the sender did.
type DrainStats struct {
	Sent, Failed int
}

// Wake asks the sender to look for due emails now.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

type dueEmail struct {
	Email
	body   string
	userID int64
}

func scanEmail(r interface{ Scan(...any) error }, extra ...any) (Email, error) {
	var e Email
	var next, sent sql.NullString
	var created string
	dest := append([]any{&e.ID, &e.NotificationID, &e.To, &e.Subject, &e.Status, &e.Attempts, &next, &e.LastError, &created, &sent}, extra...)
	if err := r.Scan(dest...); err != nil {
		return e, err
	}
	e.CreatedAt, _ = store.ParseTime(created)
	e.NextAttemptAt, e.SentAt = store.ParseNullTime(next), store.ParseNullTime(sent)
	return e, nil
}

// Drain sends every email whose time has come (new ones and retries):
// a failure is recorded with its reason and retried after the next
// backoff step, or failed for good after the last. Passes do not overlap.
func (s *Service) Drain(ctx context.Context) (DrainStats, error) {
	s.drainMu.Lock()
	defer s.drainMu.Unlock()
	var st DrainStats
	for {
		batch, err := s.due(ctx)
		if err != nil || len(batch) == 0 {
			return st, err
		}
		for _, e := range batch {
			if err := s.send(ctx, e); err != nil {
				st.Failed++
				if ferr := s.failed(ctx, e, err); ferr != nil {
					return st, ferr
				}
				continue
			}
			st.Sent++
		}
		if len(batch) < 50 {
			return st, nil
		}
	}
}

func (s *Service) due(ctx context.Context) ([]dueEmail, error) {
	rows, err := s.db.DB.QueryContext(ctx, qDueEmails, store.FormatTime(s.opt.Now()))
	if err != nil {
		return nil, fmt.Errorf("due emails: %w", err)
	}
	defer rows.Close()
	var out []dueEmail
	for rows.Next() {
		var d dueEmail
		e, err := scanEmail(rows, &d.body, &d.userID)
		if err != nil {
			return nil, err
		}
		d.Email = e
		out = append(out, d)
	}
	return out, rows.Err()
}

func (s *Service) send(ctx context.Context, e dueEmail) error {
	if s.mail == nil {
		return mail.ErrNotConfigured
	}
	sctx, cancel := context.WithTimeout(ctx, s.opt.SendTimeout)
	defer cancel()
	if err := s.mail.Send(sctx, mail.Message{To: []string{e.To}, Subject: e.Subject, Text: e.body}); err != nil {
		return err
	}
	now := store.FormatTime(s.opt.Now())
	if _, err := s.db.DB.ExecContext(ctx, qEmailSent, now, now, e.ID); err != nil {
		return fmt.Errorf("record email %d sent: %w", e.ID, err)
	}
	return nil
}

// failed records a failed attempt: retried after the next backoff step,
// or failed for good after the last.
func (s *Service) failed(ctx context.Context, e dueEmail, cause error) error {
	now := s.opt.Now()
	status, next := EmailFailed, any(nil)
	if e.Attempts < len(s.opt.Backoff) {
		status = EmailRetrying
		next = store.FormatTime(now.Add(s.opt.Backoff[e.Attempts]))
	}
	msg := cause.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	s.opt.Logger.WarnContext(ctx, "notification email not sent", "email_id", e.ID, "user_id", e.userID, "attempt", e.Attempts+1,
		"status", status, "err", cause)
	if _, err := s.db.DB.ExecContext(ctx, qEmailFailed, status, next, msg, store.FormatTime(now), e.ID); err != nil {
		return fmt.Errorf("record email %d failed: %w", e.ID, err)
	}
	return nil
}

// Emails lists the person's newest emails (at most limit).
func (s *Service) Emails(ctx context.Context, userID int64, limit int) ([]Email, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := s.db.DB.QueryContext(ctx, qEmailsOf, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("emails of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []Email
	for rows.Next() {
		e, err := scanEmail(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Resend sends one of the person's failed emails again at once.
func (s *Service) Resend(ctx context.Context, userID, emailID int64) error {
	now := store.FormatTime(s.opt.Now())
	res, err := s.db.DB.ExecContext(ctx, qEmailRetry, now, now, emailID, userID)
	if err != nil {
		return fmt.Errorf("resend email %d: %w", emailID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	s.Wake()
	return nil
}

// Waiting counts emails not sent yet (pending or to be retried).
func (s *Service) Waiting(ctx context.Context) (int, error) {
	var n int
	err := s.db.DB.QueryRowContext(ctx, qEmailsWaiting).Scan(&n)
	return n, err
}

// Start runs the sender in the background: at once, when woken by a new
// email, and every Poll.
func (s *Service) Start(ctx context.Context) error {
	ctx, s.stop = context.WithCancel(context.WithoutCancel(ctx))
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		t := time.NewTicker(s.opt.Poll)
		defer t.Stop()
		for {
			// Without the jobs lease another replica sends.
			if s.opt.Once == nil || s.opt.Once() {
				if _, err := s.Drain(ctx); err != nil && ctx.Err() == nil {
					s.opt.Logger.ErrorContext(ctx, "notification emails", "err", err)
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-s.wake:
			case <-t.C:
			}
		}
	}()
	return nil
}

// Stop ends the sender, waiting for an email in flight until ctx ends.
func (s *Service) Stop(ctx context.Context) error {
	if s.stop == nil {
		return nil
	}
	s.stop()
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return errors.Join(ctx.Err(), errors.New("notification sender still running"))
	}
}
