package analytics

import (
	"context"
	"sync"
	"sync/atomic"
)

// flights computes each report once for all callers asking the same thing
// at the same time. Unlike singleflight, a caller whose ctx ends returns
// at once, and the computation is cancelled when no caller waits for it
// any more. The Service owns the computing goroutines: Stop cancels and
// waits for them.
type flights struct {
	mu     sync.Mutex
	m      map[string]*flight
	closed bool
	wg     sync.WaitGroup
	active atomic.Int64 // computing goroutines
}

type flight struct {
	done    chan struct{}
	v       any
	err     error
	waiters int
	cancel  context.CancelFunc
}

// do returns fn's answer for key, computed once for all callers waiting
// at the same time. fn runs on a context that keeps the first caller's
// values but not its cancellation; it is cancelled when every caller gave
// up or at close.
func (f *flights) do(ctx context.Context, key string, fn func(context.Context) (any, error)) (any, error) {
	f.mu.Lock()
	if f.closed { // stopped: no background work, compute for this caller alone
		f.mu.Unlock()
		return fn(ctx)
	}
	if f.m == nil {
		f.m = map[string]*flight{}
	}
	fl, ok := f.m[key]
	if !ok {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		fl = &flight{done: make(chan struct{}), cancel: cancel}
		f.m[key] = fl
		f.wg.Add(1)
		f.active.Add(1)
		go func() {
			defer f.wg.Done()
			defer f.active.Add(-1)
			defer cancel()
			fl.v, fl.err = fn(fctx)
			f.mu.Lock()
			if f.m[key] == fl {
				delete(f.m, key)
			}
			f.mu.Unlock()
			close(fl.done)
		}()
	}
	fl.waiters++
	f.mu.Unlock()

	select {
	case <-fl.done:
		return fl.v, fl.err
	case <-ctx.Done():
		f.mu.Lock()
		fl.waiters--
		if fl.waiters == 0 {
			fl.cancel()
			if f.m[key] == fl { // the next caller starts afresh
				delete(f.m, key)
			}
		}
		f.mu.Unlock()
		return nil, ctx.Err()
	}
}

// open lets do start background computations again (after close).
func (f *flights) open() {
	f.mu.Lock()
	f.closed = false
	f.mu.Unlock()
}

// close cancels every computation in progress and waits for them until
// ctx ends; later calls compute in the caller's goroutine.
func (f *flights) close(ctx context.Context) error {
	f.mu.Lock()
	f.closed = true
	for _, fl := range f.m {
		fl.cancel()
	}
	f.mu.Unlock()
	return waitCtx(ctx, &f.wg)
}

// waitCtx waits for wg until ctx ends.
func waitCtx(ctx context.Context, wg *sync.WaitGroup) error {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// running is how many computing goroutines have not ended (cancelled ones
// included until they return).
func (f *flights) running() int { return int(f.active.Load()) }
