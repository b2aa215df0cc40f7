package analytics_test

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/analytics/seed"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// Benchmarks run against a database seeded once and reused:
//
//	go test -run '^$' -bench . -benchtime 20x ./analytics/
//
// HUMAS_BENCH_DATABASE names it (default humas_bench). The first run
// seeds 250,000 posts and 10,000,000 snapshots over 2025 through the
// normal batch insert path (about a minute or two); later runs reuse it.
// Drop the database to reseed. HUMAS_BENCH_OPTIMIZE=1 merges post_latest
// (OPTIMIZE … FINAL) before measuring. HUMAS_BENCH_LIVE=1 measures the
// read-time paths (no read-model refresh): for age=7d, a scan of
// post_metrics.
func benchStore(b *testing.B) *store.ClickHouse {
	b.Helper()
	cfg := storetest.ClickHouseConfig(b)
	cfg.Database = "humas_bench"
	if db := os.Getenv("HUMAS_BENCH_DATABASE"); db != "" {
		cfg.Database = db
	}
	cfg.QueryTimeout = 120_000_000_000
	cfg.ReadTimeout = config.Duration(10 * time.Minute) // a refresh of 10 M snapshots on a busy machine
	ctx := context.Background()
	ch, err := store.OpenClickHouse(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Skipf("no ClickHouse: %v", err)
	}
	b.Cleanup(func() { ch.Close() })
	if _, err := ch.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	var n uint64
	if err := ch.QueryRow(ctx, "SELECT count() FROM post_metrics").Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n == 0 {
		st, err := seed.Run(ctx, ch, seed.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("seeded %s: %d posts, %d snapshots in %s (%.0f rows/s)", cfg.Database, st.Posts, st.Snapshots,
			st.Took.Round(time.Millisecond), float64(st.Snapshots)/st.Took.Seconds())
	} else {
		b.Logf("reusing %s: %d snapshots", cfg.Database, n)
	}
	if os.Getenv("HUMAS_BENCH_OPTIMIZE") == "1" {
		if err := ch.Exec(ctx, "OPTIMIZE TABLE post_latest FINAL"); err != nil {
			b.Fatal(err)
		}
	}
	return ch
}

func benchQuery(b *testing.B, raw string, run func(*analytics.Service, analytics.Query) error) {
	ch := benchStore(b)
	svc, err := analytics.New(ch, analytics.Options{CacheTTL: -1, RefreshEvery: -1})
	if err != nil {
		b.Fatal(err)
	}
	if os.Getenv("HUMAS_BENCH_LIVE") != "1" { // 1: measure the read-time collapse of post_latest instead
		start := time.Now()
		if err := svc.Refresh(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.Logf("read model refreshed in %s", time.Since(start).Round(time.Millisecond))
	}
	q := query(b, raw)
	if err := run(svc, q); err != nil { // warm up
		b.Fatal(err)
	}
	durs := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if err := run(svc, q); err != nil {
			b.Fatal(err)
		}
		durs = append(durs, time.Since(start))
	}
	b.StopTimer()
	fs := make([]float64, len(durs))
	for i, d := range durs {
		fs[i] = float64(d.Microseconds()) / 1000
	}
	med, ok := analyticsMedian(fs)
	if !ok {
		b.Fatal("no timed runs")
	}
	b.ReportMetric(med, "median-ms")
}

func analyticsMedian(xs []float64) (float64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	s := append([]float64(nil), xs...)
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s[len(s)/2], true
}

const benchYear = "from=2025-01-01&to=2025-12-31"

func BenchmarkEngagementContentTypeWeek(b *testing.B) {
	benchQuery(b, benchYear+"&group_by=content_type,week", func(s *analytics.Service, q analytics.Query) error {
		rep, err := s.Engagement(context.Background(), q)
		if err == nil && rep.Totals.Posts == 0 {
			b.Fatal("no posts: is the bench database seeded?")
		}
		return err
	})
}

func BenchmarkEngagementAge7d(b *testing.B) {
	benchQuery(b, benchYear+"&group_by=content_type,week&age=7d", func(s *analytics.Service, q analytics.Query) error {
		rep, err := s.Engagement(context.Background(), q)
		if err == nil && rep.Totals.Posts == 0 {
			b.Fatal("no posts: is the bench database seeded?")
		}
		return err
	})
}

func BenchmarkBestTimes(b *testing.B) {
	benchQuery(b, "from=2025-10-09&to=2025-12-31", func(s *analytics.Service, q analytics.Query) error {
		_, err := s.BestTimes(context.Background(), q)
		return err
	})
}

func BenchmarkBestTimesYear(b *testing.B) {
	benchQuery(b, benchYear, func(s *analytics.Service, q analytics.Query) error {
		_, err := s.BestTimes(context.Background(), q)
		return err
	})
}

func BenchmarkTopPostsYear(b *testing.B) {
	benchQuery(b, benchYear+"&limit="+strconv.Itoa(20), func(s *analytics.Service, q analytics.Query) error {
		_, err := s.TopPosts(context.Background(), q)
		return err
	})
}
