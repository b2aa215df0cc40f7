package collector

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// BenchmarkIngest writes 200,000 snapshot rows (one collection of
// 200,000 posts: one row each) through the collector's writer into a
// fresh database, with the read-model views on: as the collector runs it
// ("production": the writer's default flush size, two inserts at once),
// with one insert at a time, with an insert's two views run at once
// (parallel_view_processing, not the default: no gain measured with two
// inserts), with main's settings before (20,000 rows, one insert; the
// client's column building is the new one), at other flush sizes, and with each materialized view on
// post_metrics alone or none, so each view's cost per row shows. It
// reports rows/s of the inserts, the wall time per row spent inside
// inserts (insert_ns/row; the rest of ns/row is the writer gathering rows
// between them), the client's CPU per row and ClickHouse's (the machine
// has 2 cores for both: wall figures move with its load, CPU figures
// less).
//
//	go test -run '^$' -bench Ingest -benchtime 1x ./collector
func BenchmarkIngest(b *testing.B) {
	const rows = 200_000
	latest, atAge := "post_latest_from_metrics", "post_at_age_from_metrics"
	for _, tc := range []struct {
		name           string
		flush, streams int // 0: the writer's default
		drop           []string
		parallelViews  bool // parallel_view_processing on
	}{
		{name: "production"},
		{name: "one_stream", streams: 1},
		{name: "parallel_views", parallelViews: true},
		{name: "one_stream_parallel_views", streams: 1, parallelViews: true},
		{name: "flush20000_one_stream", flush: 20_000, streams: 1},
		{name: "flush50000", flush: 50_000},
		{name: "all_views_batch5000", flush: 5000},
		{name: "no_views", drop: []string{latest, atAge}},
		{name: "post_latest_view", drop: []string{atAge}},
		{name: "post_at_age_view", drop: []string{latest}},
	} {
		name, flush, views := tc.name, tc.flush, map[string][]string{tc.name: tc.drop}
		b.Run(name, func(b *testing.B) {
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
				marker := 1_000_000 + rand.IntN(1_000_000)
				// log_queries, and an otherwise unused setting set to a
				// value of its own, so serverCPU finds these inserts.
				w.settings = clickhouse.Settings{"log_queries": 1, "connect_timeout_with_failover_ms": marker}
				if tc.parallelViews {
					w.settings["parallel_view_processing"] = 1
				}
				if tc.streams > 0 {
					w.streams = tc.streams
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
				b.ReportMetric(float64(w.insertNanos.Load())/rows, "insert_ns/row")
				b.ReportMetric(rows/took.Seconds(), "rows/s")
				b.ReportMetric(float64(took.Nanoseconds())/rows, "ns/row")
				b.ReportMetric(float64(cpu.Nanoseconds())/rows, "client_cpu_ns/row")
				b.ReportMetric(float64(serverCPU(b, ch, marker).Nanoseconds())/rows, "server_cpu_ns/row")
			}
		})
	}
}

// serverCPU is the CPU time (user and system) ClickHouse spent on the
// inserts marked with marker, their materialized views included (they run in the
// insert's threads; background merges are not counted). Unlike wall
// time it hardly moves with what else the machine runs.
func serverCPU(b *testing.B, ch *store.ClickHouse, marker int) time.Duration {
	ctx := context.Background()
	if err := ch.Exec(ctx, "SYSTEM FLUSH LOGS"); err != nil {
		b.Fatal(err)
	}
	var us uint64
	err := ch.QueryRow(ctx, `SELECT sum(ProfileEvents.Values[indexOf(ProfileEvents.Names, 'UserTimeMicroseconds')]
		+ ProfileEvents.Values[indexOf(ProfileEvents.Names, 'SystemTimeMicroseconds')])
FROM system.query_log
WHERE type = 2 AND Settings.Values[indexOf(Settings.Names, 'connect_timeout_with_failover_ms')] = ?`, strconv.Itoa(marker)).Scan(&us)
	if err != nil {
		b.Fatal(err)
	}
	return time.Duration(us) * time.Microsecond
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
