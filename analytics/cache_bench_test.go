package analytics_test

import (
	"context"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/store/storetest"
)

// BenchmarkReportCacheHit is the cost of an answer from the cache: the
// period and time zone resolved (unit zones and generations are
// remembered), the key built, the LRU read.
//
//	go test -run '^$' -bench 'CacheHit|ChangeMarker' ./analytics/
func BenchmarkReportCacheHit(b *testing.B) {
	ctx := context.Background()
	ch := storetest.ClickHouse(b)
	svc, err := analytics.New(ch, analytics.Options{RefreshEvery: -1, Now: func() time.Time { return utc("2025-04-10 00:00") }})
	if err != nil {
		b.Fatal(err)
	}
	if err := svc.Refresh(ctx); err != nil {
		b.Fatal(err)
	}
	q := analytics.Query{From: utc("2025-03-01 00:00"), To: utc("2025-03-31 00:00"), GroupBy: []string{"platform", "content_type"},
		Method: "reach", Age: "latest", Sort: "engagement_rate", Order: "desc", Limit: 20}
	if _, err := svc.Engagement(ctx, q); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := svc.Engagement(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	if st := svc.CacheStats(); st.Misses != 1 {
		b.Fatalf("cache stats %+v: the loop was not answered from the cache", st)
	}
}

// BenchmarkChangeMarker is one poll of the change marker (every 2 s per
// server).
func BenchmarkChangeMarker(b *testing.B) {
	ctx := context.Background()
	ch := storetest.ClickHouse(b)
	for i := range 100 {
		if err := ch.MarkChanged(ctx, "collect", int64(i)); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		if n, err := ch.Changes(ctx); err != nil || n != 100 {
			b.Fatalf("marker %d, %v", n, err)
		}
	}
}
