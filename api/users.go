package api

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/valid"
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
		return nil, Unprocessable([]valid.FieldError{{Field: "role", Message: err.Error(), MessageID: "peran harus salah satu dari " + auth.RoleList()}})
	}
	unitID, err := d.resolveUnit(c, r.Unit, "unit")
	if err != nil {
		return nil, err
	}
	u, tok, err := d.Auth.CreateUser(c.Request.Context(), r.Name, unitID, role)
	switch {
	case errors.Is(err, auth.ErrUserExists):
		return nil, Conflict("exists", err.Error())
	case errors.Is(err, auth.ErrBadName):
		return nil, Unprocessable([]valid.FieldError{{Field: "name", Message: err.Error(), MessageID: "nama pengguna tidak valid: gunakan huruf, angka, '.', '_', '@' atau '-'"}})
	case errors.Is(err, auth.ErrUnknownUnit):
		return nil, Unprocessable([]valid.FieldError{{Field: "unit", Message: err.Error(), MessageID: "unit tidak ditemukan"}})
	case err != nil:
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
			return nil, Unprocessable([]valid.FieldError{{Field: "role", Message: err.Error(), MessageID: "peran harus salah satu dari " + auth.RoleList()}})
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
		return nil, userErr(c, err)
	}
	return gin.H{"user": u}, nil
}

func (d SchedulerDeps) revokeUser(c *gin.Context) (any, error) {
	if err := d.Auth.Revoke(c.Request.Context(), c.Param("name")); err != nil {
		return nil, userErr(c, err)
	}
	return nil, nil
}

func userErr(c *gin.Context, err error) error {
	switch {
	case errors.Is(err, auth.ErrUserNotFound):
		return NotFound("no user is named " + c.Param("name"))
	case errors.Is(err, auth.ErrLastAdmin):
		e := Conflict("last_admin", err.Error())
		e.MessageID = "admin aktif terakhir tidak dapat dicabut atau diberi peran lain; tambahkan admin lain lebih dulu (humas user add --role admin)"
		return e
	case errors.Is(err, auth.ErrUnknownUnit):
		return Unprocessable([]valid.FieldError{{Field: "unit", Message: err.Error(), MessageID: "unit tidak ditemukan"}})
	}
	return err
}
