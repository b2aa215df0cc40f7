package meta_test

import (
	"context"
	"testing"
	"time"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
)

// callBudget is the Graph API call budget for refreshing 1,000 Facebook
// posts and 1,000 Instagram media (issue 3).
const callBudget = 40

// refreshEnv seeds a Page with 1,000 posts and an IG account with at least
// 1,000 feed media.
func refreshEnv(tb testing.TB) *env {
	e := newEnv(tb, graphsim.Options{Seed: 7}, meta.Options{})
	if err := e.sim.SeedHistory(pageID, 100, 10); err != nil {
		tb.Fatal(err)
	}
	if err := e.sim.SeedHistory(igID, 100, 12); err != nil {
		tb.Fatal(err)
	}
	return e
}

// refreshAll is what the collector does: counts and insights of every post
// and media in the window, plus follower counts and live stories.
func refreshAll(ctx context.Context, e *env) (fb []meta.PagePost, ig []meta.IGMedia, err error) {
	since := e.clock.Now().AddDate(0, 0, -101)
	o := meta.ListOptions{Since: since, WithInsights: true}
	if fb, err = e.client.ListPagePosts(ctx, pageToken, pageID, o); err != nil {
		return nil, nil, err
	}
	if ig, err = e.client.ListIGMedia(ctx, pageToken, igID, o); err != nil {
		return nil, nil, err
	}
	if _, err = e.client.ListIGStories(ctx, pageToken, igID, true); err != nil {
		return nil, nil, err
	}
	if _, err = e.client.PageFollowers(ctx, pageToken, pageID); err != nil {
		return nil, nil, err
	}
	_, err = e.client.IGFollowers(ctx, pageToken, igID)
	return fb, ig, err
}

func TestRefreshCallBudget(t *testing.T) {
	e := refreshEnv(t)
	fb, ig, err := refreshAll(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	if len(fb) != 1000 || len(ig) < 1000 {
		t.Fatalf("refreshed %d posts and %d media, want 1000 and ≥1000", len(fb), len(ig))
	}
	calls := e.sim.Calls()
	if calls.Total > callBudget {
		t.Errorf("refresh cost %d calls (%v), budget %d", calls.Total, calls.ByEndpoint, callBudget)
	}
	t.Logf("refresh of %d FB posts + %d IG media: %d Graph API calls %v", len(fb), len(ig), calls.Total, calls.ByEndpoint)
	for _, p := range fb {
		if !p.Insights.Reach.OK || !p.Insights.Views.OK || !p.Reactions.OK || !p.Comments.OK {
			t.Fatalf("post %s lacks figures: %+v", p.ID, p)
		}
		if p.Insights.Reach.Metric != "post_total_media_view_unique" || p.Insights.ReactionsByType.Metric != "post_reactions_by_type_total" {
			t.Fatalf("provenance: %+v", p.Insights)
		}
		if p.Insights.Views.Value < p.Insights.Reach.Value {
			t.Fatalf("views < reach: %+v", p.Insights)
		}
	}
	for _, m := range ig {
		if !m.Insights.Reach.OK || !m.Insights.TotalInteractions.OK {
			t.Fatalf("media %s lacks insights", m.ID)
		}
	}
}

func BenchmarkRefresh1000(b *testing.B) {
	e := refreshEnv(b)
	ctx := context.Background()
	b.ResetTimer()
	var calls int
	for b.Loop() {
		e.sim.ResetCalls()
		if _, _, err := refreshAll(ctx, e); err != nil {
			b.Fatal(err)
		}
		calls = e.sim.Calls().Total
	}
	b.ReportMetric(float64(calls), "calls")
	if calls > callBudget {
		b.Errorf("refresh cost %d calls, budget %d", calls, callBudget)
	}
}

func TestInsightsMissingIsNotZero(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, graphsim.Options{InsightsDelay: 10 * time.Minute}, meta.Options{})
	p, err := e.client.PublishPageFeed(ctx, pageToken, pageID, meta.FeedPost{Message: "baru"})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	got, err := e.client.GetPagePost(ctx, pageToken, p.PostID, true)
	if err != nil {
		t.Fatal(err)
	}
	if got.Insights.Reach.OK || got.Insights.Views.OK || got.Insights.ReactionsByType.OK {
		t.Errorf("young post has insights: %+v", got.Insights)
	}
	if got.Insights.Reach.Metric != "post_total_media_view_unique" {
		t.Errorf("missing value lost its provenance: %+v", got.Insights.Reach)
	}
	e.clock.Advance(48 * time.Hour)
	if got, err = e.client.GetPagePost(ctx, pageToken, p.PostID, true); err != nil {
		t.Fatal(err)
	}
	if !got.Insights.Reach.OK || got.Insights.Reach.Value <= 0 {
		t.Errorf("2-day-old post insights: %+v", got.Insights)
	}
}

func TestPagingFollowsNext(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, graphsim.Options{}, meta.Options{})
	if err := e.sim.SeedHistory(pageID, 25, 10); err != nil {
		t.Fatal(err)
	}
	posts, err := e.client.ListPagePosts(ctx, pageToken, pageID, meta.ListOptions{Limit: 40})
	if err != nil {
		t.Fatal(err)
	}
	if len(posts) != 250 {
		t.Fatalf("posts = %d, want 250", len(posts))
	}
	seen := map[string]bool{}
	for i, p := range posts {
		if seen[p.ID] {
			t.Fatalf("duplicate %s", p.ID)
		}
		seen[p.ID] = true
		if i > 0 && p.CreatedTime.After(posts[i-1].CreatedTime) {
			t.Fatal("not newest first")
		}
	}
	if got := e.sim.Calls().ByEndpoint["page_posts_list"]; got != 7 {
		t.Errorf("list calls = %d, want 7 pages of 40", got)
	}
	since := e.clock.Now().AddDate(0, 0, -5)
	recent, err := e.client.ListPagePosts(ctx, pageToken, pageID, meta.ListOptions{Since: since})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range recent {
		if p.CreatedTime.Before(since) {
			t.Fatalf("post %s before since", p.ID)
		}
	}
	if len(recent) < 40 || len(recent) > 60 {
		t.Errorf("recent = %d, want about 50", len(recent))
	}
}

func TestFollowersAndIGAccount(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, graphsim.Options{}, meta.Options{})
	if err := e.sim.SetFollowers(igID, 1234); err != nil {
		t.Fatal(err)
	}
	if n, err := e.client.IGFollowers(ctx, pageToken, igID); err != nil || n != 1234 {
		t.Errorf("ig followers = %d, %v", n, err)
	}
	e.clock.Advance(30 * 24 * time.Hour)
	if n, err := e.client.IGFollowers(ctx, pageToken, igID); err != nil || n <= 1234 {
		t.Errorf("followers did not grow: %d, %v", n, err)
	}
	if id, err := e.client.PageInstagramAccount(ctx, pageToken, pageID); err != nil || id != igID {
		t.Errorf("linked ig = %q, %v", id, err)
	}
}
