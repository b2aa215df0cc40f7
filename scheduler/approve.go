package scheduler

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/valid"
)

// Review names the version of a post an approver reviewed, by its number,
// its content hash or both (at least one is required), and why.
type Review struct {
	Version int
	Hash    string
	Reason  string
}

// checkReview refuses a review that names no version, and an oversized
// reason.
func checkReview(r Review) error {
	var e valid.Errors
	if r.Version <= 0 && r.Hash == "" {
		e.Add("version", "say which version you reviewed: send version (and content_hash) as GET /api/v1/posts/{id} shows them",
			"sebutkan versi yang Anda periksa: kirim version (dan content_hash) seperti yang ditampilkan GET /api/v1/posts/{id}")
	}
	checkLen(&e, "reason", "a reason", "alasan", r.Reason, MaxReasonRunes)
	if len(e) > 0 {
		return ValidationError(e)
	}
	return nil
}

// matchReview is nil when r names post's current version.
func matchReview(post Post, r Review) error {
	if (r.Version != 0 && r.Version != post.Version) || (r.Hash != "" && r.Hash != post.ContentHash()) {
		return &VersionError{Given: r.Version, GivenHash: r.Hash, Current: post, CurrentHash: post.ContentHash()}
	}
	return nil
}

// Approve approves the version of a submitted post the approver reviewed
// and schedules its deliveries. The approver has the approver role, the
// post's unit is the approver's unit or below it, and the approver is not
// in the version's author set (no one who changed the content since the
// last approval). A review of another version is a *VersionError; where a
// PPID officer classifies, the classification must be confirmed first.
func (s *Service) Approve(ctx context.Context, p auth.Principal, id int64, r Review) (Post, error) {
	post, err := s.Post(ctx, p, id)
	if err != nil {
		return Post{}, err
	}
	if err := s.checkApprover(ctx, p, post); err != nil {
		return Post{}, err
	}
	if err := checkReview(r); err != nil {
		return Post{}, err
	}
	unit, err := s.org.Unit(ctx, post.UnitID)
	if err != nil {
		return Post{}, err
	}
	var authors []int64
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.loadPost(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := matchReview(cur, r); err != nil {
			return err
		}
		if cur.State != StateSubmitted {
			return stateErr("approve", cur.State)
		}
		authors = cur.Authors
		if err := approvable(p, cur, unit); err != nil {
			return err
		}
		if err := s.recheck(ctx, cur, unit, false); err != nil {
			return err
		}
		if cur.Classification.Level != Public {
			return ValidationError{{Field: "classification.level", Message: "exempt content is never published",
				MessageID: "informasi yang dikecualikan tidak pernah dipublikasikan"}}
		}
		if err := s.setState(ctx, tx, p, &cur, StateApproved, "approve", r.Reason,
			map[string]any{"version": cur.Version, "content_hash": cur.ContentHash()}); err != nil {
			return err
		}
		if err := s.markApproved(ctx, tx, p.UserID, cur); err != nil {
			return err
		}
		return s.scheduleTx(ctx, tx, p, &cur, "")
	})
	if err != nil {
		return Post{}, err
	}
	out, err := s.loadPost(ctx, s.db.DB, id)
	if err == nil {
		s.noticeReviewed(ctx, p, out, authors, true, r.Reason)
	}
	return out, err
}

// Reject sends the reviewed version of a submitted post back to its
// authors with a reason.
func (s *Service) Reject(ctx context.Context, p auth.Principal, id int64, r Review) (Post, error) {
	post, err := s.Post(ctx, p, id)
	if err != nil {
		return Post{}, err
	}
	if err := s.checkApprover(ctx, p, post); err != nil {
		return Post{}, err
	}
	if err := checkReview(r); err != nil {
		return Post{}, err
	}
	if strings.TrimSpace(r.Reason) == "" {
		return Post{}, ValidationError{{Field: "reason", Message: "say why the post is rejected", MessageID: "sebutkan alasan kiriman ditolak"}}
	}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.loadPost(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := matchReview(cur, r); err != nil {
			return err
		}
		if cur.State != StateSubmitted {
			return stateErr("reject", cur.State)
		}
		if err := s.setState(ctx, tx, p, &cur, StateRejected, "reject", r.Reason,
			map[string]any{"version": cur.Version, "content_hash": cur.ContentHash()}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, qPostRejected, strings.TrimSpace(r.Reason), p.UserID, store.FormatTime(s.now()), id); err != nil {
			return fmt.Errorf("post %d rejected: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return Post{}, err
	}
	out, err := s.loadPost(ctx, s.db.DB, id)
	if err == nil {
		s.noticeReviewed(ctx, p, out, out.Authors, false, out.RejectedReason)
	}
	return out, err
}

const qPostRejected = `UPDATE posts SET rejected_reason = ?, rejected_by = ?, rejected_at = ? WHERE id = ?`

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

// CanApprove says whether p may approve post's current version as it
// stands (the approver role and unit, the author set, the PPID's
// confirmation): nil, or the error Approve would return. Pages ask it
// before offering the action; Approve checks again.
func (s *Service) CanApprove(ctx context.Context, p auth.Principal, post Post) error {
	if err := s.checkApprover(ctx, p, post); err != nil {
		return err
	}
	if post.State != StateSubmitted {
		return stateErr("approve", post.State)
	}
	unit, err := s.org.Unit(ctx, post.UnitID)
	if err != nil {
		return err
	}
	return approvable(p, post, unit)
}

// approvable: p is not in the version's author set, and where a PPID
// officer classifies, the classification is confirmed.
func approvable(p auth.Principal, post Post, unit org.Unit) error {
	if slices.Contains(post.Authors, p.UserID) {
		return forbidden("you changed the content of post %d since its last approval (version %d): another approver must approve it",
			"Anda mengubah isi kiriman %d sejak persetujuan terakhir (versi %d): kiriman harus disetujui approver lain", post.ID, post.Version)
	}
	if unit.NeedsPPID() && post.ClassificationStatus != ClassificationConfirmed {
		return &StateError{Action: "approve", State: post.State, code: codeClassificationPending,
			Msg:   fmt.Sprintf("post %d waits for a PPID officer to confirm its classification", post.ID),
			MsgID: fmt.Sprintf("kiriman %d menunggu PPID mengonfirmasi klasifikasinya", post.ID)}
	}
	return nil
}
