package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
)

type userRequest struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Unit  string `json:"unit"`
	Role  string `json:"role"`
}

// listUsers lists the users of the caller's unit and the units below it.
func (d SchedulerDeps) listUsers(c *gin.Context) (any, error) {
	all, err := d.Auth.Users(c.Request.Context())
	if err != nil {
		return nil, err
	}
	units, err := d.Org.Descendants(c.Request.Context(), Principal(c).UnitID)
	if err != nil {
		return nil, err
	}
	in := map[int64]bool{}
	for _, u := range units {
		in[u] = true
	}
	users := []auth.User{}
	for _, u := range all {
		if in[u.UnitID] {
			users = append(users, u)
		}
	}
	return gin.H{"users": users}, nil
}

// createUser invites a user: it answers with a one-time setup link (shown
// once; only its hash is kept) with which the user sets a password.
func (d SchedulerDeps) createUser(c *gin.Context) (any, error) {
	var r userRequest
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	role, err := auth.ParseRole(r.Role)
	if err != nil {
		return nil, err
	}
	unitID, err := d.resolveUnit(c, r.Unit, "unit")
	if err != nil {
		return nil, err
	}
	if err := d.adminScope(c, unitID, "unit"); err != nil {
		return nil, err
	}
	u, link, err := d.Auth.Invite(c.Request.Context(), auth.NewUser{Name: r.Name, Email: r.Email, UnitID: unitID, Role: role}, d.linkTTL())
	if err != nil {
		return nil, err
	}
	return Status{Code: http.StatusCreated, Body: d.linkBody(c, u, link)}, nil
}

type userPatch struct {
	Role  *string `json:"role"`
	Unit  *string `json:"unit"`
	Email *string `json:"email"`
}

// patchUser gives a user another role or unit (admin); the last active
// admin keeps the admin role (409).
func (d SchedulerDeps) patchUser(c *gin.Context) (any, error) {
	var r userPatch
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	target, err := d.scopedUser(c)
	if err != nil {
		return nil, err
	}
	var ch auth.UserChange
	if r.Role != nil {
		role, err := auth.ParseRole(*r.Role)
		if err != nil {
			return nil, err
		}
		ch.Role = &role
	}
	if r.Unit != nil {
		id, err := d.resolveUnit(c, *r.Unit, "unit")
		if err != nil {
			return nil, err
		}
		if err := d.adminScope(c, id, "unit"); err != nil {
			return nil, err
		}
		ch.UnitID = &id
	}
	if r.Email != nil {
		if _, err := d.Auth.SetEmail(c.Request.Context(), target.Name, *r.Email); err != nil {
			return nil, err
		}
	}
	u, err := d.Auth.UpdateUser(c.Request.Context(), target.Name, ch)
	if err != nil {
		return nil, err
	}
	return gin.H{"user": u}, nil
}

// revokeUser disables a user: web sessions end and API tokens are revoked.
func (d SchedulerDeps) revokeUser(c *gin.Context) (any, error) {
	if _, err := d.scopedUser(c); err != nil {
		return nil, err
	}
	if err := d.Auth.Revoke(c.Request.Context(), c.Param("name")); err != nil {
		return nil, err
	}
	return nil, nil
}
