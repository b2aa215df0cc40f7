package scheduler_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store/storetest"
)

// slowGraph answers publishing calls after a delay, as a slow Graph API
// does, and counts them as they arrive.
type slowGraph struct {
	sim      *graphsim.Sim
	delay    time.Duration
	arrived  atomic.Int64
	stopping atomic.Bool
	late     atomic.Int64 // arrived after stopping was set
}

func (s *slowGraph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/feed") {
		s.arrived.Add(1)
		if s.stopping.Load() {
			s.late.Add(1)
		}
		select {
		case <-time.After(s.delay):
		case <-r.Context().Done():
			return
		}
	}
	s.sim.ServeHTTP(w, r)
}

// TestStopEndsClaimingAtOnce: with two workers, slow Graph answers and
// thirty due posts, Stop lets the (at most two) calls in flight finish
// and claims nothing more: no post goes out after Stop began beyond
// those, and no delivery is left claimed ('publishing') but unstarted.
// The rest stays scheduled for the next start.
func TestStopEndsClaimingAtOnce(t *testing.T) {
	const workers, posts = 2, 30
	e, sim, slow := slowPublisher(t, workers, posts, 150*time.Millisecond, workers+1)
	ctx := context.Background()
	slow.stopping.Store(true)
	before := sim.PublishedCount("100")
	stopCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := e.pub.Stop(stopCtx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	after := sim.PublishedCount("100")

	by := e.statusCounts()
	publishing, published, scheduled := by["publishing"], by["published"], by["scheduled"]
	t.Logf("published before Stop %d, after %d; calls arriving after Stop began %d; deliveries: %d published, %d scheduled, %d publishing",
		before, after, slow.late.Load(), published, scheduled, publishing)
	if after-before > workers {
		t.Errorf("%d posts went out after Stop began; at most the %d in flight may finish", after-before, workers)
	}
	if slow.late.Load() > workers {
		t.Errorf("%d publishing calls reached the Graph API after Stop began; at most %d may", slow.late.Load(), workers)
	}
	if publishing != 0 {
		t.Errorf("%d deliveries left claimed ('publishing') after Stop returned", publishing)
	}
	if published != after || published+scheduled != posts {
		t.Errorf("deliveries: %d published (simulator has %d), %d scheduled; want %d in all", published, after, scheduled, posts)
	}
}

// TestStopAtDeadlineLeavesOnlyStartedCallsClaimed: when Stop's deadline
// passes while calls are in flight, those calls are cancelled and their
// deliveries stay 'publishing' for the next start to reconcile; but only
// those: no delivery is left claimed without a call made for it.
func TestStopAtDeadlineLeavesOnlyStartedCallsClaimed(t *testing.T) {
	const workers, posts = 2, 30
	e, sim, slow := slowPublisher(t, workers, posts, 2*time.Second, workers)
	slow.stopping.Store(true)
	stopCtx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := e.pub.Stop(stopCtx)
	if err == nil || !strings.Contains(err.Error(), "checked on the platform at next start") {
		t.Fatalf("Stop past its deadline: %v, want an error saying in-flight deliveries are checked at next start", err)
	}
	by := e.statusCounts()
	unanswered := int(slow.arrived.Load()) - sim.PublishedCount("100")
	t.Logf("calls made %d, published %d; deliveries %v", slow.arrived.Load(), sim.PublishedCount("100"), by)
	if by["publishing"] > workers || by["publishing"] > unanswered {
		t.Errorf("%d deliveries left 'publishing' but only %d calls were made and not answered (%d workers): "+
			"some were claimed and never started", by["publishing"], unanswered, workers)
	}
	if by["publishing"]+by["published"]+by["scheduled"] != posts {
		t.Errorf("deliveries %v, want %d in all", by, posts)
	}
}

// slowPublisher starts a publisher with workers workers against Graph
// answers slowed by delay, with posts due posts on one Page, and returns
// once busy calls have been made.
func slowPublisher(t *testing.T, workers, posts int, delay time.Duration, busy int64) (*env, *graphsim.Sim, *slowGraph) {
	t.Helper()
	sim := graphsim.New(graphsim.Options{IGReadyDelay: time.Millisecond})
	slow := &slowGraph{sim: sim, delay: delay}
	srv := httptest.NewServer(slow)
	t.Cleanup(srv.Close)
	e := newEnvWith(t, storetest.SQLite(t), sim, srv.URL, scheduler.PublisherOptions{Workers: workers, Tick: "@every 20ms"})
	c := e.page("100")
	for i := range posts {
		e.scheduled(textDraft(fmt.Sprintf("Pengumuman tahapan nomor %d", i), time.Now().Add(-time.Second), c.ID))
	}
	if err := e.pub.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for slow.arrived.Load() < busy {
		if time.Now().After(deadline) {
			t.Fatalf("only %d publishing calls within 20s", slow.arrived.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return e, sim, slow
}

// statusCounts counts deliveries by status.
func (e *env) statusCounts() map[string]int {
	e.t.Helper()
	rows, err := e.db.DB.Query(`SELECT status, count(*) FROM deliveries GROUP BY status`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			e.t.Fatal(err)
		}
		out[st] = n
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	return out
}
