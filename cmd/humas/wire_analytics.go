package main

import (
	"context"
	"fmt"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/api"
)

// wireAnalytics builds the report service, mounts the engagement reports
// on /api/v1 (behind a valid token, any role) and the OpenAPI document on
// /api/openapi.json. The service is a component: Start rebuilds the
// report read model now and every 5 minutes. Pass the service to wireWeb.
func wireAnalytics(_ context.Context, a *app) (*analytics.Service, []named, error) {
	svc, err := analytics.New(a.st.ch, analytics.Options{Timezone: a.cfg.Timezone, Logger: a.log.With("component", "analytics")})
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
