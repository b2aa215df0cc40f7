package analytics

import (
	"context"
	cryptorand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/humas-id/humas/store"
)

// Options configure a Service.
type Options struct {
	// Timezone is the report time zone when no unit is given, or the unit
	// has none (default Asia/Jakarta).
	Timezone string
	// CacheTTL keeps answers at most this long (default 60 s; a negative
	// value turns the cache off). Answers are also keyed by the read-model
	// generation and change marker, so new data never waits for the TTL.
	CacheTTL time.Duration
	// CacheMaxBytes bounds the answer cache (default DefaultCacheMaxBytes,
	// 32 MiB); the least recently used answers go first.
	CacheMaxBytes int64
	// MaxQueries bounds report queries running on ClickHouse at once
	// (default 4; serve sets api.max_concurrent_reports); more requests
	// wait for a turn instead of failing.
	MaxQueries int
	Logger     *slog.Logger
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
	// RefreshEvery is how often Start rebuilds the read model (default
	// 5 minutes; negative: never, call Refresh yourself).
	RefreshEvery time.Duration
	// ChangePoll is how often Start's loop reads the change marker that
	// every collection and correction bumps (default 2 s; negative: never).
	// When it moved past what the current generation covers, the loop
	// takes the generation another process built, or rebuilds itself once
	// the change is ChangeGrace old (default 3 s): the process that made a
	// change rebuilds at once, others only step in when it did not.
	ChangePoll  time.Duration
	ChangeGrace time.Duration
	// NoCells makes grouped reports read the posts of the read model
	// instead of its cells (post_cells; the same figures, slower): for
	// tests and measurements. Refresh builds the cells either way.
	NoCells bool
	// NoFollowerBook makes the followers route read account_metrics per
	// request instead of the in-memory follower book (followerbook.go; the
	// same answer): for tests and measurements.
	NoFollowerBook bool
	// Once gates the periodic rebuild and the one standing in for another
	// process (a job that must run on one replica at a time that must run on one replica at a time (several
	// serve replicas over one PostgreSQL): nil runs them here. serve
	// passes the Elector's Held.
	Once func() bool
}

// Service computes engagement reports from ClickHouse.
type Service struct {
	once    func() bool // the once-only jobs' lease (nil: this process runs them)
	ch      *store.ClickHouse
	tz      string
	log     *slog.Logger
	now     func() time.Time
	ttl     time.Duration
	sem     chan struct{}
	noCells bool
	// noFollowerBook: see Options.NoFollowerBook; books holds the book.
	noFollowerBook bool
	books          followerBooks
	chanUnits      chanUnitsCache
	cache          *answerCache
	flights        flights

	gensMu   sync.Mutex
	gensRead *gensRead // the read of the current generations in progress, under gensMu
	// readGensFn is readGens; tests count or hold its calls.
	readGensFn func(context.Context) (gens, error)

	mu     sync.Mutex
	gens   gens      // current read-model generations, under mu
	gensAt time.Time // when gens were read or set, under mu
	cover  uint64    // changes the current generation includes (read_model_covers), under mu
	mark   uint64    // the change marker last read, under mu
	zones  unitZones // under mu
	// names are the unit and channel names last read, per query, under mu.
	nameCache map[string]cachedNames

	every, poll, grace time.Duration
	refreshMu          sync.Mutex
	builder            string // this service in generation claims
	nudge              chan struct{}
	cancel             context.CancelFunc
	loopDone           chan struct{}

	// The background cells build of the refresh loop (cellsbuild.go),
	// under mu: nil when none runs.
	cellsCancel context.CancelFunc
	cellsDone   chan struct{}
	// beforeCells, when set (tests), runs before a generation's cells are
	// built.
	beforeCells func(ctx context.Context, gen uint32)
}

