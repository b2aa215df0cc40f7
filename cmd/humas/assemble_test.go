package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/store/storetest"
)

// TestOpenAPIMatchesServedRoutes assembles the whole server the way serve
// does (sandbox mode: every component, every route) and compares its
// routes with the OpenAPI document: a route added without documentation,
// or documented but not served, fails here.
func TestOpenAPIMatchesServedRoutes(t *testing.T) {
	ch := storetest.ClickHouse(t)
	sq := storetest.SQLite(t)
	cfg := config.Default()
	cfg.Sandbox = true
	cfg.State.Path = filepath.Join(t.TempDir(), "humas.db")
	cfg.Collector.BufferPath = filepath.Join(t.TempDir(), "buffer")
	log := slog.New(slog.DiscardHandler)
	reg := prometheus.NewRegistry()
	st := &stores{ch: ch, sql: sq}
	srv, err := api.New(api.Options{Listen: "127.0.0.1:0", Logger: log, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	parts, err := assemble(ctx, cfg, log, reg, st, srv)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		if p.name == "sandbox" {
			defer p.c.Stop(context.Background())
		}
	}
	routes := srv.Engine().Routes()
	if len(routes) < 30 {
		t.Fatalf("only %d routes assembled; is something not mounted?", len(routes))
	}
	undocumented, unserved := api.CompareRoutes(api.OpenAPIDocument(), routes, api.APIRoutePrefixes...)
	if len(undocumented) > 0 {
		t.Errorf("served but missing from /api/openapi.json:\n  %s", strings.Join(undocumented, "\n  "))
	}
	if len(unserved) > 0 {
		t.Errorf("documented in /api/openapi.json but not served:\n  %s", strings.Join(unserved, "\n  "))
	}
}
