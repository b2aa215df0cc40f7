// Package reportmail delivers scheduled reports: an admin or a division
// head subscribes people to a unit's monthly (or weekly) report; on the
// first working day of the month (week) humas builds the report, renders
// it as PDF and Excel and emails it. Every send is a delivery row in
// SQLite (report_deliveries, migration 0201): a failed send is retried
// with backoff and stays visible on the subscriptions page.
package reportmail

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

	"github.com/robfig/cron/v3"

	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/notify/mail"
	"github.com/humas-id/humas/report"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/valid"
)

// Frequencies of a subscription.
const (
	Monthly = "monthly"
	Weekly  = "weekly"
)

// Delivery states.
const (
	StatusPending  = "pending"
	StatusRetrying = "retrying"
	StatusSent     = "sent"
	StatusFailed   = "failed"
)

// DefaultBackoff is the wait before each retry of a failed send; after
// the last, the delivery is failed (an admin can send it again).
var DefaultBackoff = []time.Duration{5 * time.Minute, 15 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour}

// Subscription is a person who gets a unit's report.
type Subscription struct {
	ID        int64     `json:"id"`
	UnitID    int64     `json:"unit_id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Frequency string    `json:"frequency"`
	Lang      string    `json:"lang"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Delivery is one send of one period's report to one subscription.
type Delivery struct {
	ID             int64      `json:"id"`
	SubscriptionID int64      `json:"subscription_id"`
	UnitID         int64      `json:"unit_id"`
	Email          string     `json:"email"`
	Frequency      string     `json:"frequency"`
	PeriodKey      string     `json:"period_key"`
	PeriodFrom     time.Time  `json:"period_from"`
	PeriodTo       time.Time  `json:"period_to"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	NextAttemptAt  *time.Time `json:"next_attempt_at"`
	LastError      string     `json:"last_error"`
	PDFBytes       int        `json:"pdf_bytes"`
	XLSXBytes      int        `json:"xlsx_bytes"`
	CreatedAt      time.Time  `json:"created_at"`
	SentAt         *time.Time `json:"sent_at"`
}

// Builder builds report documents (*report.Builder does).
type Builder interface {
	Build(ctx context.Context, r report.Request) (*report.Document, error)
}

// Options configure a Service.
type Options struct {
	Logger *slog.Logger
	// Once gates the jobs that must run on one replica at a time (several
	// serve replicas over one PostgreSQL): nil runs them here. serve
	// passes the Elector's Held.
	Once func() bool
	// Now is the clock (tests inject one).
	Now func() time.Time
	// Location decides the working days and the send hour (default
	// Asia/Jakarta).
	Location *time.Location
	// SendHour is the local hour from which the first working day's
	// reports go out (default 7).
	SendHour int
	// Holidays are extra non-working days besides weekends and the fixed
	// national holidays.
	Holidays []time.Time
	// Backoff is the wait before each retry (default DefaultBackoff).
	Backoff []time.Duration
	// Check is the cron spec of the job (default every 10 minutes).
	Check string
}

// OptionsFromConfig reads the reports section.
func OptionsFromConfig(c config.Reports, tz string, log *slog.Logger) Options {
	o := Options{Logger: log, SendHour: c.SendHour, Check: c.Check}
	if loc, err := time.LoadLocation(tz); err == nil {
		o.Location = loc
	}
	for _, h := range c.Holidays {
		if d, err := time.Parse("2006-01-02", h); err == nil {
			o.Holidays = append(o.Holidays, d)
		}
	}
	return o
}

// Service keeps subscriptions and sends reports.
type Service struct {
	db    *store.SQLite
	b     Builder
	mail  mail.Sender
	opt   Options
	runMu sync.Mutex
	cron  *cron.Cron
	stop  context.CancelFunc
	// notes and people tell a unit's admins and division heads when its
	// monthly report is generated (UseNotifier; nil: nobody).
	notes  Notifier
	people People
}

// New makes the service; sender may be nil (no SMTP configured): due
// deliveries then fail with that reason, visibly.
func New(db *store.SQLite, b Builder, sender mail.Sender, opt Options) *Service {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Location == nil {
		opt.Location, _ = time.LoadLocation("Asia/Jakarta")
		if opt.Location == nil {
			opt.Location = time.UTC
		}
	}
	if opt.SendHour <= 0 || opt.SendHour > 23 {
		opt.SendHour = 7
	}
	if len(opt.Backoff) == 0 {
		opt.Backoff = DefaultBackoff
	}
	if opt.Check == "" {
		opt.Check = "0 */10 * * * *"
	}
	return &Service{db: db, b: b, mail: sender, opt: opt}
}

// MailConfigured reports whether reports can be emailed.
func (s *Service) MailConfigured() bool { return s.mail != nil }

const (
	qSubCols   = `s.id, s.unit_id, s.email, s.name, s.frequency, s.lang, COALESCE(s.created_by, 0), s.created_at`
	qSubInsert = `INSERT INTO report_subscriptions (unit_id, email, name, frequency, lang, created_by, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`
	qSubsActive  = `SELECT ` + qSubCols + ` FROM report_subscriptions s WHERE s.disabled_at IS NULL ORDER BY s.unit_id, s.email, s.frequency`
	qSubByID     = `SELECT ` + qSubCols + ` FROM report_subscriptions s WHERE s.id = ? AND s.disabled_at IS NULL`
	qSubDisable  = `UPDATE report_subscriptions SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL`
	qDelivCols   = `d.id, d.subscription_id, s.unit_id, s.email, s.frequency, d.period_key, d.period_from, d.period_to, d.status, d.attempts, d.next_attempt_at, d.last_error, d.pdf_bytes, d.xlsx_bytes, d.created_at, d.sent_at`
	qDeliverySel = `SELECT ` + qDelivCols + ` FROM report_deliveries d JOIN report_subscriptions s ON s.id = d.subscription_id`
	qEnqueue     = `INSERT INTO report_deliveries (subscription_id, period_key, period_from, period_to, status, next_attempt_at, created_at, updated_at)
VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)
ON CONFLICT (subscription_id, period_key) DO NOTHING`
	qDue = qDeliverySel + `
WHERE d.status IN ('pending', 'retrying') AND d.next_attempt_at <= ? AND s.disabled_at IS NULL
ORDER BY d.id`
	qDeliverySent = `UPDATE report_deliveries SET status = 'sent', attempts = attempts + 1, next_attempt_at = NULL, last_error = '',
    pdf_bytes = ?, xlsx_bytes = ?, sent_at = ?, updated_at = ? WHERE id = ?`
	qDeliveryFailed = `UPDATE report_deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
    updated_at = ? WHERE id = ?`
	qDeliveryRetry = `UPDATE report_deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'failed'`
)

// Limits of a subscription's fields.
const (
	MaxEmailLen = 254
	MaxNameLen  = 200
)

// Subscribe adds a subscription (the email checked; the same person,
// unit and frequency once). Invalid fields are valid.Errors.
func (s *Service) Subscribe(ctx context.Context, in Subscription) (Subscription, error) {
	var errs valid.Errors
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	addr, err := mail.CheckAddress(in.Email)
	switch {
	case len(in.Email) > MaxEmailLen:
		errs.Add("email", "an email address has at most %d characters", "alamat email paling banyak %d karakter", MaxEmailLen)
	case err != nil:
		errs.Add("email", "%q is not an email address (e.g. kepala@kpu.go.id)", "%q bukan alamat email (mis. kepala@kpu.go.id)", in.Email)
	default:
		in.Email = strings.ToLower(bareAddress(addr))
	}
	if len([]rune(in.Name)) > MaxNameLen {
		errs.Add("name", "a name has at most %d characters", "nama paling banyak %d karakter", MaxNameLen)
	}
	if in.Frequency == "" {
		in.Frequency = Monthly
	}
	if in.Frequency != Monthly && in.Frequency != Weekly {
		errs.Add("frequency", "%q is not monthly or weekly", "%q bukan monthly (bulanan) atau weekly (mingguan)", in.Frequency)
	}
	if in.Lang == "" {
		in.Lang = report.ID
	}
	if in.Lang != report.ID && in.Lang != report.EN {
		errs.Add("lang", "%q is not id or en", "%q bukan id atau en", in.Lang)
	}
	if in.UnitID <= 0 {
		errs.Add("unit", "choose a unit", "pilih unit")
	}
	if len(errs) > 0 {
		return Subscription{}, errs
	}
	in.CreatedAt = s.opt.Now().UTC()
	var by any
	if in.CreatedBy > 0 {
		by = in.CreatedBy
	}
	id, err := store.InsertID(ctx, s.db.DB, qSubInsert, in.UnitID, in.Email, in.Name, in.Frequency, in.Lang, by, store.FormatTime(in.CreatedAt))
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			errs.Add("email", "%s already gets the %s report of this unit", "%s sudah menerima laporan %s unit ini", in.Email,
				in.Frequency)
			return Subscription{}, errs
		}
		return Subscription{}, fmt.Errorf("subscribe %s: %w", in.Email, err)
	}
	in.ID = id
	s.opt.Logger.InfoContext(ctx, "report subscription added", "id", in.ID, "unit_id", in.UnitID, "frequency", in.Frequency)
	return in, nil
}

func bareAddress(a string) string {
	if i := strings.LastIndex(a, "<"); i >= 0 {
		return strings.TrimSuffix(a[i+1:], ">")
	}
	return a
}

// ErrNotFound is a subscription or delivery that does not exist.
var ErrNotFound = errors.New("reportmail: not found")

// Subscription reads an active subscription.
func (s *Service) Subscription(ctx context.Context, id int64) (Subscription, error) {
	sub, err := scanSub(s.db.DB.QueryRowContext(ctx, qSubByID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Subscription{}, ErrNotFound
	}
	return sub, err
}

// Unsubscribe ends a subscription (its deliveries stay on record).
func (s *Service) Unsubscribe(ctx context.Context, id int64) error {
	res, err := s.db.DB.ExecContext(ctx, qSubDisable, store.FormatTime(s.opt.Now()), id)
	if err != nil {
		return fmt.Errorf("unsubscribe %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

type scanner interface{ Scan(dest ...any) error }

func scanSub(r scanner) (Subscription, error) {
	var sub Subscription
	var created string
	if err := r.Scan(&sub.ID, &sub.UnitID, &sub.Email, &sub.Name, &sub.Frequency, &sub.Lang, &sub.CreatedBy, &created); err != nil {
		return sub, err
	}
	sub.CreatedAt, _ = store.ParseTime(created)
	return sub, nil
}

// Subscriptions lists the active subscriptions of units (nil: every unit).
func (s *Service) Subscriptions(ctx context.Context, units []int64) ([]Subscription, error) {
	rows, err := s.db.DB.QueryContext(ctx, qSubsActive)
	if err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", err)
	}
	defer rows.Close()
	var out []Subscription
	for rows.Next() {
		sub, err := scanSub(rows)
		if err != nil {
			return nil, fmt.Errorf("scan subscription: %w", err)
		}
		if units == nil || slices.Contains(units, sub.UnitID) {
			out = append(out, sub)
		}
	}
	return out, rows.Err()
}

func scanDelivery(r scanner) (Delivery, error) {
	var d Delivery
	var from, to, created string
	var next, sent sql.NullString
	if err := r.Scan(&d.ID, &d.SubscriptionID, &d.UnitID, &d.Email, &d.Frequency, &d.PeriodKey, &from, &to, &d.Status, &d.Attempts,
		&next, &d.LastError, &d.PDFBytes, &d.XLSXBytes, &created, &sent); err != nil {
		return d, err
	}
	d.PeriodFrom, _ = time.Parse("2006-01-02", from)
	d.PeriodTo, _ = time.Parse("2006-01-02", to)
	d.CreatedAt, _ = store.ParseTime(created)
	d.NextAttemptAt, d.SentAt = store.ParseNullTime(next), store.ParseNullTime(sent)
	return d, nil
}

// Deliveries lists the newest deliveries of units (nil: every unit),
// newest first, at most limit.
func (s *Service) Deliveries(ctx context.Context, units []int64, limit int) ([]Delivery, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := s.db.DB.QueryContext(ctx, qDeliverySel+"\nORDER BY d.id DESC")
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("scan delivery: %w", err)
		}
		if units == nil || slices.Contains(units, d.UnitID) {
			out = append(out, d)
			if len(out) == limit {
				break
			}
		}
	}
	return out, rows.Err()
}

// Delivery reads one delivery.
func (s *Service) Delivery(ctx context.Context, id int64) (Delivery, error) {
	d, err := scanDelivery(s.db.DB.QueryRowContext(ctx, qDeliverySel+"\nWHERE d.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, ErrNotFound
	}
	return d, err
}

// Retry sends a failed delivery again at the next run.
func (s *Service) Retry(ctx context.Context, id int64) error {
	now := store.FormatTime(s.opt.Now())
	res, err := s.db.DB.ExecContext(ctx, qDeliveryRetry, now, now, id)
	if err != nil {
		return fmt.Errorf("retry delivery %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
