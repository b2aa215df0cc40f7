package main

import (
	"context"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/config"
)

// app is what every wire_<area>.go function receives: configuration and
// the shared parts built once.
type app struct {
	cfg config.Config
	log *slog.Logger
	reg *prometheus.Registry
	st  *stores
	srv *api.Server
}

// assemble builds the scheduler, collector, sandbox and routes that serve
// runs, in start order.
func assemble(ctx context.Context, cfg config.Config, log *slog.Logger, reg *prometheus.Registry, st *stores, srv *api.Server) ([]named, error) {
	_ = &app{cfg: cfg, log: log, reg: reg, st: st, srv: srv}
	return nil, nil
}
