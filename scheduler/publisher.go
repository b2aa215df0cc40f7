package scheduler

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
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

// PublisherOptions configure the publishing loop; zero values take the
// defaults of config.Default().Scheduler.
type PublisherOptions struct {
	Tick          string        // cron spec with seconds (default every second)
	TokenCheck    string        // cron spec with seconds (default 06:00 daily)
	Workers       int           // deliveries published at once (default scheduler.workers of config.Default, 16)
	RetryDeadline time.Duration // transient errors retry until scheduled time + this (default 30 min)
	BackoffBase   time.Duration // first retry delay, doubled per attempt (default 2 s)
	BackoffMax    time.Duration // longest retry delay (default 5 min)
	// ReadyCheck is how soon a not-ready Instagram container or Facebook
	// video is checked again (default scheduler.status_poll_interval, 30 s).
	ReadyCheck time.Duration
	Logger     *slog.Logger
	Now        func() time.Time

	// Replica names this process among those sharing the state database
	// (default store.ReplicaID()); ClaimLease is state.lease (default
	// 30 s): over SQLite a claim on a delivery lasts that long unrenewed
	// (renewed every third of it while the delivery is worked on); over
	// PostgreSQL a third of it (ClaimTTL), so that a dead replica's
	// deliveries are published again within it (claims.go).
	Replica    string
	ClaimLease time.Duration
	// Once gates the jobs that must run on one replica at a time (the
	// token check): nil runs them here.
	Once func() bool

	PublishTimings // deadlines, holds, pauses, retries (timings.go)
}

// OptionsFromConfig maps the scheduler section of the configuration.
func OptionsFromConfig(c config.Scheduler, log *slog.Logger) PublisherOptions {
	return PublisherOptions{Tick: c.Tick, TokenCheck: c.TokenCheck, Workers: c.Workers, RetryDeadline: c.RetryDeadline.D(), Logger: log,
		ReadyCheck: c.StatusPollInterval.D(), PublishTimings: timingsFromConfig(c)}
}

// Publisher publishes due deliveries. It is a component: Start, Stop.
type Publisher struct {
	svc   *Service
	db    *store.SQLite
	org   *org.Store
	graph *meta.Client
	opt   PublisherOptions
	log   *slog.Logger
	m     *metrics

	cron    *cron.Cron
	sem     chan struct{} // one slot per worker, taken before a delivery is claimed
	saving  chan struct{} // one slot per outcome waiting to be saved (as many as workers)
	wg      sync.WaitGroup
	ticking atomic.Bool
	// stopping is closed when Stop begins: from then on nothing is claimed.
	stopping chan struct{}
	stopOnce sync.Once
	// work is the context of in-flight publishes: it outlives Start's
	// ctx and is cancelled only when Stop's deadline passes.
	work       context.Context
	cancelWork context.CancelFunc

	tokMu  sync.Mutex
	tokens map[int64]cachedToken

	swept       atomic.Int64  // unix nanoseconds of the last sweep of expired claims
	workersIdle chan struct{} // closed once Stop has seen every worker finish
	idleOnce    sync.Once
	beatsDone   chan struct{}
	sweepDone   chan struct{} // closed when sweepClaims returns (PostgreSQL)

	claimsMu sync.Mutex
	claims   map[int64]*claimHold // PostgreSQL: the claims this replica's workers hold

	saves saveGroup  // the workers' outcomes, committed together (savebatch.go)
	stmts *stmtCache // the publishing path's statements, prepared (stmts.go)
}

// cachedToken spares a read and a decryption per delivery; an auth error
// or a reconnect drops it.
type cachedToken struct {
	token string
	until time.Time
}

const tokenCacheTTL = 30 * time.Second

func (p *Publisher) token(ctx context.Context, channelID int64) (string, error) {
	now := time.Now()
	p.tokMu.Lock()
	c, ok := p.tokens[channelID]
	p.tokMu.Unlock()
	if ok && now.Before(c.until) {
		return c.token, nil
	}
	tok, err := p.org.ChannelToken(ctx, channelID)
	if err != nil {
		return "", err
	}
	p.tokMu.Lock()
	p.tokens[channelID] = cachedToken{token: tok, until: now.Add(tokenCacheTTL)}
	p.tokMu.Unlock()
	return tok, nil
}

