package scheduler

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
)

// CreatePost writes a new post as a draft (or submits it at once with
// submit), with one delivery per target channel. It is version 1, and its
// author set is its writer.
func (s *Service) CreatePost(ctx context.Context, p auth.Principal, d Draft, submit bool) (Post, error) {
	if d.UnitID == 0 {
		d.UnitID = p.UnitID
	}
	if err := s.checkWrite(ctx, p, d.UnitID); err != nil {
		return Post{}, err
	}
	unit, err := s.org.Unit(ctx, d.UnitID)
	if err != nil {
		return Post{}, ValidationError{{Field: "unit", Message: fmt.Sprintf("no unit has id %d", d.UnitID),
			MessageID: fmt.Sprintf("tidak ada unit dengan id %d", d.UnitID)}}
	}
	normalize(&d)
	channels, verrs, err := s.resolveChannels(ctx, unit.ID, d.Channels)
	if err != nil {
		return Post{}, err
	}
	now := s.now()
	items, merrs, err := s.resolveMedia(ctx, p, &d)
	if err != nil {
		return Post{}, err
	}
	verrs = append(verrs, merrs...)
	verrs = append(verrs, checkDraft(d, channels, unit, now, submit)...)
	verrs = append(verrs, checkLibraryMedia(d, items, channels)...)
	if len(verrs) > 0 {
		return Post{}, verrs
	}
	// Where a PPID officer classifies, the writer's classification is a
	// proposal; elsewhere the writer's classification stands.
	status, by, at := ClassificationConfirmed, any(p.UserID), any(store.FormatTime(now))
	if unit.NeedsPPID() {
		status, by, at = ClassificationProposed, nil, nil
	}
	var id int64
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = store.InsertID(ctx, tx, qPostInsert, unit.ID, p.UserID, d.Caption, d.Link, jsonText(d.Media), d.ContentType,
			d.Classification.Level, d.Classification.Reason, d.Campaign, jsonText(d.Tags), store.FormatTime(d.ScheduledAt),
			d.Recurrence, nil, StateDraft, nil, nil, store.FormatTime(now), store.FormatTime(now))
		if err != nil {
			return fmt.Errorf("create post: %w", err)
		}
		if _, err := tx.ExecContext(ctx, qPostExtras, jsonText([]int64{p.UserID}), d.Classification.Category,
			d.Classification.LegalBasis, status, by, at, max(d.RecurrenceCount, 1), captionsText(d.Captions), id); err != nil {
			return fmt.Errorf("create post: %w", err)
		}
		for _, c := range channels {
			if _, err := tx.ExecContext(ctx, qDeliveryInsert, id, c.ID, DeliveryPending, store.FormatTime(d.ScheduledAt), nil,
				store.FormatTime(now), store.FormatTime(now)); err != nil {
				return fmt.Errorf("create delivery: %w", err)
			}
		}
		post, err := s.loadPost(ctx, tx, id)
		if err != nil {
			return err
		}
		c := contentOf(post)
		if err := writeAudit(ctx, tx, now, auditRec{actor: p, entity: "post", id: id, action: "create", to: StateDraft,
			detail: map[string]any{"version": post.Version, "content_hash": c.hash(), "content": c}}); err != nil {
			return err
		}
		if !submit {
			return nil
		}
		return s.submitTx(ctx, tx, p, &post, unit)
	})
	if err != nil {
		return Post{}, err
	}
	out, err := s.loadPost(ctx, s.db.DB, id)
	if err == nil && out.State == StateSubmitted {
		s.noticeSubmitted(ctx, out)
	}
	return out, err
}

// UpdatePost replaces the editable fields: a new content version, whose
// author set gains the editor (an approver's edit is an edit like any
// other), with an audit line of each changed field before and after.
// Editing an approved or scheduled post returns it to submitted (it needs
// approval again); classifying it exempt returns it to draft. With
// d.BaseVersion set, an edit made on an older version is a *VersionError.
func (s *Service) UpdatePost(ctx context.Context, p auth.Principal, id int64, d Draft) (Post, error) {
	post, err := s.Post(ctx, p, id)
	if err != nil {
		return Post{}, err
	}
	if err := s.CanEdit(ctx, p, post); err != nil {
		return Post{}, err
	}
	if d.BaseVersion != 0 && d.BaseVersion != post.Version {
		return Post{}, &VersionError{Given: d.BaseVersion, Current: post, CurrentHash: post.ContentHash()}
	}
	unit, err := s.org.Unit(ctx, post.UnitID)
	if err != nil {
		return Post{}, err
	}
	d.UnitID = post.UnitID
	normalize(&d)
	channels, verrs, err := s.resolveChannels(ctx, unit.ID, d.Channels)
	if err != nil {
		return Post{}, err
	}
	exempt := d.Classification.Level == Exempt
	publishable := !exempt && post.State != StateDraft && post.State != StateRejected
	items, merrs, err := s.resolveMedia(ctx, p, &d)
	if err != nil {
		return Post{}, err
	}
	verrs = append(verrs, merrs...)
	verrs = append(verrs, checkDraft(d, channels, unit, s.now(), publishable)...)
	verrs = append(verrs, checkLibraryMedia(d, items, channels)...)
	if len(verrs) > 0 {
		return Post{}, verrs
	}
	return s.applyEdit(ctx, edit{actor: p, action: "edit", post: post, unit: unit, d: d})
}

