package auth_test

import (
	"context"
	"errors"
	"testing"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/store/storetest"
)

// TestLastAdminStays: the last active admin can be neither revoked nor
// given another role; with a second admin both work. The ppid role is a
// role like the others.
func TestLastAdminStays(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	if _, err := db.DB.Exec(`INSERT INTO units (name, slug, created_at) VALUES ('KPU RI', 'kpu-ri', '2026-01-01T00:00:00.000Z')`); err != nil {
		t.Fatal(err)
	}
	s := auth.NewStore(db)
	if _, _, err := s.CreateUser(ctx, "root", 1, auth.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateUser(ctx, "ppid.ri", 1, auth.RolePPID); err != nil {
		t.Fatalf("ppid user: %v", err)
	}
	viewer := auth.RoleViewer
	if _, err := s.UpdateUser(ctx, "root", auth.UserChange{Role: &viewer}); !errors.Is(err, auth.ErrLastAdmin) {
		t.Fatalf("demote the last admin: %v, want ErrLastAdmin", err)
	}
	if err := s.Revoke(ctx, "root"); !errors.Is(err, auth.ErrLastAdmin) {
		t.Fatalf("revoke the last admin: %v, want ErrLastAdmin", err)
	}
	admin := auth.RoleAdmin
	if _, err := s.UpdateUser(ctx, "ppid.ri", auth.UserChange{Role: &admin}); err != nil {
		t.Fatal(err)
	}
	if u, err := s.UpdateUser(ctx, "root", auth.UserChange{Role: &viewer}); err != nil || u.Role != auth.RoleViewer {
		t.Fatalf("demote with another admin left: %+v, %v", u, err)
	}
	if err := s.Revoke(ctx, "ppid.ri"); !errors.Is(err, auth.ErrLastAdmin) {
		t.Fatalf("revoke the (new) last admin: %v, want ErrLastAdmin", err)
	}
	if _, err := s.UpdateUser(ctx, "nobody", auth.UserChange{Role: &viewer}); !errors.Is(err, auth.ErrUserNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
	bad := auth.Role("root")
	if _, err := s.UpdateUser(ctx, "root", auth.UserChange{Role: &bad}); err == nil {
		t.Fatal("unknown role accepted")
	}
}
