package ppid

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/inbox"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/valid"
)

// Request statuses and the ways one closes.
const (
	StatusOpen     = "open"
	StatusAnswered = "answered"
	StatusRefused  = "refused"

	AnswerReply        = "reply"
	AnswerOtherChannel = "other_channel"
	AnswerRefused      = "refused"
)

// Categories of requested information (the service standard's classes).
var Categories = []string{"berkala", "serta_merta", "setiap_saat", "dikecualikan"}

// Request is one information request.
type Request struct {
	ID              int64      `json:"id"`
	UnitID          int64      `json:"unit_id"`
	CommentID       int64      `json:"comment_id,omitempty"`
	ChannelID       int64      `json:"channel_id,omitempty"`
	Platform        string     `json:"platform,omitempty"`
	RequesterName   string     `json:"requester_name"`
	RequesterID     string     `json:"requester_id,omitempty"`
	Question        string     `json:"question"`
	Category        string     `json:"category"`
	ReceivedAt      time.Time  `json:"received_at"`
	DueAt           time.Time  `json:"due_at"`
	ExtendedDueAt   *time.Time `json:"extended_due_at,omitempty"`
	ExtensionReason string     `json:"extension_reason,omitempty"`
	Status          string     `json:"status"`
	AnswerKind      string     `json:"answer_kind,omitempty"`
	AnswerNote      string     `json:"answer_note,omitempty"`
	LegalBasis      string     `json:"legal_basis,omitempty"`
	ReplyID         int64      `json:"reply_id,omitempty"`
	ReplyState      string     `json:"reply_state,omitempty"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	// Derived: the deadline in force, working days left (negative: late),
	// whether it is past due (open) or was answered late (closed).
	Due      time.Time `json:"due"`
	DaysLeft int       `json:"working_days_left"`
	Overdue  bool      `json:"overdue"`
	Late     bool      `json:"late"`
}

// Options configure a Service.
type Options struct {
	Calendar *Calendar // required
	Logger   *slog.Logger
	Now      func() time.Time
}

// Service keeps the requests.
type Service struct {
	db    *store.SQLite
	org   *org.Store
	inbox *inbox.Service
	cal   *Calendar
	log   *slog.Logger
	now   func() time.Time
}

// New returns the PPID request service.
func New(db *store.SQLite, orgs *org.Store, ib *inbox.Service, o Options) *Service {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{db: db, org: orgs, inbox: ib, cal: o.Calendar, log: o.Logger, now: o.Now}
}

// Calendar is the working-day calendar deadlines are counted on.
func (s *Service) Calendar() *Calendar { return s.cal }

const qCols = `id, unit_id, coalesce(comment_id, 0), coalesce(channel_id, 0), platform, requester_name, requester_id, question, category,
  received_at, due_at, extended_due_at, extension_reason, status, answer_kind, answer_note, legal_basis, coalesce(reply_id, 0),
  closed_at, created_at`

func (s *Service) scan(r interface{ Scan(...any) error }) (Request, error) {
	var q Request
	var received, due, created string
	var ext, closed sql.NullString
	if err := r.Scan(&q.ID, &q.UnitID, &q.CommentID, &q.ChannelID, &q.Platform, &q.RequesterName, &q.RequesterID, &q.Question, &q.Category,
		&received, &due, &ext, &q.ExtensionReason, &q.Status, &q.AnswerKind, &q.AnswerNote, &q.LegalBasis, &q.ReplyID, &closed, &created); err != nil {
		return q, err
	}
	var err error
	if q.ReceivedAt, err = store.ParseTime(received); err != nil {
		return q, err
	}
	if q.DueAt, err = store.ParseTime(due); err != nil {
		return q, err
	}
	if q.CreatedAt, err = store.ParseTime(created); err != nil {
		return q, err
	}
	q.ExtendedDueAt, q.ClosedAt = store.ParseNullTime(ext), store.ParseNullTime(closed)
	s.derive(&q)
	return q, nil
}

// derive fills the deadline in force and the lateness.
func (s *Service) derive(q *Request) {
	q.Due = q.DueAt
	if q.ExtendedDueAt != nil {
		q.Due = *q.ExtendedDueAt
	}
	now := s.now()
	if q.Status == StatusOpen {
		q.DaysLeft = s.cal.WorkingDaysLeft(now, q.Due)
		q.Overdue = now.After(q.Due)
		return
	}
	if q.ClosedAt != nil {
		q.Late = q.ClosedAt.After(q.Due)
		q.DaysLeft = s.cal.WorkingDaysLeft(*q.ClosedAt, q.Due)
	}
}

// canHandle: PPID officers and admins handle requests (extend, answer,
// refuse); editors and approvers may also record one from a comment.
func canHandle(p auth.Principal) error {
	if p.Role != auth.RolePPID && p.Role != auth.RoleAdmin {
		return valid.Forbidden("handling information requests needs the PPID role; you are %s",
			"menangani permohonan informasi memerlukan peran PPID; peran Anda %s", string(p.Role))
	}
	return nil
}

func canRecord(p auth.Principal) error {
	if !slices.Contains([]auth.Role{auth.RolePPID, auth.RoleAdmin, auth.RoleEditor, auth.RoleApprover}, p.Role) {
		return valid.Forbidden("recording an information request needs the PPID, editor, approver or admin role; you are %s",
			"mencatat permohonan informasi memerlukan peran PPID, editor, approver atau admin; peran Anda %s", string(p.Role))
	}
	return nil
}

func checkCategory(c string) error {
	if !slices.Contains(Categories, c) {
		return valid.Invalid("category", "category must be one of "+strings.Join(Categories, ", "),
			"jenis informasi harus salah satu dari "+strings.Join(Categories, ", "))
	}
	return nil
}

func checkText(field, en, id, v string, max int) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return valid.Invalid(field, "write "+en, "isi "+id)
	}
	if n := utf8.RuneCountInString(v); n > max {
		return valid.Invalid(field, fmt.Sprintf("%s is %d characters long; at most %d", en, n, max),
			fmt.Sprintf("%s %d karakter; paling banyak %d", id, n, max))
	}
	return nil
}

// FromComment records the question of an inbox comment as a request:
// the commenter is the requester, the comment's time its receipt.
func (s *Service) FromComment(ctx context.Context, p auth.Principal, commentID int64, category string) (Request, error) {
	if err := canRecord(p); err != nil {
		return Request{}, err
	}
	if err := checkCategory(category); err != nil {
		return Request{}, err
	}
	c, err := s.inbox.Get(ctx, p, commentID)
	if err != nil {
		return Request{}, err
	}
	if c.ByPage {
		return Request{}, valid.Conflict("own_comment", "comment %d is the unit's own", "komentar %d adalah milik unit sendiri", commentID)
	}
	in := Input{UnitID: c.UnitID, RequesterName: c.AuthorName, RequesterID: c.AuthorID, Question: c.Message, Category: category,
		ReceivedAt: c.CreatedAt, Platform: c.Platform}
	return s.insert(ctx, p, in, c.ID, c.ChannelID)
}

// Input is a request entered by hand (a letter, an email, the desk).
type Input struct {
	UnitID        int64     `json:"unit_id"`
	RequesterName string    `json:"requester_name"`
	RequesterID   string    `json:"requester_id"`
	Question      string    `json:"question"`
	Category      string    `json:"category"`
	ReceivedAt    time.Time `json:"received_at"`
	Platform      string    `json:"platform"`
}

// Create records a request entered by hand in a unit the caller reaches.
func (s *Service) Create(ctx context.Context, p auth.Principal, in Input) (Request, error) {
	if err := canRecord(p); err != nil {
		return Request{}, err
	}
	if in.UnitID == 0 {
		in.UnitID = p.UnitID
	}
	if err := s.inScope(ctx, p, in.UnitID); err != nil {
		return Request{}, err
	}
	var e valid.Errors
	for _, f := range []struct{ field, en, id, v string }{
		{"requester_name", "the requester's name", "nama pemohon", in.RequesterName},
		{"question", "the information asked for", "informasi yang diminta", in.Question},
	} {
		if err := checkText(f.field, f.en, f.id, f.v, 4000); err != nil {
			var pr *valid.Problem
			errors.As(err, &pr)
			e.Add(f.field, "%[1]s", "%[2]s", pr.Msg, pr.MsgID)
		}
	}
	if err := checkCategory(in.Category); err != nil {
		e.Add("category", "%[1]s", "%[2]s", err.Error(), err.(*valid.Problem).MsgID)
	}
	if in.ReceivedAt.IsZero() {
		in.ReceivedAt = s.now()
	}
	if in.ReceivedAt.After(s.now().Add(time.Minute)) {
		e.Add("received_at", "the receipt time is in the future", "waktu diterima ada di masa depan")
	}
	if len(e) > 0 {
		return Request{}, e
	}
	return s.insert(ctx, p, in, 0, 0)
}

func (s *Service) insert(ctx context.Context, p auth.Principal, in Input, commentID, channelID int64) (Request, error) {
	due := s.cal.Deadline(in.ReceivedAt)
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = store.InsertID(ctx, tx, `INSERT INTO ppid_requests (unit_id, comment_id, channel_id, platform, requester_name, requester_id,
  question, category, received_at, due_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.UnitID, nullID(commentID), nullID(channelID), in.Platform, strings.TrimSpace(in.RequesterName), in.RequesterID,
			strings.TrimSpace(in.Question), in.Category, store.FormatTime(in.ReceivedAt), store.FormatTime(due), p.UserID, store.FormatTime(s.now()))
		if err != nil {
			if strings.Contains(err.Error(), "UNIQUE") {
				return valid.Conflict("already_requested", "comment %d is already an information request", "komentar %d sudah menjadi permohonan informasi", commentID)
			}
			return err
		}
		return s.audit(ctx, tx, p, id, "received", "", StatusOpen, "", map[string]any{"comment_id": commentID, "due_at": due})
	})
	if err != nil {
		return Request{}, err
	}
	return s.row(ctx, id)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (s *Service) audit(ctx context.Context, x auth.Execer, p auth.Principal, id int64, action, from, to, reason string, detail any) error {
	return auth.AppendAudit(ctx, x, s.now(), auth.AuditRecord{Actor: p, Entity: "ppid_request", EntityID: id, Action: action,
		From: from, To: to, Reason: reason, Detail: detail})
}

