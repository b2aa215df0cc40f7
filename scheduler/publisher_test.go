package scheduler_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
)

func TestAuthorCannotApproveOwnPost(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	ctx := context.Background()
	c := e.page("100")
	// The approver writes a post, then tries to approve it.
	p, err := e.svc.CreatePost(ctx, e.approver, textDraft("Jadwal pemutakhiran data pemilih", time.Now().Add(time.Hour), c.ID), true)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Approve(ctx, e.approver, p.ID, scheduler.Review{Version: p.Version})
	var fe *scheduler.ForbiddenError
	if !errors.As(err, &fe) || fe.MsgID == "" {
		t.Fatalf("self-approval err = %v", err)
	}
	// An editor cannot approve at all.
	if _, err := e.svc.Approve(ctx, e.editor, p.ID, scheduler.Review{Version: p.Version}); !errors.As(err, &fe) {
		t.Fatalf("editor approval err = %v", err)
	}
	if got := e.post(p.ID); got.State != scheduler.StateSubmitted || got.ApprovedBy != 0 {
		t.Fatalf("post after refused approvals = %s approved by %d", got.State, got.ApprovedBy)
	}
	audit, _ := e.svc.Audit(ctx, e.viewer, p.ID)
	if len(audit) != 2 || audit[1].Action != "submit" || audit[1].FromState != "draft" || audit[1].ToState != "submitted" || audit[1].ActorName != "approver" {
		t.Fatalf("audit = %+v", audit)
	}
}

func TestViewerCannotCreatePosts(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	c := e.page("100")
	_, err := e.svc.CreatePost(context.Background(), e.viewer, textDraft("x", time.Now().Add(time.Hour), c.ID), false)
	var fe *scheduler.ForbiddenError
	if !errors.As(err, &fe) {
		t.Fatalf("viewer create err = %v", err)
	}
}

