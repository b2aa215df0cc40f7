package analytics

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/humas-id/humas/store/storetest"
)

// heldReads replaces a service's read of the generations with one that
// counts its calls and answers with g (or err) once released.
type heldReads struct {
	calls   atomic.Int32
	release chan struct{}
	once    sync.Once
	g       gens
	err     error
	panics  bool
}

func holdReads(t *testing.T, svc *Service, g gens, err error) *heldReads {
	h := &heldReads{release: make(chan struct{}), g: g, err: err}
	t.Cleanup(h.free) // a failed test does not leave reads held
	svc.readGensFn = func(ctx context.Context) (gens, error) {
		h.calls.Add(1)
		select { // as the real read, it ends with its context
		case <-h.release:
		case <-ctx.Done():
			return gens{}, ctx.Err()
		}
		if h.panics {
			panic("read failed badly")
		}
		return h.g, h.err
	}
	return h
}

// free lets the held reads answer.
func (h *heldReads) free() { h.once.Do(func() { close(h.release) }) }

func setGensAt(svc *Service, g gens, at time.Time) {
	svc.mu.Lock()
	svc.gens, svc.gensAt = g, at
	svc.mu.Unlock()
}

type answer struct {
	g   gens
	err error
}

// callers runs n concurrent currentGens calls; their answers arrive on
// the channel.
func callers(ctx context.Context, svc *Service, n int) chan answer {
	out := make(chan answer, n)
	for range n {
		go func() {
			g, err := svc.currentGens(ctx)
			out <- answer{g, err}
		}()
	}
	return out
}

// next is the next caller's answer, or a failure after 10 s.
func next(t *testing.T, out chan answer) answer {
	t.Helper()
	select {
	case a := <-out:
		return a
	case <-time.After(10 * time.Second):
		t.Fatal("a caller did not return within 10 s")
		return answer{}
	}
}

