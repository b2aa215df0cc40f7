// Command humas-load measures the report API under concurrent requests.
//
// It has two halves, meant to run as two processes:
//
//	humas-load serve --database humas_bench --listen 127.0.0.1:8099 --token T
//	    the report API (/api/v1 engagement routes) over a seeded database
//	    (humas seed --database humas_bench), with a fixed token;
//	humas-load run --url http://127.0.0.1:8099 --token T --concurrency 200 --requests 10000
//	    sends 10,000 distinct report requests, drawn at random (fixed seed)
//	    from the routes, periods, filters, group-bys, methods and ages the
//	    API accepts, from 200 goroutines, and prints errors and latency
//	    percentiles (p50, p90, p99, max) in all and per route (--fixed:
//	    the old 15-URL cycle; --route: one route's requests only);
//
// With serve --log-queries, ClickHouse records every report read; the
// humas-ceiling command replays a run's reads (run prints its window).
//
// `run` works against any humas server (humas serve) given a real token.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/analytics/seed"
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
	refresh := fs.Bool("refresh", true, "rebuild the read model before serving (false: serve the newest generation)")
	cells := fs.Bool("cells", true, "grouped reports read the read model's cells (false: its posts)")
	pprofAddr := fs.String("pprof", "", "serve net/http/pprof on this address (empty: off)")
	logQueries := fs.Bool("log-queries", false, "have ClickHouse record every report read in system.query_log (for humas-ceiling)")
	memLimit := fs.Int64("memory-limit", config.DefaultMemoryLimit, "soft memory limit in bytes, as humas serve's memory_limit_bytes (0: none; GOMEMLIMIT wins)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *token == "" {
		return errors.New("--token is required")
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := config.Default()
	cfg.ClickHouse.Database = *database
	cfg.MemoryLimitBytes = *memLimit
	limit, from := cfg.ApplyMemoryLimit()
	fmt.Fprintf(os.Stderr, "memory limit %d bytes (%s)\n", limit, from)
	defer printGCStats(os.Stderr)
	ch, err := store.OpenClickHouse(ctx, cfg.ClickHouse, log)
	if err != nil {
		return err
	}
	defer ch.Close()
	if _, err := ch.Migrate(ctx); err != nil {
		return err
	}
	svc, err := analytics.New(ch, analytics.Options{Logger: log, CacheTTL: *cacheTTL, MaxQueries: *maxQueries,
		NoCells: !*cells, RefreshEvery: -1, ChangePoll: -1})
	if err != nil {
		return err
	}
	srv, err := api.New(api.Options{Listen: *listen, Logger: log, Registry: prometheus.NewRegistry()})
	if err != nil {
		return err
	}
	handlers := []gin.HandlerFunc{api.RequireAuth(tokenAuth(*token))}
	if *logQueries {
		// Recording costs the server a little: a run measured with it is
		// for humas-ceiling, not for its own figures.
		handlers = append(handlers, func(c *gin.Context) {
			c.Request = c.Request.WithContext(store.LogQueries(c.Request.Context()))
			c.Next()
		})
	}
	api.MountAnalytics(srv.V1().Group("", handlers...), svc, api.Unscoped{})
	if *refresh {
		if err := svc.Refresh(ctx); err != nil {
			return err
		}
	}
	if err := svc.Start(ctx); err != nil {
		return err
	}
	if err := srv.Start(ctx); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "serving reports on", srv.Addr())
	if *pprofAddr != "" {
		go func() {
			// The default mux carries net/http/pprof's handlers.
			if err := http.ListenAndServe(*pprofAddr, nil); err != nil {
				log.Warn("pprof server", "err", err)
			}
		}()
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(srv.Stop(sctx), svc.Stop(sctx))
}

// printGCStats prints the CPU time the process used (getrusage), the part
// the runtime counts as garbage collection, and how many collections ran:
// what a memory limit costs.
func printGCStats(w io.Writer) {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	gc := s[0].Value.Float64()
	fmt.Fprintf(w, "process cpu %.2f s, of which gc %.2f s (%.1f%%); %d collections\n", cpu, gc, 100*gc/max(cpu, 1e-9), s[1].Value.Uint64())
}

