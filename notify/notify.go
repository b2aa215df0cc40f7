// Package notify tells people what needs them: a post waiting for their
// approval, their post approved or sent back, a delivery that failed, a
// channel to reconnect or about to expire, a monthly report ready. Each
// event becomes an in-app notification per person (the header's badge and
// the list) and, when the person wants that kind by email and has an
// address, a row in an email outbox that a background sender drains
// through notify/mail, retrying failures with backoff; nothing a producer
// does waits for an email.
//
// Producers (the scheduler, its token checks, the report mailer) decide
// who is told and call Notify through a small interface of their own; the
// service owns the tables notifications, notification_prefs and
// notification_emails.
package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/notify/mail"
	"github.com/humas-id/humas/store"
)

// Kinds of notification; each can be had by email or not.
const (
	KindSubmitted = "post_submitted"    // a post waits for my approval (or my classification)
	KindApproved  = "post_approved"     // my post was approved
	KindRejected  = "post_rejected"     // my post was sent back, with the reason
	KindFailed    = "delivery_failed"   // a post of mine could not be published, with what to do
	KindChannel   = "channel_attention" // a channel of my unit needs reconnecting, lacks permissions or expires soon
	KindReport    = "report_ready"      // my unit's monthly report is ready
	KindPPID      = "ppid_overdue"      // an information request of my unit is past its deadline
)

// Kinds lists every kind, in the order the preferences page shows them.
var Kinds = []string{KindSubmitted, KindApproved, KindRejected, KindFailed, KindChannel, KindReport, KindPPID}

// Message is one event to tell people about. The producer says who (To),
// in both languages what happened and what to do, and where to look.
type Message struct {
	Kind             string
	To               []int64
	TitleID, TitleEN string
	BodyID, BodyEN   string
	// Link is a path of the site (/posts/12), made absolute in emails.
	Link string
	// Key, when set, makes the message land once per person however often
	// it is sent (e.g. "report:3:2026-11").
	Key string
}

// Notification is one in-app notification, with its email's fate.
type Notification struct {
	ID               int64
	Kind             string
	TitleID, TitleEN string
	BodyID, BodyEN   string
	Link             string
	CreatedAt        time.Time
	ReadAt           *time.Time
	// Email is the email sent for it (nil: none, by preference or for
	// want of an address).
	Email *Email
}

// Email is one message of the outbox.
type Email struct {
	ID             int64
	NotificationID int64
	To             string
	Subject        string
	Status         string // pending, retrying, sent, failed
	Attempts       int
	NextAttemptAt  *time.Time
	LastError      string
	CreatedAt      time.Time
	SentAt         *time.Time
}

// Email statuses.
const (
	EmailPending  = "pending"
	EmailRetrying = "retrying"
	EmailSent     = "sent"
	EmailFailed   = "failed"
)

// DefaultBackoff is the wait before each retry of a failed email; after
// the last, the email is failed (the person can send it again).
var DefaultBackoff = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour}

// Directory finds people (*auth.Store does).
type Directory interface {
	UserByID(ctx context.Context, id int64) (auth.User, error)
}

// Options configure a Service; zero values take the defaults.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time
	// PublicURL makes the links in emails absolute
	// (https://humas.kpu-salatiga.go.id).
	PublicURL string
	// Backoff is the wait before each retry (default DefaultBackoff).
	Backoff []time.Duration
	// Poll is how often the sender looks for due emails besides being
	// woken by a new one (default 30 s).
	Poll time.Duration
	// SendTimeout bounds one email (default 60 s).
	SendTimeout time.Duration
	// Once, when set, gates the background sender: with several serve
	// replicas over PostgreSQL only the holder of the jobs lease drains
	// the outbox, so an email is not sent by two replicas at once.
	Once func() bool
	// Location is the installation's time zone, in which setup links'
	// expiry is written (default Asia/Jakarta; config timezone).
	Location *time.Location
}

// Service stores notifications and sends their emails.
type Service struct {
	db   *store.SQLite
	dir  Directory
	mail mail.Sender
	opt  Options

	drainMu sync.Mutex
	wake    chan struct{}
	stop    context.CancelFunc
	done    chan struct{}
}

