package collector

import (
	"context"
	"slices"
	"testing"

	"github.com/humas-id/humas/org"
)

// With a metric retired on each platform, a full collection still lists
// posts and media through field expansion (about one call per 100), leaves
// the retired figure out (missing in the provenance, not a value) and reads
// every other figure right.
func TestRetiredMetricStaysWithinCallBudget(t *testing.T) {
	e := newEnv(t)
	e.addAccounts(2, true, 30, 10) // 2 Pages + 2 IG accounts, 300 posts each
	e.addAccounts(1, false, 30, 10)
	e.sim.RetireMetric("post_clicks")
	e.sim.RetireMetric("saved")
	c := e.collector(nil)
	want := e.visibleAll()
	e.sim.ResetCalls()

	st, err := c.Run(context.Background(), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != StatusDone || st.ChannelsDone != len(e.chans) {
		t.Fatalf("run = %+v, want done for %d channels", st, len(e.chans))
	}
	calls := e.sim.Calls()
	per1000 := float64(calls.Total) * 1000 / float64(want)
	t.Logf("%d channels, %d posts: %d Graph calls (%.1f per 1000 posts) with post_clicks and saved retired; by endpoint %v",
		len(e.chans), want, calls.Total, per1000, calls.ByEndpoint)
	if per1000 > 25 {
		t.Fatalf("%d Graph calls for %d posts = %.1f per 1000, want at most 25", calls.Total, want, per1000)
	}
	if got := e.count("SELECT count() FROM post_metrics FINAL"); got != uint64(want) {
		t.Fatalf("snapshots = %d, want %d (one per visible post)", got, want)
	}
	for _, r := range []struct{ platform, metric string }{{org.Facebook, "post_clicks"}, {org.Instagram, "saved"}} {
		if !slices.ContainsFunc(c.RetiredMetrics(), func(m RetiredMetric) bool { return m.Platform == r.platform && m.Metric == r.metric }) {
			t.Errorf("retired metrics = %+v, want %s on %s", c.RetiredMetrics(), r.metric, r.platform)
		}
	}

	kind := map[string]string{}
	for _, ch := range e.chans {
		for _, it := range e.sim.Published(ch.ExternalID) {
			kind[it.ID] = it.Kind
		}
	}
	rows, err := e.ch.Query(context.Background(), `SELECT platform, account_id, post_id, reach, views, reactions, likes,
 comments, shares, saves, clicks, has_insights, metric_fields, metric_sources FROM post_metrics FINAL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var platform, account, id string
		var reach, views, reactions, likes, comments, shares, saves, clicks uint64
		var has uint8
		var fields, sources []string
		if err := rows.Scan(&platform, &account, &id, &reach, &views, &reactions, &likes, &comments, &shares, &saves,
			&clicks, &has, &fields, &sources); err != nil {
			t.Fatal(err)
		}
		n++
		truth, ok := e.sim.PostCounts(account, id)
		if !ok {
			t.Fatalf("%s %s: not in the simulator", platform, id)
		}
		if slices.Contains(sources, "post_clicks") || slices.Contains(sources, "saved") {
			t.Fatalf("%s %s: provenance %v names a retired metric", platform, id, sources)
		}
		check := func(figure string, got uint64) {
			t.Helper()
			if !slices.Contains(fields, figure) {
				t.Fatalf("%s %s: %s missing (fields %v) though its metric is valid", platform, id, figure, fields)
			}
			if int64(got) != truth[figure] {
				t.Fatalf("%s %s: %s = %d, the simulator serves %d", platform, id, figure, got, truth[figure])
			}
		}
		absent := func(figure string, got uint64) {
			t.Helper()
			if slices.Contains(fields, figure) || got != 0 {
				t.Fatalf("%s %s: %s = %d in fields %v, want it missing (its metric is retired)", platform, id, figure, got, fields)
			}
		}
		if has != 1 {
			t.Fatalf("%s %s: has_insights = 0", platform, id)
		}
		check("reach", reach)
		check("views", views)
		check("shares", shares)
		switch {
		case platform == org.Facebook:
			check("comments", comments)
			check("reactions", reactions)
			absent("clicks", clicks)
		case kind[id] == "story": // stories have no likes, comments or saves
		default:
			check("comments", comments)
			check("likes", likes)
			absent("saves", saves)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Fatalf("checked %d snapshots, want %d", n, want)
	}
}
