package store_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/humas-id/humas/store"
)

// TestUsersRebuildKeepsData: the migration that adds the ppid role rebuilds
// the users table; users, their sessions and the posts that name them stay,
// foreign keys stay enforced, and the new role is accepted.
func TestUsersRebuildKeepsData(t *testing.T) {
	ctx := context.Background()
	db, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "state.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.MigrateUpToForTest(ctx, 120); err != nil {
		t.Fatal(err)
	}
	const at = "2026-01-01T00:00:00.000Z"
	for _, q := range []string{
		`INSERT INTO units (id, name, slug, created_at) VALUES (1, 'KPU RI', 'kpu-ri', '` + at + `')`,
		`INSERT INTO users (id, name, unit_id, role, created_at) VALUES (7, 'sari', 1, 'editor', '` + at + `')`,
		`INSERT INTO web_sessions (id_hash, user_id, csrf, created_at, last_seen_at, expires_at) VALUES ('h', 7, 'c', '` + at + `', '` + at + `', '` + at + `')`,
		`INSERT INTO posts (unit_id, author_id, content_type, classification, scheduled_at, state, created_at, updated_at)
		 VALUES (1, 7, 'text', 'public', '` + at + `', 'draft', '` + at + `', '` + at + `')`,
	} {
		if _, err := db.DB.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := db.DB.ExecContext(ctx, `INSERT INTO users (name, unit_id, role, created_at) VALUES ('ppid', 1, 'ppid', ?)`, at); err == nil {
		t.Fatal("role ppid accepted before the migration")
	}
	ran, err := db.Migrate(ctx)
	if err != nil || len(ran) == 0 {
		t.Fatalf("migrate: %d applied, %v", len(ran), err)
	}
	var users, sessions, posts int
	if err := db.DB.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM users WHERE id = 7 AND name = 'sari'),
		(SELECT count(*) FROM web_sessions WHERE user_id = 7), (SELECT count(*) FROM posts WHERE author_id = 7)`).Scan(&users, &sessions, &posts); err != nil {
		t.Fatal(err)
	}
	if users != 1 || sessions != 1 || posts != 1 {
		t.Fatalf("after the rebuild: %d users, %d sessions, %d posts; want 1 each", users, sessions, posts)
	}
	if _, err := db.DB.ExecContext(ctx, `INSERT INTO users (name, unit_id, role, created_at) VALUES ('ppid', 1, 'ppid', ?)`, at); err != nil {
		t.Fatalf("role ppid refused: %v", err)
	}
	if _, err := db.DB.ExecContext(ctx, `INSERT INTO users (name, unit_id, role, created_at) VALUES ('root', 1, 'root', ?)`, at); err == nil {
		t.Fatal("unknown role accepted")
	}
	// Foreign keys still point at users and are enforced.
	if _, err := db.DB.ExecContext(ctx, `INSERT INTO posts (unit_id, author_id, content_type, classification, scheduled_at, state, created_at, updated_at)
		VALUES (1, 999, 'text', 'public', ?, 'draft', ?, ?)`, at, at, at); err == nil {
		t.Fatal("a post by a user that does not exist was accepted")
	}
	if _, err := db.DB.ExecContext(ctx, `DELETE FROM users WHERE id = 7`); err == nil {
		t.Fatal("deleting a user that posts name was accepted")
	}
}