func (p *Publisher) forgetToken(channelID int64) {
	p.tokMu.Lock()
	delete(p.tokens, channelID)
	p.tokMu.Unlock()
}

// NewPublisher builds the loop; metrics go to reg.
func NewPublisher(svc *Service, graph *meta.Client, reg prometheus.Registerer, o PublisherOptions) (*Publisher, error) {
	d := config.Default().Scheduler
	if o.Tick == "" {
		o.Tick = d.Tick
	}
	if o.TokenCheck == "" {
		o.TokenCheck = d.TokenCheck
	}
	if o.Workers <= 0 {
		o.Workers = d.Workers
	}
	if o.RetryDeadline <= 0 {
		o.RetryDeadline = d.RetryDeadline.D()
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = 2 * time.Second
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = 5 * time.Minute
	}
	if o.ReadyCheck <= 0 {
		o.ReadyCheck = d.StatusPollInterval.D()
	}
	o.PublishTimings = o.PublishTimings.withDefaults()
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = svc.now
	}
	if o.Replica == "" {
		o.Replica = store.ReplicaID()
	}
	if o.ClaimLease <= 0 {
		o.ClaimLease = config.Default().State.Lease.D()
	}
	if graph == nil {
		return nil, errors.New("scheduler: a Graph API client is required")
	}
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	work, cancel := context.WithCancel(context.Background())
	return &Publisher{svc: svc, db: svc.db, org: svc.org, graph: graph, opt: o, log: o.Logger, m: m,
		sem: make(chan struct{}, o.Workers), saving: make(chan struct{}, o.Workers), stopping: make(chan struct{}), workersIdle: make(chan struct{}), work: work, cancelWork: cancel,
		tokens: map[int64]cachedToken{}, claims: map[int64]*claimHold{}, stmts: newStmtCache(svc.db.DB, !svc.db.Postgres())}, nil
}

// Start settles deliveries a previous run left in flight, then runs the
// tick and the daily token check on their cron schedules.
func (p *Publisher) Start(ctx context.Context) error {
	var n int64
	var err error
	if p.db.Postgres() {
		// Other replicas may be publishing: only claims that expired
		// (their replica died) are settled.
		n, err = p.RecoverExpired(ctx)
	} else {
		n, err = p.Recover(ctx)
	}
	if err != nil {
		return err
	}
	if n > 0 {
		p.log.WarnContext(ctx, "deliveries left in flight by the previous run will be checked on the platform before any resend", "count", n)
	}
	c := cron.New(cron.WithParser(config.CronParser), cron.WithLocation(time.UTC),
		cron.WithChain(cron.SkipIfStillRunning(cron.DiscardLogger)))
	if _, err := c.AddFunc(p.opt.Tick, func() { p.Tick(p.work) }); err != nil {
		return fmt.Errorf("scheduler.tick %q: %w", p.opt.Tick, err)
	}
	if _, err := c.AddFunc(p.opt.TokenCheck, func() {
		if p.opt.Once != nil && !p.opt.Once() {
			return // another replica holds the lease of the once-only jobs
		}
		if err := p.CheckTokens(p.work); err != nil {
			p.log.Error("token check failed", "err", err)
		}
	}); err != nil {
		return fmt.Errorf("scheduler.token_check %q: %w", p.opt.TokenCheck, err)
	}
	p.cron = c
	p.beatsDone = make(chan struct{})
	go p.renewClaims()
	if p.db.Postgres() {
		p.sweepDone = make(chan struct{})
		go p.sweepClaims()
	}
	c.Start()
	p.log.InfoContext(ctx, "publisher started", "tick", p.opt.Tick, "workers", p.opt.Workers, "replica", p.opt.Replica,
		"claim_lease", p.opt.ClaimLease, "claim_ttl", p.claimTTL())
	return nil
}

