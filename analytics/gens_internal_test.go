package analytics

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/humas-id/humas/store/storetest"
)

// The current generations are read by one caller at a time: while it
// reads, the others answer from the remembered ones, or wait for its
// answer when none are remembered (before, all 40 or so callers in flight
// read them at once, three statements each).
func TestGensReadByOneCaller(t *testing.T) {
	svc, err := New(storetest.ClickHouse(t), Options{RefreshEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	remembered := gens{latest: 7, age: 7, cellZones: "Asia/Jakarta"}
	stale := func() {
		svc.mu.Lock()
		svc.gens, svc.gensAt = remembered, time.Now().Add(-2*gensTTL)
		svc.mu.Unlock()
	}

	// Another caller is reading: this one keeps the remembered ones and
	// does not read (gensAt stays old).
	stale()
	inFlight := &gensRead{done: make(chan struct{})}
	svc.gensRead = inFlight
	short, cancel := context.WithTimeout(ctx, 2*time.Second) // a wait on the read would end here
	defer cancel()
	g, err := svc.currentGens(short)
	if err != nil || g != remembered {
		t.Fatalf("while another caller reads: got %+v, %v; want the remembered %+v", g, err, remembered)
	}
	if _, at := svc.getGens(); time.Since(at) < gensTTL {
		t.Fatal("read the generations again while another caller was reading them")
	}

	// None remembered: a caller waits for the read in progress and gets
	// its answer.
	svc.mu.Lock()
	svc.gens, svc.gensAt = gens{}, time.Time{}
	svc.mu.Unlock()
	waited := make(chan gens, 1)
	go func() {
		g, _ := svc.currentGens(ctx)
		waited <- g
	}()
	select {
	case g := <-waited:
		t.Fatalf("returned %+v before the read in progress ended", g)
	case <-time.After(100 * time.Millisecond):
	}
	inFlight.g = gens{latest: 9, age: 9}
	close(inFlight.done)
	if g := <-waited; g.latest != 9 {
		t.Fatalf("got %+v, want the answer of the read in progress", g)
	}
	svc.gensRead = nil

	// Nobody reading: this caller reads them (the database has none yet:
	// 0) and ends its read.
	stale()
	g, err = svc.currentGens(ctx)
	if err != nil || g.latest != 0 || g.age != 0 {
		t.Fatalf("stale, nobody reading: got %+v, %v; want the database's (none)", g, err)
	}
	if _, at := svc.getGens(); time.Since(at) >= gensTTL {
		t.Fatal("stale generations were not read again")
	}
	if svc.gensRead != nil {
		t.Fatal("the read stayed in progress")
	}

	// Many callers at once on stale generations: each gets either the
	// remembered ones or the database's, and no read stays in progress.
	stale()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g, err := svc.currentGens(ctx)
			if err == nil && g != remembered && (g.latest != 0 || g.age != 0) {
				t.Errorf("got %+v: neither the remembered generations nor the database's", g)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if svc.gensRead != nil {
		t.Fatal("a read stayed in progress")
	}
}