func (s *Service) row(ctx context.Context, id int64) (Request, error) {
	q, err := s.scan(s.db.DB.QueryRowContext(ctx, `SELECT `+qCols+` FROM ppid_requests WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, valid.NotFound("information request %d does not exist", "permohonan informasi %d tidak ada", id)
	}
	if err != nil {
		return Request{}, fmt.Errorf("information request %d: %w", id, err)
	}
	if q.ReplyID != 0 && s.inbox != nil {
		if r, err := s.inbox.ReplyByID(ctx, q.ReplyID); err == nil {
			q.ReplyState = r.State
		}
	}
	return q, nil
}

func (s *Service) inScope(ctx context.Context, p auth.Principal, unit int64) error {
	if p.Role == auth.RoleAdmin {
		return nil
	}
	ok, err := s.org.InSubtree(ctx, p.UnitID, unit)
	if err != nil {
		return err
	}
	if !ok {
		return valid.Forbidden("unit %d is outside your unit", "unit %d di luar unit Anda", unit)
	}
	return nil
}

// Get returns one request the caller may see.
func (s *Service) Get(ctx context.Context, p auth.Principal, id int64) (Request, error) {
	if err := s.Sync(ctx); err != nil {
		return Request{}, err
	}
	q, err := s.row(ctx, id)
	if err != nil {
		return Request{}, err
	}
	if s.inScope(ctx, p, q.UnitID) != nil {
		return Request{}, valid.NotFound("information request %d does not exist", "permohonan informasi %d tidak ada", id)
	}
	return q, nil
}

// Filter selects requests.
type Filter struct {
	UnitID int64  // a unit the caller reaches (0: the caller's); units below roll up
	Status string // open, answered, refused ("": all)
}

// List returns the requests of the caller's units: open ones first, by
// working days left (the most urgent first), then closed ones, newest first.
func (s *Service) List(ctx context.Context, p auth.Principal, f Filter) ([]Request, error) {
	if err := s.Sync(ctx); err != nil {
		return nil, err
	}
	units, err := s.units(ctx, p, f.UnitID)
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + qCols + ` FROM ppid_requests WHERE 1 = 1`
	var args []any
	if units != nil {
		q += ` AND unit_id IN (SELECT value FROM json_each(?))`
		args = append(args, jsonInts(units))
	}
	switch f.Status {
	case "":
	case StatusOpen, StatusAnswered, StatusRefused:
		q += ` AND status = ?`
		args = append(args, f.Status)
	default:
		return nil, valid.BadParam("status", "status must be open, answered or refused", "status harus open, answered atau refused")
	}
	q += ` ORDER BY CASE status WHEN 'open' THEN 0 ELSE 1 END, coalesce(extended_due_at, due_at), received_at DESC, id`
	rows, err := s.db.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("information requests: %w", err)
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
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Closed ones newest first after the open ones.
	slices.SortStableFunc(out, func(a, b Request) int {
		if (a.Status == StatusOpen) != (b.Status == StatusOpen) {
			if a.Status == StatusOpen {
				return -1
			}
			return 1
		}
		if a.Status != StatusOpen {
			return b.ReceivedAt.Compare(a.ReceivedAt)
		}
		return 0
	})
	for i := range out {
		if out[i].ReplyID != 0 && s.inbox != nil {
			if r, err := s.inbox.ReplyByID(ctx, out[i].ReplyID); err == nil {
				out[i].ReplyState = r.State
			}
		}
	}
	return out, nil
}

func (s *Service) units(ctx context.Context, p auth.Principal, unit int64) ([]int64, error) {
	if unit == 0 {
		if p.Role == auth.RoleAdmin {
			return nil, nil
		}
		unit = p.UnitID
	}
	if err := s.inScope(ctx, p, unit); err != nil {
		return nil, err
	}
	return s.org.Descendants(ctx, unit)
}

func jsonInts(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// open reads a request the caller may handle, still open.
func (s *Service) open(ctx context.Context, p auth.Principal, id int64) (Request, error) {
	if err := canHandle(p); err != nil {
		return Request{}, err
	}
	q, err := s.Get(ctx, p, id)
	if err != nil {
		return Request{}, err
	}
	if q.Status != StatusOpen {
		return Request{}, valid.Conflict("request_closed", "information request %d is already %s", "permohonan informasi %d sudah %s", id, q.Status)
	}
	return q, nil
}

// Extend extends the deadline once, by 7 working days, with the reason
// the requester is told.
func (s *Service) Extend(ctx context.Context, p auth.Principal, id int64, reason string) (Request, error) {
	q, err := s.open(ctx, p, id)
	if err != nil {
		return Request{}, err
	}
	if err := checkText("reason", "the reason for the extension", "alasan perpanjangan", reason, 2000); err != nil {
		return Request{}, err
	}
	if q.ExtendedDueAt != nil {
		return Request{}, valid.Conflict("already_extended", "the deadline of request %d was already extended once (the law allows one extension)",
			"tenggat permohonan %d sudah diperpanjang sekali (undang-undang hanya membolehkan satu kali)", id)
	}
	ext := s.cal.Extended(q.DueAt)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE ppid_requests SET extended_due_at = ?, extension_reason = ? WHERE id = ? AND extended_due_at IS NULL`,
			store.FormatTime(ext), strings.TrimSpace(reason), id); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, id, "extended", "", "", strings.TrimSpace(reason), map[string]any{"due_at": q.DueAt, "extended_due_at": ext})
	})
	if err != nil {
		return Request{}, err
	}
	return s.row(ctx, id)
}

