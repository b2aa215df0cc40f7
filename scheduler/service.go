package scheduler

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/valid"
)

// Service is the content calendar: posts, their deliveries, approval and
// the audit log. It is safe for concurrent use.
type Service struct {
	db  *store.SQLite
	org *org.Store
	log *slog.Logger
	now func() time.Time
	// igLead is how long before its time an Instagram container is
	// created, so the media is ready when the post is due.
	igLead time.Duration
	// media is the media library (UseMedia); nil: posts carry URLs only.
	media MediaLibrary
	// notes and people tell people what needs them (UseNotifier); nil:
	// nobody is told.
	notes  Notifier
	people People
}

// ServiceOptions tune a Service; zero values take defaults.
type ServiceOptions struct {
	Logger *slog.Logger
	Now    func() time.Time
	// IGLead is how early Instagram containers are prepared (default 10 min).
	IGLead time.Duration
}

// NewService returns the calendar over the state database.
func NewService(db *store.SQLite, orgs *org.Store, o ServiceOptions) *Service {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.IGLead <= 0 {
		o.IGLead = 10 * time.Minute
	}
	return &Service{db: db, org: orgs, log: o.Logger, now: o.Now, igLead: o.IGLead}
}

// Org returns the unit and channel store.
func (s *Service) Org() *org.Store { return s.org }