// The current generations are read by one caller at a time: while it
// reads, the others answer from the remembered ones, or wait for its
// answer when none are remembered or they are too old (before, all 40 or
// so callers in flight read them at once, three statements each).
func TestGensReadByOneCaller(t *testing.T) {
	svc, err := New(storetest.ClickHouse(t), Options{RefreshEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	remembered := gens{latest: 7, age: 7, cellZones: "Asia/Jakarta"}
	newer := gens{latest: 8, age: 8, cellZones: "Asia/Jakarta"}

	t.Run("stale: one reads, the others keep the remembered ones", func(t *testing.T) {
		setGensAt(svc, remembered, time.Now().Add(-2*gensTTL))
		h := holdReads(t, svc, newer, nil)
		out := callers(ctx, svc, 40)
		for range 39 { // all but the reader answer while the read is held
			if a := next(t, out); a.err != nil || a.g != remembered {
				t.Fatalf("got %+v, %v; want the remembered %+v", a.g, a.err, remembered)
			}
		}
		h.free()
		if a := next(t, out); a.g != newer || a.err != nil {
			t.Fatalf("the reader got %+v, %v; want %+v", a.g, a.err, newer)
		}
		if n := h.calls.Load(); n != 1 {
			t.Fatalf("%d reads, want 1", n)
		}
		if g, _ := svc.getGens(); g != newer {
			t.Fatalf("remembered %+v after the read, want %+v", g, newer)
		}
	})

	t.Run("none remembered: all wait for one read", func(t *testing.T) {
		setGensAt(svc, gens{}, time.Time{})
		h := holdReads(t, svc, newer, nil)
		out := callers(ctx, svc, 40)
		time.Sleep(100 * time.Millisecond) // let them queue behind the read
		select {
		case a := <-out:
			t.Fatalf("a caller returned %+v before the read ended", a.g)
		default:
		}
		h.free()
		for range 40 {
			if a := next(t, out); a.g != newer || a.err != nil {
				t.Fatalf("got %+v, %v; want %+v", a.g, a.err, newer)
			}
		}
		if n := h.calls.Load(); n != 1 {
			t.Fatalf("%d reads, want 1", n)
		}
	})

	t.Run("too old to keep: callers wait for the read", func(t *testing.T) {
		setGensAt(svc, remembered, time.Now().Add(-2*gensStaleMax))
		h := holdReads(t, svc, newer, nil)
		out := callers(ctx, svc, 2)
		time.Sleep(100 * time.Millisecond)
		select {
		case a := <-out:
			t.Fatalf("returned %+v, older than gensStaleMax, while the read was held", a.g)
		default:
		}
		h.free()
		for range 2 {
			if a := next(t, out); a.g != newer || a.err != nil {
				t.Fatalf("got %+v, %v; want %+v", a.g, a.err, newer)
			}
		}
	})

	t.Run("a waiter whose request ends returns its error", func(t *testing.T) {
		setGensAt(svc, gens{}, time.Time{})
		h := holdReads(t, svc, newer, nil)
		reader := callers(ctx, svc, 1)
		for deadline := time.Now().Add(10 * time.Second); h.calls.Load() == 0; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the read did not start")
			}
		}
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		if _, err := svc.currentGens(short); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > gensReadTimeout/2 {
			t.Fatalf("got %v after %s, want the waiter's own deadline (50ms)", err, time.Since(start))
		}
		h.free()
		if a := next(t, reader); a.g != newer {
			t.Fatalf("the reader got %+v, want %+v", a.g, newer)
		}
	})

	t.Run("a failed read: the last known ones, or the error to every waiter", func(t *testing.T) {
		boom := errors.New("clickhouse down")
		setGensAt(svc, remembered, time.Now().Add(-2*gensTTL))
		h := holdReads(t, svc, gens{}, boom)
		h.free()
		if g, err := svc.currentGens(ctx); err != nil || g != remembered {
			t.Fatalf("got %+v, %v; want the last known %+v", g, err, remembered)
		}
		setGensAt(svc, gens{}, time.Time{})
		h = holdReads(t, svc, gens{}, boom)
		out := callers(ctx, svc, 5)
		time.Sleep(50 * time.Millisecond)
		h.free()
		for range 5 {
			if a := next(t, out); !errors.Is(a.err, boom) {
				t.Fatalf("got %v, want the read's error", a.err)
			}
		}
	})

	t.Run("a read that panics still ends", func(t *testing.T) {
		setGensAt(svc, gens{}, time.Time{})
		h := holdReads(t, svc, gens{}, nil)
		h.panics = true
		h.free()
		func() {
			defer func() { _ = recover() }()
			_, _ = svc.currentGens(ctx)
		}()
		svc.gensMu.Lock()
		inFlight := svc.gensRead
		svc.gensMu.Unlock()
		if inFlight != nil {
			t.Fatal("the read stayed in progress after a panic")
		}
	})

	t.Run("a refresh that ends during the read keeps its newer generations", func(t *testing.T) {
		setGensAt(svc, remembered, time.Now().Add(-2*gensTTL))
		h := holdReads(t, svc, remembered, nil) // the read saw the state before the refresh
		out := callers(ctx, svc, 1)
		for deadline := time.Now().Add(10 * time.Second); h.calls.Load() == 0; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the read did not start within 10 s")
			}
		}
		svc.adopt(newer, 0) // the refresh loop, while the read is held
		h.free()
		if a := next(t, out); a.err != nil || a.g != newer {
			t.Fatalf("the reader got %+v, %v; want the refresh's %+v", a.g, a.err, newer)
		}
		if g, _ := svc.getGens(); g != newer {
			t.Fatalf("remembered %+v after the read, want the refresh's %+v", g, newer)
		}
		// A read that began after the refresh still replaces them (a
		// generation of another process may be newer or, after a
		// restore, older).
		setGensAt(svc, newer, time.Now().Add(-2*gensTTL))
		h = holdReads(t, svc, remembered, nil)
		h.free()
		if g, err := svc.currentGens(ctx); err != nil || g != remembered {
			t.Fatalf("got %+v, %v; want the read's %+v", g, err, remembered)
		}
	})

	t.Run("a read that began before the cells were recorded keeps their zones", func(t *testing.T) {
		setGensAt(svc, remembered, time.Now().Add(-2*gensTTL))
		h := holdReads(t, svc, gens{latest: remembered.latest, age: remembered.age}, nil)
		h.free()
		if g, err := svc.currentGens(ctx); err != nil || g != remembered {
			t.Fatalf("got %+v, %v; want %+v with its cell zones", g, err, remembered)
		}
	})

	t.Run("the real read", func(t *testing.T) {
		svc.readGensFn = svc.readGens
		setGensAt(svc, remembered, time.Now().Add(-2*gensTTL))
		var wg sync.WaitGroup
		for range 2 { // the reader gets the database's (none yet: 0)
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := svc.currentGens(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if g, at := svc.getGens(); g.latest != 0 || time.Since(at) > gensTTL {
			t.Fatalf("remembered %+v read at %s, want the database's none, just read", g, at)
		}
	})
}