// AnswerByReply answers a request that came from a comment with a public
// reply through the inbox (the unit's approval rule applies): the
// request closes when the reply is published.
func (s *Service) AnswerByReply(ctx context.Context, p auth.Principal, id int64, message string) (Request, error) {
	q, err := s.open(ctx, p, id)
	if err != nil {
		return Request{}, err
	}
	if q.CommentID == 0 {
		return Request{}, valid.Conflict("no_comment", "request %d did not come from a comment: answer it through another channel",
			"permohonan %d tidak berasal dari komentar: jawab melalui saluran lain", id)
	}
	r, err := s.inbox.Reply(ctx, p, q.CommentID, message)
	if err != nil && r.ID == 0 {
		return Request{}, err
	}
	if _, uerr := s.db.DB.ExecContext(ctx, `UPDATE ppid_requests SET reply_id = ? WHERE id = ?`, r.ID, id); uerr != nil {
		return Request{}, uerr
	}
	if aerr := s.audit(ctx, s.db.DB, p, id, "answer_written", "", "", "", map[string]any{"reply_id": r.ID, "reply_state": r.State}); aerr != nil {
		return Request{}, aerr
	}
	if serr := s.Sync(ctx); serr != nil {
		return Request{}, serr
	}
	out, gerr := s.row(ctx, id)
	if gerr != nil {
		return Request{}, gerr
	}
	return out, err
}

