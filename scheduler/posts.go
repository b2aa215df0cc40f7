package scheduler

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
)

// CreatePost writes a new post as a draft (or submits it at once with
// submit), with one delivery per target channel.
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
	verrs = append(verrs, checkDraft(d, channels, now, submit)...)
	if len(verrs) > 0 {
		return Post{}, verrs
	}
	var id int64
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, qPostInsert, unit.ID, p.UserID, d.Caption, d.Link, jsonText(d.Media), d.ContentType,
			d.Classification.Level, d.Classification.Reason, d.Campaign, jsonText(d.Tags), store.FormatTime(d.ScheduledAt),
			d.Recurrence, nil, StateDraft, nil, nil, store.FormatTime(now), store.FormatTime(now))
		if err != nil {
			return fmt.Errorf("create post: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("create post: %w", err)
		}
		for _, c := range channels {
			if _, err := tx.ExecContext(ctx, qDeliveryInsert, id, c.ID, DeliveryPending, store.FormatTime(d.ScheduledAt), nil,
				store.FormatTime(now), store.FormatTime(now)); err != nil {
				return fmt.Errorf("create delivery: %w", err)
			}
		}
		if err := writeAudit(ctx, tx, now, auditRec{actor: p, entity: "post", id: id, action: "create", to: StateDraft,
			detail: map[string]any{"channels": d.Channels, "classification": d.Classification.Level}}); err != nil {
			return err
		}
		if !submit {
			return nil
		}
		post, err := s.loadPost(ctx, tx, id)
		if err != nil {
			return err
		}
		return s.submitTx(ctx, tx, p, &post, unit)
	})
	if err != nil {
		return Post{}, err
	}
	return s.loadPost(ctx, s.db.DB, id)
}

// UpdatePost replaces the editable fields. Editing an approved or
// scheduled post returns it to submitted (it needs approval again);
// classifying it exempt returns it to draft.
func (s *Service) UpdatePost(ctx context.Context, p auth.Principal, id int64, d Draft) (Post, error) {
	post, err := s.Post(ctx, p, id)
	if err != nil {
		return Post{}, err
	}
	if err := s.CanEdit(ctx, p, post); err != nil {
		return Post{}, err
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
	now := s.now()
	exempt := d.Classification.Level == Exempt
	publishable := !exempt && post.State != StateDraft && post.State != StateRejected
	verrs = append(verrs, checkDraft(d, channels, now, publishable)...)
	if len(verrs) > 0 {
		return Post{}, verrs
	}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		var busy int
		if err := tx.QueryRowContext(ctx, qDeliveriesBusy, id).Scan(&busy); err != nil {
			return fmt.Errorf("edit post %d: %w", id, err)
		}
		if busy > 0 {
			return stateErr("edit", StatePublishing)
		}
		cur, err := s.loadPost(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.State != post.State {
			return stateErr("edit", cur.State)
		}
		if _, err := tx.ExecContext(ctx, qPostUpdate, d.Caption, d.Link, jsonText(d.Media), d.ContentType, d.Classification.Level,
			d.Classification.Reason, d.Campaign, jsonText(d.Tags), store.FormatTime(d.ScheduledAt), d.Recurrence,
			store.FormatTime(now), id); err != nil {
			return fmt.Errorf("edit post %d: %w", id, err)
		}
		old := cur.ChannelIDs()
		for _, c := range old {
			if !slices.Contains(d.Channels, c) {
				if _, err := tx.ExecContext(ctx, qDeliveryDelete, id, c); err != nil {
					return fmt.Errorf("edit post %d: %w", id, err)
				}
			}
		}
		for _, c := range d.Channels {
			if !slices.Contains(old, c) {
				if _, err := tx.ExecContext(ctx, qDeliveryInsert, id, c, DeliveryPending, store.FormatTime(d.ScheduledAt), nil,
					store.FormatTime(now), store.FormatTime(now)); err != nil {
					return fmt.Errorf("edit post %d: %w", id, err)
				}
			}
		}
		if _, err := tx.ExecContext(ctx, qDeliveriesUnsent, DeliveryPending, store.FormatTime(d.ScheduledAt), store.FormatTime(now), id); err != nil {
			return fmt.Errorf("edit post %d: %w", id, err)
		}
		if err := writeAudit(ctx, tx, now, auditRec{actor: p, entity: "post", id: id, action: "edit", from: cur.State, to: cur.State,
			detail: map[string]any{"channels": d.Channels, "scheduled_at": d.ScheduledAt, "classification": d.Classification.Level}}); err != nil {
			return err
		}
		switch {
		case exempt && cur.State != StateDraft:
			return s.setState(ctx, tx, p, &cur, StateDraft, "reclassify", "classified exempt: exempt content is never published", nil)
		case cur.State == StateApproved || cur.State == StateScheduled:
			if !unit.RequiresApproval {
				cur.Deliveries, err = loadDeliveries(ctx, tx, id)
				if err != nil {
					return err
				}
				cur.ScheduledAt = d.ScheduledAt
				return s.scheduleTx(ctx, tx, p, &cur, "edited; the unit does not require approval")
			}
			return s.setState(ctx, tx, p, &cur, StateSubmitted, "edit", "edited after approval: needs approval again", nil)
		}
		return nil
	})
	if err != nil {
		return Post{}, err
	}
	return s.loadPost(ctx, s.db.DB, id)
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
	if err := s.recheck(ctx, post, true); err != nil {
		return Post{}, err
	}
	err = s.withTx(ctx, func(tx *sql.Tx) error { return s.submitTx(ctx, tx, p, &post, unit) })
	if err != nil {
		return Post{}, err
	}
	return s.loadPost(ctx, s.db.DB, id)
}

