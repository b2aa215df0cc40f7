package collector

import (
	"context"
	"testing"
	"time"
)

// BenchmarkFullCollection20x500 is the acceptance load: 20 channels (10
// Pages and their 10 Instagram accounts) with 500 posts each, one full
// collection, with Meta's quirks (issue 14): Instagram's wording of a
// retired metric ("saved"), an account converted to a business account
// 20 days ago, a Page with a Reel a day, an oversize Page. It reports
// Graph calls per 1000 posts (as the simulator counts them) and the rows
// per second written to ClickHouse.
//
//	go test -run '^$' -bench FullCollection20x500 -benchtime 1x ./collector/
func BenchmarkFullCollection20x500(b *testing.B) {
	for range b.N {
		b.StopTimer()
		e := newEnv(b)
		e.addAccounts(10, true, 50, 10)
		e.applyQuirks(50)
		want := e.visibleAll()
		c := e.collector(nil)
		e.sim.ResetCalls()
		b.StartTimer()
		start := time.Now()
		st, err := c.Run(context.Background(), RunOptions{})
		wall := time.Since(start)
		b.StopTimer()
		if err != nil || st.Status != StatusDone {
			b.Fatalf("run = %+v, %v", st, err)
		}
		if got := e.count("SELECT count() FROM post_metrics FINAL"); got != uint64(want) {
			b.Fatalf("snapshots = %d, want %d", got, want)
		}
		calls := e.sim.Calls()
		ins := time.Duration(c.w.insertNanos.Load())
		b.ReportMetric(float64(want), "posts")
		b.ReportMetric(float64(calls.Total), "graph_calls")
		b.ReportMetric(float64(calls.Total)*1000/float64(want), "calls/1000posts")
		b.ReportMetric(float64(calls.HTTPRequests), "http_requests")
		b.ReportMetric(float64(st.RowsWritten), "rows")
		b.ReportMetric(float64(st.RowsWritten)/ins.Seconds(), "rows/s_insert")
		b.ReportMetric(float64(st.RowsWritten)/wall.Seconds(), "rows/s_end_to_end")
		b.ReportMetric(wall.Seconds(), "run_s")
	}
}
