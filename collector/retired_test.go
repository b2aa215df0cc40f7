package collector

import (
	"context"
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// A metric Meta retires is reported, and the run goes on with the metrics
// still valid.
func TestRetiredMetricReportedRunGoesOn(t *testing.T) {
	e := newEnv(t)
	e.addAccounts(1, true, 5, 3)
	e.sim.RetireMetric("post_clicks")
	c := e.collector(nil)
	want := e.visibleAll()

	st, err := c.Run(context.Background(), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != StatusDone {
		t.Fatalf("run = %+v, want done despite the retired metric", st)
	}
	if got := e.count("SELECT count() FROM post_metrics FINAL"); got != uint64(want) {
		t.Fatalf("snapshots = %d, want %d", got, want)
	}
	if n := e.count("SELECT count() FROM post_metrics WHERE has(metric_sources, 'post_clicks')"); n != 0 {
		t.Fatalf("%d snapshots claim a value from the retired post_clicks", n)
	}
	if n := e.count("SELECT count() FROM post_metrics WHERE platform = 'facebook' AND has(metric_sources, 'post_total_media_view_unique')"); n == 0 {
		t.Fatal("Facebook reach not collected after post_clicks was retired")
	}
	rm := c.RetiredMetrics()
	if !slices.ContainsFunc(rm, func(r RetiredMetric) bool { return r.Metric == "post_clicks" && r.Platform == "facebook" }) {
		t.Fatalf("retired metrics = %+v, want post_clicks on facebook", rm)
	}
	if rm[0].Fix == "" {
		t.Error("no fix named for the retired metric")
	}
	if v := testutil.ToFloat64(c.m.retired.WithLabelValues("post_clicks")); v < 1 {
		t.Fatalf("humas_collector_retired_metric_total{metric=post_clicks} = %v", v)
	}
}
