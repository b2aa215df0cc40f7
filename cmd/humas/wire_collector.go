package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/collector"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/inbox"
	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/org"
)

// wireCollector builds the collector, mounts POST/GET /api/v1/collect and
// PATCH /api/v1/platform-posts on the authenticated group, and adds the
// collector's facts (retired metrics, buffer size) to /readyz. The
// schedule runs only when collector.enabled; on-demand runs always work,
// and the collector is a component either way (it owns those runs, and a
// run losing its lease stops the process).
func wireCollector(_ context.Context, a *app) (*collector.Collector, []named, error) {
	col, err := newCollector(a.cfg, a.log.With("component", "collector"), a.reg, a.st, a.orgs, a.gm, a.once, a.inbox)
	if err != nil {
		return nil, nil, err
	}
	api.MountCollector(a.authed, col, a.sched)
	a.srv.AddDetail("collector", col.ReadyDetail)
	return col, []named{{"collector", col}}, nil
}

func newCollector(cfg config.Config, log *slog.Logger, reg prometheus.Registerer, st *stores, orgs *org.Store, gm *graphMetrics,
	once func() bool, ib *inbox.Service) (*collector.Collector, error) {
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return nil, fmt.Errorf("timezone %s: %w", cfg.Timezone, err)
	}
	opts := meta.OptionsFromConfig(cfg.Graph, log)
	if gm != nil {
		opts.OnResponse = gm.observe
	}
	return collector.New(collector.Options{
		Config:     cfg.Collector,
		Graph:      opts,
		Channels:   orgs,
		ClickHouse: st.ch,
		SQLite:     st.sql,
		Registerer: reg,
		Logger:     log,
		Location:   loc,
		Once:       once,
		Comments:   ib,
	})
}
