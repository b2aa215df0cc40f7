package collector

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrLeaseLost means a run stopped renewing its lease in the state
// database in time (another process may have taken it and started a run):
// the run is stopped and the collector component fails.
var ErrLeaseLost = errors.New("collection run lost its lease")

// runLease is a run's lease being renewed in the background.
type runLease struct {
	stopBeats context.CancelFunc
	cancelRun context.CancelCauseFunc
	done      chan struct{}
	lost      error // set before done closes
}

// keepLease renews the run's lease every quarter of it until stopped, so a
// run waiting out a throttle keeps it while one whose process died loses
// it within c.leaseTTL. When the lease is lost (another process found it
// expired, or no renewal succeeded within c.leaseTTL) the returned ctx is
// cancelled with the reason, so the run stops calling the Graph API, and
// the collector reports the failure on Failed.
func (c *Collector) keepLease(ctx context.Context, r *run) (context.Context, *runLease) {
	runCtx, cancelRun := context.WithCancelCause(ctx)
	beatCtx, stopBeats := context.WithCancel(context.WithoutCancel(ctx))
	l := &runLease{stopBeats: stopBeats, cancelRun: cancelRun, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		t := time.NewTicker(c.leaseTTL / 4)
		defer t.Stop()
		renewed := c.now()
		for {
			select {
			case <-beatCtx.Done():
				return
			case <-t.C:
			}
			held, err := c.runs.heartbeat(beatCtx, r.id, c.now().UTC())
			if beatCtx.Err() != nil {
				return
			}
			if err == nil && held {
				renewed = c.now()
				continue
			}
			if err != nil && c.now().Sub(renewed) < c.leaseTTL {
				c.log.WarnContext(ctx, "renew collection run lease", "run_id", r.id, "err", err)
				continue
			}
			why := "another process found it expired"
			if err != nil {
				why = fmt.Sprintf("no renewal succeeded within %s: %v", c.leaseTTL, err)
			}
			l.lost = fmt.Errorf("%w: run %s (%s; another run may have started); the run was stopped / "+
				"koleksi %s kehilangan lease-nya dan dihentikan", ErrLeaseLost, r.id, why, r.id)
			c.log.ErrorContext(ctx, "collection run lost its lease; stopping it", "run_id", r.id, "lease", c.leaseTTL,
				"err", l.lost)
			cancelRun(l.lost)
			c.fail(l.lost)
			return
		}
	}()
	return runCtx, l
}

// stop ends the renewals and returns why the lease was lost (nil if held).
func (l *runLease) stop() error {
	l.stopBeats()
	<-l.done
	l.cancelRun(context.Canceled)
	return l.lost
}

// fail reports a failure the collector cannot recover from on Failed (the
// first one; later ones are only logged).
func (c *Collector) fail(err error) {
	select {
	case c.failed <- err:
	default:
	}
}

// Failed receives the error of a failure the collector component cannot
// recover from (a run lost its lease): the process should stop.
func (c *Collector) Failed() <-chan error { return c.failed }
