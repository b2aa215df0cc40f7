package collector

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// env is a collector against the simulator, a real SQLite and a fresh
// ClickHouse database.
type env struct {
	t     testing.TB
	clock *graphsim.ManualClock
	sim   *graphsim.Sim
	url   string
	sql   *store.SQLite
	ch    *store.ClickHouse // direct connection, for checks
	org   *org.Store
	unit  org.Unit
	reg   *prometheus.Registry
	chans []org.Channel
}

var testStart = time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC)

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{t: t, clock: graphsim.NewManualClock(testStart), reg: prometheus.NewRegistry()}
	// Meta's quirks on: Instagram's metric wordings, both product-type
	// wordings, summaries needing pages_read_user_content, Reel figures
	// on video_insights (issue 14).
	e.sim = graphsim.New(graphsim.Options{Clock: e.clock.Now, Seed: 7, Quirks: graphsim.MetaQuirks(), AppID: "app", AppSecret: "appsecret"})
	srv := httptest.NewServer(e.sim)
	t.Cleanup(srv.Close)
	e.url = srv.URL
	e.sql = storetest.SQLite(t)
	e.ch = storetest.ClickHouse(t)
	e.org = org.NewStore(e.sql, []byte(strings.Repeat("k", 32)))
	u, err := e.org.CreateUnit(context.Background(), org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-kota-salatiga", Level: "city"})
	if err != nil {
		t.Fatal(err)
	}
	e.unit = u
	return e
}

// addAccounts adds n Pages, each with a linked Instagram account when ig,
// seeded with days×perDay posts, and registers them as channels.
func (e *env) addAccounts(n int, ig bool, days, perDay int) {
	e.t.Helper()
	ctx := context.Background()
	base := len(e.chans)
	for i := base; i < base+n; i++ {
		page, tok := fmt.Sprintf("10%04d", i), fmt.Sprintf("page-token-%d", i)
		if err := e.sim.AddPage(page, fmt.Sprintf("Page %d", i), tok); err != nil {
			e.t.Fatal(err)
		}
		if err := e.sim.SeedHistory(page, days, perDay); err != nil {
			e.t.Fatal(err)
		}
		c, err := e.org.CreateChannel(ctx, org.ChannelInput{UnitID: e.unit.ID, Platform: org.Facebook, ExternalID: page,
			Name: "Page " + page, AccessToken: tok})
		if err != nil {
			e.t.Fatal(err)
		}
		e.chans = append(e.chans, c)
		if !ig {
			continue
		}
		igID := fmt.Sprintf("178%04d", i)
		if err := e.sim.AddIGAccount(igID, fmt.Sprintf("akun%d", i), page); err != nil {
			e.t.Fatal(err)
		}
		if err := e.sim.SeedHistory(igID, days, perDay); err != nil {
			e.t.Fatal(err)
		}
		c, err = e.org.CreateChannel(ctx, org.ChannelInput{UnitID: e.unit.ID, Platform: org.Instagram, ExternalID: igID,
			Name: "IG " + igID, AccessToken: tok})
		if err != nil {
			e.t.Fatal(err)
		}
		e.chans = append(e.chans, c)
	}
}

// visible is how many posts and media of a channel the collector can see
// now: everything but expired stories.
func (e *env) visible(c org.Channel) int {
	n := 0
	for _, it := range e.sim.Published(c.ExternalID) {
		if it.Scheduled || (it.Kind == "story" && e.clock.Now().Sub(it.Created) >= 24*time.Hour) {
			continue
		}
		n++
	}
	return n
}

func (e *env) visibleAll() int {
	n := 0
	for _, c := range e.chans {
		n += e.visible(c)
	}
	return n
}

type envOpt func(*Options)

func (e *env) collector(ch *store.ClickHouse, opts ...envOpt) *Collector {
	e.t.Helper()
	if ch == nil {
		ch = e.ch
	}
	cfg := config.Default().Collector
	cfg.BufferPath = e.t.TempDir()
	o := Options{
		Config: cfg, Graph: meta.Options{BaseURL: e.url, RetryBackoff: time.Millisecond, Now: e.clock.Now, AppID: "app", AppSecret: "appsecret"},
		Channels: e.org, ClickHouse: ch, SQLite: e.sql, Registerer: e.reg,
		Logger: slog.New(slog.DiscardHandler), Now: e.clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error { e.clock.Advance(d); return ctx.Err() },
	}
	for _, f := range opts {
		f(&o)
	}
	c, err := New(o)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) count(q string, args ...any) uint64 {
	e.t.Helper()
	var n uint64
	if err := e.ch.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return n
}