func TestExemptContentNeverReachesTheSimulator(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	ctx := context.Background()
	c := e.page("100")
	d := textDraft("Dokumen rahasia", time.Now().Add(-10*time.Second), c.ID)
	d.Classification = scheduler.Classification{Level: scheduler.Exempt, LegalBasis: "UU 14/2008 pasal 17 huruf a",
		Reason: "membuka dokumen ini membahayakan keamanan data pemilih"}
	_, err := e.svc.CreatePost(ctx, e.editor, d, true)
	var ve scheduler.ValidationError
	if !errors.As(err, &ve) || ve[0].Field != "classification.level" {
		t.Fatalf("submit exempt err = %v", err)
	}
	p, err := e.svc.CreatePost(ctx, e.editor, d, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Submit(ctx, e.editor, p.ID); !errors.As(err, &ve) {
		t.Fatalf("submit exempt draft err = %v", err)
	}
	// Even if the row were forced to scheduled, the publisher never sends it.
	if _, err := e.db.DB.Exec(`UPDATE posts SET state = 'scheduled' WHERE id = ?`, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.DB.Exec(`UPDATE deliveries SET status = 'scheduled', next_attempt_at = scheduled_at WHERE post_id = ?`, p.ID); err != nil {
		t.Fatal(err)
	}
	e.drain(3)
	if n := e.sim.PublishedCount("100"); n != 0 {
		t.Fatalf("simulator has %d posts", n)
	}
	if calls := e.sim.Calls().ByEndpoint["page_feed_post"]; calls != 0 {
		t.Fatalf("simulator saw %d feed posts", calls)
	}
	// Missing reason is its own field error.
	d.Classification.Reason = ""
	_, err = e.svc.CreatePost(ctx, e.editor, d, false)
	if !errors.As(err, &ve) || ve[0].Field != "classification.reason" {
		t.Fatalf("exempt without reason err = %v", err)
	}
}

func TestPublishFacebookAndInstagram(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	fb := e.page("100")
	ig := e.instagram("200", "17841")
	d := textDraft("Ayo cek DPT online #pemilu", time.Now().Add(-5*time.Second), fb.ID, ig.ID)
	d.ContentType = "photo"
	d.Media = []scheduler.Media{{Type: "image", URL: "https://cdn.example.org/a.jpg"}}
	p := e.scheduled(d)
	e.drain(20)
	got := e.post(p.ID)
	if got.State != scheduler.StatePublished {
		t.Fatalf("state = %s deliveries %+v", got.State, got.Deliveries)
	}
	for _, dl := range got.Deliveries {
		if dl.Status != scheduler.DeliveryPublished || dl.PlatformID == "" {
			t.Errorf("delivery %+v", dl)
		}
	}
	if e.sim.CountText("100", d.Caption) != 1 || e.sim.CountText("17841", d.Caption) != 1 {
		t.Fatalf("published fb=%d ig=%d", e.sim.CountText("100", d.Caption), e.sim.CountText("17841", d.Caption))
	}
}

func TestLostAnswerIsReconciledNotResent(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	c := e.page("100")
	e.sim.InjectFault(graphsim.Fault{Endpoint: "page_feed_post", Kind: graphsim.FaultLostAnswer})
	p := e.scheduled(textDraft("Rekapitulasi suara tingkat kota", time.Now().Add(-time.Second), c.ID))
	e.drain(20)
	got := e.post(p.ID)
	if got.State != scheduler.StatePublished || got.Deliveries[0].PlatformID == "" {
		t.Fatalf("post %s %+v", got.State, got.Deliveries)
	}
	if n := e.sim.CountText("100", "Rekapitulasi suara tingkat kota"); n != 1 {
		t.Fatalf("published %d times", n)
	}
	if calls := e.sim.Calls().ByEndpoint["page_feed_post"]; calls != 1 {
		t.Fatalf("feed posted %d times; the lost answer must be settled by reading", calls)
	}
	audit, _ := e.svc.Audit(context.Background(), e.viewer, p.ID)
	var reconciled bool
	for _, a := range audit {
		reconciled = reconciled || a.Action == "reconciled"
	}
	if !reconciled {
		t.Fatalf("no reconciled entry in audit %+v", audit)
	}
}

func TestExpiredTokenMarksChannelAndFailsItsPosts(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	c := e.page("100")
	other := e.page("300")
	p1 := e.scheduled(textDraft("Pengumuman satu", time.Now().Add(-2*time.Second), c.ID))
	p2 := e.scheduled(textDraft("Pengumuman dua", time.Now().Add(-time.Second), c.ID))
	p3 := e.scheduled(textDraft("Pengumuman tiga", time.Now().Add(-time.Second), other.ID))
	if err := e.sim.ExpireToken("tok-100", time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.drain(5)
	ch, _ := e.org.Channel(context.Background(), c.ID)
	if ch.Status != org.StatusReconnectNeeded || ch.StatusReason == "" {
		t.Fatalf("channel = %+v", ch)
	}
	for _, id := range []int64{p1.ID, p2.ID} {
		got := e.post(id)
		d := got.Deliveries[0]
		if got.State != scheduler.StateFailed || d.Status != scheduler.DeliveryFailed || d.Error == nil ||
			d.Error.Action != scheduler.ActionReconnect || d.Error.ActionID == "" || d.Error.Message == "" {
			t.Fatalf("post %d: %s %+v %+v", id, got.State, d, d.Error)
		}
		if strings.Contains(d.Error.Message, "tok-100") {
			t.Fatal("token in error text")
		}
	}
	if got := e.post(p3.ID); got.State != scheduler.StatePublished {
		t.Fatalf("other channel's post = %s", got.State)
	}
	if e.sim.PublishedCount("100") != 0 {
		t.Fatal("published with an expired token")
	}
}

func TestThrottleOnOneChannelDoesNotDelayOthers(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{Workers: 2})
	slow := e.page("100")
	var fast []org.Channel
	for _, id := range []string{"301", "302", "303"} {
		fast = append(fast, e.page(id))
	}
	e.sim.SetThrottle("100", time.Now().Add(time.Hour))
	var ps []scheduler.Post
	for i := range 4 {
		ps = append(ps, e.scheduled(textDraft("Throttled "+string(rune('A'+i)), time.Now().Add(-time.Second), slow.ID)))
	}
	var fastPosts []scheduler.Post
	for i, c := range fast {
		fastPosts = append(fastPosts, e.scheduled(textDraft("Lancar "+string(rune('A'+i)), time.Now().Add(-time.Second), c.ID)))
	}
	e.drain(5)
	for _, p := range fastPosts {
		if got := e.post(p.ID); got.State != scheduler.StatePublished {
			t.Fatalf("post on an unthrottled channel = %s", got.State)
		}
	}
	ch, _ := e.org.Channel(context.Background(), slow.ID)
	if ch.PausedUntil == nil || ch.PausedUntil.Before(time.Now().Add(30*time.Minute)) {
		t.Fatalf("throttled channel paused until %v", ch.PausedUntil)
	}
	// At most the calls already in flight hit the throttled page; the
	// rest waited without calling.
	if n := e.sim.Calls().ByEndpoint["page_feed_post"]; n > 3+2 {
		t.Errorf("feed posts = %d, want 3 published + at most 2 throttled", n)
	}
	for _, p := range ps {
		got := e.post(p.ID)
		if got.Deliveries[0].Status != scheduler.DeliveryScheduled {
			t.Errorf("throttled delivery %+v", got.Deliveries[0])
		}
	}
}

func TestRecurrencePlansNextOccurrence(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	c := e.page("100")
	d := textDraft("Salam pagi dari KPU", time.Now().Add(-time.Second), c.ID)
	d.Recurrence = "0 0 9 * * *"
	p := e.scheduled(d)
	e.drain(5)
	list, err := e.svc.Posts(context.Background(), e.viewer, scheduler.Filter{State: scheduler.StateScheduled})
	if err != nil || len(list) != 1 {
		t.Fatalf("scheduled posts = %d, %v", len(list), err)
	}
	next := list[0]
	if next.RecurrenceOf != p.ID || !next.ScheduledAt.After(time.Now()) {
		t.Fatalf("next = %+v", next)
	}
	jkt, _ := time.LoadLocation("Asia/Jakarta")
	if l := next.ScheduledAt.In(jkt); l.Hour() != 9 || l.Minute() != 0 {
		t.Fatalf("next occurrence at %v, want 09:00 WIB", l)
	}
}

func TestEditingApprovedPostNeedsApprovalAgain(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	c := e.page("100")
	p := e.scheduled(textDraft("Versi satu", time.Now().Add(time.Hour), c.ID))
	d := textDraft("Versi dua", time.Now().Add(2*time.Hour), c.ID)
	got, err := e.svc.UpdatePost(context.Background(), e.editor, p.ID, d)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != scheduler.StateSubmitted || got.Deliveries[0].Status != scheduler.DeliveryPending || got.Caption != "Versi dua" {
		t.Fatalf("after edit: %s %+v", got.State, got.Deliveries[0])
	}
}

func TestTokenCheckShowsExpiryAndMissingPermission(t *testing.T) {
	e := newEnv(t, graphsim.Options{AppID: "app", AppSecret: "appsecret"}, scheduler.PublisherOptions{})
	ctx := context.Background()
	c := e.page("100")
	if err := e.sim.ExpireToken("tok-100", time.Now().Add(3*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.AddPage("200", "Page 200", "tok-200", "pages_show_list", "pages_read_engagement"); err != nil {
		t.Fatal(err)
	}
	c2, _ := e.org.CreateChannel(ctx, org.ChannelInput{UnitID: e.unit.ID, Platform: org.Facebook, ExternalID: "200", Name: "p200", AccessToken: "tok-200"})
	if err := e.pub.CheckTokens(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := e.org.Channel(ctx, c.ID)
	if got.TokenExpiresAt == nil || got.TokenCheckedAt == nil || got.Status != org.StatusActive {
		t.Fatalf("expiring channel = %+v", got)
	}
	got2, _ := e.org.Channel(ctx, c2.ID)
	if got2.Status != org.StatusReconnectNeeded || len(got2.MissingPermissions) == 0 {
		t.Fatalf("channel lacking permissions = %+v", got2)
	}
}

// TestTokenCheckListsCommentPermissions: a token that publishes but lacks
// the inbox's permissions stays active, and its health names them.
func TestTokenCheckListsCommentPermissions(t *testing.T) {
	e := newEnv(t, graphsim.Options{AppID: "app", AppSecret: "appsecret"}, scheduler.PublisherOptions{})
	ctx := context.Background()
	var perms []string
	for _, p := range graphsim.DefaultPagePerms() {
		if p != "pages_manage_engagement" && p != "pages_read_user_content" {
			perms = append(perms, p)
		}
	}
	if err := e.sim.AddPage("300", "Page 300", "tok-300", perms...); err != nil {
		t.Fatal(err)
	}
	c, err := e.org.CreateChannel(ctx, org.ChannelInput{UnitID: e.unit.ID, Platform: org.Facebook, ExternalID: "300", Name: "p300", AccessToken: "tok-300"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.pub.CheckTokens(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := e.org.Channel(ctx, c.ID)
	want := []string{"pages_read_user_content", "pages_manage_engagement"}
	if got.Status != org.StatusActive || !slices.Equal(got.MissingPermissions, want) {
		t.Fatalf("status %s, missing %v; want active, missing %v", got.Status, got.MissingPermissions, want)
	}
}
