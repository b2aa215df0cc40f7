package analytics_test

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/collector"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store/storetest"
)

// TestEndToEndSimulatorCollectorAPI: simulator posts go through the
// collector into ClickHouse; the report's figures equal an independent
// computation from the simulator's own counts.
func TestEndToEndSimulatorCollectorAPI(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC)
	clock := graphsim.NewManualClock(start)
	sim := graphsim.New(graphsim.Options{Clock: clock.Now, Seed: 11})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	sql := storetest.SQLite(t)
	ch := storetest.ClickHouse(t)
	orgs := org.NewStore(sql, []byte(strings.Repeat("k", 32)))
	unit, err := orgs.CreateUnit(ctx, org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-kota-salatiga", Level: "city"})
	if err != nil {
		t.Fatal(err)
	}
	var chans []org.Channel
	for i := range 2 {
		page, tok := fmt.Sprintf("20%04d", i), fmt.Sprintf("tok-%d", i)
		if err := sim.AddPage(page, "Page", tok); err != nil {
			t.Fatal(err)
		}
		if err := sim.SeedHistory(page, 10, 3); err != nil {
			t.Fatal(err)
		}
		c, err := orgs.CreateChannel(ctx, org.ChannelInput{UnitID: unit.ID, Platform: org.Facebook, ExternalID: page, Name: "Page " + page, AccessToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		chans = append(chans, c)
		ig := fmt.Sprintf("179%04d", i)
		if err := sim.AddIGAccount(ig, fmt.Sprintf("akun%d", i), page); err != nil {
			t.Fatal(err)
		}
		if err := sim.SeedHistory(ig, 10, 3); err != nil {
			t.Fatal(err)
		}
		c, err = orgs.CreateChannel(ctx, org.ChannelInput{UnitID: unit.ID, Platform: org.Instagram, ExternalID: ig, Name: "IG " + ig, AccessToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		chans = append(chans, c)
	}
	cfg := config.Default().Collector
	cfg.BufferPath = t.TempDir()
	col, err := collector.New(collector.Options{
		Config: cfg, Graph: meta.Options{BaseURL: srv.URL, RetryBackoff: time.Millisecond, Now: clock.Now},
		Channels: orgs, ClickHouse: ch, SQLite: sql, Registerer: prometheus.NewRegistry(),
		Logger: slog.New(slog.DiscardHandler), Now: clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error { clock.Advance(d); return ctx.Err() },
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := col.Run(ctx, collector.RunOptions{Since: start.AddDate(0, 0, -30)}); err != nil {
		t.Fatal(err)
	}
	if err := col.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := orgs.MirrorToClickHouse(ctx, ch); err != nil {
		t.Fatal(err)
	}
	svc, err := analytics.New(ch, analytics.Options{CacheTTL: -1, RefreshEvery: -1, Now: clock.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	from, to := start.AddDate(0, 0, -20).Format("2006-01-02"), start.Format("2006-01-02")
	rep, err := svc.Engagement(ctx, query(t, fmt.Sprintf("from=%s&to=%s&group_by=platform&unit=%d", from, to, unit.ID)))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]analytics.Figures{}
	for _, r := range rep.Rows {
		got[*r.Platform] = r.Figures
	}

	// Independent count of what the simulator published in the period.
	jakarta, _ := time.LoadLocation("Asia/Jakarta")
	lo := time.Date(start.Year(), start.Month(), start.Day()-20, 0, 0, 0, 0, jakarta)
	hi := time.Date(start.Year(), start.Month(), start.Day()+1, 0, 0, 0, 0, jakarta)
	type agg struct{ posts, reach, inter, ratedInter int64 }
	want := map[string]*agg{"facebook": {}, "instagram": {}}
	for _, c := range chans {
		for _, it := range sim.Published(c.ExternalID) {
			if it.Scheduled || it.Kind == "story" || it.Created.Before(lo) || !it.Created.Before(hi) {
				continue
			}
			a := want[c.Platform]
			a.posts++
			n, ok := sim.PostCounts(c.ExternalID, it.ID)
			if !ok {
				t.Fatalf("simulator has no counts for %s", it.ID)
			}
			inter := n["comments"] + n["shares"]
			if c.Platform == "facebook" {
				inter += n["reactions"]
			} else {
				inter += n["likes"] + n["saves"]
			}
			a.reach += n["reach"]
			a.inter += inter
			if n["reach"] > 0 {
				a.ratedInter += inter
			}
		}
	}
	for pl, w := range want {
		g := got[pl]
		if int64(g.Posts) != w.posts {
			t.Errorf("%s: report counts %d posts, the simulator published %d in the period", pl, g.Posts, w.posts)
		}
		if int64(g.Reach) != w.reach || int64(g.Interactions) != w.inter {
			t.Errorf("%s: reach/interactions %d/%d, simulator %d/%d", pl, g.Reach, g.Interactions, w.reach, w.inter)
		}
		if w.reach > 0 {
			er := float64(w.ratedInter) / float64(w.reach)
			if g.EngagementRate == nil || math.Abs(*g.EngagementRate-er) > 1e-12 {
				t.Errorf("%s: engagement_rate %v, simulator %v", pl, fmtp(g.EngagementRate), er)
			}
		}
	}
}
