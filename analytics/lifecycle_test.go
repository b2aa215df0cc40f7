package analytics

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/humas-id/humas/store/storetest"
)

func marchQuery() Query {
	return Query{From: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC),
		GroupBy: []string{"content_type"}, Method: "reach", Age: "latest", Sort: "engagement_rate", Order: "desc", Limit: 20}
}

// waitFor polls cond for up to 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// analyticsGoroutines lists goroutines running this package's code.
func analyticsGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "humas/analytics.") && !strings.Contains(g, "humas/analytics.Test") &&
			!strings.Contains(g, "humas/analytics.analyticsGoroutines") {
			out = append(out, g)
		}
	}
	return out
}

// Two callers ask for the same report while every query slot is taken:
// each returns as soon as its own ctx ends (before, both waited on a
// shared computation that ignored them), the other keeps waiting, and
// once nobody waits the computation is cancelled and its goroutine ends.
func TestCancelledCallerReturnsPromptly(t *testing.T) {
	svc, err := New(storetest.ClickHouse(t), Options{MaxQueries: 1, RefreshEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	svc.sem <- struct{}{} // a long report holds the only slot
	defer func() { <-svc.sem }()

	ctx1, cancel1 := context.WithCancel(context.Background())
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	res1, res2 := make(chan error, 1), make(chan error, 1)
	go func() { _, err := svc.Engagement(ctx1, marchQuery()); res1 <- err }()
	go func() { _, err := svc.Engagement(ctx2, marchQuery()); res2 <- err }()
	waitFor(t, "both callers waiting on one computation", func() bool {
		svc.flights.mu.Lock()
		defer svc.flights.mu.Unlock()
		for _, f := range svc.flights.m {
			return f.waiters == 2
		}
		return false
	})

	cancel1()
	select {
	case err := <-res1:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("first caller: %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("first caller still waiting 10s after its ctx was cancelled")
	}
	select {
	case err := <-res2:
		t.Fatalf("second caller returned (%v) though its ctx is live and the report is not done", err)
	default:
	}
	if n := svc.flights.running(); n != 1 {
		t.Fatalf("%d computations running while the second caller waits, want 1", n)
	}
	cancel2()
	select {
	case err := <-res2:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("second caller: %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("second caller still waiting 10s after its ctx was cancelled")
	}
	waitFor(t, "the computation nobody waits for ends", func() bool { return svc.flights.running() == 0 })
}

// Stop ends the refresh loop (a rebuild asked for by a change included)
// and the report computations in progress, and waits for them: no
// goroutine of the service is left (before, a change started a rebuild
// on context.Background that outlived shutdown).
func TestStopLeavesNoGoroutines(t *testing.T) {
	svc, err := New(storetest.ClickHouse(t), Options{MaxQueries: 1, RefreshEvery: time.Hour, ChangePoll: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	svc.Changed()
	svc.Changed()
	svc.sem <- struct{}{} // a report is left waiting for a query slot
	res := make(chan error, 1)
	go func() { _, err := svc.TopPosts(context.Background(), marchQuery()); res <- err }()
	waitFor(t, "the report waiting", func() bool { return svc.flights.running() == 1 })

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := svc.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	<-svc.sem
	if err := <-res; !errors.Is(err, context.Canceled) {
		t.Fatalf("report in progress at Stop: %v, want context.Canceled", err)
	}
	if left := analyticsGoroutines(); len(left) > 0 {
		t.Fatalf("%d goroutines of the service left after Stop:\n%s", len(left), strings.Join(left, "\n\n"))
	}
	// After Stop a report still works, computed in the caller's goroutine.
	if _, err := svc.Engagement(context.Background(), marchQuery()); err != nil {
		t.Fatal(err)
	}
}

// Generations older than the previous one are dropped only once they were
// superseded keepSuperseded ago (reports that started on them may still be
// reading), by the injected clock.
func TestOldGenerationsDroppedOnceSuperseded(t *testing.T) {
	ctx := context.Background()
	ch := storetest.ClickHouse(t)
	var clock atomic.Int64
	t0 := time.Date(2025, 4, 10, 0, 0, 0, 0, time.UTC)
	clock.Store(t0.Unix())
	svc, err := New(ch, Options{RefreshEvery: -1, Now: func() time.Time { return time.Unix(clock.Load(), 0) }})
	if err != nil {
		t.Fatal(err)
	}
	partitions := func() []string {
		rows, err := ch.Query(ctx, `SELECT DISTINCT partition FROM system.parts WHERE database = currentDatabase()
			AND table = 'post_facts' AND active ORDER BY partition`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
		}
		return out
	}
	// Each generation needs a row to have a partition.
	if err := ch.Exec(ctx, `INSERT INTO posts (platform, post_id, channel_id, unit_id, content_type, published_at, version)
		SELECT 'facebook', 'p1', 1, 1, 'photo', ?, 1`, t0.Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := ch.Exec(ctx, `INSERT INTO post_metrics (slot, collected_at, platform, post_id, channel_id, published_at, reach)
		SELECT ?, ?, 'facebook', 'p1', 1, ?, 10`, t0.Add(-24*time.Hour), t0.Add(-24*time.Hour), t0.Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var built []string
	for _, at := range []time.Duration{0, time.Minute, 150 * time.Second, 4 * time.Minute} {
		clock.Store(t0.Add(at).Unix())
		if err := svc.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		built = append(built, strconv.FormatInt(int64(svc.gens.latest), 10))
	}
	// At +4 min: the first (superseded at +1 min) goes; the second
	// (superseded at +2.5 min) stays, as do the third and fourth.
	if got, want := strings.Join(partitions(), ","), strings.Join(built[1:], ","); got != want {
		t.Fatalf("post_facts partitions %s, want %s (built %v)", got, want, built)
	}
}
