package seed_test

import (
	"context"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics/seed"
	"github.com/humas-id/humas/store/storetest"
)

// BenchmarkSeed writes 2,000,000 snapshots (50,000 posts) into a fresh
// database with the read-model views on, as humas seed does, and reports
// snapshot rows/s (generation included), with one inserter (as before
// issue 20) and with two.
//
//	go test -run '^$' -bench Seed -benchtime 1x ./analytics/seed
func BenchmarkSeed(b *testing.B) {
	for _, ins := range []int{1, 2} {
		b.Run(map[int]string{1: "one_inserter", 2: "two_inserters"}[ins], func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				ch := storetest.ClickHouse(b)
				b.StartTimer()
				st, err := seed.Run(context.Background(), ch, seed.Options{Posts: 50_000, Snapshots: 2_000_000, Inserters: ins,
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
