package api_test

import (
	"bytes"
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
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store/storetest"
)

func TestSchedulerAPI(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	orgs := org.NewStore(db, bytes.Repeat([]byte{1}, 32))
	as := auth.NewStore(db)
	unit, _ := orgs.CreateUnit(ctx, org.Unit{Name: "KPU RI", Slug: "kpu-ri", RequiresApproval: true})
	_, adminTok, _ := as.CreateUser(ctx, "admin", unit.ID, auth.RoleAdmin)
	_, viewerTok, _ := as.CreateUser(ctx, "viewer", unit.ID, auth.RoleViewer)
	_, editorTok, _ := as.CreateUser(ctx, "editor", unit.ID, auth.RoleEditor)
	srv, err := api.New(api.Options{Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	api.MountScheduler(srv.V1().Group("", api.RequireAuth(as)), api.SchedulerDeps{Org: orgs, Auth: as,
		Calendar: scheduler.NewService(db, orgs, scheduler.ServiceOptions{})})
	h := srv.Engine()
	call := func(method, path, tok string, body any) (int, map[string]any) {
		var rd *bytes.Reader
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
		req := httptest.NewRequest(method, "/api/v1"+path, rd)
		if body == nil {
			req = httptest.NewRequest(method, "/api/v1"+path, nil)
		}
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var out map[string]any
		_ = json.Unmarshal(w.Body.Bytes(), &out)
		return w.Code, out
	}
	if code, body := call("GET", "/posts", "", nil); code != http.StatusUnauthorized || body["error"] == nil {
		t.Fatalf("no token: %d %v", code, body)
	}
	if code, _ := call("GET", "/posts", "humas_wrong", nil); code != http.StatusUnauthorized {
		t.Fatalf("bad token: %d", code)
	}
	code, body := call("POST", "/channels", adminTok, map[string]any{"platform": "facebook", "external_id": "100", "name": "KPU RI", "unit": "kpu-ri", "access_token": "secret-page-token"})
	if code != http.StatusCreated {
		t.Fatalf("create channel: %d %v", code, body)
	}
	chID := body["id"].(float64)
	code, body = call("GET", "/channels/1", viewerTok, nil)
	raw, _ := json.Marshal(body)
	if code != http.StatusOK || strings.Contains(string(raw), "secret-page-token") || body["token_health"] == nil {
		t.Fatalf("get channel: %d %s", code, raw)
	}
	if code, _ := call("POST", "/channels", editorTok, map[string]any{"platform": "facebook"}); code != http.StatusForbidden {
		t.Fatalf("editor creating a channel: %d", code)
	}
	post := map[string]any{"caption": "Ayo memilih", "content_type": "text", "classification": map[string]any{"level": "public"},
		"channels": []float64{chID}, "scheduled_at": time.Now().Add(time.Hour).Format(time.RFC3339)}
	if code, body := call("POST", "/posts", viewerTok, post); code != http.StatusForbidden || body["error"] == nil {
		t.Fatalf("viewer creating a post: %d %v", code, body)
	}
	code, body = call("POST", "/posts", editorTok, post)
	if code != http.StatusCreated || body["state"] != "draft" || !strings.HasSuffix(body["scheduled_at"].(string), "+07:00") {
		t.Fatalf("editor creating a post: %d %v", code, body)
	}
	bad := map[string]any{"caption": "x", "content_type": "photo", "classification": map[string]any{"level": "exempt"},
		"channels": []float64{chID}, "scheduled_at": "tomorrow"}
	code, body = call("POST", "/posts", editorTok, bad)
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("bad time: %d %v", code, body)
	}
	bad["scheduled_at"] = time.Now().Add(-time.Hour).Format(time.RFC3339)
	bad["submit"] = true
	code, body = call("POST", "/posts", editorTok, bad)
	fields, _ := body["error"].(map[string]any)["fields"].([]any)
	if code != http.StatusUnprocessableEntity || len(fields) < 2 {
		t.Fatalf("invalid post: %d %v", code, body)
	}
	for _, f := range fields {
		m := f.(map[string]any)
		if m["message"] == "" || m["message_id"] == "" {
			t.Errorf("field error without both languages: %v", m)
		}
	}
	if code, body := call("POST", "/posts/1/approve", editorTok, nil); code != http.StatusForbidden {
		t.Fatalf("editor approving: %d %v", code, body)
	}
	if code, body := call("GET", "/posts/1/audit", viewerTok, nil); code != http.StatusOK || len(body["audit"].([]any)) != 1 {
		t.Fatalf("audit: %d %v", code, body)
	}
}
