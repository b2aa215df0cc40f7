package main

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// TestServeReplicasOverPostgres: two `humas serve` processes share one
// PostgreSQL state database. Both become ready; the first holds the jobs
// lease (token checks, report mails, scheduled collections, read-model
// rebuilds run there only); when it is killed with SIGKILL, the second
// takes the lease once it expired.
func TestServeReplicasOverPostgres(t *testing.T) {
	dsn := storetest.PostgresDatabase(t)
	env := []string{"HUMAS_STATE_DRIVER=postgres", "HUMAS_STATE_DSN=" + dsn, "HUMAS_STATE_LEASE=3s",
		"HUMAS_SECRET_KEY=" + strings.Repeat("ab", 32)}
	a := startServe(t, env...)
	a.waitReady(t, 90*time.Second)
	b := startServe(t, env...)
	b.waitReady(t, 90*time.Second)

	ctx := context.Background()
	db, err := store.OpenPostgres(ctx, dsn, "", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	holder := func() string {
		h, until, err := db.LeaseHolder(ctx, "jobs")
		if err != nil {
			t.Fatal(err)
		}
		if until.Before(time.Now()) {
			return "" // expired
		}
		return h
	}
	first := holder()
	if first == "" {
		t.Fatal("no replica holds the jobs lease")
	}
	wantPID := func(h string, pid int) bool { return strings.Contains(h, "-"+strconv.Itoa(pid)+"-") }
	if !wantPID(first, a.cmd.Process.Pid) {
		t.Fatalf("jobs lease held by %q, want the first replica (pid %d)", first, a.cmd.Process.Pid)
	}
	_ = a.cmd.Process.Signal(syscall.SIGKILL)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if h := holder(); wantPID(h, b.cmd.Process.Pid) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the jobs lease did not move to the second replica (holder %q)", holder())
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.waitReady(t, 10*time.Second)
}
