package meta_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
)

// Issue 14 item 1: a publishing write that Meta performed and still
// answered as failed (HTTP 500 code 1, HTTP 503 code 2, HTTP 500
// is_transient) is uncertain: the caller must look before resending.
func TestPerformedThenErrorIsUncertain(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, graphsim.Options{}, meta.Options{})
	answers := []graphsim.Fault{
		{HTTPStatus: 500, Code: 1, Message: "An unknown error has occurred.", Transient: true},
		{HTTPStatus: 503, Code: 2, Message: "Service temporarily unavailable", Transient: true},
		{HTTPStatus: 500, Code: -1, Message: "An unexpected error has occurred. Please retry your request later.", Transient: true},
		{HTTPStatus: 500, Code: 1, Message: "An unknown error has occurred."},
	}
	for i, a := range answers {
		for _, ep := range []string{"page_photos_post", "ig_media_publish"} {
			a.Kind, a.Endpoint = graphsim.FaultPerformedThenError, ep
			e.sim.InjectFault(a)
			caption := fmt.Sprintf("Foto kegiatan %d %s", i, ep)
			var err error
			if ep == "page_photos_post" {
				_, err = e.client.PublishPagePhoto(ctx, pageToken, pageID, meta.PagePhoto{URL: "https://cdn.example.org/a.jpg", Message: caption})
			} else {
				cid, cerr := e.client.CreateIGContainer(ctx, pageToken, igID, meta.IGContainer{Kind: meta.IGImage, ImageURL: "https://cdn.example.org/a.jpg", Caption: caption})
				if cerr != nil {
					t.Fatal(cerr)
				}
				e.clock.Advance(time.Minute)
				_, err = e.client.IGPublish(ctx, pageToken, igID, cid)
			}
			account := pageID
			if ep == "ig_media_publish" {
				account = igID
			}
			if n := e.sim.CountText(account, caption); n != 1 {
				t.Fatalf("%s answer %+v: %d items on the account, want 1 (performed)", ep, a, n)
			}
			if !meta.IsUncertain(err) {
				t.Errorf("%s answered HTTP %d code %d transient=%v after performing: IsUncertain = false (err %v): "+
					"a resend would publish twice", ep, a.HTTPStatus, a.Code, a.Transient, err)
			}
		}
	}
	// A read that fails the same way is not uncertain: nothing was written.
	e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultGraphError, Endpoint: "page_followers", HTTPStatus: 500, Code: 1, Message: "x", Transient: true})
	if _, err := e.client.PageFollowers(ctx, pageToken, pageID); meta.IsUncertain(err) {
		t.Errorf("a failed read is uncertain: %v", err)
	}
}

// Issue 14 item 4: policy blocks (code 368; code 4 subcode 2207051) are
// their own class and never retried automatically.
func TestPolicyBlocksAreNotThrottles(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, graphsim.Options{}, meta.Options{})
	if err := e.sim.SetPolicyBlock(pageID, graphsim.BlockPostingRate, t0.Add(6*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.SetPolicyBlock(igID, graphsim.BlockSpam, t0.Add(6*time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, fbErr := e.client.PublishPageFeed(ctx, pageToken, pageID, meta.FeedPost{Message: "Pengumuman"})
	cid, err := e.client.CreateIGContainer(ctx, pageToken, igID, meta.IGContainer{Kind: meta.IGImage, ImageURL: "https://cdn.example.org/a.jpg", Caption: "x"})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	_, igErr := e.client.IGPublish(ctx, pageToken, igID, cid)
	for _, err := range []error{fbErr, igErr} {
		c := meta.ClassOf(err)
		if c.String() != "policy_block" || c.Retryable() {
			t.Errorf("policy block: class %s (retryable %v), want policy_block, not retryable: %v", c, c.Retryable(), err)
		}
	}
}

// Issue 14 item 8: caption and alt_text go only to the container kinds
// that accept them.
func TestContainerFieldsOnlyWhereAccepted(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, graphsim.Options{Quirks: graphsim.Quirks{StrictContainerFields: true}}, meta.Options{})
	cases := []meta.IGContainer{
		{Kind: meta.IGStory, ImageURL: "https://cdn.example.org/s.jpg", Caption: "Cerita hari ini", AltText: "Petugas di TPS"},
		{Kind: meta.IGReel, VideoURL: "https://cdn.example.org/r.mp4", Caption: "Reel", AltText: "Petugas di TPS"},
		{Kind: meta.IGImage, ImageURL: "https://cdn.example.org/i.jpg", Caption: "Foto", AltText: "Petugas di TPS"},
	}
	for _, c := range cases {
		if _, err := e.client.CreateIGContainer(ctx, pageToken, igID, c); err != nil {
			t.Errorf("container kind %d with caption and alt text: %v", c.Kind, err)
		}
	}
}

// Issue 14 item 11: "Invalid appsecret_proof" (a token of another app) is
// an auth problem: reconnect, not fix the content.
func TestOtherAppsTokenIsAuth(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, graphsim.Options{}, meta.Options{})
	if err := e.sim.AddForeignToken("EAAforeignAppToken", pageID, "999"); err != nil {
		t.Fatal(err)
	}
	_, err := e.client.PublishPageFeed(ctx, "EAAforeignAppToken", pageID, meta.FeedPost{Message: "x"})
	if meta.ClassOf(err) != meta.ClassAuth {
		t.Fatalf("another app's token: class %s, want auth: %v", meta.ClassOf(err), err)
	}
}

// Issue 14 item 13: Instagram's wordings of a retired metric are
// recognised and the metric named, without probing.
func TestInstagramRetiredMetricWordings(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		metrics meta.MetricNames
		retire  string
		want    string
	}{
		{name: "must be one of", retire: "saved", want: "saved"},
		{name: "version 22", metrics: meta.MetricNames{IGViews: "impressions"}, want: "impressions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, graphsim.Options{Seed: 3, Quirks: graphsim.Quirks{InstagramMetricWording: true}}, meta.Options{Metrics: tc.metrics})
			if err := e.sim.SeedHistory(igID, 5, 3); err != nil {
				t.Fatal(err)
			}
			if tc.retire != "" {
				e.sim.RetireMetric(tc.retire)
			}
			e.sim.ResetCalls()
			_, err := e.client.ListIGMedia(ctx, pageToken, igID, meta.ListOptions{WithInsights: true})
			var me *meta.Error
			if !asError(err, &me) || me.Class != meta.ClassRetiredMetric || me.Metric != tc.want {
				t.Fatalf("err = %v, want ClassRetiredMetric naming %s", err, tc.want)
			}
			if n := e.sim.Calls().Total; n != 1 {
				t.Errorf("%d calls to name it, want 1 (Instagram names it)", n)
			}
		})
	}
}