// Stop ends claiming at once (a tick in progress hands out nothing more),
// stops the cron, then lets in-flight publishes finish (their outcome
// saved) until ctx is done. Every delivery claimed has a worker: none is
// left 'publishing' without a call made; a call still going at the
// deadline is cancelled and its delivery reconciled at the next start.
func (p *Publisher) Stop(ctx context.Context) error {
	p.stopOnce.Do(func() { close(p.stopping) })
	if p.cron != nil {
		select {
		case <-p.cron.Stop().Done():
		case <-ctx.Done():
		}
	}
	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		p.idleOnce.Do(func() { close(p.workersIdle) })
		if p.beatsDone != nil {
			<-p.beatsDone
		}
		if p.sweepDone != nil {
			<-p.sweepDone
		}
		close(done)
	}()
	select {
	case <-done:
		p.cancelWork()
		return nil
	case <-ctx.Done():
		p.cancelWork()
		<-done
		return fmt.Errorf("publisher stop: %w (in-flight deliveries will be checked on the platform at next start)", ctx.Err())
	}
}

// Wait blocks until every delivery handed to a worker is done.
func (p *Publisher) Wait() { p.wg.Wait() }

const (
	qRecover = `UPDATE deliveries SET status = 'scheduled', reconcile = 1, next_attempt_at = ?, updated_at = ?, claimed_by = ''
WHERE status = 'publishing'`
	// qRecoverExpired settles the claims nobody renewed (their replica
	// died), whichever replica held them. A delivery keeps its place in
	// the queue (the due time it was claimed at), ahead of those due since.
	qRecoverExpired = `UPDATE deliveries SET status = 'scheduled', reconcile = 1,
    next_attempt_at = CASE WHEN next_attempt_at IS NULL OR next_attempt_at > ? THEN ? ELSE next_attempt_at END,
    updated_at = ?, claimed_by = ''
WHERE status = 'publishing' AND (claim_expires_at IS NULL OR claim_expires_at < ?)`
	// qRenewClaims extends this replica's claims on the deliveries it is
	// publishing.
	qRenewClaims = `UPDATE deliveries SET claim_expires_at = ? WHERE status = 'publishing' AND claimed_by = ?`
	// qClaim claims due deliveries of the publishable channels (a JSON
	// array of ids: org decides which channels may publish). The unary +
	// keeps SQLite walking deliveries_next in due order (as with the join
	// it replaces) rather than each channel's deliveries and a sort.
	qClaim = `UPDATE deliveries SET status = 'publishing', attempts = attempts + 1, claimed_at = ?,
    first_attempt_at = COALESCE(first_attempt_at, ?), updated_at = ?, claimed_by = ?, claim_expires_at = ?
WHERE status = 'scheduled' AND id IN (
    SELECT d.id FROM deliveries d
    JOIN posts p ON p.id = d.post_id
    WHERE d.status = 'scheduled' AND d.next_attempt_at <= ?
      AND +d.channel_id IN (SELECT value FROM json_each(?))
      AND p.state IN ('scheduled', 'publishing') AND p.classification = 'public'
    ORDER BY d.next_attempt_at, d.id LIMIT ?)
RETURNING id`
	// qClaimPG is qClaim for several replicas over PostgreSQL: the due
	// rows are locked FOR UPDATE in a materialized CTE (run once: an
	// IN (subquery) may be re-run by PostgreSQL's re-check of a
	// concurrently updated row and claim more than the limit), rows
	// another replica is claiming are skipped rather than waited for, and
	// the status is checked again on the locked row. The parameters are
	// qClaim's, by number.
	qClaimPG = `WITH due AS MATERIALIZED (
    SELECT d.id FROM deliveries d
    JOIN posts p ON p.id = d.post_id
    WHERE d.status = 'scheduled' AND d.next_attempt_at <= ?6
      AND d.channel_id IN (SELECT value FROM json_each(?7))
      AND p.state IN ('scheduled', 'publishing') AND p.classification = 'public'
    ORDER BY d.next_attempt_at, d.id LIMIT ?8
    FOR UPDATE OF d SKIP LOCKED)
UPDATE deliveries SET status = 'publishing', attempts = attempts + 1, claimed_at = ?1,
    first_attempt_at = COALESCE(first_attempt_at, ?2), updated_at = ?3, claimed_by = ?4, claim_expires_at = ?5
FROM due WHERE deliveries.id = due.id AND deliveries.status = 'scheduled'
RETURNING deliveries.id`
	qJob = `SELECT d.id, d.post_id, d.channel_id, d.scheduled_at, d.attempts, d.reconcile,
    d.container_id, COALESCE(d.container_created_at, ''), COALESCE(d.first_attempt_at, ''), p.caption, p.link, p.media,
    p.classification, p.content_type, d.publish_path, d.containers_created, p.captions
FROM deliveries d JOIN posts p ON p.id = d.post_id WHERE d.id = ?`
	// qBlocked lists the due deliveries of the blocked channels (a JSON
	// array of ids).
	qBlocked = `SELECT id, channel_id FROM deliveries
WHERE status = 'scheduled' AND scheduled_at <= ? AND channel_id IN (SELECT value FROM json_each(?))`
	qDue = `SELECT count(*) FROM deliveries WHERE status IN ('scheduled', 'publishing') AND scheduled_at <= ?`
)