// recheck validates a stored post against its current channels.
func (s *Service) recheck(ctx context.Context, post Post, forSubmit bool) error {
	d := Draft{UnitID: post.UnitID, Caption: post.Caption, Link: post.Link, Media: post.Media, ContentType: post.ContentType,
		Classification: post.Classification, Channels: post.ChannelIDs(), ScheduledAt: post.ScheduledAt,
		Recurrence: post.Recurrence, Campaign: post.Campaign, Tags: post.Tags}
	channels, verrs, err := s.resolveChannels(ctx, post.UnitID, d.Channels)
	if err != nil {
		return err
	}
	verrs = append(verrs, checkDraft(d, channels, s.now(), forSubmit)...)
	if len(verrs) > 0 {
		return verrs
	}
	return nil
}

func (s *Service) submitTx(ctx context.Context, tx *sql.Tx, p auth.Principal, post *Post, unit org.Unit) error {
	if err := s.setState(ctx, tx, p, post, StateSubmitted, "submit", "", nil); err != nil {
		return err
	}
	if unit.RequiresApproval {
		return nil
	}
	if err := s.setState(ctx, tx, systemActor, post, StateApproved, "approve", "unit "+unit.Slug+" does not require approval", nil); err != nil {
		return err
	}
	return s.scheduleTx(ctx, tx, systemActor, post, "")
}

// Approve approves a submitted post and schedules its deliveries. The
// approver has the approver role, is not the author, and the post's unit
// is the approver's unit or below it.
func (s *Service) Approve(ctx context.Context, p auth.Principal, id int64, reason string) (Post, error) {
	post, err := s.Post(ctx, p, id)
	if err != nil {
		return Post{}, err
	}
	if err := s.checkApprover(ctx, p, post); err != nil {
		return Post{}, err
	}
	if post.AuthorID == p.UserID {
		return Post{}, forbidden("you wrote post %d: another approver must approve it", "Anda penulis kiriman %d: kiriman harus disetujui approver lain", id)
	}
	if post.State != StateSubmitted {
		return Post{}, stateErr("approve", post.State)
	}
	if err := s.recheck(ctx, post, false); err != nil {
		return Post{}, err
	}
	if post.Classification.Level != Public {
		return Post{}, ValidationError{{Field: "classification.level", Message: "exempt content is never published",
			MessageID: "informasi yang dikecualikan tidak pernah dipublikasikan"}}
	}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		if err := s.setState(ctx, tx, p, &post, StateApproved, "approve", reason, nil); err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, qPostApproved, p.UserID, store.FormatTime(now), id); err != nil {
			return fmt.Errorf("approve post %d: %w", id, err)
		}
		return s.scheduleTx(ctx, tx, p, &post, "")
	})
	if err != nil {
		return Post{}, err
	}
	return s.loadPost(ctx, s.db.DB, id)
}

// Reject sends a submitted post back to its author with a reason.
func (s *Service) Reject(ctx context.Context, p auth.Principal, id int64, reason string) (Post, error) {
	post, err := s.Post(ctx, p, id)
	if err != nil {
		return Post{}, err
	}
	if err := s.checkApprover(ctx, p, post); err != nil {
		return Post{}, err
	}
	if strings.TrimSpace(reason) == "" {
		return Post{}, ValidationError{{Field: "reason", Message: "say why the post is rejected", MessageID: "sebutkan alasan kiriman ditolak"}}
	}
	if post.State != StateSubmitted {
		return Post{}, stateErr("reject", post.State)
	}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		return s.setState(ctx, tx, p, &post, StateRejected, "reject", reason, nil)
	})
	if err != nil {
		return Post{}, err
	}
	return s.loadPost(ctx, s.db.DB, id)
}

func (s *Service) checkApprover(ctx context.Context, p auth.Principal, post Post) error {
	if p.Role != auth.RoleApprover {
		return forbidden("approving needs the approver role; you are %s", "persetujuan memerlukan peran approver; peran Anda %s", string(p.Role))
	}
	ok, err := s.inSubtree(ctx, p.UnitID, post.UnitID)
	if err != nil {
		return err
	}
	if !ok {
		return forbidden("post %d belongs to a unit outside yours", "kiriman %d milik unit di luar unit Anda", post.ID)
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
	var where []string
	var args []any
	var units []int64
	switch {
	case f.UnitID != 0:
		if ok, err := s.canSee(ctx, p, f.UnitID); err != nil {
			return nil, err
		} else if !ok {
			return nil, forbidden("unit %d is outside your unit", "unit %d di luar unit Anda", f.UnitID)
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
	for i := range out {
		if out[i].Deliveries, err = loadDeliveries(ctx, s.db.DB, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

var _ = time.Second
