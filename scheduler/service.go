package scheduler

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
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
	// platforms caches each channel's platform (org never changes it):
	// deliveries name theirs without a read of org inside the publisher's
	// write transactions.
	platforms sync.Map // channel id → string
	// media is the media library (UseMedia); nil: posts carry URLs only.
	media MediaLibrary
	// notes and people tell people what needs them (UseNotifier); nil:
	// nobody is told.
	notes  Notifier
	people People
}

// platformsOf returns the platforms of the channels, asking org (on q,
// which may be the caller's transaction) only for those not seen yet.
func (s *Service) platformsOf(ctx context.Context, q org.Querier, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	var missing []int64
	for _, id := range ids {
		if v, ok := s.platforms.Load(id); ok {
			out[id] = v.(string)
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	chans, err := s.org.ChannelsByIDIn(ctx, q, missing)
	if err != nil {
		return nil, err
	}
	for id, c := range chans {
		s.platforms.Store(id, c.Platform)
		out[id] = c.Platform
	}
	return out, nil
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
	qDeliveryCols = `d.id, d.post_id, d.channel_id, d.status, d.scheduled_at, d.attempts, d.platform_id, d.permalink,
    d.published_at, d.error_class, d.error_code, d.error_subcode, d.error_message, d.error_action, d.publish_path`
	// qDeliveries reads the deliveries of a JSON array of post ids.
	qDeliveries = `SELECT ` + qDeliveryCols + ` FROM deliveries d
WHERE d.post_id IN (SELECT value FROM json_each(?)) ORDER BY d.id`
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
		return Post{}, postNotFound(id)
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
		return Post{}, postNotFound(id)
	}
	if err != nil {
		return Post{}, fmt.Errorf("post %d: %w", id, err)
	}
	ds, err := s.loadDeliveries(ctx, q, id)
	if err != nil {
		return Post{}, err
	}
	post.Deliveries = ds[id]
	return post, nil
}

// loadDeliveries returns the deliveries of the posts, by post id, in one
// query; the channels' platforms come from org in one lookup.
func (s *Service) loadDeliveries(ctx context.Context, q querier, postIDs ...int64) (map[int64][]Delivery, error) {
	out := make(map[int64][]Delivery, len(postIDs))
	if len(postIDs) == 0 {
		return out, nil
	}
	ids, err := json.Marshal(postIDs)
	if err != nil {
		return nil, fmt.Errorf("deliveries: %w", err)
	}
	rows, err := q.QueryContext(ctx, qDeliveries, string(ids))
	if err != nil {
		return nil, fmt.Errorf("deliveries of %d posts: %w", len(postIDs), err)
	}
	defer rows.Close()
	var chans []int64
	var all []Delivery
	for rows.Next() {
		var d Delivery
		var sched string
		var published sql.NullString
		var e DeliveryError
		if err := rows.Scan(&d.ID, &d.PostID, &d.ChannelID, &d.Status, &sched, &d.Attempts, &d.PlatformID,
			&d.Permalink, &published, &e.Class, &e.Code, &e.Subcode, &e.Message, &e.Action, &d.PublishPath); err != nil {
			return nil, fmt.Errorf("deliveries of %d posts: %w", len(postIDs), err)
		}
		if d.ScheduledAt, err = store.ParseTime(sched); err != nil {
			return nil, fmt.Errorf("delivery %d: scheduled_at: %w", d.ID, err)
		}
		d.PublishedAt = store.ParseNullTime(published)
		if e.Class != "" || e.Message != "" {
			e.ActionID, e.ActionEN = actionText(e.Action)
			d.Error = &e
		}
		if !slices.Contains(chans, d.ChannelID) {
			chans = append(chans, d.ChannelID)
		}
		all = append(all, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("deliveries of %d posts: %w", len(postIDs), err)
	}
	platforms, err := s.platformsOf(ctx, q, chans) // q may be a transaction: no second connection
	if err != nil {
		return nil, err
	}
	for _, d := range all {
		d.Platform = platforms[d.ChannelID]
		out[d.PostID] = append(out[d.PostID], d)
	}
	return out, nil
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
	return (&writeScope{s: s, p: p}).check(ctx, unitID)
}

// writeScope is checkWrite for one principal over many units: an
// approver's units are read once (org.Descendants), not once a post.
type writeScope struct {
	s      *Service
	p      auth.Principal
	under  []int64
	loaded bool
}

func (w *writeScope) check(ctx context.Context, unitID int64) error {
	p := w.p
	switch p.Role {
	case auth.RoleAdmin:
		return nil
	case auth.RoleEditor:
		if unitID == p.UnitID {
			return nil
		}
		return forbidden("an editor writes posts in its own unit (%d) only", "editor hanya dapat menulis kiriman di unitnya sendiri (%d)", p.UnitID)
	case auth.RoleApprover:
		if !w.loaded {
			ids, err := w.s.org.Descendants(ctx, p.UnitID)
			if err != nil && !errors.Is(err, org.ErrNotFound) {
				return err
			}
			w.under, w.loaded = ids, true
		}
		if slices.Contains(w.under, unitID) {
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
func (s *Service) setState(ctx context.Context, tx auth.Execer, actor auth.Principal, post *Post, to, action, reason string, detail any) error {
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
