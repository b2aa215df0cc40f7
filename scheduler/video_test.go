package scheduler_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store"
)

func videoDraft(caption string, at time.Time, channels ...int64) scheduler.Draft {
	d := textDraft(caption, at, channels...)
	d.ContentType = "video"
	d.Media = []scheduler.Media{{Type: "video", URL: "https://cdn.example.org/sosialisasi.mp4"}}
	return d
}

// The answer to POST /{page}/videos is lost while Meta is still processing
// the video, so its post is not in /{page}/posts yet. Reconciliation must
// find the video among the Page's videos and follow it, not upload again.
func TestLostVideoAnswerWhileProcessingIsNotResent(t *testing.T) {
	// The simulator's clock stands still: the video stays processing until
	// the test moves it on.
	clock := graphsim.NewManualClock(time.Now())
	e := newEnv(t, graphsim.Options{Clock: clock.Now, FBVideoReadyDelay: 10 * time.Minute}, scheduler.PublisherOptions{})
	ctx := context.Background()
	c := e.page("100")
	caption := "Video sosialisasi pencocokan dan penelitian data pemilih"
	e.sim.InjectFault(graphsim.Fault{Endpoint: "page_videos_post", Kind: graphsim.FaultLostAnswer})
	p := e.scheduled(videoDraft(caption, time.Now().Add(-time.Second), c.ID))

	// Attempt 1 loses the answer; attempt 2 reads the channel and finds
	// the processing video; later attempts only read its status. Tick
	// until the delivery follows the video (a deadline, not a count of
	// fixed sleeps: each retry waits out a real backoff).
	e.tickUntil("the delivery follows the processing video", func() bool {
		var container string
		if err := e.db.DB.QueryRow(`SELECT container_id FROM deliveries WHERE post_id = ?`, p.ID).Scan(&container); err != nil {
			t.Fatal(err)
		}
		return strings.HasPrefix(container, "fbvideo:") && e.sim.Calls().ByEndpoint["page_videos_list"] > 0
	})
	calls := e.sim.Calls().ByEndpoint
	if calls["page_videos_post"] != 1 || calls["page_videos_list"] == 0 {
		t.Fatalf("calls %v: want one upload and a read of the Page's videos", calls)
	}
	items := e.sim.Published("100")
	if len(items) != 1 || items[0].Kind != "video" || items[0].Text != caption {
		t.Fatalf("simulator holds %+v", items)
	}
	var container string
	var reconcile bool
	if err := e.db.DB.QueryRow(`SELECT container_id, reconcile FROM deliveries WHERE post_id = ?`, p.ID).Scan(&container, &reconcile); err != nil {
		t.Fatal(err)
	}
	got := e.post(p.ID)
	if d := got.Deliveries[0]; d.Status != scheduler.DeliveryScheduled || reconcile || !strings.HasPrefix(container, "fbvideo:") {
		t.Fatalf("while processing: delivery %+v container %q reconcile %v", d, container, reconcile)
	}
	videoID := strings.TrimPrefix(container, "fbvideo:")
	audit, _ := e.svc.Audit(ctx, e.viewer, p.ID)
	var reconciled bool
	for _, a := range audit {
		reconciled = reconciled || (a.Action == "reconciled" && strings.Contains(a.Detail, videoID))
	}
	if !reconciled {
		t.Fatalf("no reconciled entry naming video %s in audit %+v", videoID, audit)
	}

	// Processed: the delivery ends published with the video's post id.
	clock.Advance(10 * time.Minute)
	e.drain(20)
	got = e.post(p.ID)
	d := got.Deliveries[0]
	if got.State != scheduler.StatePublished || d.Status != scheduler.DeliveryPublished {
		t.Fatalf("after processing: %s %+v", got.State, d)
	}
	if d.PlatformID != items[0].ID || d.Permalink != "https://www.facebook.com/"+items[0].ID {
		t.Fatalf("platform id %q permalink %q, want the video's post %s", d.PlatformID, d.Permalink, items[0].ID)
	}
	if n := e.sim.CountText("100", caption); n != 1 {
		t.Fatalf("published %d times", n)
	}
	if n := e.sim.Calls().ByEndpoint["page_videos_post"]; n != 1 {
		t.Fatalf("video uploaded %d times", n)
	}
	var open int
	_ = e.db.DB.QueryRow(`SELECT count(*) FROM deliveries WHERE status != 'published' AND next_attempt_at <= ?`,
		store.FormatTime(time.Now())).Scan(&open)
	if open != 0 {
		t.Fatalf("%d deliveries still open", open)
	}
}

// A video whose upload answer was lost and that Meta already processed is
// settled at once from the Page's video list, with its post id.
func TestLostVideoAnswerAfterProcessingIsReconciled(t *testing.T) {
	clock := graphsim.NewManualClock(time.Now())
	e := newEnv(t, graphsim.Options{Clock: clock.Now, FBVideoReadyDelay: time.Minute}, scheduler.PublisherOptions{})
	ctx := context.Background()
	c := e.page("100")
	caption := "Video tahapan kampanye"
	e.sim.InjectFault(graphsim.Fault{Endpoint: "page_videos_post", Kind: graphsim.FaultLostAnswer})
	p := e.scheduled(videoDraft(caption, time.Now().Add(-time.Second), c.ID))
	e.pub.Tick(ctx) // the lost answer
	e.pub.Wait()
	clock.Advance(time.Minute)
	e.drain(20)
	got := e.post(p.ID)
	items := e.sim.Published("100")
	if got.State != scheduler.StatePublished || len(items) != 1 || got.Deliveries[0].PlatformID != items[0].ID {
		t.Fatalf("post %s %+v, simulator %+v", got.State, got.Deliveries, items)
	}
	if n := e.sim.Calls().ByEndpoint["page_videos_post"]; n != 1 {
		t.Fatalf("video uploaded %d times", n)
	}
	audit, _ := e.svc.Audit(ctx, e.viewer, p.ID)
	var reconciled bool
	for _, a := range audit {
		reconciled = reconciled || (a.Action == "reconciled" && a.ToState == scheduler.DeliveryPublished)
	}
	if !reconciled {
		t.Fatalf("no reconciled publish in audit %+v", audit)
	}
}
