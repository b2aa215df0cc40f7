package api_test

import (
	"log/slog"
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/store/storetest"
)

// JSON, CSV (by format= or Accept) and either language are renderings of
// one answer: the service computes it once.
func TestReportRenderingsShareOneAnswer(t *testing.T) {
	ch := storetest.ClickHouse(t)
	seedTwoPosts(t, ch)
	srv, err := api.New(api.Options{Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := analytics.New(ch, analytics.Options{RefreshEvery: -1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	api.MountAnalytics(srv.V1().Group("", api.RequireAuth(staticAuth{})), svc, api.Unscoped{})
	e := srv.Engine()
	base := "/api/v1/engagement?from=2025-03-01&to=2025-03-31&group_by=platform,content_type"
	for _, r := range []struct {
		target string
		hdr    []string
	}{
		{base, nil},
		{base + "&format=csv", nil},
		{base + "&format=csv&lang=id", nil},
		{base + "&lang=id", []string{"Accept", "text/csv"}},
		{"/api/v1/engagement?group_by=content_type,platform&to=2025-03-31&from=2025-03-01&format=json", nil},
	} {
		if w := getReport(e, http.MethodGet, r.target, r.hdr...); w.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", r.target, w.Code, w.Body)
		}
	}
	if st := svc.CacheStats(); st.Misses != 1 || st.Hits != 4 || st.Entries != 1 {
		t.Fatalf("cache after five renderings of one report: %+v, want 1 miss, 4 hits, 1 entry", st)
	}
}
