package analytics_test

import (
	"context"
	"testing"

	"github.com/humas-id/humas/store/storetest"
)

// TestUpgradeDropsFixedAgeGenerations: the upgrade (migration 0025) drops
// the fixed-age generations an older humas built (with an ANY INNER JOIN
// that keeps one age per post on ClickHouse 20.1+); fixed-age reports then
// answer from post_metrics with the same figures until the next refresh
// builds a generation with every age of every post.
func TestUpgradeDropsFixedAgeGenerations(t *testing.T) {
	// An installation that has every migration but 0025: today's service
	// also reads later tables (e.g. the change marker of 0030).
	ch := storetest.ClickHouseWithout(t, 25)
	seedHand(t, ch)
	ctx := context.Background()
	svc := newService(t, ch)
	if err := svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	count := func(q string) uint64 {
		t.Helper()
		var n uint64
		if err := ch.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	reach := func() uint64 {
		t.Helper()
		rep, err := newService(t, ch).Engagement(ctx, query(t, "from=2025-05-01&to=2025-05-31&age=7d"))
		if err != nil {
			t.Fatal(err)
		}
		return rep.Totals.Reach
	}
	if got := reach(); got != 800 {
		t.Fatalf("before the upgrade H at 7d: reach %d, want 800", got)
	}

	ran, err := ch.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ran) == 0 || ran[0].Version != 25 {
		t.Fatalf("the upgrade applied %v, want 0025 first", ran)
	}
	if n := count("SELECT count() FROM post_age_facts_gens") + count("SELECT count() FROM post_age_facts"); n != 0 {
		t.Fatalf("%d fixed-age generation rows left after the upgrade, want none", n)
	}
	if got := reach(); got != 800 {
		t.Errorf("after the upgrade, before a refresh (post_metrics): reach %d, want 800", got)
	}
	if err := svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count("SELECT count() FROM post_age_facts"); n != 3*8 {
		t.Errorf("the first refresh after the upgrade built %d fixed-age rows, want 24 (3 ages × 8 posts)", n)
	}
	if got := reach(); got != 800 {
		t.Errorf("after the refresh: reach %d, want 800", got)
	}
}
