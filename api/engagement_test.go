package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

type staticAuth struct{}

func (staticAuth) Authenticate(_ context.Context, token string) (auth.Principal, error) {
	if token != "t0ken" {
		return auth.Principal{}, auth.ErrInvalidToken
	}
	return auth.Principal{UserID: 1, Name: "viewer", UnitID: 1, Role: auth.RoleViewer}, nil
}

// analyticsEngine is a server with the reports and the OpenAPI document
// mounted, over ClickHouse holding two posts of March 2025.
func analyticsEngine(t *testing.T, ch *store.ClickHouse) *gin.Engine {
	t.Helper()
	srv, err := api.New(api.Options{Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := analytics.New(ch, analytics.Options{CacheTTL: -1, RefreshEvery: -1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	g := srv.V1().Group("", api.RequireAuth(staticAuth{}))
	api.MountAnalytics(g, svc, api.Unscoped{})
	api.MountOpenAPI(srv.Engine())
	return srv.Engine()
}

func seedTwoPosts(t *testing.T, ch *store.ClickHouse) {
	t.Helper()
	ctx := context.Background()
	pub1, pub2 := time.Date(2025, 3, 3, 2, 0, 0, 0, time.UTC), time.Date(2025, 3, 4, 2, 0, 0, 0, time.UTC)
	b, err := ch.PrepareBatch(ctx, `INSERT INTO posts (platform, post_id, channel_id, unit_id, content_type, caption, hashtags, campaign, published_at, permalink, version)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		id, ct string
		pub    time.Time
	}{{"p1", "photo", pub1}, {"p2", "video", pub2}} {
		if err := b.Append("facebook", p.id, uint64(5), uint64(1), p.ct, "caption", []string{"#kpu"}, "", p.pub, "https://fb.test/"+p.id, uint64(1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	b, err = ch.PrepareBatch(ctx, `INSERT INTO post_metrics (slot, collected_at, platform, post_id, channel_id, published_at, reach, views, reactions, interactions, has_insights)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		id           string
		pub          time.Time
		reach, inter uint64
	}{{"p1", pub1, 200, 10}, {"p2", pub2, 100, 4}} {
		if err := b.Append(s.pub.Add(time.Hour), s.pub.Add(time.Hour), "facebook", s.id, uint64(5), s.pub, s.reach, s.reach, s.inter, s.inter, uint8(1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
}

func getReport(e *gin.Engine, method, target string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	req.Header.Set("Authorization", "Bearer t0ken")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	return w
}

func TestEngagementAPI(t *testing.T) {
	ch := storetest.ClickHouse(t)
	seedTwoPosts(t, ch)
	e := analyticsEngine(t, ch)
	const march = "/api/v1/engagement?from=2025-03-01&to=2025-03-31"

	t.Run("json", func(t *testing.T) {
		w := getReport(e, "GET", march+"&group_by=content_type")
		if w.Code != 200 {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		var rep analytics.EngagementReport
		if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Totals.Posts != 2 || rep.Totals.EngagementRate == nil || *rep.Totals.EngagementRate != 14.0/300 ||
			len(rep.Rows) != 2 || rep.Timezone != "Asia/Jakarta" || rep.Definition.ID == "" {
			t.Errorf("report %s", w.Body)
		}
		if !strings.Contains(w.Body.String(), `"content_type":"photo"`) || strings.Contains(w.Body.String(), `"week"`) {
			t.Errorf("group keys: %s", w.Body)
		}
	})
	t.Run("csv in Bahasa Indonesia", func(t *testing.T) {
		w := getReport(e, "GET", march+"&format=csv&lang=id")
		if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
			t.Fatalf("status %d type %q: %s", w.Code, w.Header().Get("Content-Type"), w.Body)
		}
		body := w.Body.String()
		if !strings.HasPrefix(body, "\ufeff") {
			t.Error("no UTF-8 BOM")
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff")))
		r.Comma = ';'
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 3 || recs[0][0] != "Jenis konten" || recs[0][len(recs[0])-2] != "Tingkat engagement" {
			t.Errorf("csv %v", recs)
		}
		// Rates with a decimal comma, as Indonesian spreadsheets read them.
		for _, rec := range recs[1:] {
			if er := rec[len(rec)-2]; er != "" && !strings.Contains(er, ",") {
				t.Errorf("rate %q has no decimal comma", er)
			}
		}
	})
	t.Run("csv by Accept", func(t *testing.T) {
		for _, path := range []string{"/api/v1/engagement/posts", "/api/v1/engagement/best-times", "/api/v1/engagement/hashtags",
			"/api/v1/engagement/campaigns", "/api/v1/followers"} {
			w := getReport(e, "GET", path+"?from=2025-03-01&to=2025-03-31", "Accept", "text/csv")
			if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
				t.Errorf("%s: status %d type %q: %s", path, w.Code, w.Header().Get("Content-Type"), w.Body)
			}
			if w := getReport(e, "GET", path+"?from=2025-03-01&to=2025-03-31"); w.Code != 200 || !json.Valid(w.Body.Bytes()) {
				t.Errorf("%s json: status %d: %s", path, w.Code, w.Body)
			}
		}
	})
	t.Run("top posts", func(t *testing.T) {
		w := getReport(e, "GET", "/api/v1/engagement/posts?from=2025-03-01&to=2025-03-31&sort=reach&limit=1")
		var rep analytics.PostsReport
		if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		if len(rep.Posts) != 1 || rep.Posts[0].PostID != "p1" || rep.Posts[0].Permalink != "https://fb.test/p1" {
			t.Errorf("posts %s", w.Body)
		}
	})
	t.Run("validation", func(t *testing.T) {
		cases := []struct{ query, field, mention string }{
			{"group_by=colour", "group_by", "content_type, platform, unit, channel, campaign, week, month"},
			{"method=likes", "method", "reach, views, followers"},
			{"age=1y", "age", "latest, 24h, 7d, 28d"},
			{"from=2025-03-10&to=2025-03-01", "from", "after"},
			{"from=2020-01-01&to=2025-01-01", "to", "two years"},
			{"from=01-03-2025", "from", "YYYY-MM-DD"},
			{"format=pdf", "format", "json or csv"},
			{"lang=fr", "lang", "en or id"},
			{"unit=42", "unit", "does not exist"},
		}
		for _, tc := range cases {
			w := getReport(e, "GET", "/api/v1/engagement?"+tc.query)
			var body struct {
				Error api.Error `json:"error"`
			}
			_ = json.Unmarshal(w.Body.Bytes(), &body)
			if w.Code != 400 || len(body.Error.Fields) != 1 || body.Error.Fields[0].Field != tc.field ||
				!strings.Contains(body.Error.Message, tc.mention) || body.Error.MessageID == "" {
				t.Errorf("%s: status %d body %s", tc.query, w.Code, w.Body)
			}
		}
	})
	t.Run("needs a token", func(t *testing.T) {
		req := httptest.NewRequest("GET", march, nil)
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		if w.Code != 401 {
			t.Errorf("status %d", w.Code)
		}
	})
}

// TestOpenAPIMatchesAnalyticsRoutes compares the document with the routes
// this package's engine registers for the probes and the reports. The
// lead runs api.CompareRoutes over the fully assembled engine too.
func TestOpenAPIMatchesAnalyticsRoutes(t *testing.T) {
	ch := storetest.ClickHouse(t)
	e := analyticsEngine(t, ch)
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest("GET", "/api/openapi.json", nil))
	var doc map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || w.Code != 200 {
		t.Fatalf("status %d, %v", w.Code, err)
	}
	if doc["openapi"] != "3.0.3" {
		t.Errorf("openapi = %v", doc["openapi"])
	}
	mine := []string{"/api/v1/engagement", "/api/v1/followers", "/api/openapi.json", "/healthz", "/readyz", "/metrics"}
	undocumented, unserved := api.CompareRoutes(doc, e.Routes(), mine...)
	if len(undocumented) > 0 || len(unserved) > 0 {
		t.Errorf("routes and document disagree: undocumented %v, documented but not served %v", undocumented, unserved)
	}
	// The comparison itself notices both kinds of drift.
	e.GET("/api/v1/engagement/extra", func(*gin.Context) {})
	undocumented, _ = api.CompareRoutes(doc, e.Routes(), mine...)
	if len(undocumented) != 1 || undocumented[0] != "GET /api/v1/engagement/extra" {
		t.Errorf("undocumented = %v", undocumented)
	}
	_, unserved = api.CompareRoutes(doc, e.Routes(), api.APIRoutePrefixes...)
	found := false
	for _, k := range unserved {
		found = found || k == "PATCH /api/v1/platform-posts/{platform}/{id}"
	}
	if !found {
		t.Errorf("unserved = %v, want the collector's routes (not mounted here)", unserved)
	}
}