const (
	qPostCols = `id, unit_id, author_id, caption, link, media, content_type, classification, classification_reason, campaign,
    tags, scheduled_at, recurrence, COALESCE(recurrence_of, 0), state, COALESCE(approved_by, 0), approved_at, version,
    created_at, updated_at, authors, COALESCE(approved_version, 0), approved_hash, info_category, legal_basis,
    classification_status, COALESCE(classified_by, 0), classified_at,
    COALESCE((SELECT r.recurrence_count FROM posts r WHERE r.id = posts.recurrence_of), recurrence_count), captions,
    rejected_reason, COALESCE(rejected_by, 0), rejected_at`
	qPost       = `SELECT ` + qPostCols + ` FROM posts WHERE id = ?`
	qPostInsert = `INSERT INTO posts (unit_id, author_id, caption, link, media, content_type, classification,
    classification_reason, campaign, tags, scheduled_at, recurrence, recurrence_of, state, approved_by, approved_at,
    created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// qPostExtras sets what qPostInsert (shared with the publisher's next
	// occurrence) leaves at its defaults.
	qPostExtras = `UPDATE posts SET authors = ?, info_category = ?, legal_basis = ?, classification_status = ?,
    classified_by = ?, classified_at = ?, recurrence_count = ?, captions = ? WHERE id = ?`
	// qPostUpdate writes a new content version; the version it replaces is
	// in the WHERE clause, so a concurrent edit makes it change no row.
	qPostUpdate = `UPDATE posts SET caption = ?, link = ?, media = ?, content_type = ?, classification = ?,
    classification_reason = ?, info_category = ?, legal_basis = ?, classification_status = ?, classified_by = ?,
    classified_at = ?, campaign = ?, tags = ?, scheduled_at = ?, recurrence = ?, recurrence_count = ?, authors = ?,
    captions = ?, version = version + 1, updated_at = ?
WHERE id = ? AND version = ?`
	qPostState    = `UPDATE posts SET state = ?, updated_at = ? WHERE id = ? AND state = ?`
	qPostApproved = `UPDATE posts SET approved_by = ?, approved_at = ?, approved_version = ?, approved_hash = ?, authors = '[]'
WHERE id = ? AND version = ?`
	qDeliveryCols = `d.id, d.post_id, d.channel_id, c.platform, d.status, d.scheduled_at, d.attempts, d.platform_id, d.permalink,
    d.published_at, d.error_class, d.error_code, d.error_subcode, d.error_message, d.error_action, d.publish_path`
	qDeliveries = `SELECT ` + qDeliveryCols + ` FROM deliveries d JOIN channels c ON c.id = d.channel_id
WHERE d.post_id = ? ORDER BY d.id`
	qDeliveryInsert = `INSERT INTO deliveries (post_id, channel_id, status, scheduled_at, next_attempt_at, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`
	qDeliveryDelete   = `DELETE FROM deliveries WHERE post_id = ? AND channel_id = ? AND status IN ('pending', 'scheduled')`
	qDeliveriesUnsent = `UPDATE deliveries SET status = ?, scheduled_at = ?, next_attempt_at = NULL, container_id = '', containers_created = 0,
    updated_at = ? WHERE post_id = ? AND status IN ('pending', 'scheduled')`
	qDeliverySchedule = `UPDATE deliveries SET status = 'scheduled', next_attempt_at = ?, updated_at = ?
WHERE id = ? AND status = 'pending'`
	qDeliveriesBusy   = `SELECT count(*) FROM deliveries WHERE post_id = ? AND status NOT IN ('pending', 'scheduled', 'canceled')`
	qDeliveriesCancel = `UPDATE deliveries SET status = 'canceled', updated_at = ? WHERE post_id = ? AND status IN ('pending', 'scheduled')`
)

// Post returns a post the caller may see, with its deliveries.
func (s *Service) Post(ctx context.Context, p auth.Principal, id int64) (Post, error) {
	post, err := s.loadPost(ctx, s.db.DB, id)
	if err != nil {
		return Post{}, err
	}
	if ok, err := s.canSee(ctx, p, post.UnitID); err != nil {
		return Post{}, err
	} else if !ok {
		return Post{}, fmt.Errorf("post %d: %w", id, ErrNotFound)
	}
	return post, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func (s *Service) loadPost(ctx context.Context, q querier, id int64) (Post, error) {
	post, err := scanPost(q.QueryRowContext(ctx, qPost, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Post{}, fmt.Errorf("post %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Post{}, fmt.Errorf("post %d: %w", id, err)
	}
	if post.Deliveries, err = loadDeliveries(ctx, q, id); err != nil {
		return Post{}, err
	}
	return post, nil
}

func loadDeliveries(ctx context.Context, q querier, postID int64) ([]Delivery, error) {
	rows, err := q.QueryContext(ctx, qDeliveries, postID)
	if err != nil {
		return nil, fmt.Errorf("deliveries of post %d: %w", postID, err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		var sched string
		var published sql.NullString
		var e DeliveryError
		if err := rows.Scan(&d.ID, &d.PostID, &d.ChannelID, &d.Platform, &d.Status, &sched, &d.Attempts, &d.PlatformID,
			&d.Permalink, &published, &e.Class, &e.Code, &e.Subcode, &e.Message, &e.Action, &d.PublishPath); err != nil {
			return nil, fmt.Errorf("deliveries of post %d: %w", postID, err)
		}
		d.ScheduledAt, _ = store.ParseTime(sched)
		if published.Valid {
			t, _ := store.ParseTime(published.String)
			d.PublishedAt = &t
		}
		if e.Class != "" || e.Message != "" {
			e.ActionID, e.ActionEN = actionText(e.Action)
			d.Error = &e
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func scanPost(r interface{ Scan(...any) error }) (Post, error) {
	var p Post
	var media, tags, sched, created, updated, authors, captions string
	var approvedAt, classifiedAt, rejectedAt sql.NullString
	err := r.Scan(&p.ID, &p.UnitID, &p.AuthorID, &p.Caption, &p.Link, &media, &p.ContentType, &p.Classification.Level,
		&p.Classification.Reason, &p.Campaign, &tags, &sched, &p.Recurrence, &p.RecurrenceOf, &p.State, &p.ApprovedBy,
		&approvedAt, &p.Version, &created, &updated, &authors, &p.ApprovedVersion, &p.ApprovedHash, &p.Classification.Category,
		&p.Classification.LegalBasis, &p.ClassificationStatus, &p.ClassifiedBy, &classifiedAt, &p.RecurrenceCount, &captions,
		&p.RejectedReason, &p.RejectedBy, &rejectedAt)
	if err != nil {
		return p, err
	}
	_ = json.Unmarshal([]byte(media), &p.Media)
	_ = json.Unmarshal([]byte(tags), &p.Tags)
	_ = json.Unmarshal([]byte(authors), &p.Authors)
	_ = json.Unmarshal([]byte(captions), &p.Captions)
	p.Captions = nonEmpty(p.Captions)
	p.ClassifiedAt = store.ParseNullTime(classifiedAt)
	p.RejectedAt = store.ParseNullTime(rejectedAt)
	if p.Recurrence == "" {
		p.RecurrenceCount = 0
	}
	if p.Authors == nil {
		p.Authors = []int64{}
	}
	if p.Media == nil {
		p.Media = []Media{}
	}
	if p.Tags == nil {
		p.Tags = []string{}
	}
	p.ScheduledAt, _ = store.ParseTime(sched)
	p.CreatedAt, _ = store.ParseTime(created)
	p.UpdatedAt, _ = store.ParseTime(updated)
	if approvedAt.Valid {
		t, _ := store.ParseTime(approvedAt.String)
		p.ApprovedAt = &t
	}
	return p, nil
}

// canSee: admins see everything; others see their unit and below.
func (s *Service) canSee(ctx context.Context, p auth.Principal, unitID int64) (bool, error) {
	if p.Role == auth.RoleAdmin {
		return true, nil
	}
	return s.inSubtree(ctx, p.UnitID, unitID)
}

func (s *Service) inSubtree(ctx context.Context, top, unitID int64) (bool, error) {
	ids, err := s.org.Descendants(ctx, top)
	if errors.Is(err, org.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return slices.Contains(ids, unitID), nil
}

// checkWrite: editors write in their unit, approvers in their unit and
// below, admins anywhere; viewers never.
func (s *Service) checkWrite(ctx context.Context, p auth.Principal, unitID int64) error {
	switch p.Role {
	case auth.RoleAdmin:
		return nil
	case auth.RoleEditor:
		if unitID == p.UnitID {
			return nil
		}
		return forbidden("an editor writes posts in its own unit (%d) only", "editor hanya dapat menulis kiriman di unitnya sendiri (%d)", p.UnitID)
	case auth.RoleApprover:
		ok, err := s.inSubtree(ctx, p.UnitID, unitID)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		return forbidden("unit %d is not your unit or below it", "unit %d bukan unit Anda atau unit di bawahnya", unitID)
	default:
		return forbidden("a %s cannot write posts", "peran %s tidak dapat menulis kiriman", string(p.Role))
	}
}

// resolveChannels loads the target channels, which must sit in the
// post's unit or below it.
func (s *Service) resolveChannels(ctx context.Context, unitID int64, ids []int64) ([]org.Channel, ValidationError, error) {
	under, err := s.org.Descendants(ctx, unitID)
	if err != nil {
		return nil, nil, err
	}
	var errs valid.Errors
	var out []org.Channel
	seen := map[int64]bool{}
	for i, id := range ids {
		if seen[id] {
			errs.Add(fmt.Sprintf("channels[%d]", i), "channel %d is listed twice", "kanal %d tercantum dua kali", id)
			continue
		}
		seen[id] = true
		c, err := s.org.Channel(ctx, id)
		if errors.Is(err, org.ErrNotFound) {
			errs.Add(fmt.Sprintf("channels[%d]", i), "no channel has id %d", "tidak ada kanal dengan id %d", id)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if !slices.Contains(under, c.UnitID) {
			errs.Add(fmt.Sprintf("channels[%d]", i), "channel %d belongs to another unit", "kanal %d milik unit lain", id)
			continue
		}
		out = append(out, c)
	}
	return out, ValidationError(errs), nil
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func normalize(d *Draft) {
	if d.Media == nil {
		d.Media = []Media{}
	}
	if d.Tags == nil {
		d.Tags = []string{}
	}
	normalizeText(d)
	d.Captions = nonEmpty(d.Captions)
	switch d.Classification.Level {
	case Public:
		d.Classification.Reason, d.Classification.LegalBasis = "", ""
	case Exempt:
		d.Classification.Category = ""
	}
	switch {
	case d.Recurrence == "":
		d.RecurrenceCount = 0
	case d.RecurrenceCount == 0:
		d.RecurrenceCount = MaxOccurrences
	}
	d.ScheduledAt = d.ScheduledAt.UTC().Truncate(time.Millisecond)
}

// withTx runs fn in one (immediate) transaction.
func (s *Service) withTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// setState moves a post from one state to another and audits it.
func (s *Service) setState(ctx context.Context, tx *sql.Tx, actor auth.Principal, post *Post, to, action, reason string, detail any) error {
	now := s.now()
	res, err := tx.ExecContext(ctx, qPostState, to, store.FormatTime(now), post.ID, post.State)
	if err != nil {
		return fmt.Errorf("post %d %s: %w", post.ID, action, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return &StateError{Action: action, State: post.State, Msg: fmt.Sprintf("post %d changed meanwhile; reload it and try again", post.ID),
			MsgID: fmt.Sprintf("kiriman %d berubah sementara itu; muat ulang lalu coba lagi", post.ID)}
	}
	if err := writeAudit(ctx, tx, now, auditRec{actor: actor, entity: "post", id: post.ID, action: action, from: post.State, to: to,
		reason: reason, detail: detail}); err != nil {
		return err
	}
	post.State = to
	return nil
}