// Issue 14 item 14: media posted before a business-account conversion
// (100/2108006) and a product-type mismatch in either wording fail the
// /media insights expansion; the listing goes on, those media's figures
// missing, the others read.
func TestConvertedAccountAndProductTypeWordings(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, graphsim.Options{Seed: 5, Quirks: graphsim.MetaQuirks()}, meta.Options{})
	if err := e.sim.SeedHistory(igID, 40, 5); err != nil {
		t.Fatal(err)
	}
	conv := t0.AddDate(0, 0, -15)
	if err := e.sim.SetConverted(igID, conv); err != nil {
		t.Fatal(err)
	}
	e.sim.ResetCalls()
	media, err := e.client.ListIGMedia(ctx, pageToken, igID, meta.ListOptions{WithInsights: true})
	if err != nil {
		t.Fatalf("converted account: %v", err)
	}
	var before, after int
	for _, m := range media {
		switch {
		case m.Timestamp.Before(conv) && m.Insights.Reach.OK:
			t.Fatalf("media %s posted before the conversion has reach", m.ID)
		case m.Timestamp.Before(conv):
			before++
		case !m.Insights.Reach.OK:
			t.Fatalf("media %s posted after the conversion has no reach", m.ID)
		default:
			after++
		}
		if !m.CommentsCount.OK {
			t.Fatalf("media %s lost its comment count", m.ID)
		}
	}
	calls := e.sim.Calls().Total
	t.Logf("%d media (%d before the conversion, figures missing; %d after): %d calls", len(media), before, after, calls)
	if before == 0 || after == 0 || calls > 20 {
		t.Fatalf("before %d after %d calls %d", before, after, calls)
	}

	// A metric that does not suit reels, rejected in Instagram's other
	// wording: the listing still succeeds.
	e2 := newEnv(t, graphsim.Options{Seed: 5, Quirks: graphsim.MetaQuirks()}, meta.Options{Metrics: meta.MetricNames{IGSaved: "follows"}})
	if err := e2.sim.SeedHistory(igID, 10, 5); err != nil {
		t.Fatal(err)
	}
	media, err = e2.client.ListIGMedia(ctx, pageToken, igID, meta.ListOptions{WithInsights: true})
	if err != nil {
		t.Fatalf("product-type mismatch: %v", err)
	}
	for _, m := range media {
		if !m.Insights.Reach.OK {
			t.Fatalf("media %s (%s) has no reach", m.ID, m.MediaProductType)
		}
	}
}

// Issue 14 item 15: "Please reduce the amount of data" on a large /posts
// page: the listing halves its page size and goes on.
func TestReduceDataHalvesPageSize(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, graphsim.Options{Seed: 5}, meta.Options{})
	if err := e.sim.SeedHistory(pageID, 30, 10); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.SetOversize(pageID, 60); err != nil {
		t.Fatal(err)
	}
	e.sim.ResetCalls()
	posts, err := e.client.ListPagePosts(ctx, pageToken, pageID, meta.ListOptions{WithInsights: true})
	if err != nil {
		t.Fatalf("oversize page: %v", err)
	}
	if len(posts) != 300 {
		t.Fatalf("listed %d posts, want 300", len(posts))
	}
	if n := e.sim.Calls().Total; n > 8 {
		t.Errorf("%d calls for 300 posts at 50 a page, want at most 8", n)
	}
}

// Issue 14 item 16: without pages_read_user_content the reaction and
// comment summaries are refused; the listing goes on without them and
// takes the counts from insights that need only read_insights.
func TestSummariesRefusedCountsFromInsights(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, graphsim.Options{Seed: 5, Quirks: graphsim.Quirks{SummariesNeedUserContent: true}}, meta.Options{})
	const tok = "EAAnoUserContent"
	if err := e.sim.AddToken(tok, pageID, time.Time{}, "pages_read_engagement", "pages_show_list", "read_insights"); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.SeedHistory(pageID, 10, 3); err != nil {
		t.Fatal(err)
	}
	posts, err := e.client.ListPagePosts(ctx, tok, pageID, meta.ListOptions{WithInsights: true})
	if err != nil {
		t.Fatalf("listing without pages_read_user_content: %v", err)
	}
	for _, p := range posts {
		truth, _ := e.sim.PostCounts(pageID, p.ID)
		if !p.Reactions.OK || p.Reactions.Value != truth["reactions"] || !p.Comments.OK || p.Comments.Value != truth["comments"] {
			t.Fatalf("post %s: reactions %+v comments %+v, simulator %v", p.ID, p.Reactions, p.Comments, truth)
		}
		if !strings.HasPrefix(p.Reactions.Metric, "post_") {
			t.Fatalf("post %s: reactions from %q, want an insights metric", p.ID, p.Reactions.Metric)
		}
	}
}
