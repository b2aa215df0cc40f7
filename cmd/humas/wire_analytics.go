package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/config"
)

// wireAnalytics builds the report service, mounts the engagement reports
// on /api/v1 (behind a valid token, any role) and the OpenAPI document on
// /api/openapi.json. The service is a component: Start rebuilds the
// report read model now, every 5 minutes, after each change in this
// process and when the change marker shows one from another process.
// Pass the service to wireWeb.
func wireAnalytics(_ context.Context, a *app) (*analytics.Service, []named, error) {
	ao := reportOptions(a.cfg, a.log)
	ao.Once = a.once
	svc, err := analytics.New(a.st.ch, ao)
	if err != nil {
		return nil, nil, fmt.Errorf("analytics: %w", err)
	}
	if a.authed == nil {
		return nil, nil, fmt.Errorf("analytics: the authenticated /api/v1 group is not built yet (call wireAnalytics after assemble sets a.authed)")
	}
	api.MountAnalytics(a.authed, svc, a.sched)
	api.MountOpenAPI(a.srv.Engine())
	return svc, []named{{"analytics", svc}}, nil
}

// reportOptions are the analytics service's options from the configuration.
func reportOptions(cfg config.Config, log *slog.Logger) analytics.Options {
	o := analytics.Options{Timezone: cfg.Timezone, Logger: log.With("component", "analytics"),
		MaxQueries: cfg.API.MaxConcurrentReports, CacheMaxBytes: cfg.API.ReportCacheBytes}
	if cfg.API.ReportCacheBytes == 0 {
		o.CacheTTL = -1 // no cache
	}
	return o
}
