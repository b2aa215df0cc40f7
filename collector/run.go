package collector

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/valid"
)

// RunOptions select what a run collects.
type RunOptions struct {
	// ChannelID limits the run to one channel (0: all active channels).
	ChannelID int64
	// Since collects posts published since then (beyond the cadence too);
	// zero: on request everything within the cadence, on schedule what is due.
	Since time.Time
	// Trigger is schedule, api or cli (default cli); RequestedBy names who asked.
	Trigger     string
	RequestedBy string
	// OnProgress, when set, is called after each channel (and at the end).
	OnProgress func(RunStatus)
}

// RunInProgressError means another run is going, in this process or in
// another sharing the state database (e.g. serve and humas collect); its
// id is in ID.
type RunInProgressError struct{ ID string }

func (e *RunInProgressError) Error() string {
	return "a collection run is already in progress (" + e.ID + "); wait for it to finish (GET /api/v1/collect/" + e.ID +
		") / koleksi lain sedang berjalan (" + e.ID + "); tunggu sampai selesai"
}

// Is makes errors.Is(err, valid.ErrConflict) true.
func (e *RunInProgressError) Is(target error) bool { return target == valid.ErrConflict }

// Problem describes the conflict, with the running run's id.
func (e *RunInProgressError) Problem() *valid.Problem {
	p := valid.Conflict("collect_in_progress", "a collection run is already in progress; follow it at /api/v1/collect/%s",
		"koleksi lain sedang berjalan; ikuti di /api/v1/collect/%s", e.ID)
	p.Details = map[string]string{"id": e.ID}
	return p
}

// InputError is a run or override request that cannot be done as asked
// ("field: message"); the collector returns it as a *InputError.
type InputError = valid.FieldError

// run is one collection in progress.
type run struct {
	id      string
	opts    RunOptions
	started time.Time
	calls   atomic.Int64

	mu                  sync.Mutex
	st                  RunStatus
	written0, buffered0 int64
}

func (r *run) snapshot(c *Collector) RunStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.st
	st.GraphCalls = r.calls.Load()
	st.RowsWritten = c.w.written.Load() - r.written0
	st.RowsBuffered = c.w.buffered.Load() - r.buffered0
	st.Errors = slices.Clone(r.st.Errors)
	return st
}

// Run collects now and returns when done. Only one run goes at a time: a
// second gets *RunInProgressError.
func (c *Collector) Run(ctx context.Context, opts RunOptions) (RunStatus, error) {
	r, chans, err := c.begin(ctx, opts)
	if err != nil {
		return RunStatus{}, err
	}
	return c.execute(ctx, r, chans), nil
}

// StartRun starts a run in the background (until Stop) and returns its id;
// RunStatus(id) reports its progress.
func (c *Collector) StartRun(ctx context.Context, opts RunOptions) (string, error) {
	r, chans, err := c.begin(ctx, opts)
	if err != nil {
		return "", err
	}
	bg := c.bg
	if bg == nil {
		bg = context.WithoutCancel(ctx)
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.execute(bg, r, chans)
	}()
	return r.id, nil
}

// RunStatus reports a run's progress (ErrRunNotFound for an unknown id).
func (c *Collector) RunStatus(ctx context.Context, id string) (RunStatus, error) {
	if r := c.current.Load(); r != nil && r.id == id {
		return r.snapshot(c), nil
	}
	return c.runs.get(ctx, id)
}

// begin takes the run lock, picks the channels and records the run.
func (c *Collector) begin(ctx context.Context, opts RunOptions) (*run, []org.Channel, error) {
	if opts.Trigger == "" {
		opts.Trigger = TriggerCLI
	}
	if !c.runMu.TryLock() {
		id := ""
		if r := c.current.Load(); r != nil {
			id = r.id
		}
		return nil, nil, &RunInProgressError{ID: id}
	}
	chans, err := c.pick(ctx, opts)
	if err != nil {
		c.runMu.Unlock()
		return nil, nil, err
	}
	now := c.now().UTC()
	r := &run{id: uuid.NewString(), opts: opts, started: now,
		written0: c.w.written.Load(), buffered0: c.w.buffered.Load()}
	r.st = RunStatus{ID: r.id, Trigger: opts.Trigger, RequestedBy: opts.RequestedBy, ChannelID: opts.ChannelID,
		Status: StatusRunning, StartedAt: now, ChannelsTotal: len(chans), Errors: []ChannelError{}}
	if !opts.Since.IsZero() {
		s := opts.Since.UTC()
		r.st.Since = &s
	}
	if err := c.runs.claim(ctx, r.st, now, now.Add(-c.leaseTTL)); err != nil {
		c.runMu.Unlock()
		return nil, nil, err
	}
	for _, ch := range chans {
		c.extIDs.Store(ch.ExternalID, ch.ID)
	}
	c.current.Store(r)
	return r, chans, nil
}

