package scheduler

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
)

// edit is one content change: an editor's edit, or a PPID officer's
// classification (confirm).
type edit struct {
	actor  auth.Principal
	action string // audit action: edit or classify
	post   Post   // as read before the transaction
	unit   org.Unit
	d      Draft // normalized and validated
	// baseHash, when set, is the content hash the change was made on.
	baseHash string
	// confirm: a PPID officer sets the classification, which is then
	// confirmed.
	confirm bool
}

// applyEdit writes a new content version in one transaction: the content,
// the author set with the actor in it, the deliveries of changed channels,
// an audit line with each changed field before and after, and the state
// the change leads to. An edit that changes nothing writes nothing.
func (s *Service) applyEdit(ctx context.Context, e edit) (Post, error) {
	id := e.post.ID
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var busy int
		if err := tx.QueryRowContext(ctx, qDeliveriesBusy, id).Scan(&busy); err != nil {
			return fmt.Errorf("%s post %d: %w", e.action, id, err)
		}
		if busy > 0 {
			return stateErr(e.action, StatePublishing)
		}
		cur, err := s.loadPost(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.State != e.post.State {
			return stateErr(e.action, cur.State)
		}
		if (e.d.BaseVersion != 0 && e.d.BaseVersion != cur.Version) || (e.baseHash != "" && e.baseHash != cur.ContentHash()) {
			return &VersionError{Given: e.d.BaseVersion, GivenHash: e.baseHash, Current: cur, CurrentHash: cur.ContentHash()}
		}
		now := s.now()
		before := contentOf(cur)
		status, by, at := cur.ClassificationStatus, cur.ClassifiedBy, cur.ClassifiedAt
		if len(diffContent(before, draftContent(cur.UnitID, e.d, status, by))) == 0 && !e.confirm {
			return nil // nothing changed: no new version
		}
		switch {
		case e.confirm:
			status, by, at = ClassificationConfirmed, e.actor.UserID, &now
		case e.unit.NeedsPPID():
			// The PPID confirmed other content: it confirms again.
			status, by, at = ClassificationProposed, 0, nil
		case cur.Classification != e.d.Classification:
			status, by, at = ClassificationConfirmed, e.actor.UserID, &now
		}
		after := draftContent(cur.UnitID, e.d, status, by)
		changes := diffContent(before, after)
		if len(changes) == 0 {
			return nil // the same officer confirmed the same classification again
		}
		authors := withAuthor(cur.Authors, e.actor.UserID)
		res, err := tx.ExecContext(ctx, qPostUpdate, e.d.Caption, e.d.Link, jsonText(e.d.Media), e.d.ContentType,
			e.d.Classification.Level, e.d.Classification.Reason, e.d.Classification.Category, e.d.Classification.LegalBasis,
			status, nullID(by), nullTime(at), e.d.Campaign, jsonText(e.d.Tags), store.FormatTime(e.d.ScheduledAt),
			e.d.Recurrence, max(e.d.RecurrenceCount, 1), jsonText(authors), captionsText(e.d.Captions), store.FormatTime(now), id, cur.Version)
		if err != nil {
			return fmt.Errorf("%s post %d: %w", e.action, id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &VersionError{Given: cur.Version, Current: cur, CurrentHash: cur.ContentHash()}
		}
		if err := s.replaceDeliveries(ctx, tx, cur, e.d, now); err != nil {
			return err
		}
		if err := writeAudit(ctx, tx, now, auditRec{actor: e.actor, entity: "post", id: id, action: e.action, from: cur.State,
			to: cur.State, detail: map[string]any{"previous_version": cur.Version, "version": cur.Version + 1,
				"content_hash": after.hash(), "changes": changes}}); err != nil {
			return err
		}
		next, err := s.loadPost(ctx, tx, id)
		if err != nil {
			return err
		}
		return s.afterEdit(ctx, tx, e, &next)
	})
	if err != nil {
		return Post{}, err
	}
	out, err := s.loadPost(ctx, s.db.DB, id)
	// Back to approval after an approved version changed, or approvable
	// now that the PPID confirmed the classification.
	if err == nil && out.State == StateSubmitted && (e.post.State != StateSubmitted || e.confirm) {
		s.noticeSubmitted(ctx, out)
	}
	return out, err
}

// replaceDeliveries adds and removes deliveries for changed channels and
// moves the unsent ones to the new time, waiting again.
func (s *Service) replaceDeliveries(ctx context.Context, tx *sql.Tx, cur Post, d Draft, now time.Time) error {
	id := cur.ID
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
	return nil
}

// afterEdit moves the post to the state its new version needs: exempt
// content back to draft; an approved version's replacement back to
// approval (or, in a unit without approval, scheduled again once its
// classification stands); a PPID confirmation of a submitted post in a
// unit without approval on to scheduled.
func (s *Service) afterEdit(ctx context.Context, tx *sql.Tx, e edit, post *Post) error {
	settled := !e.unit.NeedsPPID() || post.ClassificationStatus == ClassificationConfirmed
	switch {
	case post.Classification.Level == Exempt && post.State != StateDraft:
		return s.setState(ctx, tx, e.actor, post, StateDraft, "reclassify", "classified exempt: exempt content is never published", nil)
	case post.State == StateApproved || post.State == StateScheduled:
		if !e.unit.RequiresApproval && settled {
			if err := s.markApproved(ctx, tx, 0, *post); err != nil {
				return err
			}
			return s.scheduleTx(ctx, tx, e.actor, post, "edited; the unit does not require approval")
		}
		return s.setState(ctx, tx, e.actor, post, StateSubmitted, e.action, "changed after approval: needs approval again",
			map[string]any{"version": post.Version})
	case post.State == StateSubmitted && e.confirm && !e.unit.RequiresApproval:
		return s.autoApprove(ctx, tx, post, e.unit)
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return store.FormatTime(*t)
}
