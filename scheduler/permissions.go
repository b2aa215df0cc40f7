package scheduler

import (
	"context"
	"errors"
	"slices"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/valid"
)

// CanEdit says whether p may edit post as it stands: nil, or the
// *ForbiddenError or *StateError UpdatePost would return. Pages ask it
// before offering the action; UpdatePost checks again (in its
// transaction, for a delivery that started publishing meanwhile).
func (s *Service) CanEdit(ctx context.Context, p auth.Principal, post Post) error {
	return s.canEdit(ctx, &writeScope{s: s, p: p}, post)
}

// CanEditEach is CanEdit for each post (nil where p may edit it), with
// p's units read once for the whole list: a page of posts costs one
// lookup, not one a post.
func (s *Service) CanEditEach(ctx context.Context, p auth.Principal, posts []Post) ([]error, error) {
	w := &writeScope{s: s, p: p}
	out := make([]error, len(posts))
	for i, post := range posts {
		err := s.canEdit(ctx, w, post)
		if err != nil && !errors.Is(err, valid.ErrForbidden) && !errors.Is(err, valid.ErrConflict) {
			return nil, err // not a refusal: the units could not be read
		}
		out[i] = err
	}
	return out, nil
}

func (s *Service) canEdit(ctx context.Context, w *writeScope, post Post) error {
	if err := w.check(ctx, post.UnitID); err != nil {
		return err
	}
	switch post.State {
	case StateDraft, StateSubmitted, StateApproved, StateScheduled, StateRejected:
	default:
		return stateErr("edit", post.State)
	}
	for _, d := range post.Deliveries {
		if d.Status == DeliveryPublishing {
			return stateErr("edit", StatePublishing)
		}
	}
	return nil
}

// WritableChannels are the channels p may target in a post of unit
// unitID (0: p's own unit, as CreatePost assumes): the unit's channels
// and those of the units below it, disabled ones left out. It is empty
// when p may not write posts there. CreatePost and UpdatePost check
// each target again.
func (s *Service) WritableChannels(ctx context.Context, p auth.Principal, unitID int64) ([]org.Channel, error) {
	if unitID == 0 {
		unitID = p.UnitID
	}
	if err := s.checkWrite(ctx, p, unitID); err != nil {
		var fe *ForbiddenError
		if errors.As(err, &fe) {
			return nil, nil
		}
		return nil, err
	}
	under, err := s.org.Descendants(ctx, unitID)
	if errors.Is(err, org.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	all, err := s.org.Channels(ctx)
	if err != nil {
		return nil, err
	}
	var out []org.Channel
	for _, c := range all {
		if c.Status != org.StatusDisabled && slices.Contains(under, c.UnitID) {
			out = append(out, c)
		}
	}
	return out, nil
}
