package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"

	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
)

// Channels is what the collector needs of the channel registry
// (*org.Store implements it).
type Channels interface {
	Channels(ctx context.Context) ([]org.Channel, error)
	ChannelToken(ctx context.Context, id int64) (string, error)
	SetPausedUntil(ctx context.Context, id int64, t time.Time) error
	SetLastCollected(ctx context.Context, id int64, t time.Time) error
}

// Options configure a Collector.
type Options struct {
	Config config.Collector
	// Graph configures the Graph API client the collector builds for
	// itself; it adds its own transport (slowing down on usage) and call
	// hook (metrics), keeping any OnResponse given here.
	Graph      meta.Options
	Channels   Channels
	ClickHouse *store.ClickHouse
	SQLite     *store.SQLite
	Registerer prometheus.Registerer
	Logger     *slog.Logger
	// Once gates the jobs that must run on one replica at a time (several
	// serve replicas over one PostgreSQL): nil runs them here. serve
	// passes the Elector's Held.
	Once func() bool
	// Location decides the calendar day follower counts are filed under
	// (default Asia/Jakarta): reports match them to a post's local
	// publish day.
	Location *time.Location

	// Now is the clock (default time.Now); Sleep waits (default a timer
	// that ends with ctx). Tests pass a simulated clock for both.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// FlushRows is how many rows are written to ClickHouse at once (default 100000, sent as two inserts at once:
	// fewer, larger inserts cost ClickHouse and its views less per row; see defaultFlushRows).
	FlushRows int
	// MaxThrottleWait is how long a run waits for a throttled channel to
	// regain access before leaving it to a later run (default 15 min).
	MaxThrottleWait time.Duration
	// SlowdownMaxDelay is the wait before each call of a channel at 100%
	// usage (default 5 s); below cfg.SlowdownPercent there is none.
	SlowdownMaxDelay time.Duration
	// ReplayEvery is how often the on-disk buffer is retried while it
	// holds anything (default 30 s).
	ReplayEvery time.Duration
	// Comments keeps the comments read on recent posts (the inbox); nil
	// reads none.
	Comments CommentSink
	// LeaseTTL is how long a run holds the state database's collection
	// lease after its last heartbeat (default 2 min; renewed every quarter
	// of it): one run at a time across processes, and a crashed process
	// blocks others no longer than this.
	LeaseTTL time.Duration
}

// Collector collects posts, snapshots and followers on a schedule and on
// request. It is a component: Start, Stop.
type Collector struct {
	once    func() bool // the once-only jobs' lease (nil: this process runs them)
	cfg     config.Collector
	loc     *time.Location
	changed atomic.Pointer[func(context.Context)]
	cad     cadence
	graph   *meta.Client
	chans   Channels
	sql     *store.SQLite
	ch      *store.ClickHouse
	w       *writer
	buf     *diskBuffer
	m       *metrics
	log     *slog.Logger
	pacer   *pacer
	retired *retiredSet
	runs    runStore
	// comments keeps the comments read (nil: none are read).
	comments CommentSink

	now             func() time.Time
	sleep           func(context.Context, time.Duration) error
	maxThrottleWait time.Duration
	replayEvery     time.Duration
	leaseTTL        time.Duration

	runMu   sync.Mutex // held for the whole of a run: one at a time
	current atomic.Pointer[run]
	extIDs  sync.Map // external id → channel id, for the usage gauge

	cron   *cron.Cron
	bg     context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	failed chan error // see Failed
}