// Recover returns deliveries found 'publishing' (a crash mid-call) to
// the queue with reconcile set: the platform is read before any resend.
func (p *Publisher) Recover(ctx context.Context) (int64, error) {
	now := store.FormatTime(p.opt.Now())
	res, err := p.db.DB.ExecContext(ctx, qRecover, now, now)
	if err != nil {
		return 0, fmt.Errorf("recover in-flight deliveries: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// RecoverExpired returns to the queue, with reconcile set, the deliveries
// whose claim expired: the replica publishing them died (or lost the
// state database for longer than the claim lease).
func (p *Publisher) RecoverExpired(ctx context.Context) (int64, error) {
	at := p.opt.Now()
	now := store.FormatTime(at)
	res, err := p.db.DB.ExecContext(ctx, qRecoverExpired, now, now, now, now)
	if err != nil {
		return 0, fmt.Errorf("recover expired delivery claims: %w", err)
	}
	p.swept.Store(at.UnixNano())
	n, _ := res.RowsAffected()
	if n > 0 {
		p.log.WarnContext(ctx, "deliveries whose claim expired (their replica stopped) will be checked on the platform before any resend",
			"count", n, "replica", p.opt.Replica)
	}
	return n, nil
}

// renewClaims extends this replica's claims (every third of the claim
// lease over SQLite, every quarter of the claim time over PostgreSQL,
// there only those its workers hold) until Stop has let every worker
// finish.
func (p *Publisher) renewClaims() {
	defer close(p.beatsDone)
	every := p.renewEvery()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.workersIdle:
			return
		case <-t.C:
		}
		timeout := every
		if p.db.Postgres() {
			// A renewal that ends late still pushes the claims on, if it
			// ends before they lapse (their workers' contexts end then).
			timeout = p.claimTTL() - p.claimMargin()
		}
		ctx, cancel := context.WithTimeout(p.work, timeout)
		var err error
		if p.db.Postgres() {
			err = p.renewHeld(ctx)
		} else {
			_, err = p.db.DB.ExecContext(ctx, qRenewClaims, store.FormatTime(p.opt.Now().Add(p.claimTTL())), p.opt.Replica)
		}
		cancel()
		if err != nil && p.work.Err() == nil {
			p.log.Warn("renew delivery claims", "err", err, "replica", p.opt.Replica)
		}
	}
}

// Tick fails deliveries blocked by their channel, then hands every due
// delivery to the worker pool; it returns once all due deliveries are
// handed out (not when they finish), or as soon as Stop begins. A
// delivery is claimed only when a worker is free for it, so every claimed
// delivery is being published. Overlapping ticks are skipped.
func (p *Publisher) Tick(ctx context.Context) {
	if !p.ticking.CompareAndSwap(false, true) {
		return
	}
	defer p.ticking.Store(false)
	// Over SQLite (one process: its own claims never expire while it
	// runs) expired claims are settled every third of the lease; over
	// PostgreSQL sweepClaims settles a dead replica's as they expire.
	if !p.db.Postgres() && time.Duration(p.opt.Now().UnixNano()-p.swept.Load()) >= p.opt.ClaimLease/3 {
		if _, err := p.RecoverExpired(ctx); err != nil {
			p.log.ErrorContext(ctx, "recover expired claims", "err", err)
		}
	}
	if err := p.failBlocked(ctx, 0); err != nil {
		p.log.ErrorContext(ctx, "fail blocked deliveries", "err", err)
	}
	for {
		free := p.acquire(ctx)
		if free == 0 {
			break
		}
		var ids []int64
		var at time.Time
		var err error
		if !p.isStopping() {
			ids, at, err = p.claim(ctx, free)
		}
		for range free - len(ids) {
			<-p.sem // slots no delivery was claimed for
		}
		if err != nil {
			p.log.ErrorContext(ctx, "claim due deliveries", "err", err)
			break
		}
		if len(ids) == 0 {
			break
		}
		for _, id := range ids {
			p.wg.Add(1)
			w := &worker{p: p}
			if !p.db.Postgres() {
				go func() {
					defer func() { w.free(); p.wg.Done() }()
					p.publish(p.work, p.work, id, w)
				}()
				continue
			}
			h := p.holdClaim(id, at.Add(p.claimTTL()))
			go func() {
				defer func() { w.free(); p.wg.Done() }()
				defer p.releaseClaim(h)
				p.publish(h.ctx, p.work, id, w)
			}()
		}
	}
	p.updateGauges(ctx)
}

// worker is the slot a claimed delivery is published in. Over SQLite,
// once its Graph calls are done, its outcome waits for the group commit in
// a save slot instead (at most Workers outcomes wait), so that the next
// due delivery is claimed and sent meanwhile; the delivery stays claimed,
// and Stop waits for it, until its outcome is saved.
type worker struct {
	p               *Publisher
	freed, toSaving bool
}

// saving moves the delivery from its worker slot to a save slot.
func (w *worker) saving() {
	w.p.saving <- struct{}{}
	w.toSaving = true
	w.freeSlot()
}

func (w *worker) freeSlot() {
	if !w.freed {
		w.freed = true
		<-w.p.sem
	}
}

// free gives back whatever slot the delivery still holds.
func (w *worker) free() {
	w.freeSlot()
	if w.toSaving {
		w.toSaving = false
		<-w.p.saving
	}
}

// acquire waits for a free worker, then takes every other free one too,
// and returns how many it took: 0 when Stop began or ctx ended first.
func (p *Publisher) acquire(ctx context.Context) int {
	if p.isStopping() {
		return 0
	}
	select {
	case p.sem <- struct{}{}:
	case <-p.stopping:
		return 0
	case <-ctx.Done():
		return 0
	}
	n := 1
	for n < cap(p.sem) {
		select {
		case p.sem <- struct{}{}:
			n++
		default:
			return n
		}
	}
	return n
}

func (p *Publisher) isStopping() bool {
	select {
	case <-p.stopping:
		return true
	default:
		return false
	}
}

// claim claims up to limit due deliveries; at is the time their claims
// were made at (they expire claimTTL after it).
func (p *Publisher) claim(ctx context.Context, limit int) (ids []int64, at time.Time, err error) {
	at = p.opt.Now()
	open, err := p.org.Publishable(ctx, at)
	if err != nil || len(open) == 0 {
		return nil, at, err
	}
	chans, err := json.Marshal(open)
	if err != nil {
		return nil, at, err
	}
	now := store.FormatTime(at)
	q := qClaim
	if p.db.Postgres() {
		q = qClaimPG
	}
	rows, err := cachedDB{p.stmts}.QueryContext(ctx, q, now, now, now, p.opt.Replica, store.FormatTime(at.Add(p.claimTTL())), now,
		string(chans), limit)
	if err != nil {
		return nil, at, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, at, err
		}
		ids = append(ids, id)
	}
	return ids, at, rows.Err()
}

