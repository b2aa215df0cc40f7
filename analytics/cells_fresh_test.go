package analytics_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/analytics/seed"
	"github.com/humas-id/humas/store/storetest"
)

// TestFreshCollectionDoesNotWaitForCells: with the refresh loop running
// and the cells build of new generations held back, a collection is in
// the reports as soon as its generation is built (they read its posts,
// with the figures of the per-post path); a second collection while the
// held build still waits cancels it and is in the reports too; once the
// cells of the newest generation are built, grouped reports read them
// again, with the same figures as the posts.
func TestFreshCollectionDoesNotWaitForCells(t *testing.T) {
	ctx := context.Background()
	ch := storetest.ClickHouse(t)
	end := time.Date(2025, 4, 30, 23, 0, 0, 0, time.UTC)
	if _, err := seed.Run(ctx, ch, seed.Options{Posts: 600, Snapshots: 600 * 8, End: end, Days: 120, Batch: 10000, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return end }
	svc, err := analytics.New(ch, analytics.Options{Now: now, RefreshEvery: time.Hour, ChangePoll: 20 * time.Millisecond,
		ChangeGrace: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var hold atomic.Bool
	var held, stopped atomic.Int32
	release := make(chan struct{})
	svc.SetBeforeCells(func(ctx context.Context, gen uint32) {
		if !hold.Load() {
			return
		}
		held.Add(1)
		select {
		case <-release:
		case <-ctx.Done():
			stopped.Add(1)
		}
	})
	// The per-post path, made afresh for each comparison (a service
	// trusts the generation it read for 5 s).
	posts := func() *analytics.Service {
		p, err := analytics.New(ch, analytics.Options{Now: now, RefreshEvery: -1, CacheTTL: -1, NoCells: true})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Stop(context.Background()) })

	grouped := query(t, "from=2025-03-01&to=2025-03-31&group_by=content_type,week")
	waitCells := func(what string, want bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			_, ok, err := svc.CellLevelOf(ctx, grouped)
			if err != nil {
				t.Fatal(err)
			}
			if ok == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: reports read cells %v 30s later, want %v", what, ok, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitCells("after the start-up rebuild", true)
	rep, err := svc.Engagement(ctx, query(t, "from=2025-03-01&to=2025-03-31"))
	if err != nil {
		t.Fatal(err)
	}
	base := rep.Totals.Posts

	hold.Store(true)
	addMarchPost(t, ch, "F1")
	svc.Changed()
	took := waitPosts(t, svc, base+1, "a collection while cells are held back")
	t.Logf("first collection in the reports after %s, cells held", took.Round(time.Millisecond))
	waitFor(t, "the new generation's cells build is held", func() bool { return held.Load() > 0 })
	if _, ok, err := svc.CellLevelOf(ctx, grouped); err != nil || ok {
		t.Fatalf("before its cells are built, reports read cells %v (%v), want the posts", ok, err)
	}
	sameAsPosts(t, svc, posts(), 20, 7)

	addMarchPost(t, ch, "F2")
	svc.Changed()
	took = waitPosts(t, svc, base+2, "a second collection while the first's cells are held back")
	t.Logf("second collection in the reports after %s, the held build stopped", took.Round(time.Millisecond))
	if stopped.Load() == 0 { // the refresh waits for the held build to stop
		t.Fatal("the superseded generation's cells build was not stopped")
	}
	waitFor(t, "the newest generation's cells build is held", func() bool { return held.Load() > 1 })

	close(release)
	waitCells("after the cells build is let go", true)
	sameAsPosts(t, svc, posts(), 40, 8)
	rep, err = svc.Engagement(ctx, query(t, "from=2025-03-01&to=2025-03-31&group_by=week"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Totals.Posts != base+2 {
		t.Fatalf("from the cells, March shows %d posts, want %d", rep.Totals.Posts, base+2)
	}
}

// sameAsPosts compares n random grouped reports (and a roll-up every
// fourth) of svc with those of posts (the per-post path).
func sameAsPosts(t *testing.T, svc, posts *analytics.Service, n int, seedN uint64) {
	t.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seedN, 9))
	first := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		raw := randomQuery(r, first, 120)
		q := query(t, raw)
		want, err := posts.Engagement(ctx, q)
		if err != nil {
			t.Fatalf("%s: posts: %v", raw, err)
		}
		got, err := svc.Engagement(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		sameJSON(t, fmt.Sprintf("engagement %s", raw), got, want)
		if i%4 == 0 {
			wantR, err := posts.RollUp(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			gotR, err := svc.RollUp(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "roll-up "+raw, gotR, wantR)
		}
	}
}

// waitFor waits up to 30 seconds for cond.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not so after 30s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
