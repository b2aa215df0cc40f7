package meta_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/meta"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtureServer answers every request with the fixture body and status;
// graph.facebook.com in the body is rewritten to the server.
func fixtureServer(t *testing.T, body []byte, status int, h http.Header) *meta.Client {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range h {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(strings.ReplaceAll(string(body), "https://graph.facebook.com", srv.URL)))
	}))
	t.Cleanup(srv.Close)
	c, err := meta.New(meta.Options{BaseURL: srv.URL, ReadRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFixtureErrors(t *testing.T) {
	tests := []struct {
		file    string
		status  int
		class   meta.Class
		code    int
		subcode int
	}{
		{"error_expired_token.json", 400, meta.ClassAuth, 190, 463},
		{"error_retired_metric.json", 400, meta.ClassRetiredMetric, 100, 0},
		{"error_page_throttle.json", 400, meta.ClassThrottled, 80001, 0},
		{"error_app_limit.json", 403, meta.ClassThrottled, 4, 0},
		{"error_duplicate.json", 400, meta.ClassDuplicate, 506, 0},
		{"error_ig_quota.json", 400, meta.ClassQuota, 9, 2207042},
		{"error_ig_not_ready.json", 400, meta.ClassNotReady, 9007, 2207027},
		{"error_permission.json", 403, meta.ClassPermission, 200, 0},
		{"error_unknown.json", 500, meta.ClassTransient, 1, 0},
		{"error_bad_proof.json", 400, meta.ClassAuth, 100, 0}, // another app's token, or a wrong secret: reconnect
		// The SDK ignores the HTTP status: an error body on a 200 is still an error.
		{"error_duplicate.json", 200, meta.ClassDuplicate, 506, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			h := http.Header{}
			h.Set("X-Business-Use-Case-Usage", `{"123":[{"type":"pages","call_count":100,"total_cputime":10,"total_time":10,"estimated_time_to_regain_access":7}]}`)
			c := fixtureServer(t, fixture(t, tt.file), tt.status, h)
			_, err := c.PageFollowers(context.Background(), "tok", "123")
			var me *meta.Error
			if !errors.As(err, &me) {
				t.Fatalf("err = %v", err)
			}
			if me.Class != tt.class || me.Code != tt.code || me.Subcode != tt.subcode || me.HTTPStatus != tt.status {
				t.Errorf("got class %v code %d/%d status %d", me.Class, me.Code, me.Subcode, me.HTTPStatus)
			}
			if me.Class == meta.ClassThrottled && me.RetryAfter != 7*time.Minute {
				t.Errorf("retry after %v, want 7m from the BUC header", me.RetryAfter)
			}
			if me.Class == meta.ClassPermission && me.Permission != "pages_read_engagement,pages_manage_posts" {
				t.Errorf("permission %q", me.Permission)
			}
		})
	}
}

func TestFixturePagePosts(t *testing.T) {
	body := fixture(t, "page_posts.json")
	calls := 0
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.URL.Query().Get("after") != "" {
			_, _ = w.Write([]byte(`{"data":[]}`))
			return
		}
		if r.URL.Query().Get("access_token") != "tok" {
			t.Errorf("token missing on %s", r.URL.Path)
		}
		_, _ = w.Write([]byte(strings.ReplaceAll(string(body), "https://graph.facebook.com", srv.URL)))
	}))
	defer srv.Close()
	c, _ := meta.New(meta.Options{BaseURL: srv.URL})
	posts, err := c.ListPagePosts(context.Background(), "tok", "123", meta.ListOptions{WithInsights: true})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 || len(posts) != 2 {
		t.Fatalf("calls %d posts %d", calls, len(posts))
	}
	p := posts[0]
	if p.Reactions.Value != 12 || p.Comments.Value != 3 || p.Shares.Value != 4 || p.Insights.Reach.Value != 900 || !p.Insights.Reach.OK {
		t.Errorf("post 0 = %+v", p)
	}
	if !p.CreatedTime.Equal(time.Date(2026, 1, 2, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("created %v", p.CreatedTime)
	}
	if q := posts[1]; q.Shares.Value != 0 || !q.Shares.OK || q.Insights.Reach.OK {
		t.Errorf("post 1 (no shares field, no insights) = %+v", q)
	}
}

func TestFixtureNextOnOtherHostRefused(t *testing.T) {
	c := fixtureServer(t, []byte(`{"data":[{"id":"1"}],"paging":{"next":"https://evil.example.com/v24.0/1/posts?after=x"}}`), 200, nil)
	_, err := c.ListPagePosts(context.Background(), "tok", "123", meta.ListOptions{})
	if err == nil || !strings.Contains(err.Error(), "another host") {
		t.Fatalf("err = %v", err)
	}
}

