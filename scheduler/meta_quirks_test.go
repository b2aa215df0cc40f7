package scheduler_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store"
)

// Tests of issue 14: the publisher against the simulator's Meta quirks.

func photoDraft(caption, url string, at time.Time, channels ...int64) scheduler.Draft {
	d := textDraft(caption, at, channels...)
	d.ContentType = "photo"
	d.Media = []scheduler.Media{{Type: "image", URL: url}}
	return d
}

// Item 1: Meta publishes, then answers HTTP 500 code 1 / 503 code 2 /
// is_transient. The publisher must look before resending: one post.
func TestPerformedThenErrorPublishesOnce(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	fb := e.page("100")
	ig := e.instagram("200", "17841400000000200")
	cases := []struct {
		endpoint, account string
		d                 scheduler.Draft
	}{
		{"page_photos_post", "100", photoDraft("Foto rapat pleno", "https://cdn.example.org/pleno.jpg", time.Now().Add(-time.Second), fb.ID)},
		{"page_feed_post", "100", textDraft("Pengumuman jadwal pleno", time.Now().Add(-time.Second), fb.ID)},
		{"ig_media_publish", ig.ExternalID, photoDraft("Foto sosialisasi", "https://cdn.example.org/sos.jpg", time.Now().Add(-time.Second), ig.ID)},
	}
	for _, c := range cases {
		e.sim.InjectFault(graphsim.Fault{Endpoint: c.endpoint, Kind: graphsim.FaultPerformedThenError})
		p := e.scheduled(c.d)
		e.drain(30)
		got := e.post(p.ID)
		if n := e.sim.CountText(c.account, c.d.Caption); n != 1 || got.State != scheduler.StatePublished {
			t.Errorf("%s performed then answered as failed: published %d times, post %s", c.endpoint, n, got.State)
		}
	}
}

// Item 2: a vertical video of 90 s or less goes through the Reels flow
// (a /videos upload would stay an unpublished Reel draft), other videos
// through /videos; the delivery says which, and both publish once even
// when Meta's answer to the publishing call is lost or looks failed.
func TestVerticalShortVideoPublishesAsReel(t *testing.T) {
	clock := graphsim.NewManualClock(time.Now())
	e := newEnv(t, graphsim.Options{Clock: clock.Now, FBVideoReadyDelay: time.Minute,
		Quirks: graphsim.Quirks{VerticalVideoAsReelDraft: true, OmitVideoPostID: true}}, scheduler.PublisherOptions{})
	c := e.page("100")
	reel := scheduler.Media{Type: "video", URL: "https://cdn.example.org/reel.mp4", Width: 1080, Height: 1920, Duration: 30}
	wide := scheduler.Media{Type: "video", URL: "https://cdn.example.org/wide.mp4", Width: 1920, Height: 1080, Duration: 30}
	e.sim.SetMediaFile(reel.URL, 1080, 1920, 30*time.Second)
	e.sim.SetMediaFile(wide.URL, 1920, 1080, 30*time.Second)
	e.sim.InjectFault(graphsim.Fault{Endpoint: "page_reels_post", Kind: graphsim.FaultLostAnswer}) // the start
	mk := func(caption string, m scheduler.Media) scheduler.Post {
		d := videoDraft(caption, time.Now().Add(-time.Second), c.ID)
		d.Media = []scheduler.Media{m}
		return e.scheduled(d)
	}
	pr := mk("Reel sosialisasi pemilih pemula", reel)
	pw := mk("Video rapat pleno", wide)
	e.drain(10)
	// The finish: performed, then answered as failed.
	e.sim.InjectFault(graphsim.Fault{Endpoint: "page_reels_post", Kind: graphsim.FaultPerformedThenError})
	e.drain(10)
	clock.Advance(2 * time.Minute)
	e.drain(30)
	for _, tc := range []struct {
		p    scheduler.Post
		path string
	}{{pr, "reel"}, {pw, "video"}} {
		got := e.post(tc.p.ID)
		d := got.Deliveries[0]
		var item graphsim.Item
		for _, it := range e.sim.Published("100") {
			if it.Text == got.Caption {
				item = it
			}
		}
		if n := e.sim.CountText("100", got.Caption); n != 1 {
			t.Errorf("%q: on the Page %d times, want 1 (a Reel draft is not on the Page)", got.Caption, n)
		}
		if got.State != scheduler.StatePublished || d.PlatformID == "" || d.PlatformID != item.ID || d.PublishPath != tc.path {
			t.Errorf("%q: post %s, delivery platform id %q (the Page's post %q), path %q (want %s)",
				got.Caption, got.State, d.PlatformID, item.ID, d.PublishPath, tc.path)
		}
	}
}