// pick returns the channels to collect: active ones with a token.
func (c *Collector) pick(ctx context.Context, opts RunOptions) ([]org.Channel, error) {
	all, err := c.chans.Channels(ctx)
	if err != nil {
		return nil, fmt.Errorf("list channels: %w", err)
	}
	var out []org.Channel
	for _, ch := range all {
		if opts.ChannelID != 0 && ch.ID != opts.ChannelID {
			continue
		}
		if opts.ChannelID != 0 && (ch.Status != org.StatusActive || !ch.HasToken) {
			return nil, &InputError{Field: "channel_id",
				Message:   fmt.Sprintf("channel %d is %s and cannot be collected: reconnect it with a new access token", ch.ID, ch.Status),
				MessageID: fmt.Sprintf("kanal %d berstatus %s dan tidak dapat dikoleksi: sambungkan ulang dengan token akses baru", ch.ID, ch.Status)}
		}
		if ch.Status == org.StatusActive && ch.HasToken {
			out = append(out, ch)
		}
	}
	if opts.ChannelID != 0 && len(out) == 0 {
		return nil, valid.NotFound("no channel with id %d (see GET /api/v1/channels)", "tidak ada kanal dengan id %d", opts.ChannelID)
	}
	return out, nil
}

// execute collects every channel with at most cfg.Concurrency at once. A
// throttled channel gives its slot back while it waits for its regain time.
func (c *Collector) execute(ctx context.Context, r *run, chans []org.Channel) RunStatus {
	defer c.runMu.Unlock()
	defer c.current.Store(nil)
	start := time.Now()
	ctx, lease := c.keepLease(ctx, r)

	var g errgroup.Group
	g.SetLimit(c.cfg.Concurrency)
	var outstanding sync.WaitGroup
	var submit func(ch org.Channel)
	submit = func(ch org.Channel) {
		outstanding.Add(1)
		g.Go(func() error {
			defer outstanding.Done()
			if until, wait := c.collectOne(ctx, r, ch); wait {
				outstanding.Add(1)
				go func() {
					defer outstanding.Done()
					if err := c.sleep(ctx, until.Sub(c.now())); err != nil {
						c.finishChannel(ctx, r, ch, err)
						return
					}
					ch.PausedUntil = &until // collectOne lifts the pause once it succeeds
					submit(ch)
				}()
			}
			return nil
		})
	}
	for _, ch := range chans {
		submit(ch)
	}
	outstanding.Wait()
	_ = g.Wait()

	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	flushErr := c.w.Flush(fctx)

	lost := lease.stop()
	// The final status is stored before RunStatus shows it, so whoever
	// sees it finished (here or in another process) reads it from SQLite too.
	st := r.snapshot(c)
	fin := c.now().UTC()
	st.FinishedAt = &fin
	switch {
	case lost != nil: // the channels not finished were cancelled
		st.Errors = append(st.Errors, ChannelError{Reason: "lease_lost", Message: lost.Error()})
		st.Status = StatusFailed
		if st.ChannelsDone > 0 {
			st.Status = StatusPartial
		}
	case flushErr != nil:
		st.Errors = append(st.Errors, ChannelError{Reason: reasonOf(flushErr), Message: flushErr.Error()})
		st.Status = StatusFailed
		if st.ChannelsDone > 0 && errors.Is(flushErr, store.ErrUnavailable) {
			st.Status = StatusPartial
		}
	case st.ChannelsFailed == 0 && st.ChannelsPaused == 0:
		st.Status = StatusDone
	case st.ChannelsDone > 0:
		st.Status = StatusPartial
	default:
		st.Status = StatusFailed
	}
	if err := c.runs.update(fctx, st, fin); err != nil {
		c.log.Error("record collection run", "run_id", r.id, "err", err)
	}
	r.mu.Lock()
	r.st.FinishedAt, r.st.Status, r.st.Errors = st.FinishedAt, st.Status, st.Errors
	r.mu.Unlock()
	c.m.runs.WithLabelValues(st.Trigger, st.Status).Inc()
	c.m.runDuration.Observe(time.Since(start).Seconds())
	if st.RowsWritten > 0 { // buffered rows are marked when the buffer is replayed
		c.notifyChange(fctx, "collect", st.RowsWritten)
	}
	if r.opts.OnProgress != nil {
		r.opts.OnProgress(st)
	}
	return st
}