func TestFixtureInsights(t *testing.T) {
	var r meta.InsightsResponse
	if err := json.Unmarshal(fixture(t, "post_insights.json"), &r); err != nil {
		t.Fatal(err)
	}
	views, _ := r.Find("post_media_view")
	if v, ok := views.Int(); !ok || v != 1520 || views.Period != "lifetime" || views.ID == "" {
		t.Errorf("views = %+v", views)
	}
	re, _ := r.Find("post_reactions_by_type_total")
	if m, ok := re.Map(); !ok || m["like"] != 3 || m["love"] != 1 {
		t.Errorf("reactions = %v", m)
	}
	var acct meta.InsightsResponse
	if err := json.Unmarshal(fixture(t, "ig_account_insights_total_value.json"), &acct); err != nil {
		t.Fatal(err)
	}
	reach, _ := acct.Find("reach")
	if v, ok := reach.Int(); !ok || v != 482 {
		t.Errorf("total_value reach = %d %v", v, ok)
	}
	var empty meta.InsightsResponse
	if err := json.Unmarshal(fixture(t, "insights_empty.json"), &empty); err != nil {
		t.Fatal(err)
	}
	if _, ok := empty.Find("reach"); ok {
		t.Error("empty data has reach")
	}
}

func TestFixtureBatch(t *testing.T) {
	c := fixtureServer(t, fixture(t, "batch_response.json"), 200, nil)
	reqs := []meta.BatchRequest{{RelativeURL: "123"}, {RelativeURL: "123/insights?metric=x"}, {RelativeURL: "1"}, {RelativeURL: "2"}}
	res, err := c.Batch(context.Background(), "tok", reqs)
	if err != nil {
		t.Fatal(err)
	}
	var page struct{ Name string }
	if err := res[0].Decode(&page); err != nil || page.Name != "KPU" || res[0].Headers.Get("Content-Type") == "" {
		t.Errorf("entry 0: %+v %v", page, err)
	}
	if meta.ClassOf(res[1].Err) != meta.ClassRetiredMetric {
		t.Errorf("entry 1 class %v", meta.ClassOf(res[1].Err))
	}
	if meta.ClassOf(res[2].Err) != meta.ClassTransient || !meta.ClassOf(res[2].Err).Retryable() {
		t.Errorf("null entry: %v", res[2].Err)
	}
	if res[3].Err != nil || res[3].Code != 200 {
		t.Errorf("entry 3 without headers: %+v", res[3])
	}
}

func TestFixtureDebugTokenAndLimit(t *testing.T) {
	ctx := context.Background()
	c := fixtureServer(t, fixture(t, "debug_token.json"), 200, nil)
	if _, err := c.DebugToken(ctx, "x"); err == nil {
		t.Error("DebugToken without app credentials should fail")
	}
	var srvURL string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("access_token") != "4242|s3cret" {
			t.Errorf("app token not used")
		}
		if r.URL.Query().Get("input_token") == "bad" {
			_, _ = w.Write(fixture(t, "debug_token_invalid.json"))
			return
		}
		_, _ = w.Write(fixture(t, "debug_token.json"))
	}))
	defer srv.Close()
	srvURL = srv.URL
	c, _ = meta.New(meta.Options{BaseURL: srvURL, AppID: "4242", AppSecret: "s3cret"})
	info, err := c.DebugToken(ctx, "good")
	if err != nil || !info.Valid || !info.ExpiresAt.IsZero() || info.ProfileID != "123" {
		t.Fatalf("info %+v %v", info, err)
	}
	if miss := info.MissingPermissions("pages_manage_posts", "read_insights"); len(miss) != 1 || miss[0] != "read_insights" {
		t.Errorf("missing = %v", miss)
	}
	bad, err := c.DebugToken(ctx, "bad")
	if err != nil || bad.Valid || bad.ErrorCode != 190 || bad.ErrorSubcode != 463 {
		t.Errorf("invalid token info %+v %v", bad, err)
	}

	c = fixtureServer(t, fixture(t, "publishing_limit.json"), 200, nil)
	lim, err := c.IGPublishingLimit(ctx, "tok", "1784")
	if err != nil || lim.Used != 2 || lim.Total != 50 || lim.Remaining() != 48 {
		t.Errorf("limit %+v %v", lim, err)
	}
	c = fixtureServer(t, fixture(t, "container_status_error.json"), 200, nil)
	st, err := c.IGContainerStatus(ctx, "tok", "1789")
	if err != nil || st.Code != meta.IGError || !strings.Contains(st.Status, "2207026") {
		t.Errorf("status %+v %v", st, err)
	}
}

func TestFixtureUsageHeaders(t *testing.T) {
	var hs map[string]string
	if err := json.Unmarshal(fixture(t, "headers_usage.json"), &hs); err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	for k, v := range hs {
		h.Set(k, v)
	}
	u := meta.ParseUsage(h)
	if u.App == nil || u.App.CallCount != 28 || u.Page == nil || u.Page.CallCount != 40 {
		t.Fatalf("usage %+v", u)
	}
	if u.MaxPercent() != 97 || u.RegainAfter() != 12*time.Minute {
		t.Errorf("max %d regain %v", u.MaxPercent(), u.RegainAfter())
	}
	if b := u.BusinessUseCase["1784"]; len(b) != 1 || b[0].Type != "instagram" {
		t.Errorf("buc %+v", u.BusinessUseCase)
	}
	if !meta.ParseUsage(http.Header{"X-App-Usage": {"not json"}}).Empty() {
		t.Error("malformed header not ignored")
	}
}