// New builds a collector. It opens (creating) the on-disk buffer.
func New(o Options) (*Collector, error) {
	if o.Channels == nil || o.ClickHouse == nil || o.SQLite == nil || o.Registerer == nil {
		return nil, errors.New("collector: Channels, ClickHouse, SQLite and Registerer are required")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	if o.MaxThrottleWait <= 0 {
		o.MaxThrottleWait = 15 * time.Minute
	}
	if o.SlowdownMaxDelay <= 0 {
		o.SlowdownMaxDelay = 5 * time.Second
	}
	if o.ReplayEvery <= 0 {
		o.ReplayEvery = 30 * time.Second
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = 2 * time.Minute
	}
	cfg := o.Config
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 1
	}
	if cfg.CarouselAs == "" {
		cfg.CarouselAs = TypePhoto
	}
	cad, err := newCadence(cfg.Cadence)
	if err != nil {
		return nil, err
	}
	if cfg.BufferMaxBytes <= 0 {
		return nil, fmt.Errorf("collector.buffer_max_bytes must be positive (e.g. 268435456 for 256 MiB)")
	}
	buf, err := openBuffer(cfg.BufferPath, cfg.BufferMaxBytes)
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(o.Registerer)
	if err != nil {
		return nil, err
	}
	if o.Location == nil {
		o.Location = defaultLocation()
	}
	c := &Collector{
		loc:  o.Location,
		once: o.Once, cfg: cfg, cad: cad, chans: o.Channels, sql: o.SQLite, ch: o.ClickHouse, buf: buf, m: m, log: o.Logger,
		retired: newRetiredSet(), runs: runStore{db: o.SQLite}, now: o.Now, sleep: o.Sleep,
		maxThrottleWait: o.MaxThrottleWait, replayEvery: o.ReplayEvery, leaseTTL: o.LeaseTTL,
		failed: make(chan error, 1), comments: o.Comments,
	}
	c.pacer = newPacer(cfg.SlowdownPercent, o.SlowdownMaxDelay, o.Sleep)
	c.pacer.onUsage = c.observeUsage
	c.w = newWriter(o.ClickHouse, buf, m, o.Logger, o.FlushRows)

	g := o.Graph
	hc := g.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	wrapped := *hc
	wrapped.Transport = c.pacer.transport(hc.Transport)
	g.HTTPClient = &wrapped
	prev := g.OnResponse
	g.OnResponse = func(ci meta.CallInfo) {
		c.observeCall(ci)
		if prev != nil {
			prev(ci)
		}
	}
	if g.Logger == nil {
		g.Logger = o.Logger
	}
	c.graph, err = meta.New(g)
	if err != nil {
		return nil, fmt.Errorf("collector: %w", err)
	}
	if _, segs := buf.Size(); segs > 0 {
		c.log.Info("collector buffer holds snapshots from an earlier outage; they are written once ClickHouse answers",
			"path", cfg.BufferPath, "segments", segs)
	}
	return c, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// observeCall counts a Graph call for metrics and the current run.
func (c *Collector) observeCall(ci meta.CallInfo) {
	outcome := "ok"
	if ci.Class != meta.ClassNone {
		outcome = ci.Class.String()
	}
	n := max(ci.Calls, 1)
	c.m.graphCalls.WithLabelValues(ci.Endpoint, outcome).Add(float64(n))
	if r := c.current.Load(); r != nil {
		r.calls.Add(int64(n))
	}
}

func (c *Collector) observeUsage(objectID string, pct int) {
	if id, ok := c.extIDs.Load(objectID); ok {
		c.m.usage.WithLabelValues(strconv.FormatInt(id.(int64), 10)).Set(float64(pct))
	}
}

// Start runs collections on cfg.Schedule (when cfg.Enabled) and retries
// the buffer while it holds anything. Runs started on request (StartRun)
// belong to the component too: Stop ends and waits for them.
func (c *Collector) Start(ctx context.Context) error {
	c.bg, c.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if c.cfg.Enabled {
		c.cron = cron.New(cron.WithParser(config.CronParser), cron.WithLocation(time.UTC))
		if _, err := c.cron.AddFunc(c.cfg.Schedule, c.scheduled); err != nil {
			return fmt.Errorf("collector.schedule %q: %w", c.cfg.Schedule, err)
		}
		c.cron.Start()
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.replayLoop(c.bg)
	}()
	return nil
}

// Stop stops the schedule, ends a run in progress and writes (or buffers)
// what is pending.
func (c *Collector) Stop(ctx context.Context) error {
	if c.cron != nil {
		select {
		case <-c.cron.Stop().Done():
		case <-ctx.Done():
		}
	}
	if c.cancel != nil {
		c.cancel()
	}
	done := make(chan struct{})
	go func() { c.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("collector stop: %w", ctx.Err())
	}
	return c.Flush(ctx)
}

func (c *Collector) scheduled() {
	if c.once != nil && !c.once() {
		c.log.Debug("scheduled collection left to the replica holding the lease")
		return
	}
	c.wg.Add(1)
	defer c.wg.Done()
	st, err := c.Run(c.bg, RunOptions{Trigger: TriggerSchedule})
	if err != nil {
		var busy *RunInProgressError
		if errors.As(err, &busy) {
			c.log.Info("scheduled collection skipped: the previous run is still going", "run_id", busy.ID)
			return
		}
		c.log.Error("scheduled collection failed", "err", err)
		return
	}
	c.log.Info("scheduled collection finished", "run_id", st.ID, "status", st.Status, "posts", st.Posts,
		"graph_calls", st.GraphCalls, "failed", st.ChannelsFailed, "paused", st.ChannelsPaused)
}

func (c *Collector) replayLoop(ctx context.Context) {
	t := time.NewTicker(c.replayEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		c.buf.rescan() // another process sharing the folder may have buffered
		if _, segs := c.buf.Size(); segs == 0 {
			continue
		}
		n, err := c.w.Replay(ctx)
		if n > 0 {
			c.log.Info("collector buffer replayed to clickhouse", "rows", n)
			c.notifyChange(ctx, "replay", int64(n))
		}
		if err != nil && !errors.Is(err, store.ErrUnavailable) {
			c.log.Error("collector buffer replay failed", "err", err)
		}
	}
}

// Flush writes pending rows and replays the buffer (as far as ClickHouse
// answers), and records the change when it wrote any.
func (c *Collector) Flush(ctx context.Context) error {
	before := c.w.written.Load()
	err := c.w.Flush(ctx)
	if n := c.w.written.Load() - before; n > 0 {
		c.notifyChange(ctx, "replay", n)
	}
	return err
}

// BufferSize is the on-disk buffer's size in bytes and segments.
func (c *Collector) BufferSize() (bytes int64, segments int) { return c.buf.Size() }

// RetiredMetrics lists the Graph metrics Meta rejected as retired (for
// /readyz).
func (c *Collector) RetiredMetrics() []RetiredMetric { return c.retired.list() }

// Graph is the collector's Graph API client.
func (c *Collector) Graph() *meta.Client { return c.graph }

// ReadyDetail is what /readyz shows about the collector.
func (c *Collector) ReadyDetail() any {
	bytes, segs := c.buf.Size()
	damaged, damagedPath := c.buf.Damaged()
	return map[string]any{
		"retired_metrics":         c.retired.list(),
		"buffer_bytes":            bytes,
		"buffer_segments":         segs,
		"buffer_damaged_segments": damaged,
		"buffer_damaged_path":     damagedPath,
	}
}

func defaultLocation() *time.Location {
	if loc, err := time.LoadLocation("Asia/Jakarta"); err == nil {
		return loc
	}
	return time.FixedZone("WIB", 7*3600)
}

// OnChange sets a function called after a write that changes what
// reports show (a run or a buffer replay wrote rows, a content type was
// corrected), after the change was recorded in ClickHouse's change
// marker (which every server's reports poll). It runs in the writer's
// goroutine and must not block: serve passes the analytics service's
// Changed, which starts a rebuild in this process at once.
func (c *Collector) OnChange(fn func(ctx context.Context)) { c.changed.Store(&fn) }

// notifyChange records a change of rows reports read (source: collect,
// replay, correction) and calls the OnChange function.
func (c *Collector) notifyChange(ctx context.Context, source string, rows int64) {
	if err := c.ch.MarkChanged(ctx, source, rows); err != nil {
		c.log.WarnContext(ctx, "record a data change for the reports; they show it after their next periodic rebuild",
			"source", source, "err", err)
	}
	if fn := c.changed.Load(); fn != nil {
		(*fn)(ctx)
	}
}
