package meta_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
)

func TestBatchAgainstSim(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, graphsim.Options{}, meta.Options{})
	if err := e.sim.SeedHistory(pageID, 12, 10); err != nil {
		t.Fatal(err)
	}
	posts, err := e.client.ListPagePosts(ctx, pageToken, pageID, meta.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	reqs := make([]meta.BatchRequest, 0, 120)
	for _, p := range posts[:110] {
		reqs = append(reqs, meta.BatchRequest{Method: http.MethodGet, RelativeURL: p.ID + "/insights?metric=post_media_view,post_clicks"})
	}
	reqs = append(reqs, meta.BatchRequest{RelativeURL: posts[0].ID + "/insights?metric=post_impressions"})
	e.sim.ResetCalls()
	e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultBatchNull, Endpoint: "post_insights"})
	res, err := e.client.Batch(ctx, pageToken, reqs)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(reqs) {
		t.Fatalf("answers %d", len(res))
	}
	if c := e.sim.Calls(); c.HTTPRequests != 3 || c.Total != 110 {
		t.Errorf("batch of 111 = %d HTTP requests and %d calls; want 3 and 110 (one null entry)", c.HTTPRequests, c.Total)
	}
	if meta.ClassOf(res[0].Err) != meta.ClassTransient {
		t.Errorf("null entry class %v", meta.ClassOf(res[0].Err))
	}
	for i, r := range res[1:110] {
		var ir meta.InsightsResponse
		if err := r.Decode(&ir); err != nil || len(ir.Data) != 2 {
			t.Fatalf("entry %d: %v %+v", i+1, err, ir)
		}
	}
	if meta.ClassOf(res[110].Err) != meta.ClassRetiredMetric {
		t.Errorf("retired metric entry: %v", res[110].Err)
	}
}

func TestIGMediaInsightsAndFindInvalid(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, graphsim.Options{}, meta.Options{})
	if err := e.sim.SeedHistory(igID, 3, 4); err != nil {
		t.Fatal(err)
	}
	media, err := e.client.ListIGMedia(ctx, pageToken, igID, meta.ListOptions{})
	if err != nil || len(media) == 0 {
		t.Fatal(err)
	}
	in, err := e.client.IGMediaInsights(ctx, pageToken, media[0].ID, media[0].MediaProductType)
	if err != nil || !in.Reach.OK || in.Reach.Metric != "reach" {
		t.Fatalf("insights %+v %v", in, err)
	}
	bad, err := e.client.FindInvalidMetrics(ctx, pageToken, media[0].ID, []string{"reach", "impressions", "views", "plays"})
	if err != nil || fmt.Sprint(bad) != "[impressions plays]" {
		t.Errorf("invalid = %v, %v", bad, err)
	}
}

func TestDebugTokenAgainstSim(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, graphsim.Options{RequireProof: true}, meta.Options{})
	info, err := e.client.DebugToken(ctx, noPostToken)
	if err != nil || !info.Valid || !info.ExpiresAt.IsZero() {
		t.Fatalf("info %+v %v", info, err)
	}
	if m := info.MissingPermissions("pages_manage_posts", "pages_read_engagement"); fmt.Sprint(m) != "[pages_manage_posts]" {
		t.Errorf("missing = %v", m)
	}
	if err := e.sim.ExpireToken(pageToken, t0.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	info, _ = e.client.DebugToken(ctx, pageToken)
	if !info.Valid || !info.ExpiresWithin(t0, 72*time.Hour) || info.ExpiresWithin(t0, time.Hour) {
		t.Errorf("expiring token %+v", info)
	}
	e.clock.Advance(49 * time.Hour)
	info, _ = e.client.DebugToken(ctx, pageToken)
	if info.Valid || info.ErrorSubcode != 463 {
		t.Errorf("expired token %+v", info)
	}
	wrong, _ := meta.New(meta.Options{BaseURL: e.srv.URL, AppID: testAppID, AppSecret: "wrong"})
	if _, err := wrong.DebugToken(ctx, pageToken); meta.ClassOf(err) != meta.ClassAuth {
		t.Errorf("wrong app token: %v", err)
	}
}

func TestUsageRisesWithCalls(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, graphsim.Options{UsagePerCall: 5}, meta.Options{})
	for i := 0; i < 4; i++ {
		if _, err := e.client.PageFollowers(ctx, pageToken, pageID); err != nil {
			t.Fatal(err)
		}
	}
	var last int
	for i, ci := range e.infos {
		p := ci.Usage.MaxPercent()
		if p <= last || ci.Usage.BusinessUseCase[pageID] == nil || ci.Endpoint != "page_followers" {
			t.Errorf("call %d usage %d after %d (%+v)", i, p, last, ci)
		}
		last = p
	}
	e.clock.Advance(time.Hour)
	_, _ = e.client.PageFollowers(ctx, pageToken, pageID)
	if p := e.infos[len(e.infos)-1].Usage.MaxPercent(); p > 5 {
		t.Errorf("usage after an hour = %d, want drained", p)
	}
}