// Submit asks for approval (or schedules at once when the unit does not
// require approval).
func (s *Service) Submit(ctx context.Context, p auth.Principal, id int64) (Post, error) {
	post, err := s.Post(ctx, p, id)
	if err != nil {
		return Post{}, err
	}
	if err := s.checkWrite(ctx, p, post.UnitID); err != nil {
		return Post{}, err
	}
	if post.State != StateDraft && post.State != StateRejected {
		return Post{}, stateErr("submit", post.State)
	}
	unit, err := s.org.Unit(ctx, post.UnitID)
	if err != nil {
		return Post{}, err
	}
	if err := s.recheck(ctx, post, unit, true); err != nil {
		return Post{}, err
	}
	err = s.withTx(ctx, func(tx *sql.Tx) error { return s.submitTx(ctx, tx, p, &post, unit) })
	if err != nil {
		return Post{}, err
	}
	out, err := s.loadPost(ctx, s.db.DB, id)
	if err == nil && out.State == StateSubmitted {
		s.noticeSubmitted(ctx, out)
	}
	return out, err
}

// draftOf is a stored post as a draft (its current content).
func draftOf(post Post) Draft {
	return Draft{UnitID: post.UnitID, Caption: post.Caption, Captions: post.Captions, Link: post.Link, Media: post.Media, ContentType: post.ContentType,
		Classification: post.Classification, Channels: post.ChannelIDs(), ScheduledAt: post.ScheduledAt,
		Recurrence: post.Recurrence, RecurrenceCount: post.RecurrenceCount, Campaign: post.Campaign, Tags: post.Tags}
}

// recheck validates a stored post against its current channels and unit.
func (s *Service) recheck(ctx context.Context, post Post, unit org.Unit, forSubmit bool) error {
	d := draftOf(post)
	channels, verrs, err := s.resolveChannels(ctx, post.UnitID, d.Channels)
	if err != nil {
		return err
	}
	// Its media were checked against the writer's scope when saved.
	items, merrs, err := s.resolveMedia(ctx, auth.Principal{Role: auth.RoleAdmin}, &d)
	if err != nil {
		return err
	}
	verrs = append(verrs, merrs...)
	verrs = append(verrs, checkDraft(d, channels, unit, s.now(), forSubmit)...)
	verrs = append(verrs, checkLibraryMedia(d, items, channels)...)
	if len(verrs) > 0 {
		return verrs
	}
	return nil
}

// submitTx submits the post; a unit without approval approves and
// schedules it at once, unless its classification still waits for the
// PPID.
func (s *Service) submitTx(ctx context.Context, tx *sql.Tx, p auth.Principal, post *Post, unit org.Unit) error {
	if err := s.setState(ctx, tx, p, post, StateSubmitted, "submit", "", map[string]any{"version": post.Version}); err != nil {
		return err
	}
	if unit.RequiresApproval || (unit.NeedsPPID() && post.ClassificationStatus != ClassificationConfirmed) {
		return nil
	}
	return s.autoApprove(ctx, tx, post, unit)
}

// autoApprove approves a submitted post of a unit that needs no approval
// (as the system, binding the current version) and schedules it.
func (s *Service) autoApprove(ctx context.Context, tx *sql.Tx, post *Post, unit org.Unit) error {
	if err := s.setState(ctx, tx, systemActor, post, StateApproved, "approve", "unit "+unit.Slug+" does not require approval",
		map[string]any{"version": post.Version, "content_hash": post.ContentHash()}); err != nil {
		return err
	}
	if err := s.markApproved(ctx, tx, 0, *post); err != nil {
		return err
	}
	return s.scheduleTx(ctx, tx, systemActor, post, "")
}

