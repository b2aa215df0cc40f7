// Command humas-load measures the report API under concurrent requests.
//
// It has two halves, meant to run as two processes:
//
//	humas-load serve --database humas_bench --listen 127.0.0.1:8099 --token T
//	    the report API (/api/v1 engagement routes) over a seeded database
//	    (humas seed --database humas_bench), with a fixed token;
//	humas-load run --url http://127.0.0.1:8099 --token T --concurrency 200 --requests 10000
//	    sends a mix of report requests from 200 goroutines and prints the
//	    error count and latency percentiles.
//
// `run` works against any humas server (humas serve) given a real token.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: humas-load serve|run [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(ctx, os.Args[2:])
	case "run":
		err = run(ctx, os.Args[2:], os.Stdout)
	default:
		err = fmt.Errorf("unknown command %q: use serve or run", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "humas-load:", err)
		os.Exit(1)
	}
}

type tokenAuth string

func (t tokenAuth) Authenticate(_ context.Context, token string) (auth.Principal, error) {
	if token != string(t) {
		return auth.Principal{}, auth.ErrInvalidToken
	}
	return auth.Principal{UserID: 1, Name: "load", Role: auth.RoleViewer}, nil
}

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	database := fs.String("database", "humas_bench", "ClickHouse database (seeded with humas seed)")
	listen := fs.String("listen", "127.0.0.1:8099", "address")
	token := fs.String("token", "", "bearer token clients must send (required)")
	cacheTTL := fs.Duration("cache", time.Minute, "report cache TTL (negative: off)")
	maxQueries := fs.Int("max-queries", 4, "report queries on ClickHouse at once")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *token == "" {
		return errors.New("--token is required")
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := config.Default()
	cfg.ClickHouse.Database = *database
	ch, err := store.OpenClickHouse(ctx, cfg.ClickHouse, log)
	if err != nil {
		return err
	}
	defer ch.Close()
	if _, err := ch.Migrate(ctx); err != nil {
		return err
	}
	svc, err := analytics.New(ch, analytics.Options{Logger: log, CacheTTL: *cacheTTL, MaxQueries: *maxQueries})
	if err != nil {
		return err
	}
	srv, err := api.New(api.Options{Listen: *listen, Logger: log, Registry: prometheus.NewRegistry()})
	if err != nil {
		return err
	}
	api.MountAnalytics(srv.V1().Group("", api.RequireAuth(tokenAuth(*token))), svc, api.Unscoped{})
	if err := svc.Refresh(ctx); err != nil {
		return err
	}
	if err := svc.Start(ctx); err != nil {
		return err
	}
	if err := srv.Start(ctx); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "serving reports on", srv.Addr())
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(srv.Stop(sctx), svc.Stop(sctx))
}

// mix is the report requests run cycles through.
var mix = []string{
	"/api/v1/engagement?from=2025-01-01&to=2025-12-31&group_by=content_type,week",
	"/api/v1/engagement?from=2025-01-01&to=2025-12-31&group_by=content_type",
	"/api/v1/engagement?from=2025-01-01&to=2025-12-31&group_by=platform,month",
	"/api/v1/engagement?from=2025-10-01&to=2025-10-31&group_by=unit",
	"/api/v1/engagement?from=2025-10-01&to=2025-12-31&group_by=channel&unit=2",
	"/api/v1/engagement?from=2025-07-01&to=2025-12-31&group_by=campaign,content_type&platform=instagram",
	"/api/v1/engagement?from=2025-11-01&to=2025-11-30&group_by=content_type&method=views",
	"/api/v1/engagement/posts?from=2025-11-01&to=2025-11-30&limit=20",
	"/api/v1/engagement/posts?from=2025-11-01&to=2025-11-30&sort=reach&order=asc&limit=20",
	"/api/v1/engagement/best-times?from=2025-10-09&to=2025-12-31",
	"/api/v1/engagement/best-times?from=2025-10-09&to=2025-12-31&content_type=video",
	"/api/v1/engagement/hashtags?from=2025-10-01&to=2025-12-31",
	"/api/v1/engagement/campaigns?from=2025-01-01&to=2025-12-31",
	"/api/v1/followers?from=2025-12-01&to=2025-12-31&unit=2",
	"/api/v1/engagement?from=2025-01-01&to=2025-12-31&group_by=content_type,week&format=csv&lang=id",
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:8099", "server base URL")
	token := fs.String("token", "", "API token")
	conc := fs.Int("concurrency", 200, "requests in flight")
	total := fs.Int("requests", 10_000, "requests in all")
	if err := fs.Parse(args); err != nil {
		return err
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc}}
	var next, errs atomic.Int64
	lat := make([][]time.Duration, *conc)
	var firstErr atomic.Value
	start := time.Now()
	var wg sync.WaitGroup
	for w := range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(*total) {
					return
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, *base+mix[int(i)%len(mix)], nil)
				req.Header.Set("Authorization", "Bearer "+*token)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("%s: status %d", req.URL.Path, resp.StatusCode)
					}
				}
				lat[w] = append(lat[w], time.Since(t0))
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(p*float64(len(all))))]
	}
	fmt.Fprintf(out, "requests %d, concurrency %d, errors %d, took %s (%.0f req/s)\n", len(all), *conc, errs.Load(),
		took.Round(time.Millisecond), float64(len(all))/took.Seconds())
	fmt.Fprintf(out, "latency p50 %s, p90 %s, p99 %s, max %s\n", pct(.5).Round(time.Millisecond), pct(.9).Round(time.Millisecond),
		pct(.99).Round(time.Millisecond), pct(1).Round(time.Millisecond))
	if e := firstErr.Load(); e != nil {
		fmt.Fprintln(out, "first error:", e)
		return errors.New("there were errors")
	}
	return nil
}
