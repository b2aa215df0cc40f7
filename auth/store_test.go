package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/store/storetest"
)

func TestUsersAndTokens(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	if _, err := db.DB.Exec(`INSERT INTO units (name, slug, created_at) VALUES ('KPU RI', 'kpu-ri', '2026-01-01T00:00:00.000Z')`); err != nil {
		t.Fatal(err)
	}
	s := auth.NewStore(db)
	u, tok, err := s.CreateUser(ctx, "sari", 1, auth.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, auth.TokenPrefix) || len(tok) < 40 || u.Role != auth.RoleEditor {
		t.Fatalf("token %d chars, user %+v", len(tok), u)
	}
	// Only the hash is stored.
	var n int
	if err := db.DB.QueryRow(`SELECT count(*) FROM api_tokens WHERE token_hash = ? AND token_hash != ?`, auth.HashToken(tok), tok).Scan(&n); err != nil || n != 1 {
		t.Fatalf("stored hash rows = %d, %v", n, err)
	}
	if err := db.DB.QueryRow(`SELECT count(*) FROM api_tokens WHERE token_hash = ? OR prefix = ?`, tok, tok).Scan(&n); err != nil || n != 0 {
		t.Fatalf("token stored in clear: %d, %v", n, err)
	}
	p, err := s.Authenticate(ctx, tok)
	if err != nil || p.UserID != u.ID || p.Name != "sari" || p.UnitID != 1 || p.Role != auth.RoleEditor {
		t.Fatalf("Authenticate = %+v, %v", p, err)
	}
	for _, bad := range []string{"", "humas_nope", tok + "x", "Bearer " + tok} {
		if _, err := s.Authenticate(ctx, bad); !errors.Is(err, auth.ErrInvalidToken) {
			t.Errorf("Authenticate(%q) err = %v", bad, err)
		}
	}
	if _, _, err := s.CreateUser(ctx, "sari", 1, auth.RoleViewer); !errors.Is(err, auth.ErrUserExists) {
		t.Errorf("duplicate err = %v", err)
	}
	if _, _, err := s.CreateUser(ctx, "budi", 99, auth.RoleViewer); !errors.Is(err, auth.ErrUnknownUnit) {
		t.Errorf("unknown unit err = %v", err)
	}
	if _, _, err := s.CreateUser(ctx, "budi", 1, auth.Role("root")); err == nil {
		t.Error("bad role accepted")
	}
	if _, _, err := s.CreateUser(ctx, "bad name;", 1, auth.RoleViewer); err == nil {
		t.Error("bad name accepted")
	}
	users, err := s.Users(ctx)
	if err != nil || len(users) != 1 || users[0].TokenPrefix == "" || users[0].LastUsedAt == nil {
		t.Fatalf("Users = %+v, %v", users, err)
	}
	if err := s.Revoke(ctx, "sari"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, tok); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("revoked token err = %v", err)
	}
	if err := s.Revoke(ctx, "nobody"); !errors.Is(err, auth.ErrUserNotFound) {
		t.Errorf("revoke unknown err = %v", err)
	}
	users, _ = s.Users(ctx)
	if users[0].DisabledAt == nil || users[0].TokenPrefix != "" {
		t.Errorf("revoked user = %+v", users[0])
	}
}
