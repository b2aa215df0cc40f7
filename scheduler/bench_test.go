package scheduler_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store"
)

// BenchmarkPublishSameMinute: 1,000 deliveries over 20 channels (16
// Facebook Pages, 4 Instagram accounts) all due at the same second; the
// real cron tick (every second) publishes them. Reports lag p50/p99/max
// in seconds from the scheduled time; -count 5 gives five runs, each
// reported (a figure, not a pass/fail: the lag depends on the machine).
//
//	go test -run '^$' -bench PublishSameMinute -benchtime 1x -count 5 ./scheduler
func BenchmarkPublishSameMinute(b *testing.B) {
	for range b.N {
		benchOnce(b)
	}
}

func benchOnce(b *testing.B) {
	b.StopTimer()
	e := newEnv(b, graphsim.Options{DailyPublishQuota: 1 << 30, UsagePerCall: 1e-6}, scheduler.PublisherOptions{Tick: "* * * * * *", Workers: 16})
	var chans []org.Channel
	for i := range 20 {
		if i%5 == 4 {
			chans = append(chans, e.instagram(fmt.Sprintf("9%03d", i), fmt.Sprintf("178%03d", i)))
		} else {
			chans = append(chans, e.page(fmt.Sprintf("1%03d", i)))
		}
	}
	at := time.Now().Add(60 * time.Second).Truncate(time.Second) // planning 1,000 posts takes seconds on a busy machine
	for i := range 1000 {
		c := chans[i%len(chans)]
		d := textDraft(fmt.Sprintf("Kiriman serentak %d", i), at, c.ID)
		if c.Platform == org.Instagram {
			d.ContentType = "photo"
			d.Media = []scheduler.Media{{Type: "image", URL: fmt.Sprintf("https://cdn.example.org/%d.jpg", i)}}
		}
		e.scheduled(d)
	}
	if time.Now().After(at.Add(-2 * time.Second)) {
		b.Fatalf("planning took too long: due at %v, now %v", at, time.Now())
	}
	ctx := context.Background()
	b.StartTimer()
	if err := e.pub.Start(ctx); err != nil {
		b.Fatal(err)
	}
	for {
		var left int
		if err := e.db.DB.QueryRow(`SELECT count(*) FROM deliveries WHERE status != 'published'`).Scan(&left); err != nil {
			b.Fatal(err)
		}
		if left == 0 {
			break
		}
		if time.Now().After(at.Add(2 * time.Minute)) {
			b.Fatalf("%d deliveries still not published 2 minutes after their time", left)
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.StopTimer()
	_ = e.pub.Stop(ctx)
	rows, err := e.db.DB.Query(`SELECT published_at, scheduled_at FROM deliveries`)
	if err != nil {
		b.Fatal(err)
	}
	var lags []float64
	for rows.Next() {
		var p sql.NullString
		var s string
		if err := rows.Scan(&p, &s); err != nil {
			b.Fatal(err)
		}
		if !p.Valid {
			b.Fatalf("a delivery scheduled at %s has no published_at", s)
		}
		pt, err := store.ParseTime(p.String)
		if err != nil {
			b.Fatalf("published_at %q: %v", p.String, err)
		}
		st, err := store.ParseTime(s)
		if err != nil {
			b.Fatalf("scheduled_at %q: %v", s, err)
		}
		lag := pt.Sub(st).Seconds()
		if lag < 0 {
			b.Fatalf("published at %s, before its time %s", p.String, s)
		}
		lags = append(lags, lag)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	rows.Close()
	if len(lags) == 0 {
		b.Fatal("no deliveries to measure")
	}
	slices.Sort(lags)
	q := func(f float64) float64 { return lags[min(len(lags)-1, int(f*float64(len(lags))))] }
	b.ReportMetric(q(0.5), "lag_p50_s")
	b.ReportMetric(q(0.99), "lag_p99_s")
	b.ReportMetric(lags[len(lags)-1], "lag_max_s")
	b.ReportMetric(float64(len(lags)), "published")
	b.Logf("lag p50 %.2fs p99 %.2fs max %.2fs over %d deliveries (target: p99 ≤ 1 s on a quiet machine)", q(0.5), q(0.99),
		lags[len(lags)-1], len(lags))
}
