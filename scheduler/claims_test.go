package scheduler_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// claimEnv is a publisher over PostgreSQL (replica "replica-a") whose
// simulator runs hook before each request, and one Page delivery due now
// whose channel must be read first (reconcile set): the read is where a
// test steps in between the claim and the write.
func claimEnv(t *testing.T, lease time.Duration, hook func(r *http.Request)) (*env, int64, string, string) {
	t.Helper()
	db := storetest.Postgres(t)
	sim := graphsim.New(graphsim.Options{IGReadyDelay: time.Millisecond, AppID: "app", AppSecret: "appsecret"})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hook(r)
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	e := newEnvWith(t, db, sim, srv.URL, scheduler.PublisherOptions{Replica: "replica-a", ClaimLease: lease})
	c := e.page("4711")
	caption := "Pengumuman rekapitulasi suara tingkat kota"
	p := e.scheduled(textDraft(caption, time.Now().Add(time.Hour), c.ID))
	now := store.FormatTime(time.Now().Add(-time.Second))
	var id int64
	if err := db.DB.QueryRow(`SELECT id FROM deliveries WHERE post_id = ?`, p.ID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DB.Exec(`UPDATE deliveries SET scheduled_at = ?, next_attempt_at = ?, reconcile = 1 WHERE id = ?`, now, now, id); err != nil {
		t.Fatal(err)
	}
	return e, id, c.ExternalID, caption
}

// A replica whose claim another replica took over while it was reading
// the channel (its own claim had expired: cut off from the database)
// sends nothing: the claim is confirmed just before the write.
func TestClaimTakenOverSendsNothing(t *testing.T) {
	var once sync.Once
	var e *env
	var id int64
	var page string
	e, id, page, caption := claimEnv(t, 30*time.Second, func(r *http.Request) {
		if r.Method != http.MethodGet || page == "" || !strings.Contains(r.URL.Path, page) {
			return
		}
		once.Do(func() {
			// Replica B swept the expired claim and claimed the delivery.
			if _, err := e.db.DB.Exec(`UPDATE deliveries SET claimed_by = 'replica-b', claim_expires_at = ? WHERE id = ?`,
				store.FormatTime(time.Now().Add(time.Hour)), id); err != nil {
				t.Error(err)
			}
		})
	})
	e.pub.Tick(context.Background())
	e.pub.Wait()
	if n := e.sim.CountText(page, caption); n != 0 {
		t.Errorf("sent %d times by the replica that lost its claim, want 0", n)
	}
	var status, by string
	if err := e.db.DB.QueryRow(`SELECT status, claimed_by FROM deliveries WHERE id = ?`, id).Scan(&status, &by); err != nil {
		t.Fatal(err)
	}
	if status != scheduler.DeliveryPublishing || by != "replica-b" {
		t.Errorf("delivery %s claimed by %q, want still publishing by replica-b (nothing saved over it)", status, by)
	}
	var audits int // nothing saved over replica-b's claim
	if err := e.db.DB.QueryRow(`SELECT count(*) FROM audit_log WHERE entity = 'delivery' AND entity_id = ?`, id).Scan(&audits); err != nil {
		t.Fatal(err)
	}
	if audits != 0 {
		t.Errorf("%d audit lines for the delivery, want none from the replica that lost it", audits)
	}
}

// A worker whose claim is not renewed (its replica cut off from the
// database: here no renewal runs at all) has its Graph write cancelled
// before the claim expires, rather than sending after another replica may
// have taken the delivery over; the delivery goes back to the queue with
// the channel to be read first.
func TestClaimLapseCancelsWrite(t *testing.T) {
	var page string
	cancelled := make(chan string, 1)
	done := make(chan struct{})
	defer close(done)
	e, id, page, caption := claimEnv(t, 3*time.Second, func(r *http.Request) {
		if r.Method != http.MethodPost || page == "" || !strings.Contains(r.URL.Path, page) {
			return
		}
		// Read the body (the server notices the client going away only
		// then), and hang: Meta does not answer.
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		select {
		case <-r.Context().Done():
			cancelled <- r.URL.Path
		case <-done:
		}
	})
	e.pub.Tick(context.Background())
	e.pub.Wait()
	select { // the server sees the connection closed a moment later
	case path := <-cancelled:
		t.Logf("write %s cancelled", path)
	case <-time.After(10 * time.Second):
		var status, by string
		_ = e.db.DB.QueryRow(`SELECT status, claimed_by FROM deliveries WHERE id = ?`, id).Scan(&status, &by)
		t.Fatalf("the hanging write was not cancelled (delivery %s by %q, sent %d)", status, by, e.sim.CountText(page, caption))
	}
	var status string
	var reconcile bool
	if err := e.db.DB.QueryRow(`SELECT status, reconcile FROM deliveries WHERE id = ?`, id).Scan(&status, &reconcile); err != nil {
		t.Fatal(err)
	}
	if status != scheduler.DeliveryScheduled || !reconcile {
		t.Errorf("delivery %s, reconcile %v; want scheduled with the channel read first", status, reconcile)
	}
	_ = caption
}