// Item 3: container and video status are polled on an interval, give up
// at a deadline with a clear error, and a Facebook video that ends
// "expired" or "error" fails at once; no container is made again and again.
func TestProcessingDeadlinesAndFinalVideoStates(t *testing.T) {
	clock := graphsim.NewManualClock(time.Now())
	e := newEnv(t, graphsim.Options{Clock: clock.Now, FBVideoReadyDelay: time.Minute},
		scheduler.PublisherOptions{Now: clock.Now, ReadyCheck: 30 * time.Second})
	ig := e.instagram("200", "17841400000000200")
	fb := e.page("300")
	e.sim.InjectFault(graphsim.Fault{Endpoint: "ig_media_create", Kind: graphsim.FaultContainerStuck})
	e.sim.InjectFault(graphsim.Fault{Endpoint: "page_videos_post", Kind: graphsim.FaultVideoFailed, Message: "expired"})
	pi := e.scheduled(photoDraft("Foto yang tidak pernah siap", "https://cdn.example.org/stuck.jpg", time.Now().Add(-time.Second), ig.ID))
	pv := e.scheduled(videoDraft("Video yang kedaluwarsa", time.Now().Add(-time.Second), fb.ID))
	for range 60 { // 30 minutes of simulated time
		e.pub.Tick(context.Background())
		e.pub.Wait()
		clock.Advance(30 * time.Second)
	}
	calls := e.sim.Calls().ByEndpoint
	di, dv := e.post(pi.ID).Deliveries[0], e.post(pv.ID).Deliveries[0]
	if di.Status != scheduler.DeliveryFailed || di.Error == nil || !strings.Contains(di.Error.Message, "5 min") {
		t.Errorf("stuck Instagram container: delivery %s %+v, want failed naming the 5 min deadline", di.Status, di.Error)
	}
	if calls["ig_media_create"] != 1 || calls["ig_container_status"] > 12 {
		t.Errorf("stuck container: %d containers, %d status reads in 30 min, want 1 and one every 30 s up to the deadline",
			calls["ig_media_create"], calls["ig_container_status"])
	}
	if dv.Status != scheduler.DeliveryFailed || dv.Error == nil || !strings.Contains(dv.Error.Message, "expired") {
		t.Errorf("expired Facebook video: delivery %s %+v, want failed (expired is final)", dv.Status, dv.Error)
	}
	if calls["page_video_status"]+calls["video_object"] > 6 {
		t.Errorf("expired video read %d times, want it settled at its first final status", calls["video_object"])
	}
}