// Sync closes the requests whose public reply has been published (at the
// reply's publish time).
func (s *Service) Sync(ctx context.Context) error {
	if s.inbox == nil {
		return nil
	}
	rows, err := s.db.DB.QueryContext(ctx, `SELECT id, reply_id FROM ppid_requests WHERE status = 'open' AND reply_id IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("requests answered by reply: %w", err)
	}
	type pending struct{ id, reply int64 }
	var list []pending
	for rows.Next() {
		var x pending
		if err := rows.Scan(&x.id, &x.reply); err != nil {
			rows.Close()
			return err
		}
		list = append(list, x)
	}
	rows.Close()
	for _, x := range list {
		r, err := s.inbox.ReplyByID(ctx, x.reply)
		if err != nil || r.State != inbox.ReplyPublished || r.PublishedAt == nil {
			continue
		}
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE ppid_requests SET status = 'answered', answer_kind = 'reply', answer_note = ?, closed_at = ?, closed_by = ?
WHERE id = ? AND status = 'open'`, r.Message, store.FormatTime(*r.PublishedAt), r.AuthorID, x.id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
			return s.audit(ctx, tx, auth.SystemActor, x.id, "answered", StatusOpen, StatusAnswered, "", map[string]any{"reply_id": r.ID, "external_id": r.ExternalID})
		})
		if err != nil {
			return fmt.Errorf("close request %d: %w", x.id, err)
		}
	}
	return nil
}

