package seed_test

import (
	"context"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics/seed"
	"github.com/humas-id/humas/store/storetest"
)

// BenchmarkSeed writes 2,000,000 snapshots (50,000 posts) into a fresh
// migrated database, as humas seed does, and reports snapshot rows/s
// (generation and the read model's per-post tables included): "bulk" is
// the default (a staging table, the views' tables filled once), "views"
// writes through post_metrics' views as the collector does; two inserters
// each.
//
//	go test -run '^$' -bench Seed -benchtime 1x ./analytics/seed
func BenchmarkSeed(b *testing.B) {
	for _, views := range []bool{false, true} {
		b.Run(map[bool]string{false: "bulk", true: "views"}[views], func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				ch := storetest.ClickHouse(b)
				b.StartTimer()
				st, err := seed.Run(context.Background(), ch, seed.Options{Posts: 50_000, Snapshots: 2_000_000, Views: views,
					End: time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC)})
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(st.Snapshots)/st.Took.Seconds(), "rows/s")
			}
		})
	}
}