// Item 4: policy blocks fail the delivery without automatic retries and
// tell staff what happened; a posting-rate block (368) pauses the channel
// for hours.
func TestPolicyBlocksFailAndPause(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	ctx := context.Background()
	fb := e.page("100")
	ig := e.instagram("200", "17841400000000200")
	if err := e.sim.SetPolicyBlock("100", graphsim.BlockPostingRate, time.Now().Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.SetPolicyBlock(ig.ExternalID, graphsim.BlockSpam, time.Now().Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	pf := e.scheduled(textDraft("Pengumuman hari ini", time.Now().Add(-time.Second), fb.ID))
	pi := e.scheduled(photoDraft("Foto hari ini", "https://cdn.example.org/h.jpg", time.Now().Add(-time.Second), ig.ID))
	e.drain(20)
	calls := e.sim.Calls().ByEndpoint
	if calls["page_feed_post"] != 1 || calls["ig_media_publish"] != 1 {
		t.Errorf("blocked writes retried: feed %d, media_publish %d, want 1 each", calls["page_feed_post"], calls["ig_media_publish"])
	}
	for _, id := range []int64{pf.ID, pi.ID} {
		d := e.post(id).Deliveries[0]
		if d.Status != scheduler.DeliveryFailed || d.Error == nil || d.Error.Class != "policy_block" || d.Error.ActionEN == "" ||
			!strings.Contains(strings.ToLower(d.Error.ActionEN), "meta") {
			t.Errorf("blocked delivery: %s %+v, want failed as policy_block with what to do", d.Status, d.Error)
		}
	}
	ch, _ := e.org.Channel(ctx, fb.ID)
	if ch.PausedUntil == nil || ch.PausedUntil.Before(time.Now().Add(5*time.Hour)) {
		t.Errorf("368: channel paused until %v, want hours ahead", ch.PausedUntil)
	}
}

// Item 5: 9004/2207052 at container creation is intermittent: creation is
// tried again a few times before the delivery fails.
func TestMediaFetchFailureRetriesCreation(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{PublishTimings: scheduler.PublishTimings{FetchBackoff: time.Millisecond}})
	ig := e.instagram("200", "17841400000000200")
	e.sim.InjectFault(graphsim.Fault{Endpoint: "ig_media_create", Kind: graphsim.FaultGraphError, Count: 2, Code: 9004, Subcode: 2207052,
		Message: "The media could not be fetched from this uri"})
	p := e.scheduled(photoDraft("Foto dari CDN yang lambat", "https://cdn.example.org/slow.jpg", time.Now().Add(-time.Second), ig.ID))
	e.drain(20)
	if got := e.post(p.ID); got.State != scheduler.StatePublished {
		t.Fatalf("after two fetch failures: %s %+v", got.State, got.Deliveries[0].Error)
	}
}

// Item 6: content_publishing_limit is read before a container is made; a
// delivery over the limit is held (with the reason shown) until the
// window resets, then published.
func TestPublishingLimitHoldsDeliveries(t *testing.T) {
	clock := graphsim.NewManualClock(time.Now())
	e := newEnv(t, graphsim.Options{Clock: clock.Now, DailyPublishQuota: 2}, scheduler.PublisherOptions{Now: clock.Now})
	ig := e.instagram("200", "17841400000000200")
	tick := func(n int) {
		for range n {
			e.pub.Tick(context.Background())
			e.pub.Wait()
			clock.Advance(time.Second)
		}
	}
	var ps []scheduler.Post
	for _, c := range []string{"Satu", "Dua", "Tiga"} {
		ps = append(ps, e.scheduled(photoDraft("Foto "+c, "https://cdn.example.org/"+c+".jpg", time.Now().Add(-time.Second), ig.ID)))
		tick(10) // one after the other: the third finds the limit used up
	}
	held := e.post(ps[2].ID).Deliveries[0]
	calls := e.sim.Calls().ByEndpoint
	if held.Status != scheduler.DeliveryScheduled || held.Error == nil || !strings.Contains(held.Error.Message, "limit") {
		t.Fatalf("third post over a limit of 2: %s %+v, want held with the reason (calls %v, on Instagram %d)", held.Status, held.Error,
			calls, e.sim.PublishedCount(ig.ExternalID))
	}
	if calls["ig_media_create"] != 2 || calls["ig_publishing_limit"] == 0 {
		t.Fatalf("calls %v: want the limit read and no container for the held post", calls)
	}
	clock.Advance(25 * time.Hour)
	tick(10)
	if got := e.post(ps[2].ID); got.State != scheduler.StatePublished {
		t.Fatalf("after the window: %s %+v", got.State, got.Deliveries[0])
	}
}

// Item 7: Meta's video answers carry no post_id: the delivery finds the
// real post (by the video its attachment targets), never invents one.
func TestVideoPostIDFoundNotInvented(t *testing.T) {
	clock := graphsim.NewManualClock(time.Now())
	e := newEnv(t, graphsim.Options{Clock: clock.Now, FBVideoReadyDelay: time.Minute, Quirks: graphsim.Quirks{OmitVideoPostID: true}},
		scheduler.PublisherOptions{})
	c := e.page("100")
	p := e.scheduled(videoDraft("Video tahapan pencalonan", time.Now().Add(-time.Second), c.ID))
	e.drain(5)
	clock.Advance(2 * time.Minute)
	e.drain(20)
	items := e.sim.Published("100")
	got := e.post(p.ID)
	if len(items) != 1 || got.State != scheduler.StatePublished || got.Deliveries[0].PlatformID != items[0].ID {
		t.Fatalf("delivery platform id %q, the Page's post %+v", got.Deliveries[0].PlatformID, items)
	}
}

// Items 9 and 11: an auth-class error asks debug_token why, and the
// channel and the delivery say it precisely: here, a token of another app.
func TestAuthErrorSaysWhyFromDebugToken(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	ctx := context.Background()
	if err := e.sim.AddPage("100", "Page 100", "tok-100"); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.AddForeignToken("tok-other-app", "100", "999"); err != nil {
		t.Fatal(err)
	}
	c, err := e.org.CreateChannel(ctx, org.ChannelInput{UnitID: e.unit.ID, Platform: org.Facebook, ExternalID: "100", Name: "P", AccessToken: "tok-other-app"})
	if err != nil {
		t.Fatal(err)
	}
	p := e.scheduled(textDraft("Pengumuman", time.Now().Add(-time.Second), c.ID))
	e.drain(10)
	d := e.post(p.ID).Deliveries[0]
	ch, _ := e.org.Channel(ctx, c.ID)
	if d.Status != scheduler.DeliveryFailed || d.Error == nil || d.Error.Action != scheduler.ActionReconnect ||
		!strings.Contains(d.Error.Message, "another app") || !strings.Contains(ch.StatusReason, "another app") {
		t.Fatalf("delivery %s %+v; channel %s %q: want reconnect, saying the token is another app's", d.Status, d.Error, ch.Status, ch.StatusReason)
	}
}

// Item 10: a Business Manager system-user token is accepted on connect;
// the channel stores the Page token derived from it and publishes.
func TestSystemUserTokenConnectsAndPublishes(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	ctx := context.Background()
	for _, pg := range []string{"100", "200"} {
		if err := e.sim.AddPage(pg, "Page "+pg, "tok-"+pg); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.sim.AddIGAccount("17841400000000200", "ig200", "200"); err != nil {
		t.Fatal(err)
	}
	const su = "EAAsystemUserOfTheBusiness"
	if err := e.sim.AddSystemUser(su, []string{"100", "200"}); err != nil {
		t.Fatal(err)
	}
	var chans []org.Channel
	for _, tc := range []struct{ platform, id string }{{org.Facebook, "100"}, {org.Instagram, "17841400000000200"}} {
		tok, err := e.tokens.Check(ctx, tc.platform, tc.id, su)
		if err != nil {
			t.Fatalf("%s %s with a system-user token: %v", tc.platform, tc.id, err)
		}
		if tok == su {
			t.Fatalf("%s %s: the system-user token itself is stored, want the Page token derived from it", tc.platform, tc.id)
		}
		c, err := e.org.CreateChannel(ctx, org.ChannelInput{UnitID: e.unit.ID, Platform: tc.platform, ExternalID: tc.id, Name: tc.id, AccessToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		chans = append(chans, c)
	}
	p := e.scheduled(photoDraft("Foto lewat Business Manager", "https://cdn.example.org/bm.jpg", time.Now().Add(-time.Second), chans[0].ID, chans[1].ID))
	e.drain(20)
	if got := e.post(p.ID); got.State != scheduler.StatePublished {
		t.Fatalf("post %s %+v %+v", got.State, got.Deliveries[0].Error, got.Deliveries[1].Error)
	}
}

// Items 9 and 12: connecting checks the token with debug_token: valid, this
// app, a Page token of this Page (or of the IG account's Page), and every
// permission each of the channel's functions needs. With exactly the
// minimal set a channel publishes; without any one of them, connecting
// refuses and names it.
func TestConnectNeedsPermissionsPerFunction(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	ctx := context.Background()
	if err := e.sim.AddPage("100", "Page 100", "tok-100"); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.AddIGAccount("17841400000000100", "ig100", "100"); err != nil {
		t.Fatal(err)
	}
	minimal := map[string][]string{
		org.Facebook:  {"pages_manage_posts", "pages_read_engagement", "pages_show_list", "read_insights"},
		org.Instagram: {"instagram_basic", "instagram_content_publish", "pages_read_engagement", "instagram_manage_insights"},
	}
	ids := map[string]string{org.Facebook: "100", org.Instagram: "17841400000000100"}
	n := 0
	for platform, perms := range minimal {
		n++
		tok := "tok-minimal-" + platform
		if err := e.sim.AddToken(tok, "100", time.Time{}, perms...); err != nil {
			t.Fatal(err)
		}
		stored, err := e.tokens.Check(ctx, platform, ids[platform], tok)
		if err != nil {
			t.Fatalf("%s with the minimal permissions %v: %v", platform, perms, err)
		}
		c, err := e.org.CreateChannel(ctx, org.ChannelInput{UnitID: e.unit.ID, Platform: platform, ExternalID: ids[platform], Name: platform, AccessToken: stored})
		if err != nil {
			t.Fatal(err)
		}
		p := e.scheduled(photoDraft("Foto izin minimal "+platform, "https://cdn.example.org/m.jpg", time.Now().Add(-time.Second), c.ID))
		e.drain(20)
		if got := e.post(p.ID); got.State != scheduler.StatePublished {
			t.Errorf("%s with the minimal permissions: post %s %+v", platform, got.State, got.Deliveries[0].Error)
		}
		for i, missing := range perms {
			tok := "tok-without-" + missing + "-" + platform
			rest := append(append([]string{}, perms[:i]...), perms[i+1:]...)
			if err := e.sim.AddToken(tok, "100", time.Time{}, rest...); err != nil {
				t.Fatal(err)
			}
			_, err := e.tokens.Check(ctx, platform, ids[platform], tok)
			if err == nil || !strings.Contains(err.Error(), missing) {
				t.Errorf("%s without %s: connect err = %v, want a refusal naming %s", platform, missing, err, missing)
			}
		}
	}
	// A made-up token, another Page's token, another app's token.
	if err := e.sim.AddPage("300", "Page 300", "tok-300"); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.AddForeignToken("tok-foreign", "100", "999"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ token, want string }{
		{"EAAmadeUp", "not valid"}, {"tok-300", "Page 300"}, {"tok-foreign", "another app"},
	} {
		if _, err := e.tokens.Check(ctx, org.Facebook, "100", tc.token); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("connect with %s: err = %v, want it to say %q", tc.token, err, tc.want)
		}
	}
	_ = store.FormatTime
}
