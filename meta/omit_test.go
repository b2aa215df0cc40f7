package meta_test

import (
	"context"
	"testing"

	"github.com/humas-id/humas/meta"
)

// With a retired metric left out through ListOptions.OmitMetrics, listings
// keep one call per page of 100 and the left-out figure is missing (not
// zero) while the others are read.
func TestListOmitsRetiredMetric(t *testing.T) {
	e := refreshEnv(t)
	e.sim.RetireMetric("post_clicks")
	e.sim.RetireMetric("saved")
	ctx := context.Background()
	since := e.clock.Now().AddDate(0, 0, -101)

	// Without the override the listing fails and names the metric.
	_, err := e.client.ListPagePosts(ctx, pageToken, pageID, meta.ListOptions{Since: since, WithInsights: true})
	if meta.ClassOf(err) != meta.ClassRetiredMetric {
		t.Fatalf("listing with a retired metric: err = %v, want ClassRetiredMetric", err)
	}

	e.sim.ResetCalls()
	fb, err := e.client.ListPagePosts(ctx, pageToken, pageID,
		meta.ListOptions{Since: since, WithInsights: true, OmitMetrics: []string{"post_clicks"}})
	if err != nil {
		t.Fatal(err)
	}
	ig, err := e.client.ListIGMedia(ctx, pageToken, igID,
		meta.ListOptions{Since: since, WithInsights: true, OmitMetrics: []string{"saved"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.ListIGStories(ctx, pageToken, igID, true, "saved"); err != nil {
		t.Fatal(err)
	}
	if len(fb) != 1000 || len(ig) < 1000 {
		t.Fatalf("listed %d posts and %d media, want 1000 and ≥1000", len(fb), len(ig))
	}
	pages := (len(fb)+99)/100 + (len(ig)+99)/100 + 1
	if got := e.sim.Calls().Total; got > pages+1 {
		t.Fatalf("%d Graph calls for %d posts and %d media, want about one per 100 (%d)", got, len(fb), len(ig), pages)
	}
	reach := 0
	for _, p := range fb {
		if p.Insights.Clicks.OK {
			t.Fatalf("post %s: clicks OK from the retired post_clicks", p.ID)
		}
		if p.Insights.Clicks.Metric != "post_clicks" {
			t.Fatalf("post %s: missing clicks names %q, want post_clicks", p.ID, p.Insights.Clicks.Metric)
		}
		if p.Insights.Reach.OK {
			reach++
		}
	}
	if reach == 0 {
		t.Fatal("no Facebook reach read with post_clicks left out")
	}
	views := 0
	for _, m := range ig {
		if m.Insights.Saved.OK {
			t.Fatalf("media %s: saved OK from the retired metric", m.ID)
		}
		if m.Insights.Views.OK {
			views++
		}
	}
	if views == 0 {
		t.Fatal("no Instagram views read with saved left out")
	}
}
