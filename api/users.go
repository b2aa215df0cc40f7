package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
)

type userRequest struct {
	Name string `json:"name"`
	Unit string `json:"unit"`
	Role string `json:"role"`
}

func (d SchedulerDeps) listUsers(c *gin.Context) (any, error) {
	users, err := d.Auth.Users(c.Request.Context())
	if err != nil {
		return nil, err
	}
	if users == nil {
		users = []auth.User{}
	}
	return gin.H{"users": users}, nil
}

// createUser answers with the token once; only its hash is kept.
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
	u, tok, err := d.Auth.CreateUser(c.Request.Context(), r.Name, unitID, role)
	if err != nil {
		return nil, err
	}
	return Status{Code: http.StatusCreated, Body: gin.H{"user": u, "token": tok,
		"note": "store the token now: it is not shown again / simpan token sekarang: tidak ditampilkan lagi"}}, nil
}

type userPatch struct {
	Role *string `json:"role"`
	Unit *string `json:"unit"`
}

// patchUser gives a user another role or unit (admin); the last active
// admin keeps the admin role (409).
func (d SchedulerDeps) patchUser(c *gin.Context) (any, error) {
	var r userPatch
	if err := bindJSON(c, &r); err != nil {
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
		ch.UnitID = &id
	}
	u, err := d.Auth.UpdateUser(c.Request.Context(), c.Param("name"), ch)
	if err != nil {
		return nil, err
	}
	return gin.H{"user": u}, nil
}

func (d SchedulerDeps) revokeUser(c *gin.Context) (any, error) {
	if err := d.Auth.Revoke(c.Request.Context(), c.Param("name")); err != nil {
		return nil, err
	}
	return nil, nil
}
