package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
)

// Who sees which unit: an admin every unit; anyone else their own unit
// and the units below it (a user of the top unit sees the whole tree).
// Reports, followers, channels and post lists follow this rule; a
// comparison of units (reports grouped by unit) works for whoever sees the
// unit above them.

// CheckUnit is nil when p may see unit unitID; otherwise a *ForbiddenError
// naming the unit.
func (s *Service) CheckUnit(ctx context.Context, p auth.Principal, unitID int64) error {
	ok, err := s.canSee(ctx, p, unitID)
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	name := fmt.Sprintf("unit %d", unitID)
	if u, err := s.org.Unit(ctx, unitID); err == nil {
		name = fmt.Sprintf("unit %d (%s)", u.ID, u.Name)
	}
	mine := fmt.Sprintf("unit %d", p.UnitID)
	if u, err := s.org.Unit(ctx, p.UnitID); err == nil {
		mine = u.Name
	}
	return forbidden("%s is outside your unit (%s) and the units below it", "%s di luar unit Anda (%s) dan unit di bawahnya", name, mine)
}

// ScopeUnit is the unit a report for p covers when p asks for unitID (0:
// none): the asked unit when p may see it, else a *ForbiddenError naming
// it; with none asked, p's own unit (0, every unit, for an admin).
func (s *Service) ScopeUnit(ctx context.Context, p auth.Principal, unitID int64) (int64, error) {
	if unitID == 0 {
		if p.Role == auth.RoleAdmin {
			return 0, nil
		}
		return p.UnitID, nil
	}
	if err := s.CheckUnit(ctx, p, unitID); err != nil {
		return 0, err
	}
	return unitID, nil
}

// CheckChannel is nil when p may see the channel's unit; a channel that
// does not exist is org.ErrNotFound.
func (s *Service) CheckChannel(ctx context.Context, p auth.Principal, channelID int64) error {
	c, err := s.org.Channel(ctx, channelID)
	if err != nil {
		return err
	}
	if err := s.CheckUnit(ctx, p, c.UnitID); err != nil {
		var fe *ForbiddenError
		if errors.As(err, &fe) {
			fe.Msg = fmt.Sprintf("channel %d (%s): %s", c.ID, c.Name, fe.Msg)
			fe.MsgID = fmt.Sprintf("kanal %d (%s): %s", c.ID, c.Name, fe.MsgID)
		}
		return err
	}
	return nil
}

// VisibleUnits lists the units p may see, by id.
func (s *Service) VisibleUnits(ctx context.Context, p auth.Principal) ([]org.Unit, error) {
	all, err := s.org.Units(ctx)
	if err != nil || p.Role == auth.RoleAdmin {
		return all, err
	}
	ids, err := s.org.Descendants(ctx, p.UnitID)
	if errors.Is(err, org.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []org.Unit
	for _, u := range all {
		if slices.Contains(ids, u.ID) {
			out = append(out, u)
		}
	}
	return out, nil
}

// VisibleChannels lists the channels p may see (their health, tokens
// never), by id.
func (s *Service) VisibleChannels(ctx context.Context, p auth.Principal) ([]org.Channel, error) {
	all, err := s.org.Channels(ctx)
	if err != nil || p.Role == auth.RoleAdmin {
		return all, err
	}
	ids, err := s.org.Descendants(ctx, p.UnitID)
	if errors.Is(err, org.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []org.Channel
	for _, c := range all {
		if slices.Contains(ids, c.UnitID) {
			out = append(out, c)
		}
	}
	return out, nil
}