// builderID names a Service in generation claims: host, process and a
// random part.
func builderID() string {
	host, _ := os.Hostname()
	var r [4]byte
	_, _ = cryptorand.Read(r[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(r[:]))
}

// unitZone is a unit's time zone (exists false: no such unit).
type unitZone struct {
	tz     string
	exists bool
}

// unitZones are every unit's time zone as read at a time; the map is
// shared, read only.
type unitZones struct {
	m  map[uint64]string
	at time.Time
}

// unitZoneTTL is how long the units' time zones are trusted (the units
// mirror is refreshed every minute); unitZoneMissTTL is how long a unit
// missing from them is.
const (
	unitZoneTTL     = 30 * time.Second
	unitZoneMissTTL = 2 * time.Second
)

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
	if opts.CacheMaxBytes < 0 {
		return nil, fmt.Errorf("analytics: CacheMaxBytes %d is negative", opts.CacheMaxBytes)
	}
	if opts.CacheMaxBytes == 0 {
		opts.CacheMaxBytes = DefaultCacheMaxBytes
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
	if opts.ChangePoll == 0 {
		opts.ChangePoll = defaultPoll
	}
	if opts.ChangeGrace <= 0 {
		opts.ChangeGrace = defaultGrace
	}
	s := &Service{ch: ch, tz: opts.Timezone, log: opts.Logger, now: opts.Now, ttl: opts.CacheTTL,
		sem: make(chan struct{}, opts.MaxQueries), cache: newAnswerCache(opts.CacheMaxBytes),
		once: opts.Once, every: opts.RefreshEvery, poll: opts.ChangePoll, grace: opts.ChangeGrace, nudge: make(chan struct{}, 1),
		builder: builderID(), noCells: opts.NoCells, noFollowerBook: opts.NoFollowerBook}
	s.readGensFn = s.readGens
	return s, nil
}

// Start runs the refresh loop in the background: it rebuilds the read
// model now (unless a fresh generation covers every change) and every
// RefreshEvery, after every change in this process (Changed), and when the
// change marker shows a change from another process (see ChangePoll). It
// returns at once; Stop ends it.
func (s *Service) Start(ctx context.Context) error {
	s.flights.open()
	if s.every < 0 || s.cancel != nil {
		return nil
	}
	ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	s.loopDone = make(chan struct{})
	go s.refreshLoop(ctx)
	return nil
}

// Stop ends the refresh loop (cancelling a refresh in progress) and the
// report computations in progress, waits for them until ctx ends, and
// drops cached answers.
func (s *Service) Stop(ctx context.Context) error {
	if s.cancel != nil {
		s.cancel()
		select {
		case <-s.loopDone:
		case <-ctx.Done():
			return fmt.Errorf("analytics stop: %w", ctx.Err())
		}
		s.cancel = nil
	}
	s.stopCells()
	if err := s.books.wait(ctx); err != nil {
		return fmt.Errorf("analytics stop: follower book read in progress: %w", err)
	}
	if err := s.flights.close(ctx); err != nil {
		return fmt.Errorf("analytics stop: reports in progress: %w", err)
	}
	s.cache.clear()
	return nil
}

// Changed tells the refresh loop that this process changed data reports
// read (a collection, a correction): it rebuilds at once. It never blocks.
func (s *Service) Changed() {
	s.books.drop()
	select {
	case s.nudge <- struct{}{}:
	default: // a rebuild is already due
	}
}

// CacheStats describes the answer cache.
func (s *Service) CacheStats() CacheStats { return s.cache.stats() }

// remember answers q for the report kind from the cache, or computes it
// once for all concurrent callers asking the same thing, then caches it.
// A caller whose ctx ends returns at once; the computation stops when no
// caller waits for it.
func remember[T any](ctx context.Context, s *Service, kind string, q Query, fn func(ctx context.Context) (T, error)) (T, error) {
	var zero T
	k, ok := reportKinds[kind]
	if !ok {
		return zero, fmt.Errorf("analytics: report %q has no cache key description (reportKinds)", kind)
	}
	p, err := s.resolve(ctx, q, k.days)
	if err != nil {
		return zero, err
	}
	ctx = withResolved(ctx, resolved{q: q, days: k.days, p: p})
	key := cacheKey(kind, k, q, p, s.currentMark())
	if s.ttl > 0 {
		if v, ok := s.cache.get(key, s.now()); ok {
			return v.(T), nil
		}
	}
	v, err := s.flights.do(ctx, key, func(ctx context.Context) (any, error) {
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
			var size int64
			if z, ok := any(v).(jsonSizer); ok {
				size = z.jsonSize()
			} else {
				b, err := json.Marshal(v)
				if err != nil {
					return nil, fmt.Errorf("analytics: size of a %s answer: %w", kind, err)
				}
				size = int64(len(b))
			}
			s.cache.put(key, v, size, s.now().Add(s.ttl))
		}
		return v, nil
	})
	if err != nil {
		return zero, err
	}
	return v.(T), nil
}

