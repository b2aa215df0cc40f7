package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
)

// skipClock is wall time shifted by an offset that only grows: it runs
// in real time while there is work, and Jump moves it forward over idle
// stretches, so a simulated day costs only its busy seconds while every
// lag it measures is real.
type skipClock struct {
	mu     sync.Mutex
	base   time.Time // simulated time at realStart
	real0  time.Time
	offset time.Duration
}

func newSkipClock(at time.Time) *skipClock { return &skipClock{base: at, real0: time.Now()} }

func (c *skipClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.Add(time.Since(c.real0) + c.offset)
}

// Jump moves the clock forward to t (never back).
func (c *skipClock) Jump(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := c.base.Add(time.Since(c.real0) + c.offset); t.After(now) {
		c.offset += t.Sub(now)
	}
}

// Advance moves the clock forward by d (the collector's waits).
func (c *skipClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// world is the simulator, the stores and the organisation.
type world struct {
	cfg      benchConfig
	log      *slog.Logger // components: warnings only
	progress *slog.Logger // the benchmark's own progress lines
	clock    *skipClock
	sim      *graphsim.Sim
	url      string
	closeSim func()
	sql      *store.SQLite
	ch       *store.ClickHouse
	chCfg    config.ClickHouse
	orgs     *org.Store
	national org.Unit
	admin    auth.Principal
	channels []org.Channel
	posts    int // posts seeded in the simulator
}

var orgKey = bytes.Repeat([]byte{18}, 32)

func newWorld(ctx context.Context, cfg benchConfig, log, progress *slog.Logger) (*world, error) {
	w := &world{cfg: cfg, log: log, progress: progress, clock: newSkipClock(start)}
	w.sim = graphsim.New(graphsim.Options{Clock: w.clock.Now, Seed: int64(cfg.Seed), AppID: "app", AppSecret: "appsecret",
		DailyPublishQuota: 1 << 30, UsagePerCall: 1e-6, IGReadyDelay: time.Millisecond})
	srv := httptest.NewServer(w.sim)
	w.url, w.closeSim = srv.URL, srv.Close

	statePath := cfg.StatePath
	if statePath == "" {
		dir, err := os.MkdirTemp("", "humas-national-")
		if err != nil {
			return nil, err
		}
		statePath = filepath.Join(dir, "state.db")
	}
	var err error
	if w.sql, err = store.OpenSQLite(ctx, statePath, log); err != nil {
		return nil, err
	}
	if _, err := w.sql.Migrate(ctx); err != nil {
		return nil, err
	}
	w.chCfg = config.Default().ClickHouse
	w.chCfg.Addr = cfg.Addr
	w.chCfg.Cluster = cfg.Cluster
	w.chCfg.Database = cfg.Database
	if w.ch, err = store.OpenClickHouse(ctx, w.chCfg, log); err != nil {
		return nil, err
	}
	if err := w.ch.DropDatabase(ctx); err != nil {
		return nil, err
	}
	w.ch.Close()
	if w.ch, err = store.OpenClickHouse(ctx, w.chCfg, log); err != nil {
		return nil, err
	}
	if _, err := w.ch.Migrate(ctx); err != nil {
		return nil, err
	}
	w.orgs = org.NewStore(w.sql, orgKey)
	return w, nil
}

func (w *world) Close() {
	w.closeSim()
	w.ch.Close()
	w.sql.Close()
}

// build adds the units, their channels and the simulator's history.
func (w *world) build(ctx context.Context) error {
	cfg := w.cfg
	rng := rand.New(rand.NewPCG(cfg.Seed, 550))
	nat, err := w.orgs.CreateUnit(ctx, org.Unit{Name: "KPU RI", Slug: "kpu-ri", Level: "national"})
	if err != nil {
		return err
	}
	w.national = nat
	units := []org.Unit{nat}
	var provinces []org.Unit
	for i := range cfg.Provinces {
		u, err := w.orgs.CreateUnit(ctx, org.Unit{Name: fmt.Sprintf("KPU Provinsi %03d", i+1), Slug: fmt.Sprintf("kpu-prov-%03d", i+1),
			Level: "province", ParentID: nat.ID})
		if err != nil {
			return err
		}
		provinces = append(provinces, u)
		units = append(units, u)
	}
	for i := range cfg.Units - 1 - cfg.Provinces {
		u, err := w.orgs.CreateUnit(ctx, org.Unit{Name: fmt.Sprintf("KPU Kota %03d", i+1), Slug: fmt.Sprintf("kpu-kota-%03d", i+1),
			Level: "city", ParentID: provinces[i%len(provinces)].ID})
		if err != nil {
			return err
		}
		units = append(units, u)
	}
	seedStart := time.Now()
	for i, u := range units {
		page, igID, tok := fmt.Sprintf("10%05d", i), fmt.Sprintf("178%05d", i), fmt.Sprintf("page-token-%d", i)
		if err := w.sim.AddPage(page, u.Name, tok); err != nil {
			return err
		}
		if err := w.sim.AddIGAccount(igID, fmt.Sprintf("kpu%05d", i), page); err != nil {
			return err
		}
		for _, acct := range []string{page, igID} {
			per := cfg.MinPerDay + rng.IntN(cfg.MaxPerDay-cfg.MinPerDay+1)
			if err := w.sim.SeedHistory(acct, cfg.Days, per); err != nil {
				return err
			}
			w.posts += per * cfg.Days
		}
		for _, in := range []org.ChannelInput{
			{UnitID: u.ID, Platform: org.Facebook, ExternalID: page, Name: "Page " + u.Name, AccessToken: tok},
			{UnitID: u.ID, Platform: org.Instagram, ExternalID: igID, Name: "IG " + u.Name, AccessToken: tok},
		} {
			c, err := w.orgs.CreateChannel(ctx, in)
			if err != nil {
				return err
			}
			w.channels = append(w.channels, c)
		}
		if (i+1)%50 == 0 {
			w.progress.Info("seeding", "units", i+1, "posts", w.posts)
		}
	}
	w.progress.Info("simulator seeded", "units", len(units), "channels", len(w.channels), "posts", w.posts,
		"took", time.Since(seedStart).Round(time.Millisecond))
	as := auth.NewStore(w.sql)
	_, tok, err := as.CreateUser(ctx, "national-admin", nat.ID, auth.RoleAdmin)
	if err != nil {
		return err
	}
	if w.admin, err = as.Authenticate(ctx, tok); err != nil {
		return err
	}
	return w.orgs.MirrorToClickHouse(ctx, w.ch)
}
