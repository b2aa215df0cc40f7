package store_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestElectorMovesWhenHolderDies: two replicas over one PostgreSQL; the
// first takes the jobs lease, the second waits; when the first loses the
// database (its handle closed: renewals fail, as when its machine dies)
// it stops believing it holds the lease, and the second takes it once it
// expired. A clean Stop releases it at once.
func TestElectorMovesWhenHolderDies(t *testing.T) {
	dsn := storetest.PostgresDatabase(t)
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	open := func() *store.State {
		st, err := store.OpenPostgres(ctx, dsn, "", log)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	dbA, dbB := open(), open()
	defer dbB.Close()
	if _, err := dbA.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const ttl = 900 * time.Millisecond
	a := store.NewElector(dbA, "jobs", "replica-a", ttl, nil, log)
	b := store.NewElector(dbB, "jobs", "replica-b", ttl, nil, log)
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if !a.Held() || b.Held() {
		t.Fatalf("after start: a holds %v, b holds %v; want only a", a.Held(), b.Held())
	}
	if h, _, err := dbB.LeaseHolder(ctx, "jobs"); err != nil || h != "replica-a" {
		t.Fatalf("holder %q, %v", h, err)
	}
	dbA.Close() // replica a loses the database
	waitFor(t, "b takes the lease", 10*ttl, b.Held)
	waitFor(t, "a gives it up", 10*ttl, func() bool { return !a.Held() })
	if h, _, err := dbB.LeaseHolder(ctx, "jobs"); err != nil || h != "replica-b" {
		t.Fatalf("holder %q, %v", h, err)
	}
	_ = a.Stop(ctx)

	// A clean stop releases: a third replica takes it on its first try.
	if err := b.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	c := store.NewElector(dbB, "jobs", "replica-c", time.Hour, nil, log)
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Stop(ctx)
	if !c.Held() {
		t.Fatal("the lease b released was not taken at once")
	}
}

// TestLeaseOnSQLite: the same lease statement on the embedded engine.
func TestLeaseOnSQLite(t *testing.T) {
	st := storetest.SQLiteFile(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, step := range []struct {
		holder string
		at     time.Duration
		want   bool
	}{
		{"a", 0, true},
		{"b", time.Second, false},      // a holds it until 30 s
		{"a", 20 * time.Second, true},  // renewed until 50 s
		{"b", 40 * time.Second, false}, // still a's
		{"b", 51 * time.Second, true},  // expired: b takes it
		{"a", 52 * time.Second, false}, // a lost it
	} {
		got, err := st.TakeLease(ctx, "jobs", step.holder, 30*time.Second, now.Add(step.at))
		if err != nil || got != step.want {
			t.Fatalf("%s at %v: %v, %v; want %v", step.holder, step.at, got, err, step.want)
		}
	}
}
