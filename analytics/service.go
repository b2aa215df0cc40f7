package analytics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/humas-id/humas/store"
)

// Options configure a Service.
type Options struct {
	// Timezone is the report time zone when no unit is given, or the unit
	// has none (default Asia/Jakarta).
	Timezone string
	// CacheTTL keeps answers this long (collections run every 15 minutes);
	// 0 means the default of 60 s, a negative value turns the cache off.
	CacheTTL time.Duration
	// MaxQueries bounds report queries running on ClickHouse at once
	// (default 4); more requests wait for a turn instead of failing.
	MaxQueries int
	Logger     *slog.Logger
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
	// RefreshEvery is how often Start rebuilds the read model (default
	// 5 minutes; negative: never, call Refresh yourself).
	RefreshEvery time.Duration
}

// Service computes engagement reports from ClickHouse.
type Service struct {
	ch      *store.ClickHouse
	tz      string
	log     *slog.Logger
	now     func() time.Time
	ttl     time.Duration
	sem     chan struct{}
	group   singleflight.Group
	mu      sync.Mutex
	cache   map[string]cached
	maxKeep int
	gens    gens      // current read-model generations, under mu
	gensAt  time.Time // when gens were read or set, under mu

	every     time.Duration
	refreshMu sync.Mutex
	cancel    context.CancelFunc
	loopDone  chan struct{}
}

type cached struct {
	v       any
	expires time.Time
}

// New makes a Service over ch.
func New(ch *store.ClickHouse, opts Options) (*Service, error) {
	if ch == nil {
		return nil, errors.New("analytics: a ClickHouse store is required")
	}
	if opts.Timezone == "" {
		opts.Timezone = "Asia/Jakarta"
	}
	if _, err := time.LoadLocation(opts.Timezone); err != nil {
		return nil, fmt.Errorf("analytics: time zone %q: %w", opts.Timezone, err)
	}
	if opts.CacheTTL == 0 {
		opts.CacheTTL = time.Minute
	}
	if opts.MaxQueries <= 0 {
		opts.MaxQueries = 4
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RefreshEvery == 0 {
		opts.RefreshEvery = defaultEvery
	}
	return &Service{ch: ch, tz: opts.Timezone, log: opts.Logger, now: opts.Now, ttl: opts.CacheTTL,
		sem: make(chan struct{}, opts.MaxQueries), cache: map[string]cached{}, maxKeep: 1024, every: opts.RefreshEvery}, nil
}

// Start rebuilds the read model in the background now and every
// RefreshEvery. It returns at once.
func (s *Service) Start(ctx context.Context) error {
	if s.every < 0 || s.cancel != nil {
		return nil
	}
	ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	s.loopDone = make(chan struct{})
	go s.refreshLoop(ctx, s.every)
	return nil
}

// Stop ends the refresh loop (waiting for a refresh in progress until ctx
// ends) and drops cached answers.
func (s *Service) Stop(ctx context.Context) error {
	if s.cancel != nil {
		s.cancel()
		select {
		case <-s.loopDone:
		case <-ctx.Done():
			return ctx.Err()
		}
		s.cancel = nil
	}
	s.clearCache()
	return nil
}

// remember answers from the cache, or computes once for all concurrent
// callers asking the same thing, then caches.
func remember[T any](ctx context.Context, s *Service, key string, fn func(ctx context.Context) (T, error)) (T, error) {
	if s.ttl > 0 {
		s.mu.Lock()
		c, ok := s.cache[key]
		s.mu.Unlock()
		if ok && s.now().Before(c.expires) {
			return c.v.(T), nil
		}
	}
	v, err, _ := s.group.Do(key, func() (any, error) {
		// Detached from one caller's cancellation: others wait on it too.
		ctx := context.WithoutCancel(ctx)
		select {
		case s.sem <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		defer func() { <-s.sem }()
		v, err := fn(ctx)
		if err != nil {
			return nil, err
		}
		if s.ttl > 0 {
			s.mu.Lock()
			if len(s.cache) >= s.maxKeep {
				now := s.now()
				for k, c := range s.cache {
					if now.After(c.expires) || len(s.cache) >= s.maxKeep {
						delete(s.cache, k)
					}
				}
			}
			s.cache[key] = cached{v: v, expires: s.now().Add(s.ttl)}
			s.mu.Unlock()
		}
		return v, nil
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return v.(T), nil
}

// period is a resolved report period: local calendar dates and the UTC
// instants they span ([From, To) as instants; To date inclusive).
type period struct {
	loc              *time.Location
	tz               string
	fromDate, toDate time.Time // calendar dates (midnight UTC)
	from, to         time.Time // instants
	prevFromDate     time.Time
	prevToDate       time.Time
	prevFrom         time.Time
	gens             gens // read-model generations; 0 = compute at read time
}

func localMidnight(d time.Time, loc *time.Location) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc).UTC()
}

// resolve picks the time zone (the unit's, else the default) and turns
// the query's dates into instants; defaultDays sets the period when from
// or to is missing (ending today).
func (s *Service) resolve(ctx context.Context, q Query, defaultDays int) (period, error) {
	tz := s.tz
	if q.Unit != 0 {
		var unitTZ string
		var n uint64
		if err := s.ch.QueryRow(ctx, qUnitTimezone, q.Unit).Scan(&unitTZ, &n); err != nil {
			return period{}, fmt.Errorf("read unit %d time zone: %w", q.Unit, err)
		}
		if n == 0 {
			return period{}, badParam("unit", fmt.Sprintf("unit %d does not exist; GET /api/v1/units lists them", q.Unit),
				fmt.Sprintf("unit %d tidak ada; GET /api/v1/units menampilkan daftarnya", q.Unit))
		}
		if _, err := time.LoadLocation(unitTZ); unitTZ != "" && err == nil {
			tz = unitTZ
		}
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return period{}, fmt.Errorf("load time zone %q: %w", tz, err)
	}
	now := s.now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	p := period{loc: loc, tz: tz, fromDate: q.From, toDate: q.To}
	switch {
	case p.fromDate.IsZero() && p.toDate.IsZero():
		p.toDate = today
		p.fromDate = today.AddDate(0, 0, 1-defaultDays)
	case p.fromDate.IsZero():
		p.fromDate = p.toDate.AddDate(0, 0, 1-defaultDays)
	case p.toDate.IsZero():
		p.toDate = p.fromDate.AddDate(0, 0, defaultDays-1)
	}
	days := int(p.toDate.Sub(p.fromDate).Hours()/24) + 1
	p.from = localMidnight(p.fromDate, loc)
	p.to = localMidnight(p.toDate.AddDate(0, 0, 1), loc)
	p.prevToDate = p.fromDate.AddDate(0, 0, -1)
	p.prevFromDate = p.fromDate.AddDate(0, 0, -days)
	p.prevFrom = localMidnight(p.prevFromDate, loc)
	if p.gens, err = s.currentGens(ctx); err != nil {
		return period{}, err
	}
	return p, nil
}

// names maps unit and channel ids to names from the mirrored dimension
// tables.
func (s *Service) names(ctx context.Context, query string) (map[uint64]string, error) {
	rows, err := s.ch.Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("read names: %w", err)
	}
	defer rows.Close()
	out := map[uint64]string{}
	for rows.Next() {
		var id uint64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("scan names: %w", err)
		}
		out[id] = name
	}
	return out, rows.Err()
}
