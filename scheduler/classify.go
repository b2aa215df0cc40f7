package scheduler

import (
	"context"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/valid"
)

// ClassifyInput is a PPID officer's classification of the version of a
// post it reviewed (by number, content hash or both).
type ClassifyInput struct {
	Version        int
	Hash           string
	Classification Classification
}

// CanClassify says whether p may set or confirm post's classification: a
// PPID officer of the post's unit or a unit above it, while the post can
// still change. Pages ask it before offering the form; Classify checks
// again.
func (s *Service) CanClassify(ctx context.Context, p auth.Principal, post Post) error {
	if p.Role != auth.RolePPID {
		return forbidden("classification is set or confirmed by a PPID officer (role ppid); you are %s",
			"klasifikasi ditetapkan atau dikonfirmasi oleh PPID (peran ppid); peran Anda %s", string(p.Role))
	}
	ok, err := s.inSubtree(ctx, p.UnitID, post.UnitID)
	if err != nil {
		return err
	}
	if !ok {
		return forbidden("post %d belongs to a unit outside yours", "kiriman %d milik unit di luar unit Anda", post.ID)
	}
	switch post.State {
	case StateDraft, StateSubmitted, StateApproved, StateScheduled, StateRejected:
	default:
		return stateErr("classify", post.State)
	}
	for _, d := range post.Deliveries {
		if d.Status == DeliveryPublishing {
			return stateErr("classify", StatePublishing)
		}
	}
	return nil
}

// Classify sets or confirms the classification of the version of a post
// the officer reviewed: public information with its category (berkala,
// serta_merta, setiap_saat), or exempt information with its legal basis
// and consequence-test reason. It is a content change (a new version, the
// officer in its author set, an audit line of what changed), and the
// classification is then confirmed. Classifying a submitted post exempt
// returns it to draft; changing an approved one returns it to approval.
func (s *Service) Classify(ctx context.Context, p auth.Principal, id int64, in ClassifyInput) (Post, error) {
	post, err := s.Post(ctx, p, id)
	if err != nil {
		return Post{}, err
	}
	if err := s.CanClassify(ctx, p, post); err != nil {
		return Post{}, err
	}
	if err := checkReview(Review{Version: in.Version, Hash: in.Hash}); err != nil {
		return Post{}, err
	}
	if err := matchReview(post, Review{Version: in.Version, Hash: in.Hash}); err != nil {
		return Post{}, err
	}
	d := draftOf(post)
	d.Classification = in.Classification
	normalize(&d)
	var e valid.Errors
	checkClassification(&e, d.Classification, true)
	checkLen(&e, "classification.legal_basis", "the legal basis", "dasar hukum", d.Classification.LegalBasis, MaxLegalBasisRunes)
	checkLen(&e, "classification.reason", "the consequence-test reason", "alasan uji konsekuensi", d.Classification.Reason, MaxConsequenceRunes)
	if len(e) > 0 {
		return Post{}, ValidationError(e)
	}
	unit, err := s.org.Unit(ctx, post.UnitID)
	if err != nil {
		return Post{}, err
	}
	d.BaseVersion = in.Version
	return s.applyEdit(ctx, edit{actor: p, action: "classify", post: post, unit: unit, d: d, baseHash: in.Hash, confirm: true})
}