// fixedMix is the report requests run cycles through with --fixed (the
// old benchmark: 15 URLs, which the answer cache and the sharing of equal
// concurrent requests favour).
var fixedMix = []string{
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

// result is one request's outcome.
type result struct {
	route string
	took  time.Duration
	err   bool
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:8099", "server base URL")
	token := fs.String("token", "", "API token")
	conc := fs.Int("concurrency", 200, "requests in flight")
	total := fs.Int("requests", 10_000, "requests in all")
	fixed := fs.Bool("fixed", false, "cycle through the 15 fixed URLs instead of distinct random requests")
	seedN := fs.Uint64("seed", 1, "random seed of the distinct requests (the same seed draws the same requests)")
	units := fs.Int("units", seed.Units, "unit ids 1..N exist (humas seed's); unit u has channels 10u and 10u+1")
	first := fs.String("first", "2025-01-01", "first publish date of the data set")
	last := fs.String("last", "2025-12-31", "last publish date of the data set")
	show := fs.Int("show", 0, "print the N slowest requests")
	year := fs.Bool("whole", false, "every request covers the whole data set (--first to --last)")
	route := fs.String("route", "", "draw only this report route (e.g. /api/v1/engagement/posts); empty: every route, weighted")
	pid := fs.Int("pid", 0, "the server's process id: print its resident memory before the run and the most during it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *fixed && *route != "" {
		return errors.New("--route draws random requests of one route; --fixed cycles the 15 fixed URLs: give one of them")
	}
	urls := fixedMix
	if !*fixed {
		f, err := time.Parse(analytics.DateLayout, *first)
		if err != nil {
			return fmt.Errorf("--first: %w", err)
		}
		l, err := time.Parse(analytics.DateLayout, *last)
		if err != nil || l.Before(f) {
			return fmt.Errorf("--last %q: a date not before --first", *last)
		}
		sp := space{first: f, last: l, units: *units, whole: *year, route: *route}
		if err := sp.checkRoute(); err != nil {
			return err
		}
		if urls, err = sp.distinct(rand.New(rand.NewPCG(*seedN, 20)), *total); err != nil {
			return err
		}
	}
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc}}
	var rssBefore, rssMax int64
	stopRSS := func() {}
	if *pid > 0 {
		var err error
		if rssBefore, err = rss(*pid); err != nil {
			return err
		}
		rssMax = rssBefore
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			t := time.NewTicker(50 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					if n, err := rss(*pid); err == nil {
						rssMax = max(rssMax, n)
					}
				}
			}
		}()
		stopRSS = func() { close(stop); <-sampled }
	}
	var next atomic.Int64
	res := make([]result, *total)
	var firstErr atomic.Value
	start := time.Now()
	// The window, whole seconds in UTC as system.query_log keeps them, for
	// humas-ceiling --from/--to.
	windowFrom := start.UTC().Truncate(time.Second)
	var wg sync.WaitGroup
	for range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(*total) {
					return
				}
				u := urls[int(i)%len(urls)]
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, *base+u, nil)
				req.Header.Set("Authorization", "Bearer "+*token)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					if resp.StatusCode == http.StatusOK {
						// Read and dropped: io.ReadAll's growing buffer cost
						// this client 10-90 ms for a 5 MB answer.
						_, err = io.Copy(io.Discard, resp.Body)
					} else {
						body, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
						err = fmt.Errorf("%s: status %d: %s", u, resp.StatusCode, body)
					}
					resp.Body.Close()
				}
				res[i] = result{route: req.URL.Path, took: time.Since(t0), err: err != nil}
				if err != nil {
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	stopRSS()
	done := res[:min(int(next.Load()), len(res))]
	mode := "distinct random requests"
	if *fixed {
		mode = fmt.Sprintf("%d fixed URLs", len(fixedMix))
	}
	fmt.Fprintf(out, "%s: requests %d, concurrency %d, took %s (%.0f req/s)\n", mode, len(done), *conc,
		took.Round(time.Millisecond), float64(len(done))/took.Seconds())
	fmt.Fprintf(out, "window: --from '%s' --to '%s' (UTC)\n", windowFrom.Format(time.DateTime),
		time.Now().UTC().Truncate(time.Second).Add(time.Second).Format(time.DateTime))
	if *pid > 0 {
		fmt.Fprintf(out, "server RSS: %.1f MB before, %.1f MB at most during the run\n", float64(rssBefore)/1e6, float64(rssMax)/1e6)
	}
	byRoute := map[string][]result{"all": done}
	for _, r := range done {
		byRoute[r.route] = append(byRoute[r.route], r)
	}
	names := slices.Sorted(maps.Keys(byRoute))
	for _, name := range names {
		fmt.Fprintln(out, summary(name, byRoute[name]))
	}
	if *show > 0 {
		idx := make([]int, len(done))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(done[b].took, done[a].took) })
		for _, i := range idx[:min(*show, len(idx))] {
			fmt.Fprintf(out, "  %8s %s\n", done[i].took.Round(time.Millisecond), urls[i%len(urls)])
		}
	}
	if e := firstErr.Load(); e != nil {
		fmt.Fprintln(out, "first error:", e)
		return errors.New("there were errors")
	}
	return nil
}

// summary is one line: count, errors and latency percentiles.
func summary(name string, rs []result) string {
	lat := make([]time.Duration, len(rs))
	errs := 0
	for i, r := range rs {
		lat[i] = r.took
		if r.err {
			errs++
		}
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))].Round(100 * time.Microsecond)
	}
	return fmt.Sprintf("  %-32s n %6d  errors %4d  p50 %9s  p90 %9s  p99 %9s  max %9s", name, len(rs), errs,
		pct(.5), pct(.9), pct(.99), pct(1))
}

// rss is a process's resident set size in bytes (Linux: /proc/PID/status).
func rss(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("server memory: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			if _, err := fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb); err != nil {
				return 0, fmt.Errorf("server memory: %q: %w", line, err)
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("server memory: no VmRSS in /proc/%d/status", pid)
}
