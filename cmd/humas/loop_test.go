package main

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoop: init runs inside Start, passes repeat on the schedule, and
// Stop cancels a pass in progress and waits for it to return.
func TestLoop(t *testing.T) {
	var inits, passes atomic.Int32
	blocked := make(chan struct{})
	returned := make(chan struct{})
	l := &loop{init: func(context.Context) { inits.Add(1) }, now: true, next: interval(time.Millisecond),
		pass: func(ctx context.Context) {
			if passes.Add(1) == 3 {
				close(blocked)
				<-ctx.Done() // a long pass: only Stop ends it
				close(returned)
			}
		}}
	ctx, cancel := context.WithCancel(context.Background())
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if inits.Load() != 1 {
		t.Fatalf("init ran %d times before Start returned", inits.Load())
	}
	cancel() // the loop outlives the context it was started with
	select {
	case <-blocked:
	case <-time.After(30 * time.Second):
		t.Fatalf("only %d passes ran", passes.Load())
	}
	stop, done := context.WithTimeout(context.Background(), 30*time.Second)
	defer done()
	if err := l.Stop(stop); err != nil {
		t.Fatal(err)
	}
	select {
	case <-returned:
	default:
		t.Fatal("Stop returned before the pass in progress ended")
	}
	if n := passes.Load(); n != 3 {
		t.Errorf("%d passes; none may start after Stop", n)
	}
	if err := (&loop{}).Stop(stop); err != nil {
		t.Errorf("Stop of a loop never started: %v", err)
	}
}
