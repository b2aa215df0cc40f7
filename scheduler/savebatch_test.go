package scheduler_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store/storetest"
)

// gateGraph holds the publishing calls until want of them have arrived,
// then lets them all answer at once: their outcomes reach the group
// commit together.
type gateGraph struct {
	sim     *graphsim.Sim
	want    int
	mu      sync.Mutex
	arrived int
	open    chan struct{}
	release chan struct{}
}

func (g *gateGraph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/feed") {
		g.mu.Lock()
		if g.arrived++; g.arrived == g.want {
			close(g.open)
		}
		g.mu.Unlock()
		select {
		case <-g.release:
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
			return
		}
	}
	g.sim.ServeHTTP(w, r)
}

// TestGroupCommitKeepsEachOutcomeOwn: eight workers' outcomes reach the
// group commit while the state database's writer lock is held elsewhere,
// so that they are written in one or two transactions (the first batch,
// the rest queued behind it);
// two of the deliveries were taken over by another replica meanwhile, so
// their outcomes are refused (and a batch holding one is written again
// outcome by outcome). The
// other six are saved all the same (each published once, one audit line
// each, their posts settled), and the refused ones are left to the
// replica that holds them.
func TestGroupCommitKeepsEachOutcomeOwn(t *testing.T) {
	const n = 8
	sim := graphsim.New(graphsim.Options{IGReadyDelay: time.Millisecond})
	g := &gateGraph{sim: sim, want: n, open: make(chan struct{}), release: make(chan struct{})}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	// The group commit is SQLite's (over PostgreSQL each outcome has its
	// own transaction), so the state is a SQLite file whatever
	// HUMAS_TEST_STATE says.
	e := newEnvWith(t, storetest.SQLiteFile(t), sim, srv.URL, scheduler.PublisherOptions{Workers: n})
	c := e.page("100")
	for i := range n {
		e.scheduled(textDraft(fmt.Sprintf("Pengumuman serentak nomor %d", i), time.Now().Add(-time.Second), c.ID))
	}
	ctx := context.Background()
	ticked := make(chan struct{})
	go func() {
		defer close(ticked)
		e.pub.Tick(ctx) // hands all eight to the workers, which wait at the gate
	}()
	select {
	case <-g.open:
	case <-time.After(10 * time.Second):
		g.mu.Lock()
		defer g.mu.Unlock()
		t.Fatalf("only %d of %d publishing calls arrived", g.arrived, n)
	}
	// The writer lock, held while the outcomes arrive; the two deliveries
	// are taken over in the same transaction.
	hold, err := e.db.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback()
	if _, err := hold.Exec(`UPDATE deliveries SET claimed_by = 'replica-b' WHERE id IN (SELECT id FROM deliveries ORDER BY id LIMIT 2)`); err != nil {
		t.Fatal(err)
	}
	close(g.release)
	// The first batch's transaction waits for the lock, the other
	// outcomes queue behind it (or were in it already).
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		if e.pub.SavesReceived() == n {
			break
		}
		if time.Now().After(deadline) {
			received := e.pub.SavesReceived()
			t.Fatalf("within 10 s %d outcomes reached the group commit, want %d", received, n)
		}
	}
	if err := hold.Commit(); err != nil {
		t.Fatal(err)
	}
	<-ticked
	e.pub.Wait()

	const taken = 2
	by := e.statusCounts()
	if by["published"] != n-taken || by["publishing"] != taken {
		t.Fatalf("deliveries %v, want %d published and the %d taken over still publishing", by, n-taken, taken)
	}
	var others int
	if err := e.db.DB.QueryRow(`SELECT count(*) FROM deliveries WHERE status = 'publishing' AND claimed_by = 'replica-b'`).Scan(&others); err != nil {
		t.Fatal(err)
	}
	if others != taken {
		t.Errorf("%d deliveries publishing by replica-b, want %d (their outcomes are not this replica's to write)", others, taken)
	}
	var lines, distinct int
	if err := e.db.DB.QueryRow(`SELECT count(*), count(DISTINCT entity_id) FROM audit_log WHERE entity = 'delivery' AND action = 'published'`).
		Scan(&lines, &distinct); err != nil {
		t.Fatal(err)
	}
	if lines != n-taken || distinct != n-taken {
		t.Errorf("%d 'published' audit lines for %d deliveries, want %d for %d", lines, distinct, n-taken, n-taken)
	}
	var posts int
	if err := e.db.DB.QueryRow(`SELECT count(*) FROM posts WHERE state = 'published'`).Scan(&posts); err != nil {
		t.Fatal(err)
	}
	if posts != n-taken {
		t.Errorf("%d posts published, want %d", posts, n-taken)
	}
}

// An outcome is written only over the claim it was made under: once the
// same replica has claimed the delivery again (its claim lapsed and was
// swept meanwhile: attempts counts the claims), the late outcome of the
// earlier claim is dropped, not written over the newer attempt's.
func TestLateOutcomeOfEarlierClaimDropped(t *testing.T) {
	sim := graphsim.New(graphsim.Options{IGReadyDelay: time.Millisecond})
	g := &gateGraph{sim: sim, want: 1, open: make(chan struct{}), release: make(chan struct{})}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	e := newEnvWith(t, storetest.SQLite(t), sim, srv.URL, scheduler.PublisherOptions{Workers: 1})
	c := e.page("100")
	e.scheduled(textDraft("Pengumuman jadwal layanan", time.Now().Add(-time.Second), c.ID))
	ctx := context.Background()
	ticked := make(chan struct{})
	go func() {
		defer close(ticked)
		e.pub.Tick(ctx)
	}()
	select {
	case <-g.open:
	case <-time.After(10 * time.Second):
		t.Fatal("the publishing call did not arrive")
	}
	// The same replica's newer claim of the delivery.
	if _, err := e.db.DB.Exec(`UPDATE deliveries SET attempts = attempts + 1`); err != nil {
		t.Fatal(err)
	}
	close(g.release)
	<-ticked
	e.pub.Wait()
	var status string
	var attempts int
	if err := e.db.DB.QueryRow(`SELECT status, attempts FROM deliveries`).Scan(&status, &attempts); err != nil {
		t.Fatal(err)
	}
	if status != scheduler.DeliveryPublishing || attempts != 2 {
		t.Errorf("delivery %s after %d claims, want still publishing under the second claim", status, attempts)
	}
	var audits int
	if err := e.db.DB.QueryRow(`SELECT count(*) FROM audit_log WHERE entity = 'delivery' AND action = 'published'`).Scan(&audits); err != nil {
		t.Fatal(err)
	}
	if audits != 0 {
		t.Errorf("%d 'published' audit lines, want none from the earlier claim", audits)
	}
}
