package collector

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// One full collection writes a snapshot for every post, within the call
// budget, and the same slot collected again counts nothing twice.
func TestFullCollectionSnapshotsEveryPost(t *testing.T) {
	e := newEnv(t)
	// 20 channels of 250 posts; the 500-post acceptance load is BenchmarkFullCollection20x500.
	e.addAccounts(10, true, 25, 10)
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
	if got := e.count("SELECT count() FROM post_metrics FINAL"); got != uint64(want) {
		t.Fatalf("snapshots = %d, want %d (one per visible post)", got, want)
	}
	if got := e.count("SELECT uniqExact(platform, post_id) FROM posts"); got != uint64(want) {
		t.Fatalf("posts = %d, want %d", got, want)
	}
	if got := e.count("SELECT count() FROM account_metrics FINAL"); got != uint64(len(e.chans)) {
		t.Fatalf("account_metrics = %d, want one per channel (%d)", got, len(e.chans))
	}
	calls := e.sim.Calls().Total
	if per1000 := float64(calls) * 1000 / float64(want); per1000 > 25 {
		t.Fatalf("%d Graph calls for %d posts = %.1f per 1000, want at most 25", calls, want, per1000)
	}
	if int64(calls) != st.GraphCalls {
		t.Errorf("run counted %d Graph calls, the simulator %d", st.GraphCalls, calls)
	}
	if got := testutil.ToFloat64(c.m.posts.WithLabelValues("facebook")) + testutil.ToFloat64(c.m.posts.WithLabelValues("instagram")); int(got) != want {
		t.Errorf("posts collected metric = %v, want %d", got, want)
	}
	// Every stored value names its Graph source.
	if bad := e.count("SELECT count() FROM post_metrics WHERE length(metric_fields) != length(metric_sources) OR length(metric_fields) = 0"); bad != 0 {
		t.Fatalf("%d snapshots without provenance", bad)
	}
	if n := e.count("SELECT count() FROM post_metrics WHERE platform = 'facebook' AND has(metric_sources, 'post_total_media_view_unique') AND reach > 0"); n == 0 {
		t.Fatal("no Facebook reach recorded from post_total_media_view_unique")
	}

	sum := func() uint64 {
		return e.count("SELECT sum(interactions) FROM (SELECT platform, post_id, argMax(interactions, slot) AS interactions FROM post_metrics FINAL GROUP BY platform, post_id)")
	}
	before := sum()
	if _, err := c.Run(context.Background(), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := e.count("SELECT count() FROM post_metrics FINAL"); got != uint64(want) {
		t.Fatalf("after a second run in the same slot: %d snapshots, want still %d", got, want)
	}
	if after := sum(); after != before {
		t.Fatalf("interactions %d after re-running the slot, want %d", after, before)
	}
}
