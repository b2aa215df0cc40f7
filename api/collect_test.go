package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/collector"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/valid"
)

type collectTokens map[string]auth.Principal

func (a collectTokens) Authenticate(_ context.Context, token string) (auth.Principal, error) {
	if p, ok := a[token]; ok {
		return p, nil
	}
	return auth.Principal{}, auth.ErrInvalidToken
}

type fakeCollector struct {
	started  []collector.RunOptions
	busy     bool
	runs     map[string]collector.RunStatus
	override struct{ platform, id, ct, by string }
	err      error
}

func (f *fakeCollector) StartRun(_ context.Context, o collector.RunOptions) (string, error) {
	if f.busy {
		return "", &collector.RunInProgressError{ID: "run-1"}
	}
	if o.ChannelID == 404 {
		return "", valid.NotFound("no channel with id %d", "tidak ada kanal dengan id %d", 404) // as collector.StartRun answers
	}
	f.started = append(f.started, o)
	return "run-2", nil
}

func (f *fakeCollector) RunStatus(_ context.Context, id string) (collector.RunStatus, error) {
	if st, ok := f.runs[id]; ok {
		return st, nil
	}
	return collector.RunStatus{}, collector.ErrRunNotFound
}

func (f *fakeCollector) SetContentType(_ context.Context, platform, id, ct string, by auth.Principal) (collector.ContentTypeChange, error) {
	if f.err != nil {
		return collector.ContentTypeChange{}, f.err
	}
	if ct == "poll" {
		return collector.ContentTypeChange{}, &collector.InputError{Field: "content_type", Message: "content_type \"poll\" is not one of [...]"}
	}
	f.override = struct{ platform, id, ct, by string }{platform, id, ct, by.Name}
	return collector.ContentTypeChange{Platform: platform, PostID: id, ContentType: ct, Previous: "photo", ContentTypeSource: "override"}, nil
}

func (f *fakeCollector) PostUnit(context.Context, string, string) (int64, error) {
	if f.err != nil {
		return 0, f.err
	}
	return 1, nil
}

func collectServer(t *testing.T, f *fakeCollector) http.Handler {
	t.Helper()
	srv, err := api.New(api.Options{Listen: "127.0.0.1:0", Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	tokens := collectTokens{
		"admin":  {UserID: 1, Name: "admin", Role: auth.RoleAdmin},
		"editor": {UserID: 2, Name: "editor", Role: auth.RoleEditor},
		"viewer": {UserID: 3, Name: "viewer", Role: auth.RoleViewer},
	}
	g := srv.V1().Group("", api.RequireAuth(tokens))
	api.MountCollector(g, f, api.Unscoped{})
	return srv.Engine()
}

func collectDo(t *testing.T, h http.Handler, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var out map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &out)
	return w.Code, out
}

func TestCollectRoutes(t *testing.T) {
	f := &fakeCollector{runs: map[string]collector.RunStatus{"run-2": {ID: "run-2", Status: collector.StatusRunning, ChannelsTotal: 4, ChannelsDone: 1}}}
	h := collectServer(t, f)

	code, body := collectDo(t, h, "POST", "/api/v1/collect", "admin", `{"channel_id": 3, "since": "2026-01-31"}`)
	if code != http.StatusAccepted || body["id"] != "run-2" || body["status_url"] != "/api/v1/collect/run-2" {
		t.Fatalf("POST /collect = %d %v", code, body)
	}
	if o := f.started[0]; o.ChannelID != 3 || !o.Since.Equal(time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)) || o.Trigger != collector.TriggerAPI || o.RequestedBy != "admin" {
		t.Fatalf("run options = %+v", o)
	}
	if code, _ := collectDo(t, h, "POST", "/api/v1/collect", "admin", ""); code != http.StatusAccepted {
		t.Fatalf("POST /collect without a body = %d, want 202", code)
	}
	if code, _ := collectDo(t, h, "POST", "/api/v1/collect", "editor", ""); code != http.StatusForbidden {
		t.Fatalf("POST /collect as editor = %d, want 403", code)
	}
	if code, _ := collectDo(t, h, "POST", "/api/v1/collect", "", ""); code != http.StatusUnauthorized {
		t.Fatalf("POST /collect without a token = %d, want 401", code)
	}
	if code, body := collectDo(t, h, "POST", "/api/v1/collect", "admin", `{"since": "kemarin"}`); code != http.StatusUnprocessableEntity || !strings.Contains(collectJSON(body), "since") {
		t.Fatalf("bad since = %d %v, want 422 naming since", code, body)
	}
	if code, _ := collectDo(t, h, "POST", "/api/v1/collect", "admin", `{"channel_id": 404}`); code != http.StatusNotFound {
		t.Fatalf("unknown channel = %d, want 404", code)
	}
	f.busy = true
	if code, body := collectDo(t, h, "POST", "/api/v1/collect", "admin", ""); code != http.StatusConflict || !strings.Contains(collectJSON(body), "run-1") {
		t.Fatalf("second run = %d %v, want 409 naming run-1", code, body)
	}

	code, body = collectDo(t, h, "GET", "/api/v1/collect/run-2", "viewer", "")
	if code != http.StatusOK || body["status"] != "running" || body["channels_done"] != float64(1) {
		t.Fatalf("GET /collect/run-2 = %d %v", code, body)
	}
	if code, _ := collectDo(t, h, "GET", "/api/v1/collect/nope", "viewer", ""); code != http.StatusNotFound {
		t.Fatalf("GET unknown run = %d, want 404", code)
	}
}

func TestPlatformPostContentTypeRoute(t *testing.T) {
	f := &fakeCollector{}
	h := collectServer(t, f)
	code, body := collectDo(t, h, "PATCH", "/api/v1/platform-posts/instagram/17890001", "editor", `{"content_type": "interactive"}`)
	if code != http.StatusOK || body["content_type"] != "interactive" || body["previous_content_type"] != "photo" {
		t.Fatalf("PATCH = %d %v", code, body)
	}
	if f.override.platform != "instagram" || f.override.id != "17890001" || f.override.ct != "interactive" || f.override.by != "editor" {
		t.Fatalf("override = %+v", f.override)
	}
	if code, _ := collectDo(t, h, "PATCH", "/api/v1/platform-posts/instagram/1", "viewer", `{"content_type": "video"}`); code != http.StatusForbidden {
		t.Fatalf("PATCH as viewer = %d, want 403", code)
	}
	if code, body := collectDo(t, h, "PATCH", "/api/v1/platform-posts/instagram/1", "editor", `{"content_type": "poll"}`); code != http.StatusUnprocessableEntity || !strings.Contains(collectJSON(body), "content_type") {
		t.Fatalf("bad type = %d %v, want 422 on content_type", code, body)
	}
	if code, _ := collectDo(t, h, "PATCH", "/api/v1/platform-posts/instagram/1", "editor", `{`); code != http.StatusBadRequest {
		t.Fatalf("bad JSON = %d, want 400", code)
	}
	f.err = collector.ErrPostNotFound
	if code, _ := collectDo(t, h, "PATCH", "/api/v1/platform-posts/facebook/1_2", "editor", `{"content_type": "video"}`); code != http.StatusNotFound {
		t.Fatalf("unknown post = %d, want 404", code)
	}
	f.err = store.ErrUnavailable
	if code, _ := collectDo(t, h, "PATCH", "/api/v1/platform-posts/facebook/1_2", "editor", `{"content_type": "video"}`); code != http.StatusServiceUnavailable {
		t.Fatalf("clickhouse away = %d, want 503", code)
	}
}

func collectJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
