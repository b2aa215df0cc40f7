// Package auth holds users, API tokens and roles: who is calling, and what
// their role lets them do in which unit.
package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/humas-id/humas/valid"
)

// Role is what a user may do.
type Role string

// The roles, from most to least powerful.
const (
	RoleAdmin    Role = "admin"    // manages units, users and channels
	RoleApprover Role = "approver" // approves posts in its unit and below
	RoleEditor   Role = "editor"   // writes posts in its unit
	RoleViewer   Role = "viewer"   // reads
	// RolePPID is a public-information officer (PPID): sets or confirms the
	// classification of posts in its unit and below, and reads.
	RolePPID Role = "ppid"
)

// Roles lists every role, for validation messages.
var Roles = []Role{RoleAdmin, RoleApprover, RoleEditor, RoleViewer, RolePPID}

// RoleList is the roles as text: "admin, approver, editor, viewer, ppid".
func RoleList() string {
	s := make([]string, len(Roles))
	for i, r := range Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// ParseRole checks s names a role.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", valid.Invalid("role", fmt.Sprintf("role %q is not one of %s", s, RoleList()), "peran harus salah satu dari "+RoleList())
}

// Principal is the authenticated caller.
type Principal struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	UnitID int64  `json:"unit_id"`
	Role   Role   `json:"role"`
}

// ErrInvalidToken means the token is missing, unknown or revoked.
var ErrInvalidToken = errors.New("invalid or revoked API token")

type ctxKey struct{}

// WithPrincipal stores p in ctx.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal stored by WithPrincipal.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}
