package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/config"
)

// recorder is a component that notes whether it was stopped.
type recorder struct{ started, stopped atomic.Bool }

func (r *recorder) Start(context.Context) error { r.started.Store(true); return nil }
func (r *recorder) Stop(context.Context) error  { r.stopped.Store(true); return nil }

// breaking is a component that fails after start when told to.
type breaking struct {
	recorder
	failed chan error
}

func (b *breaking) Failed() <-chan error { return b.failed }

// runAsync runs the group in the background; the channel gets its result.
func runAsync(ctx context.Context, parts ...named) <-chan error {
	cfg := config.Default()
	cfg.ShutdownTimeout = config.Duration(5 * time.Second)
	out := make(chan error, 1)
	go func() { out <- runComponents(ctx, cfg, slog.New(slog.DiscardHandler), parts) }()
	return out
}

func waitResult(t *testing.T, res <-chan error, within time.Duration) error {
	t.Helper()
	select {
	case err := <-res:
		return err
	case <-time.After(within):
		t.Fatalf("runComponents still running %s after a component failed", within)
		return nil
	}
}

// A component failing after start stops the whole group, every started
// part is stopped, and the failure is returned (a non-zero exit).
func TestRunGroupStopsWhenAComponentFails(t *testing.T) {
	first, second := &recorder{}, &breaking{failed: make(chan error, 1)}
	res := runAsync(context.Background(), named{"first", first}, named{"breaking", second})
	deadline := time.Now().Add(10 * time.Second)
	for !second.started.Load() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	second.failed <- errors.New("lost its footing")
	err := waitResult(t, res, 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), "breaking failed: lost its footing") {
		t.Fatalf("runComponents = %v, want the component's failure", err)
	}
	if !first.stopped.Load() || !second.stopped.Load() {
		t.Fatalf("stopped: first %v, breaking %v; want both", first.stopped.Load(), second.stopped.Load())
	}
}

// The HTTP server's listener failing after start (before, only logged while
// the process went on without its API) stops the process with an error.
func TestHTTPListenerFailureStopsTheProcess(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := api.New(api.Options{Listener: ln, Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	other := &recorder{}
	res := runAsync(context.Background(), named{"other", other}, named{"http", srv})
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not answering: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	ln.Close() // the listener fails under the running server
	err = waitResult(t, res, 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), "http failed") {
		t.Fatalf("runComponents = %v, want the HTTP server's failure", err)
	}
	if !other.stopped.Load() {
		t.Fatal("the other component was not stopped")
	}
}

// Stopping on ctx still returns nil and leaves no goroutine of the group.
func TestRunGroupStopsOnContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	b := &breaking{failed: make(chan error, 1)}
	res := runAsync(ctx, named{"breaking", b})
	deadline := time.Now().Add(10 * time.Second)
	for !b.started.Load() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := waitResult(t, res, 10*time.Second); err != nil {
		t.Fatalf("runComponents after ctx ended = %v, want nil", err)
	}
	if !b.stopped.Load() {
		t.Fatal("not stopped")
	}
}

// api.max_concurrent_reports and api.report_cache_bytes reach the report
// service (before, nothing read max_concurrent_reports).
func TestReportOptionsFromConfig(t *testing.T) {
	cfg := config.Default()
	cfg.API.MaxConcurrentReports, cfg.API.ReportCacheBytes = 3, 1<<20
	o := reportOptions(cfg, slog.New(slog.DiscardHandler))
	if o.MaxQueries != 3 || o.CacheMaxBytes != 1<<20 || o.CacheTTL < 0 {
		t.Fatalf("options %+v, want MaxQueries 3, CacheMaxBytes 1 MiB, cache on", o)
	}
	cfg.API.ReportCacheBytes = 0
	if o := reportOptions(cfg, slog.New(slog.DiscardHandler)); o.CacheTTL >= 0 {
		t.Fatalf("report_cache_bytes 0: CacheTTL %v, want the cache off", o.CacheTTL)
	}
}