// jsonSizer is an answer that tells its JSON size itself (near enough
// for the cache's byte bound) instead of being marshalled to measure it:
// a year of follower counts is 5 MB, 12 ms of json.Marshal.
type jsonSizer interface {
	jsonSize() int64
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
	// chanUnits are the units of the filtered channel's posts in the
	// generation read (chanunits.go); nil: no such condition.
	chanUnits []uint64
}

func localMidnight(d time.Time, loc *time.Location) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc).UTC()
}

// resolve picks the time zone (the unit's, else the default) and turns
// the query's dates into instants; defaultDays sets the period when from
// or to is missing (ending today). Inside remember it returns the period
// the cache key was made from.
func (s *Service) resolve(ctx context.Context, q Query, defaultDays int) (period, error) {
	if r, ok := resolvedFrom(ctx); ok && r.q.From.Equal(q.From) && r.q.To.Equal(q.To) && r.q.Unit == q.Unit {
		if r.days != defaultDays {
			return period{}, fmt.Errorf("analytics: the report's default period is %d days but its cache key (reportKinds) says %d",
				defaultDays, r.days)
		}
		return r.p, nil
	}
	tz := s.tz
	if q.Unit != 0 {
		z, err := s.unitZone(ctx, q.Unit)
		if err != nil {
			return period{}, err
		}
		if !z.exists {
			return period{}, badParam("unit", fmt.Sprintf("unit %d does not exist; GET /api/v1/units lists them", q.Unit),
				fmt.Sprintf("unit %d tidak ada; GET /api/v1/units menampilkan daftarnya", q.Unit))
		}
		if _, err := time.LoadLocation(z.tz); z.tz != "" && err == nil {
			tz = z.tz
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
	if units, ok := s.channelUnits(ctx, q, p); ok {
		p.chanUnits = units
	}
	return p, nil
}

// unitZone reads a unit's time zone from the mirrored units table. Every
// unit's zone is read at once and remembered for unitZoneTTL (one query
// instead of one per unit: each costs a few milliseconds on 18.16); a unit
// missing from a read older than unitZoneMissTTL reads them again, so a
// unit mirrored since is found.
func (s *Service) unitZone(ctx context.Context, unit uint64) (unitZone, error) {
	s.mu.Lock()
	zs := s.zones
	s.mu.Unlock()
	if zs.m != nil {
		age := time.Since(zs.at)
		tz, ok := zs.m[unit]
		if age < unitZoneTTL && (ok || age < unitZoneMissTTL) {
			return unitZone{tz: tz, exists: ok}, nil
		}
	}
	m, err := s.readZones(ctx)
	if err != nil {
		// While ClickHouse does not answer, a unit read before keeps its
		// zone; one that was not there is not called missing.
		if tz, ok := zs.m[unit]; ok && ctx.Err() == nil {
			return unitZone{tz: tz, exists: true}, nil
		}
		return unitZone{}, fmt.Errorf("read unit %d time zone: %w", unit, err)
	}
	s.mu.Lock()
	s.zones = unitZones{m: m, at: time.Now()}
	s.mu.Unlock()
	tz, ok := m[unit]
	return unitZone{tz: tz, exists: ok}, nil
}

// readZones reads every mirrored unit's time zone.
func (s *Service) readZones(ctx context.Context) (map[uint64]string, error) {
	rows, err := s.ch.Query(ctx, qUnitTimezones)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[uint64]string{}
	for rows.Next() {
		var id uint64
		var tz string
		if err := rows.Scan(&id, &tz); err != nil {
			return nil, err
		}
		m[id] = tz
	}
	return m, rows.Err()
}

// cachedNames are names read at a time; the map is shared, read only.
type cachedNames struct {
	m  map[uint64]string
	at time.Time
}

// names maps unit and channel ids to names from the mirrored dimension
// tables, remembered for unitZoneTTL (the mirror itself is refreshed
// every minute): most reports name their rows, and reading the names was
// a second query for each.
func (s *Service) names(ctx context.Context, query string) (map[uint64]string, error) {
	s.mu.Lock()
	c, ok := s.nameCache[query]
	s.mu.Unlock()
	if ok && time.Since(c.at) < unitZoneTTL {
		return c.m, nil
	}
	m, err := s.readNames(ctx, query)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.nameCache == nil {
		s.nameCache = map[string]cachedNames{}
	}
	s.nameCache[query] = cachedNames{m: m, at: time.Now()}
	s.mu.Unlock()
	return m, nil
}

func (s *Service) readNames(ctx context.Context, query string) (map[uint64]string, error) {
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