func (p *Publisher) updateGauges(ctx context.Context) {
	var due int
	if err := p.db.DB.QueryRowContext(ctx, qDue, store.FormatTime(p.opt.Now())).Scan(&due); err == nil {
		p.m.due.Set(float64(due))
	}
	if n, err := p.org.ReconnectNeeded(ctx); err == nil {
		p.m.reconnect.Set(float64(n))
	}
}

// failBlocked fails the due deliveries of channels that cannot publish
// (reconnect needed, disabled, deleted), with the channel's reason.
// channelID 0 means every channel.
func (p *Publisher) failBlocked(ctx context.Context, channelID int64) error {
	chans, err := p.org.Blocked(ctx)
	if err != nil || len(chans) == 0 {
		return err
	}
	byID := make(map[int64]org.Channel, len(chans))
	ids := make([]int64, 0, len(chans))
	for _, c := range chans {
		if channelID == 0 || c.ID == channelID {
			byID[c.ID] = c
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	rows, err := p.db.DB.QueryContext(ctx, qBlocked, store.FormatTime(p.opt.Now()), string(list))
	if err != nil {
		return err
	}
	type blocked struct{ id, channel int64 }
	var due []blocked
	for rows.Next() {
		var b blocked
		if err := rows.Scan(&b.id, &b.channel); err != nil {
			rows.Close()
			return err
		}
		due = append(due, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, b := range due {
		c := byID[b.channel]
		de := &DeliveryError{Class: "channel_" + c.Status, Message: c.StatusReason, Action: ActionReconnect}
		if c.Status == org.StatusDisabled {
			de.Message = "the channel is disabled"
		}
		if de.Message == "" {
			de.Message = "the channel needs to be reconnected"
		}
		// Only deliveries still scheduled: a concurrent claim wins.
		if err := p.save(ctx, job{ID: b.id}, outcome{fail: de, onlyIfScheduled: true}); err != nil {
			return err
		}
	}
	return nil
}

// job is a claimed delivery with what publishing it needs.
type job struct {
	ID, PostID, ChannelID int64
	Platform, ExternalID  string
	ScheduledAt           time.Time
	Attempts              int
	Reconcile             bool
	ContainerID           string
	ContainerCreated      time.Time
	FirstAttempt          time.Time
	Caption, Link         string
	Media                 []Media
	Classification        string
	ContentType           string
	PausedUntil           time.Time
	path                  string // publish_path so far
	containers            int    // Instagram containers made so far
}

func (p *Publisher) loadJob(ctx context.Context, id int64) (job, error) {
	var j job
	var sched, created, first, media, captions string
	err := cachedDB{p.stmts}.QueryRowContext(ctx, qJob, id).Scan(&j.ID, &j.PostID, &j.ChannelID, &sched,
		&j.Attempts, &j.Reconcile, &j.ContainerID, &created, &first, &j.Caption, &j.Link, &media, &j.Classification, &j.ContentType,
		&j.path, &j.containers, &captions)
	if err != nil {
		return j, fmt.Errorf("delivery %d: %w", id, err)
	}
	chans, err := p.org.ChannelsByIDIn(ctx, cachedDB{p.stmts}, []int64{j.ChannelID})
	if err != nil {
		return j, fmt.Errorf("delivery %d: %w", id, err)
	}
	c, ok := chans[j.ChannelID]
	if !ok {
		return j, fmt.Errorf("delivery %d: channel %d: %w", id, j.ChannelID, org.ErrNotFound)
	}
	j.Platform, j.ExternalID = c.Platform, c.ExternalID
	if c.PausedUntil != nil {
		j.PausedUntil = *c.PausedUntil
	}
	// The scheduler wrote these columns; an unreadable one leaves its
	// zero value rather than a claimed delivery nobody publishes.
	j.ScheduledAt, _ = store.ParseTime(sched)
	j.ContainerCreated, _ = store.ParseTime(created) // '' when none
	j.FirstAttempt, _ = store.ParseTime(first)       // '' when none
	_ = jsonUnmarshal(media, &j.Media)
	// The platform's own caption, when the post has one.
	var per map[string]string
	_ = jsonUnmarshal(captions, &per)
	j.Caption = captionFor(j.Caption, per, j.Platform)
	return j, nil
}

// backoff is the delay before retry number attempts (1-based), with jitter.
func (p *Publisher) backoff(attempts int) time.Duration {
	d := p.opt.BackoffBase
	for i := 1; i < attempts && d < p.opt.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, p.opt.BackoffMax)
	return d/2 + rand.N(d/2+1)
}

var _ = sql.ErrNoRows
