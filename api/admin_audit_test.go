package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store/storetest"
)

// TestAdminAPIIsAudited: each admin action through the API leaves an
// audit line naming the calling user, and no access token or API token
// appears in the log.
func TestAdminAPIIsAudited(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	orgs := org.NewStore(db, bytes.Repeat([]byte{1}, 32))
	as := auth.NewStore(db)
	unit, _ := orgs.CreateUnit(ctx, org.Unit{Name: "KPU RI", Slug: "kpu-ri"})
	admin, adminTok, err := as.CreateUser(ctx, "admin", unit.ID, auth.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := api.New(api.Options{Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	api.MountScheduler(srv.V1().Group("", api.RequireAuth(as)), api.SchedulerDeps{Org: orgs, Auth: as,
		Calendar: scheduler.NewService(db, orgs, scheduler.ServiceOptions{})})
	var start int64
	if err := db.DB.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM audit_log`).Scan(&start); err != nil {
		t.Fatal(err)
	}
	var secrets []string
	call := func(method, path string, body any, want int) map[string]any {
		t.Helper()
		b, _ := json.Marshal(body)
		req := httptest.NewRequest(method, "/api/v1"+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+adminTok)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		srv.Engine().ServeHTTP(w, req)
		if w.Code != want {
			t.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
		}
		var out map[string]any
		_ = json.Unmarshal(w.Body.Bytes(), &out)
		return out
	}
	call("POST", "/units", map[string]any{"name": "KPU Jawa Tengah", "slug": "kpu-jateng", "parent": "kpu-ri", "level": "province"}, http.StatusCreated)
	secrets = append(secrets, "EAAB-page-token-one", "EAAB-page-token-two")
	ch := call("POST", "/channels", map[string]any{"platform": "facebook", "external_id": "100", "name": "KPU Jateng",
		"unit": "kpu-jateng", "access_token": secrets[0]}, http.StatusCreated)
	id := fmt.Sprintf("/channels/%d", int64(ch["id"].(float64)))
	call("PATCH", id, map[string]any{"access_token": secrets[1], "name": "KPU Jawa Tengah"}, http.StatusOK)
	call("DELETE", id, nil, http.StatusNoContent)
	u := call("POST", "/users", map[string]any{"name": "sari", "unit": "kpu-jateng", "role": "editor"}, http.StatusCreated)
	link := u["setup_link"].(string)
	linkTok := link[strings.LastIndex(link, "/")+1:]
	if !strings.Contains(link, "/setup/") || len(linkTok) < 40 {
		t.Fatalf("setup link %q", link)
	}
	secrets = append(secrets, linkTok, auth.HashToken(linkTok))
	call("DELETE", "/users/sari", nil, http.StatusNoContent)

	rows, err := db.DB.Query(`SELECT COALESCE(actor_id, 0), actor_name, entity, action, reason, detail FROM audit_log WHERE id > ? ORDER BY id`, start)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var actorID int64
		var actor, entity, action, reason, detail string
		if err := rows.Scan(&actorID, &actor, &entity, &action, &reason, &detail); err != nil {
			t.Fatal(err)
		}
		if actorID != admin.ID || actor != "admin" {
			t.Errorf("%s %s by %d %q, want the admin (%d)", entity, action, actorID, actor, admin.ID)
		}
		for _, s := range append(secrets, adminTok) {
			if strings.Contains(reason+detail, s) {
				t.Errorf("%s %s audit line holds a token: %s", entity, action, detail)
			}
		}
		got = append(got, entity+" "+action)
	}
	want := "unit create,channel create,channel update,channel replace_token,channel delete,user create,user setup_link,user revoke"
	if strings.Join(got, ",") != want {
		t.Errorf("audit lines %q, want %q", strings.Join(got, ","), want)
	}
}