// AnswerOther closes a request answered through another channel (a
// letter, an email, in person), with a note of how.
func (s *Service) AnswerOther(ctx context.Context, p auth.Principal, id int64, note string) (Request, error) {
	if _, err := s.open(ctx, p, id); err != nil {
		return Request{}, err
	}
	if err := checkText("note", "how the request was answered", "cara permohonan dijawab", note, 4000); err != nil {
		return Request{}, err
	}
	return s.close(ctx, p, id, StatusAnswered, AnswerOtherChannel, strings.TrimSpace(note), "")
}

// Refuse closes a request refused under an exemption, naming its legal
// basis (e.g. UU 14/2008 pasal 17 huruf a) and the reason.
func (s *Service) Refuse(ctx context.Context, p auth.Principal, id int64, legalBasis, reason string) (Request, error) {
	if _, err := s.open(ctx, p, id); err != nil {
		return Request{}, err
	}
	var e valid.Errors
	if err := checkText("legal_basis", "the exemption's legal basis", "dasar hukum pengecualian", legalBasis, 500); err != nil {
		e.Add("legal_basis", "%[1]s", "%[2]s", err.Error(), err.(*valid.Problem).MsgID)
	}
	if err := checkText("reason", "the reason (consequence test)", "alasan (uji konsekuensi)", reason, 4000); err != nil {
		e.Add("reason", "%[1]s", "%[2]s", err.Error(), err.(*valid.Problem).MsgID)
	}
	if len(e) > 0 {
		return Request{}, e
	}
	return s.close(ctx, p, id, StatusRefused, AnswerRefused, strings.TrimSpace(reason), strings.TrimSpace(legalBasis))
}

func (s *Service) close(ctx context.Context, p auth.Principal, id int64, status, kind, note, basis string) (Request, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE ppid_requests SET status = ?, answer_kind = ?, answer_note = ?, legal_basis = ?, closed_at = ?, closed_by = ?
WHERE id = ? AND status = 'open'`, status, kind, note, basis, store.FormatTime(s.now()), p.UserID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return valid.Conflict("request_closed", "information request %d is already closed", "permohonan informasi %d sudah ditutup", id)
		}
		return s.audit(ctx, tx, p, id, kind, StatusOpen, status, note, map[string]string{"legal_basis": basis})
	})
	if err != nil {
		return Request{}, err
	}
	return s.row(ctx, id)
}

func (s *Service) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
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
