package analytics_test

import (
	"context"
	"math/rand/v2"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/store"
)

// BenchmarkReportsCPU answers 200 distinct random grouped reports (the
// engagement route: periods, methods, ages, group-bys, filters) over the
// benchmark database twice, reading the read model's posts and reading
// its cells, and reports what ClickHouse itself accounted for them
// (system.query_log: CPU time and rows read per report, median and p99)
// beside the wall time: on a machine shared with other work the CPU time
// is the steadier figure.
//
//	HUMAS_BENCH_DATABASE=humas_bench go test -run '^$' -bench ReportsCPU -benchtime 1x ./analytics
func BenchmarkReportsCPU(b *testing.B) {
	ch := benchStore(b)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(11, 12))
	first := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var queries []analytics.Query
	seen := map[string]bool{}
	for len(queries) < 200 {
		raw := randomQuery(r, first, 365)
		if r.IntN(4) == 0 { // a quarter over the whole year
			v, _ := url.ParseQuery(raw)
			v.Set("from", "2025-01-01")
			v.Set("to", "2025-12-31")
			raw = v.Encode()
		}
		if !seen[raw] {
			seen[raw] = true
			queries = append(queries, query(b, raw))
		}
	}
	cells, err := analytics.New(ch, analytics.Options{CacheTTL: -1, RefreshEvery: -1})
	if err != nil {
		b.Fatal(err)
	}
	if _, ok, err := cells.CellLevelOf(ctx, query(b, benchYear+"&group_by=content_type")); err != nil || !ok {
		start := time.Now()
		if err := cells.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
		b.Logf("read model (with cells) built in %s", time.Since(start).Round(time.Millisecond))
	}
	posts, err := analytics.New(ch, analytics.Options{CacheTTL: -1, RefreshEvery: -1, NoCells: true})
	if err != nil {
		b.Fatal(err)
	}
	for range b.N {
		for _, path := range []struct {
			name string
			svc  *analytics.Service
		}{{"posts", posts}, {"cells", cells}} {
			var walls []float64
			read := 0
			t0 := time.Now().UTC().Truncate(time.Second)
			for _, q := range queries {
				if _, ok, _ := cells.CellLevelOf(ctx, q); ok {
					read++
				}
				qctx := store.LogQueries(ctx)
				start := time.Now()
				if _, err := path.svc.Engagement(qctx, q); err != nil {
					b.Fatal(err)
				}
				walls = append(walls, float64(time.Since(start).Microseconds())/1000)
			}
			t1 := time.Now().UTC().Truncate(time.Second).Add(time.Second)
			time.Sleep(1100 * time.Millisecond) // event_time has seconds: keep the two paths apart
			if err := ch.Exec(ctx, "SYSTEM FLUSH LOGS"); err != nil {
				b.Fatal(err)
			}
			// The report statements (engagement's starts with SELECT cur)
			// this path ran, as ClickHouse accounted them.
			var cpu, rows []float64
			rs, err := ch.Query(ctx, `SELECT
    ProfileEvents.Values[indexOf(ProfileEvents.Names, 'UserTimeMicroseconds')]
        + ProfileEvents.Values[indexOf(ProfileEvents.Names, 'SystemTimeMicroseconds')] AS cpu_us,
    read_rows
FROM system.query_log
WHERE type = 2 AND event_date >= yesterday() AND event_time >= toDateTime(?, 'UTC') AND event_time <= toDateTime(?, 'UTC')
    AND startsWith(query, 'SELECT cur') AND position(query, 'FROM post_') > 0`,
				t0.Format(time.DateTime), t1.Format(time.DateTime))
			if err != nil {
				b.Fatal(err)
			}
			for rs.Next() {
				var c, n uint64
				if err := rs.Scan(&c, &n); err != nil {
					b.Fatal(err)
				}
				cpu = append(cpu, float64(c)/1000)
				rows = append(rows, float64(n))
			}
			rs.Close()
			if len(cpu) == 0 {
				b.Fatal("no reports in system.query_log")
			}
			pct := func(xs []float64, p float64) float64 {
				slices.Sort(xs)
				return xs[min(len(xs)-1, int(p*float64(len(xs))))]
			}
			b.ReportMetric(pct(cpu, .5), path.name+"_ch_cpu_ms_p50")
			b.ReportMetric(pct(cpu, .99), path.name+"_ch_cpu_ms_p99")
			b.ReportMetric(pct(rows, .5), path.name+"_rows_read_p50")
			b.ReportMetric(float64(len(cpu)), path.name+"_statements")
			b.ReportMetric(pct(walls, .5), path.name+"_wall_ms_p50")
			b.ReportMetric(pct(walls, .99), path.name+"_wall_ms_p99")
			if path.name == "cells" {
				b.ReportMetric(float64(read), "reports_on_cells")
			}
		}
	}
}
