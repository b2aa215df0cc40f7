package report

import (
	"context"
	"errors"

	"github.com/humas-id/humas/org"
)

// OrgLetterheads reads letterheads from the org store: the unit's name,
// the office above it, and what its admin set (address, contact, logo,
// the head who signs).
type OrgLetterheads struct{ Org *org.Store }

// Letterhead implements Letterheads.
func (o OrgLetterheads) Letterhead(ctx context.Context, unitID int64) (Letterhead, error) {
	u, err := o.Org.Unit(ctx, unitID)
	if err != nil {
		return Letterhead{}, err
	}
	lh := Letterhead{UnitID: u.ID, UnitName: u.Name}
	if u.ParentID != 0 {
		if p, err := o.Org.Unit(ctx, u.ParentID); err == nil {
			lh.Parent = p.Name
		}
	}
	set, err := o.Org.Letterhead(ctx, unitID)
	if err != nil {
		return Letterhead{}, err
	}
	lh.Address, lh.Contact, lh.City = set.Address, set.Contact, set.City
	lh.HeadTitle, lh.HeadName, lh.HeadID = set.HeadTitle, set.HeadName, set.HeadID
	if set.LogoType != "" {
		logo, typ, err := o.Org.Logo(ctx, unitID)
		switch {
		case err == nil:
			lh.Logo, lh.LogoType = logo, typ
		case !errors.Is(err, org.ErrNotFound):
			return Letterhead{}, err
		}
	}
	return lh, nil
}