// markApproved records who approved which version (approver 0: the
// system) and clears the author set.
func (s *Service) markApproved(ctx context.Context, tx *sql.Tx, approver int64, post Post) error {
	var by any
	if approver != 0 {
		by = approver
	}
	res, err := tx.ExecContext(ctx, qPostApproved, by, store.FormatTime(s.now()), post.Version, post.ContentHash(), post.ID, post.Version)
	if err != nil {
		return fmt.Errorf("approve post %d: %w", post.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return &VersionError{Given: post.Version, Current: post, CurrentHash: post.ContentHash()}
	}
	return nil
}

// Cancel stops a post: deliveries not yet sent are canceled (published
// ones stay published), and a recurring series ends.
func (s *Service) Cancel(ctx context.Context, p auth.Principal, id int64, reason string) (Post, error) {
	post, err := s.Post(ctx, p, id)
	if err != nil {
		return Post{}, err
	}
	if err := s.CanCancel(ctx, p, post); err != nil {
		return Post{}, err
	}
	if err := checkReason(reason); err != nil {
		return Post{}, err
	}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		var busy int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM deliveries WHERE post_id = ? AND status = 'publishing'`, id).Scan(&busy); err != nil {
			return fmt.Errorf("cancel post %d: %w", id, err)
		}
		if busy > 0 {
			return &StateError{Action: "cancel", State: StatePublishing, Msg: "the post is being published right now; try again in a moment",
				MsgID: "kiriman sedang dipublikasikan; coba lagi sebentar lagi"}
		}
		if _, err := tx.ExecContext(ctx, qDeliveriesCancel, store.FormatTime(s.now()), id); err != nil {
			return fmt.Errorf("cancel post %d: %w", id, err)
		}
		return s.setState(ctx, tx, p, &post, StateCanceled, "cancel", reason, nil)
	})
	if err != nil {
		return Post{}, err
	}
	return s.loadPost(ctx, s.db.DB, id)
}

// CanCancel says whether p may cancel post as it stands: nil, or the
// *ForbiddenError or *StateError Cancel would return. Pages ask it before
// offering the action; Cancel checks again.
func (s *Service) CanCancel(ctx context.Context, p auth.Principal, post Post) error {
	if post.AuthorID != p.UserID {
		if err := s.checkWrite(ctx, p, post.UnitID); err != nil {
			return err
		}
	} else if p.Role == auth.RoleViewer {
		return forbidden("a viewer cannot cancel posts", "viewer tidak dapat membatalkan kiriman")
	}
	switch post.State {
	case StateDraft, StateSubmitted, StateApproved, StateScheduled, StateRejected, StatePublishing:
		return nil
	}
	return stateErr("cancel", post.State)
}

// scheduleTx moves an approved post to scheduled and makes its pending
// deliveries due: Facebook at the post's time, Instagram igLead earlier
// so the container is ready by then.
func (s *Service) scheduleTx(ctx context.Context, tx *sql.Tx, actor auth.Principal, post *Post, reason string) error {
	now := s.now()
	for _, d := range post.Deliveries {
		next := post.ScheduledAt
		if d.Platform == org.Instagram {
			next = next.Add(-s.igLead)
		}
		if _, err := tx.ExecContext(ctx, qDeliverySchedule, store.FormatTime(next), store.FormatTime(now), d.ID); err != nil {
			return fmt.Errorf("schedule delivery %d: %w", d.ID, err)
		}
	}
	return s.setState(ctx, tx, actor, post, StateScheduled, "schedule", reason, map[string]any{"scheduled_at": post.ScheduledAt})
}

// Posts lists posts the caller may see, newest scheduled first.
func (s *Service) Posts(ctx context.Context, p auth.Principal, f Filter) ([]Post, error) {
	if err := CheckFilterTime("from", f.From); err != nil {
		return nil, err
	}
	if err := CheckFilterTime("to", f.To); err != nil {
		return nil, err
	}
	var where []string
	var args []any
	var units []int64
	switch {
	case f.UnitID != 0:
		if err := s.CheckUnit(ctx, p, f.UnitID); err != nil {
			return nil, err
		}
		var err error
		if units, err = s.org.Descendants(ctx, f.UnitID); err != nil {
			return nil, err
		}
	case p.Role != auth.RoleAdmin:
		var err error
		if units, err = s.org.Descendants(ctx, p.UnitID); err != nil {
			return nil, err
		}
	}
	if units != nil {
		where = append(where, "unit_id IN ("+placeholders(len(units))+")")
		for _, u := range units {
			args = append(args, u)
		}
	}
	if f.State != "" {
		where = append(where, "state = ?")
		args = append(args, f.State)
	}
	if f.ChannelID != 0 {
		where = append(where, "id IN (SELECT post_id FROM deliveries WHERE channel_id = ?)")
		args = append(args, f.ChannelID)
	}
	if !f.From.IsZero() {
		where = append(where, "scheduled_at >= ?")
		args = append(args, store.FormatTime(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "scheduled_at < ?")
		args = append(args, store.FormatTime(f.To))
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	q := `SELECT ` + qPostCols + ` FROM posts`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY scheduled_at DESC, id DESC LIMIT ?"
	args = append(args, f.Limit)
	rows, err := s.db.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list posts: %w", err)
	}
	var out []Post
	for rows.Next() {
		post, err := scanPost(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list posts: %w", err)
		}
		out = append(out, post)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list posts: %w", err)
	}
	ids := make([]int64, len(out))
	for i := range out {
		ids[i] = out[i].ID
	}
	ds, err := s.loadDeliveries(ctx, s.db.DB, ids...)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Deliveries = ds[out[i].ID]
	}
	return out, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

var _ = time.Second
