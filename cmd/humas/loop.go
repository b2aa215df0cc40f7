package main

import (
	"context"
	"time"
)

// loop is a background component: pass runs in one goroutine, first at
// once when now is set, then at each time next gives (from the end of the
// previous pass), until Stop. Stop cancels a pass in progress and waits
// for it until its own context ends. A nil next runs pass once. init, when
// set, runs in Start itself, before it returns.
type loop struct {
	init func(ctx context.Context)
	now  bool
	next func(time.Time) time.Time
	pass func(ctx context.Context)

	cancel context.CancelFunc
	done   chan struct{}
}

// interval is a schedule of fixed intervals.
func interval(d time.Duration) func(time.Time) time.Time {
	return func(t time.Time) time.Time { return t.Add(d) }
}

// Start begins the loop; it outlives ctx until Stop.
func (l *loop) Start(ctx context.Context) error {
	if l.init != nil {
		l.init(ctx)
	}
	ctx, l.cancel = context.WithCancel(context.WithoutCancel(ctx))
	l.done = make(chan struct{})
	go func() {
		defer close(l.done)
		if l.now {
			l.pass(ctx)
		}
		for l.next != nil {
			t := time.NewTimer(time.Until(l.next(time.Now())))
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			l.pass(ctx)
		}
	}()
	return nil
}

// Stop ends the loop, cancelling a pass in progress, and waits for it.
func (l *loop) Stop(ctx context.Context) error {
	if l.cancel == nil {
		return nil
	}
	l.cancel()
	select {
	case <-l.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
