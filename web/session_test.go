package web

import (
	"context"
	"testing"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/store"
)

// TestSessionTouchedAtMostOnceAMinute: reading a session writes its
// last_seen_at only when the last write is a minute old or more, on the
// injected clock; a disabled user's session stops at once.
func TestSessionTouchedAtMostOnceAMinute(t *testing.T) {
	e := newEnv(t, envOpts{})
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s := &sessions{db: e.db, users: e.auth, ttl: 12 * time.Hour, now: func() time.Time { return now }}
	p, err := e.auth.Authenticate(ctx, e.tokens[auth.RoleEditor])
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := s.Create(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	lastSeen := func() time.Time {
		t.Helper()
		var v string
		if err := e.db.DB.QueryRowContext(ctx, `SELECT last_seen_at FROM web_sessions WHERE id_hash = ?`, hashID(id)).Scan(&v); err != nil {
			t.Fatal(err)
		}
		at, err := store.ParseTime(v)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	for _, step := range []struct {
		after time.Duration
		want  time.Time
	}{
		{10 * time.Second, now},                       // within the minute: no write
		{59 * time.Second, now},                       // still within it
		{61 * time.Second, now.Add(61 * time.Second)}, // a minute on: written
		{90 * time.Second, now.Add(61 * time.Second)}, // 29 s after that write: none
	} {
		at := now
		s.now = func() time.Time { return at.Add(step.after) }
		sess, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if sess.Principal.UserID != p.UserID || sess.Principal.Role != auth.RoleEditor {
			t.Fatalf("session principal %+v, want %+v", sess.Principal, p)
		}
		if got := lastSeen(); !got.Equal(step.want) {
			t.Errorf("after %v: last_seen_at %v, want %v", step.after, got, step.want)
		}
	}
	if err := e.auth.Revoke(ctx, p.Name); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, id); err != errNoSession {
		t.Errorf("session of a revoked user: %v, want errNoSession", err)
	}
}
