package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"path/filepath"
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

// strictServer mounts every JSON-reading route: the calendar, channels,
// units and users over a real SQLite, and the collector routes over a
// fake collector.
func strictServer(t *testing.T) (http.Handler, map[string]string) {
	t.Helper()
	ctx := context.Background()
	db := storetest.SQLite(t)
	orgs := org.NewStore(db, bytes.Repeat([]byte{1}, 32))
	as := auth.NewStore(db)
	unit, err := orgs.CreateUnit(ctx, org.Unit{Name: "KPU RI", Slug: "kpu-ri", RequiresApproval: true})
	if err != nil {
		t.Fatal(err)
	}
	toks := map[string]string{}
	for _, r := range []auth.Role{auth.RoleAdmin, auth.RoleEditor, auth.RoleApprover} {
		_, tok, err := as.CreateUser(ctx, string(r), unit.ID, r)
		if err != nil {
			t.Fatal(err)
		}
		toks[string(r)] = tok
	}
	ch, err := orgs.CreateChannel(ctx, org.ChannelInput{UnitID: unit.ID, Platform: org.Facebook, ExternalID: "100", Name: "KPU RI", AccessToken: "x"})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := api.New(api.Options{Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	g := srv.V1().Group("", api.RequireAuth(as))
	cal := scheduler.NewService(db, orgs, scheduler.ServiceOptions{})
	api.MountScheduler(g, api.SchedulerDeps{Org: orgs, Auth: as, Calendar: cal})
	api.MountCollector(g, &fakeCollector{}, api.Unscoped{})
	editor, _ := as.Authenticate(ctx, toks["editor"])
	p, err := cal.CreatePost(ctx, editor, scheduler.Draft{Caption: "Ayo memilih", ContentType: "text",
		Classification: scheduler.Classification{Level: "public"}, Channels: []int64{ch.ID}, ScheduledAt: time.Now().Add(24 * time.Hour)}, false)
	if err != nil {
		t.Fatal(err)
	}
	toks["post"] = pathInt(p.ID)
	toks["channel"] = pathInt(ch.ID)
	return srv.Engine(), toks
}

func pathInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestStrictJSON: every JSON route refuses unknown fields (naming them,
// nested ones with their path), trailing data, a wrong or missing
// Content-Type and malformed JSON, each with a 4xx that says what is
// wrong and never a Go type name.
func TestStrictJSON(t *testing.T) {
	h, tok := strictServer(t)
	post := "/api/v1/posts/" + tok["post"]
	type tc struct {
		name, method, path, role, ctype, body string
		status                                int
		code                                  string
		mentions                              []string
		field                                 string
	}
	json := "application/json"
	cases := []tc{
		{"typo schedule_at", "POST", "/api/v1/posts", "editor", json, `{"caption": "x", "content_type": "text", "schedule_at": "2026-03-01T09:00:00+07:00"}`,
			400, "unknown_field", []string{`unknown field "schedule_at"`, "scheduled_at"}, "schedule_at"},
		{"nested unknown field", "POST", "/api/v1/posts", "editor", json, `{"caption": "x", "classification": {"levle": "public"}}`,
			400, "unknown_field", []string{`"classification.levle"`}, "classification.levle"},
		{"unknown field in an array item", "PATCH", post, "editor", json, `{"media": [{"type": "image", "uri": "https://x.test/a.jpg"}]}`,
			400, "unknown_field", []string{`"media[0].uri"`}, "media[0].uri"},
		{"trailing object", "POST", "/api/v1/posts", "editor", json, `{"caption": "x"}{"caption": "y"}`,
			400, "trailing_data", []string{"trailing data after the JSON value at byte 16"}, ""},
		{"trailing garbage", "PATCH", post, "editor", json, "{\"caption\": \"x\"}\n  garbage",
			400, "trailing_data", []string{"at byte 19"}, ""},
		{"text/plain", "POST", "/api/v1/posts", "editor", "text/plain", `{"caption": "x"}`,
			415, "unsupported_media_type", []string{`"text/plain"`, "application/json"}, ""},
		{"form encoded", "POST", "/api/v1/units", "admin", "application/x-www-form-urlencoded", `name=x&slug=y`,
			415, "unsupported_media_type", []string{"application/json"}, ""},
		{"no Content-Type", "PATCH", post, "editor", "", `{"caption": "x"}`,
			415, "unsupported_media_type", []string{"no Content-Type", "application/json"}, ""},
		{"latin-1", "POST", "/api/v1/units", "admin", "application/json; charset=iso-8859-1", `{"name": "x"}`,
			415, "unsupported_media_type", []string{`"iso-8859-1"`, "UTF-8"}, ""},
		{"malformed", "POST", "/api/v1/posts", "editor", json, `{"caption": }`,
			400, "bad_json", []string{"malformed JSON at byte 13", "invalid character '}'"}, ""},
		{"truncated", "POST", "/api/v1/channels", "admin", json, `{"name": "x"`,
			400, "bad_json", []string{"ends early at byte 12"}, ""},
		{"wrong type", "POST", "/api/v1/posts", "editor", json, `{"scheduled_at": 20260301}`,
			400, "wrong_type", []string{"scheduled_at must be a string, not number"}, "scheduled_at"},
		{"wrong nested type", "PATCH", post, "editor", json, `{"classification": {"level": true}}`,
			400, "wrong_type", []string{"classification.level must be a string, not bool"}, "classification.level"},
		{"wrong array item", "POST", "/api/v1/posts", "editor", json, `{"channels": ["satu"]}`,
			400, "wrong_type", []string{"each item of channels must be a whole number, not string"}, "channels"},
		{"an array, not an object", "POST", "/api/v1/users", "admin", json, `[{"name": "x"}]`,
			400, "bad_json", []string{"must be a JSON object", "not an array"}, ""},
		{"null", "POST", "/api/v1/units", "admin", json, `null`,
			400, "bad_json", []string{"must be a JSON object", "not null"}, ""},
		{"empty body", "POST", "/api/v1/channels", "admin", json, ``,
			400, "empty_body", []string{"empty"}, ""},
		{"not UTF-8", "POST", "/api/v1/units", "admin", json, "{\"name\": \"\xff\"}",
			400, "bad_json", []string{"UTF-8"}, ""},
		{"channel patch typo", "PATCH", "/api/v1/channels/" + tok["channel"], "admin", json, `{"nama": "KPU"}`,
			400, "unknown_field", []string{`"nama"`, "name, unit, access_token, status"}, "nama"},
		{"user typo", "POST", "/api/v1/users", "admin", json, `{"name": "a", "unit": "kpu-ri", "rol": "admin"}`,
			400, "unknown_field", []string{`"rol"`}, "rol"},
		{"unit typo", "POST", "/api/v1/units", "admin", json, `{"name": "a", "parent_slug": "kpu-ri"}`,
			400, "unknown_field", []string{`"parent_slug"`}, "parent_slug"},
		{"reason typo", "POST", post + "/reject", "approver", json, `{"reasons": "typo"}`,
			400, "unknown_field", []string{`"reasons"`, "reason"}, "reasons"},
		{"reason as form", "POST", post + "/cancel", "editor", "application/x-www-form-urlencoded", `reason=x`,
			415, "unsupported_media_type", []string{"application/json"}, ""},
		{"collect typo", "POST", "/api/v1/collect", "admin", json, `{"channel": 3}`,
			400, "unknown_field", []string{`"channel"`, "channel_id, since"}, "channel"},
		{"content type typo", "PATCH", "/api/v1/platform-posts/facebook/1_2", "editor", json, `{"contenttype": "video"}`,
			400, "unknown_field", []string{`"contenttype"`}, "contenttype"},
		{"content type trailing", "PATCH", "/api/v1/platform-posts/facebook/1_2", "editor", json, `{"content_type": "video"} {}`,
			400, "trailing_data", nil, ""},
	}
	leaks := []string{"Go struct", "Go value", "of type", "postRequest", "scheduler.", "api.", "time.Time", "json: ", "[]int64", "int64"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
			if c.ctype != "" {
				req.Header.Set("Content-Type", c.ctype)
			}
			req.Header.Set("Authorization", "Bearer "+tok[c.role])
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			var e errorBody
			_ = jsonUnmarshal(w.Body.Bytes(), &e)
			if w.Code != c.status || e.Error.Code != c.code || e.Error.MessageID == "" {
				t.Fatalf("status %d %s, want %d %s", w.Code, w.Body, c.status, c.code)
			}
			for _, m := range c.mentions {
				if !strings.Contains(e.Error.Message, m) {
					t.Errorf("message %q does not mention %q", e.Error.Message, m)
				}
			}
			if c.field != "" && (len(e.Error.Fields) == 0 || e.Error.Fields[0].Field != c.field) {
				t.Errorf("fields %+v, want %s", e.Error.Fields, c.field)
			}
			for _, l := range leaks {
				if strings.Contains(w.Body.String(), l) {
					t.Errorf("the answer shows Go internals %q: %s", l, w.Body)
				}
			}
		})
	}
	// The same routes still take a good body, and the optional ones none.
	for _, ok := range []struct{ method, path, role, body string }{
		{"PATCH", post, "editor", `{"caption": "Ayo memilih!"}`},
		{"PATCH", post, "editor", "  {\"campaign\": \"pemilu\"}\n"},
		{"POST", "/api/v1/collect", "admin", ``},
		{"PATCH", "/api/v1/platform-posts/facebook/1_2", "editor", `{"Content_Type": "video"}`}, // field names match case-insensitively, as before
	} {
		req := httptest.NewRequest(ok.method, ok.path, strings.NewReader(ok.body))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		req.Header.Set("Authorization", "Bearer "+tok[ok.role])
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 400 {
			t.Errorf("%s %s %s: %d %s", ok.method, ok.path, ok.body, w.Code, w.Body)
		}
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// TestEveryHandlerBindsThroughBindJSON: no file of the api package reads a
// request body other than through bind.go (Gin's binders or a bare
// decoder would skip the strict checks).
func TestEveryHandlerBindsThroughBindJSON(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	banned := map[string]bool{"ShouldBindJSON": true, "ShouldBind": true, "BindJSON": true, "Bind": true, "ShouldBindWith": true,
		"ShouldBindBodyWith": true, "ShouldBindBodyWithJSON": true, "MustBindWith": true, "NewDecoder": true, "ReadAll": true, "GetRawData": true}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "bind.go" {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && banned[sel.Sel.Name] {
				t.Errorf("%s: %s reads a body outside bindJSON", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
}
