package main

import (
	"context"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/config"
)

// assemble builds the scheduler, collector, sandbox and routes that serve
// runs, in start order.
func assemble(ctx context.Context, cfg config.Config, log *slog.Logger, reg *prometheus.Registry, st *stores, srv *api.Server) ([]named, error) {
	return nil, nil
}
