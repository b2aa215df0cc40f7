package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/valid"
)

// ErrLastAdmin means the change would leave no active admin: nobody could
// manage units, users and channels any more.
var ErrLastAdmin error = valid.Conflict("last_admin",
	"the last active admin cannot be revoked or given another role; add another admin first (humas user add --role admin)",
	"admin aktif terakhir tidak dapat dicabut atau diberi peran lain; tambahkan admin lain lebih dulu (humas user add --role admin)")

const (
	qOtherAdmins = `SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id != ?`
	qUserRow     = `SELECT id, unit_id, role, disabled_at FROM users WHERE name = ?`
	qUserUpdate  = `UPDATE users SET role = ?, unit_id = ? WHERE id = ?`
)

// keepOneAdmin refuses a change that takes the admin role away from user
// id when no other active admin is left. Call it in the transaction that
// makes the change.
func keepOneAdmin(ctx context.Context, tx *sql.Tx, id int64, name string) error {
	var n int
	if err := tx.QueryRowContext(ctx, qOtherAdmins, id).Scan(&n); err != nil {
		return fmt.Errorf("count admins: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("user %q: %w", name, ErrLastAdmin)
	}
	return nil
}

// UserChange changes a user; nil fields stay as they are.
type UserChange struct {
	Role   *Role
	UnitID *int64
}

// UpdateUser gives the user another role or unit. Taking the admin role
// from the last active admin is ErrLastAdmin.
func (s *Store) UpdateUser(ctx context.Context, name string, ch UserChange) (User, error) {
	if ch.Role != nil {
		if _, err := ParseRole(string(*ch.Role)); err != nil {
			return User{}, err
		}
	}
	tx, err := s.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return User{}, fmt.Errorf("update user %q: %w", name, err)
	}
	defer tx.Rollback()
	var id, unit int64
	var role string
	var disabled sql.NullString
	if err := tx.QueryRowContext(ctx, qUserRow, name).Scan(&id, &unit, &role, &disabled); errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %q: %w", name, ErrUserNotFound)
	} else if err != nil {
		return User{}, fmt.Errorf("update user %q: %w", name, err)
	}
	newRole, newUnit := Role(role), unit
	if ch.Role != nil {
		newRole = *ch.Role
	}
	if ch.UnitID != nil {
		newUnit = *ch.UnitID
	}
	if Role(role) == RoleAdmin && newRole != RoleAdmin && !disabled.Valid {
		if err := keepOneAdmin(ctx, tx, id, name); err != nil {
			return User{}, err
		}
	}
	if _, err := tx.ExecContext(ctx, qUserUpdate, string(newRole), newUnit, id); isForeignKey(err) {
		return User{}, fmt.Errorf("unit %d: %w", newUnit, ErrUnknownUnit)
	} else if err != nil {
		return User{}, fmt.Errorf("update user %q: %w", name, err)
	}
	at := s.now()
	if err := AppendAudit(ctx, tx, at, AuditRecord{Actor: Actor(ctx), Entity: "user", EntityID: id, Action: "update",
		Detail: map[string]any{"name": name, "role": map[string]any{"before": role, "after": newRole},
			"unit_id": map[string]any{"before": unit, "after": newUnit}}}); err != nil {
		return User{}, fmt.Errorf("update user %q: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return User{}, fmt.Errorf("update user %q: %w", name, err)
	}
	u := User{ID: id, Name: name, UnitID: newUnit, Role: newRole}
	u.DisabledAt = store.ParseNullTime(disabled)
	return u, nil
}