// collectOne collects a channel, or reports when it may be tried again
// within this run (wait true) after a throttle.
func (c *Collector) collectOne(ctx context.Context, r *run, ch org.Channel) (time.Time, bool) {
	if err := ctx.Err(); err != nil {
		c.finishChannel(ctx, r, ch, err)
		return time.Time{}, false
	}
	if ch.PausedUntil != nil && ch.PausedUntil.After(c.now()) {
		return c.paused(ctx, r, ch, *ch.PausedUntil, nil)
	}
	res, err := c.collectChannel(ctx, r, ch)
	if cl := meta.ClassOf(err); cl == meta.ClassAuth || cl == meta.ClassPermission {
		err = c.explainToken(ctx, ch, err)
	}
	var te *throttleError
	if errors.As(err, &te) {
		c.m.throttles.WithLabelValues(fmt.Sprint(ch.ID)).Inc()
		if perr := c.chans.SetPausedUntil(ctx, ch.ID, te.until); perr != nil {
			c.log.ErrorContext(ctx, "record channel pause", "channel_id", ch.ID, "err", perr)
		}
		return c.paused(ctx, r, ch, te.until, te)
	}
	if err == nil {
		if lerr := c.chans.SetLastCollected(ctx, ch.ID, c.now()); lerr != nil {
			c.log.ErrorContext(ctx, "record channel collection", "channel_id", ch.ID, "err", lerr)
		}
		if ch.PausedUntil != nil {
			_ = c.chans.SetPausedUntil(ctx, ch.ID, time.Time{}) // the pause is over
		}
		r.mu.Lock()
		r.st.Posts += int64(res.posts)
		r.mu.Unlock()
	}
	c.finishChannel(ctx, r, ch, err)
	return time.Time{}, false
}

// explainToken asks Meta (debug_token) what is wrong with a channel's
// token after an auth-class error, and puts the answer in front of it.
func (c *Collector) explainToken(ctx context.Context, ch org.Channel, err error) error {
	tok, terr := c.chans.ChannelToken(ctx, ch.ID)
	if terr != nil {
		return err
	}
	_, cerr := c.graph.CheckChannelToken(ctx, tok, ch.Platform, ch.ExternalID)
	var tp *meta.TokenProblem
	if !errors.As(cerr, &tp) {
		return err
	}
	return fmt.Errorf("%s: %w", strings.TrimPrefix(tp.Error(), "meta: "), err)
}

// paused handles a channel that may not be called until `until`: the run
// waits for it when that is soon enough, otherwise a later run takes it.
func (c *Collector) paused(ctx context.Context, r *run, ch org.Channel, until time.Time, cause error) (time.Time, bool) {
	if until.Sub(r.started) <= c.maxThrottleWait {
		c.log.WarnContext(ctx, "channel throttled by Meta; resuming it after the regain time", "channel_id", ch.ID,
			"until", until.UTC().Format(time.RFC3339))
		return until, true
	}
	msg := fmt.Sprintf("paused until %s (Meta's regain time); a later run collects it", until.UTC().Format(time.RFC3339))
	if cause != nil {
		msg += ": " + cause.Error()
	}
	c.log.WarnContext(ctx, "channel paused beyond this run", "channel_id", ch.ID, "until", until.UTC().Format(time.RFC3339))
	r.mu.Lock()
	r.st.ChannelsPaused++
	r.st.Errors = append(r.st.Errors, ChannelError{ChannelID: ch.ID, Channel: ch.Name, Reason: "throttled", Message: msg})
	r.mu.Unlock()
	c.progress(ctx, r)
	return time.Time{}, false
}

// finishChannel records a channel's outcome and reports progress.
func (c *Collector) finishChannel(ctx context.Context, r *run, ch org.Channel, err error) {
	r.mu.Lock()
	if err != nil {
		r.st.ChannelsFailed++
		reason := reasonOf(err)
		r.st.Errors = append(r.st.Errors, ChannelError{ChannelID: ch.ID, Channel: ch.Name, Reason: reason, Message: err.Error()})
		c.m.channelErrors.WithLabelValues(reason).Inc()
	} else {
		r.st.ChannelsDone++
	}
	r.mu.Unlock()
	if err != nil {
		c.log.ErrorContext(ctx, "channel not collected", "channel_id", ch.ID, "platform", ch.Platform, "err", err)
	}
	c.progress(ctx, r)
}

func (c *Collector) progress(ctx context.Context, r *run) {
	st := r.snapshot(c)
	if err := c.runs.update(context.WithoutCancel(ctx), st, c.now().UTC()); err != nil {
		c.log.WarnContext(ctx, "record collection progress", "run_id", r.id, "err", err)
	}
	if r.opts.OnProgress != nil {
		r.opts.OnProgress(st)
	}
}

// reasonOf is a short, stable reason for a channel error.
func reasonOf(err error) string {
	switch {
	case errors.Is(err, ErrBufferFull):
		return "buffer_full"
	case errors.Is(err, store.ErrUnavailable):
		return "clickhouse_unavailable"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	case errors.Is(err, org.ErrNoToken), errors.Is(err, org.ErrNoKey):
		return "no_token"
	}
	var me *meta.Error
	var ne *meta.NetError
	switch {
	case errors.As(err, &me):
		return "graph_" + me.Class.String()
	case errors.As(err, &ne):
		return "graph_network"
	}
	return "error"
}
