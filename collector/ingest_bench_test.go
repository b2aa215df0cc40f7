package collector

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/store/storetest"
)

// BenchmarkIngest writes 200,000 snapshot rows (one collection of
// 200,000 posts: one row each) through the collector's writer into a
// fresh database, with the read-model views on, at two insert sizes, and
// with each materialized view on post_metrics alone or none, so each
// view's cost per row shows. "production" is the writer as the collector
// runs it (its default flush size and insert streams); "one_stream"
// the same with one insert at a time, as before issue 20's split. It
// reports rows/s of the inserts and the client's CPU per row.
//
//	go test -run '^$' -bench Ingest -benchtime 1x ./collector
func BenchmarkIngest(b *testing.B) {
	const rows = 200_000
	views := map[string][]string{
		"all_views":           nil,
		"no_views":            {"post_latest_from_metrics", "post_at_age_from_metrics"},
		"post_latest_view":    {"post_at_age_from_metrics"},
		"post_at_age_view":    {"post_latest_from_metrics"},
		"all_views_batch5000": nil,
		"production":          nil,
		"one_stream":          nil,
	}
	for _, name := range []string{"production", "one_stream", "all_views", "all_views_batch5000", "no_views", "post_latest_view", "post_at_age_view"} {
		b.Run(name, func(b *testing.B) {
			flush := map[string]int{"all_views_batch5000": 5000, "production": 0, "one_stream": 0}[name]
			if _, ok := map[string]bool{"all_views_batch5000": true, "production": true, "one_stream": true}[name]; !ok {
				flush = 50_000
			}
			for range b.N {
				b.StopTimer()
				ch := storetest.ClickHouse(b)
				ctx := context.Background()
				for _, v := range views[name] {
					if err := ch.Exec(ctx, "DROP TABLE "+v); err != nil {
						b.Fatal(err)
					}
				}
				buf, err := openBuffer(b.TempDir(), 1<<30)
				if err != nil {
					b.Fatal(err)
				}
				m, err := newMetrics(prometheus.NewRegistry())
				if err != nil {
					b.Fatal(err)
				}
				w := newWriter(ch, buf, m, slog.New(slog.DiscardHandler), flush)
				if name == "one_stream" {
					w.streams = 1
				}
				snaps := benchSnapshots(rows)
				b.StartTimer()
				cpu0 := cpuTime()
				start := time.Now()
				for lo := 0; lo < rows; lo += 1000 { // the collector adds a page of posts at a time
					if err := w.Add(ctx, Batch{Snapshots: snaps[lo:min(rows, lo+1000)]}); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Flush(ctx); err != nil {
					b.Fatal(err)
				}
				took := time.Since(start)
				cpu := cpuTime() - cpu0
				b.StopTimer()
				var n uint64
				if err := ch.QueryRow(ctx, "SELECT count() FROM post_metrics").Scan(&n); err != nil || n != rows {
					b.Fatalf("post_metrics holds %d rows (%v), want %d", n, err, rows)
				}
				b.ReportMetric(rows/took.Seconds(), "rows/s")
				b.ReportMetric(float64(took.Nanoseconds())/rows, "ns/row")
				b.ReportMetric(float64(cpu.Nanoseconds())/rows, "client_cpu_ns/row")
			}
		})
	}
}

// cpuTime is the CPU time this process used so far (the client's side
// of an insert; the machine may be busy with others).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchSnapshots is one collection of n posts over 100 channels.
func benchSnapshots(n int) []SnapshotRow {
	slot := time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC)
	out := make([]SnapshotRow, n)
	for i := range out {
		chID := uint64(i % 100)
		pub := slot.Add(-time.Duration(i%(90*24)) * time.Hour)
		out[i] = SnapshotRow{Slot: slot, CollectedAt: slot.Add(time.Duration(i%600) * time.Second), Platform: "facebook",
			PostID: fmt.Sprintf("%d_%d", 1000+chID, i), ChannelID: chID, AccountID: strconv.FormatUint(1000+chID, 10),
			PublishedAt: pub, Reach: uint64(i%5000 + 1), Views: uint64(i%7000 + 1), Reactions: uint64(i % 50),
			Comments: uint64(i % 9), Shares: uint64(i % 4), Clicks: uint64(i % 30), VideoViews: uint64(i % 100),
			Interactions: uint64(i%50 + i%9 + i%4), HasInsights: 1, MetricFields: []string{"reach", "views"},
			MetricSources: []string{"reach", "views"}, RunID: "bench"}
	}
	return out
}