// New returns the service; sender may be nil (no SMTP server): people are
// then told in the app only, and the preferences page says why.
func New(db *store.SQLite, dir Directory, sender mail.Sender, opt Options) *Service {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if len(opt.Backoff) == 0 {
		opt.Backoff = DefaultBackoff
	}
	if opt.Poll <= 0 {
		opt.Poll = 30 * time.Second
	}
	if opt.SendTimeout <= 0 {
		opt.SendTimeout = time.Minute
	}
	if opt.Location == nil {
		if loc, err := time.LoadLocation("Asia/Jakarta"); err == nil {
			opt.Location = loc
		} else {
			opt.Location = time.UTC
		}
	}
	opt.PublicURL = strings.TrimRight(opt.PublicURL, "/")
	return &Service{db: db, dir: dir, mail: sender, opt: opt, wake: make(chan struct{}, 1)}
}

// MailConfigured reports whether emails can be sent.
func (s *Service) MailConfigured() bool { return s.mail != nil }

const (
	// ON CONFLICT DO NOTHING (not SQLite's INSERT OR IGNORE) so the same
	// statement runs on PostgreSQL; a repeated dedupe key returns no row.
	qNotifInsert = `INSERT INTO notifications (user_id, kind, title_id, title_en, body_id, body_en, link, dedupe_key, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
	qEmailInsert = `INSERT INTO notification_emails (notification_id, user_id, to_addr, subject, body, status, next_attempt_at,
    created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)`
	qPref    = `SELECT email FROM notification_prefs WHERE user_id = ? AND kind = ?`
	qPrefs   = `SELECT kind, email FROM notification_prefs WHERE user_id = ?`
	qPrefSet = `INSERT INTO notification_prefs (user_id, kind, email) VALUES (?, ?, ?)
ON CONFLICT (user_id, kind) DO UPDATE SET email = excluded.email`
	qUnread = `SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`
	qList   = `SELECT n.id, n.kind, n.title_id, n.title_en, n.body_id, n.body_en, n.link, n.created_at, n.read_at,
    COALESCE(e.id, 0), COALESCE(e.to_addr, ''), COALESCE(e.subject, ''), COALESCE(e.status, ''), COALESCE(e.attempts, 0),
    e.next_attempt_at, COALESCE(e.last_error, ''), COALESCE(e.created_at, ''), e.sent_at
FROM notifications n LEFT JOIN notification_emails e ON e.notification_id = n.id
WHERE n.user_id = ? ORDER BY n.id DESC LIMIT ?`
	qMarkRead    = `UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL`
	qMarkAllRead = `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`
	qNotifOwner  = `SELECT 1 FROM notifications WHERE id = ? AND user_id = ?`
	qNotifLink   = `SELECT link FROM notifications WHERE id = ? AND user_id = ?`
)

// ErrUnknownKind is a Message or preference of a kind not in Kinds.
var ErrUnknownKind = errors.New("notify: unknown kind")

// ErrNotFound is a notification or email that is not the person's.
var ErrNotFound = errors.New("notify: not found")

// Notify stores an in-app notification for each person in m.To (active
// people only; each once) and queues an email for those who want this
// kind by email and have an address, then wakes the sender. It returns
// once the rows are written; emails go out in the background.
func (s *Service) Notify(ctx context.Context, m Message) error {
	if !slices.Contains(Kinds, m.Kind) {
		return fmt.Errorf("%w %q", ErrUnknownKind, m.Kind)
	}
	now := s.opt.Now()
	var key any
	if m.Key != "" {
		key = m.Key
	}
	seen := map[int64]bool{}
	queued := 0
	for _, uid := range m.To {
		if uid <= 0 || seen[uid] {
			continue
		}
		seen[uid] = true
		u, err := s.dir.UserByID(ctx, uid)
		if errors.Is(err, auth.ErrUserNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("notify user %d: %w", uid, err)
		}
		if u.DisabledAt != nil {
			continue
		}
		wants, err := s.wantsEmail(ctx, uid, m.Kind)
		if err != nil {
			return err
		}
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			id, err := store.InsertID(ctx, tx, qNotifInsert, uid, m.Kind, m.TitleID, m.TitleEN, m.BodyID, m.BodyEN, m.Link, key,
				store.FormatTime(now))
			if errors.Is(err, sql.ErrNoRows) {
				return nil // told before (same key)
			}
			if err != nil {
				return fmt.Errorf("store notification for user %d: %w", uid, err)
			}
			if !wants || u.Email == "" || s.mail == nil {
				return nil // in the app only (no address, not wanted, or no SMTP server to send with)
			}
			subject, body := s.emailText(u, m)
			if _, err := tx.ExecContext(ctx, qEmailInsert, id, uid, u.Email, subject, body, store.FormatTime(now),
				store.FormatTime(now), store.FormatTime(now)); err != nil {
				return fmt.Errorf("queue email for user %d: %w", uid, err)
			}
			queued++
			return nil
		})
		if err != nil {
			return err
		}
	}
	if queued > 0 {
		s.Wake()
	}
	return nil
}

func (s *Service) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// EmailByDefault says whether a kind is emailed to a person who has not
// chosen: everything but the monthly report (its subscribers get the
// report itself by email).
func EmailByDefault(kind string) bool { return kind != KindReport }

func (s *Service) wantsEmail(ctx context.Context, userID int64, kind string) (bool, error) {
	var v bool
	err := s.db.DB.QueryRowContext(ctx, qPref, userID, kind).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return EmailByDefault(kind), nil
	}
	if err != nil {
		return false, fmt.Errorf("notification preference of user %d: %w", userID, err)
	}
	return v, nil
}

// Prefs says, per kind, whether the person gets it by email.
func (s *Service) Prefs(ctx context.Context, userID int64) (map[string]bool, error) {
	out := map[string]bool{}
	for _, k := range Kinds {
		out[k] = EmailByDefault(k)
	}
	rows, err := s.db.DB.QueryContext(ctx, qPrefs, userID)
	if err != nil {
		return nil, fmt.Errorf("notification preferences of user %d: %w", userID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var v bool
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		if _, ok := out[k]; ok {
			out[k] = v
		}
	}
	return out, rows.Err()
}

// SetPrefs records which kinds the person gets by email (kinds not in
// email are not emailed).
func (s *Service) SetPrefs(ctx context.Context, userID int64, email map[string]bool) error {
	for k := range email {
		if !slices.Contains(Kinds, k) {
			return fmt.Errorf("%w %q", ErrUnknownKind, k)
		}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, k := range Kinds {
			if _, err := tx.ExecContext(ctx, qPrefSet, userID, k, email[k]); err != nil {
				return fmt.Errorf("set notification preference of user %d: %w", userID, err)
			}
		}
		return nil
	})
}

// Unread counts the person's unread notifications.
func (s *Service) Unread(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := s.db.DB.QueryRowContext(ctx, qUnread, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("unread notifications of user %d: %w", userID, err)
	}
	return n, nil
}

// List returns the person's newest notifications (at most limit), each
// with its email.
func (s *Service) List(ctx context.Context, userID int64, limit int) ([]Notification, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.db.DB.QueryContext(ctx, qList, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("notifications of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var e Email
		var created, eCreated string
		var read, next, sent sql.NullString
		if err := rows.Scan(&n.ID, &n.Kind, &n.TitleID, &n.TitleEN, &n.BodyID, &n.BodyEN, &n.Link, &created, &read,
			&e.ID, &e.To, &e.Subject, &e.Status, &e.Attempts, &next, &e.LastError, &eCreated, &sent); err != nil {
			return nil, err
		}
		n.CreatedAt, _ = store.ParseTime(created)
		n.ReadAt = store.ParseNullTime(read)
		if e.ID != 0 {
			e.NotificationID = n.ID
			e.CreatedAt, _ = store.ParseTime(eCreated)
			e.NextAttemptAt, e.SentAt = store.ParseNullTime(next), store.ParseNullTime(sent)
			n.Email = &e
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// MarkRead marks one of the person's notifications read (ErrNotFound when
// it is not theirs).
func (s *Service) MarkRead(ctx context.Context, userID, id int64) error {
	var one int
	err := s.db.DB.QueryRowContext(ctx, qNotifOwner, id, userID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if _, err := s.db.DB.ExecContext(ctx, qMarkRead, store.FormatTime(s.opt.Now()), id, userID); err != nil {
		return fmt.Errorf("mark notification %d read: %w", id, err)
	}
	return nil
}

// Open marks one of the person's notifications read and returns the path
// it points to (ErrNotFound when it is not theirs).
func (s *Service) Open(ctx context.Context, userID, id int64) (string, error) {
	var link string
	err := s.db.DB.QueryRowContext(ctx, qNotifLink, id, userID).Scan(&link)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", err
	}
	if _, err := s.db.DB.ExecContext(ctx, qMarkRead, store.FormatTime(s.opt.Now()), id, userID); err != nil {
		return "", fmt.Errorf("mark notification %d read: %w", id, err)
	}
	return link, nil
}

// MarkAllRead marks every notification of the person read and says how
// many were unread.
func (s *Service) MarkAllRead(ctx context.Context, userID int64) (int64, error) {
	res, err := s.db.DB.ExecContext(ctx, qMarkAllRead, store.FormatTime(s.opt.Now()), userID)
	if err != nil {
		return 0, fmt.Errorf("mark notifications of user %d read: %w", userID, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
