package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/auth"
)

// TestOwnAPITokens: a user makes a named token that expires, lists it
// with its last use, and revokes it; a revoked or expired token is 401.
func TestOwnAPITokens(t *testing.T) {
	o := newOffice(t)
	r := o.call("approver.salatiga", "POST", "/me/tokens", map[string]any{"name": "grafana", "expires_in_days": 1}).must(t, http.StatusCreated)
	tok, id := r.str("token"), int64(r.num("api_token.id"))
	if !strings.HasPrefix(tok, auth.TokenPrefix) || id == 0 {
		t.Fatalf("token answer %s", r.Raw)
	}
	o.call("approver.salatiga", "POST", "/me/tokens", map[string]any{"name": "", "expires_in_days": 900}).must(t, http.StatusUnprocessableEntity)
	o.tok["grafana"] = tok
	if me := o.call("grafana", "GET", "/me", nil).must(t, http.StatusOK); me.str("user.name") != "approver.salatiga" {
		t.Fatalf("/me with the new token: %s", me.Raw)
	}
	list := o.call("approver.salatiga", "GET", "/me/tokens", nil).must(t, http.StatusOK)
	if !strings.Contains(list.Raw, `"name":"grafana"`) || !strings.Contains(list.Raw, `"last_used_at"`) || strings.Contains(list.Raw, tok) {
		t.Errorf("token list: %s", list.Raw)
	}
	// Expired: a day and a second later.
	later := time.Now().Add(24*time.Hour + time.Second)
	o.users.WithClock(func() time.Time { return later })
	if r := o.call("grafana", "GET", "/me", nil); r.Code != http.StatusUnauthorized || !strings.Contains(r.Raw, "expired") {
		t.Errorf("expired token: %d %s", r.Code, r.Raw)
	}
	o.users.WithClock(time.Now)
	o.call("approver.salatiga", "DELETE", "/me/tokens/"+strconv.FormatInt(id, 10), nil).must(t, http.StatusNoContent)
	o.call("grafana", "GET", "/me", nil).must(t, http.StatusUnauthorized)
	o.call("approver.salatiga", "DELETE", "/me/tokens/"+strconv.FormatInt(id, 10), nil).must(t, http.StatusNotFound)
}

// TestAdminAPIStaysInTheSubtree: an admin of the city manages the city's
// users only; an invitation answers a setup link; the audit log is the
// city's; the province admin can revoke the city admin's tokens.
func TestAdminAPIStaysInTheSubtree(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	_, tok, err := o.users.CreateUser(ctx, "admin.salatiga", o.city.ID, auth.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	o.tok["admin.salatiga"] = tok
	users := o.call("admin.salatiga", "GET", "/users", nil).must(t, http.StatusOK)
	if strings.Contains(users.Raw, "kepala.jateng") || !strings.Contains(users.Raw, "editor.salatiga") {
		t.Errorf("city admin's user list: %s", users.Raw)
	}
	o.call("admin.salatiga", "PATCH", "/users/kepala.jateng", map[string]any{"role": "editor"}).must(t, http.StatusNotFound)
	o.call("admin.salatiga", "DELETE", "/users/kepala.jateng", nil).must(t, http.StatusNotFound)
	o.call("admin.salatiga", "POST", "/users", map[string]any{"name": "rina", "unit": "kpu-jateng", "role": "editor"}).must(t, http.StatusForbidden)
	inv := o.call("admin.salatiga", "POST", "/users", map[string]any{"name": "rina", "email": "rina@kpu.go.id", "unit": o.city.Slug, "role": "editor"}).must(t, http.StatusCreated)
	if !strings.HasPrefix(inv.str("setup_link"), "http://example.com/setup/") || inv.str("purpose") != "invite" || inv.Body["emailed"] != false {
		t.Errorf("invitation: %s", inv.Raw)
	}
	o.call("admin.salatiga", "POST", "/users/rina/setup-link", nil).must(t, http.StatusCreated)
	o.call("admin.salatiga", "PATCH", "/units/"+strconv.FormatInt(o.province.ID, 10), map[string]any{"name": "x"}).must(t, http.StatusForbidden)
	audit := o.call("admin.salatiga", "GET", "/audit?entity=user", nil).must(t, http.StatusOK)
	if !strings.Contains(audit.Raw, "rina@kpu.go.id") || strings.Contains(audit.Raw, "kepala.jateng") {
		t.Errorf("city audit: %s", audit.Raw)
	}
	o.call("admin.salatiga", "GET", "/audit?from=yesterday", nil).must(t, http.StatusUnprocessableEntity)
	// The province admin sees and revokes the city admin's token.
	toks := o.call("admin", "GET", "/users/admin.salatiga/tokens", nil).must(t, http.StatusOK)
	list, _ := toks.Body["tokens"].([]any)
	if len(list) != 1 {
		t.Fatalf("the city admin's tokens: %s", toks.Raw)
	}
	id := strconv.FormatInt(int64(list[0].(map[string]any)["id"].(float64)), 10)
	o.call("admin", "DELETE", "/users/admin.salatiga/tokens/"+id, nil).must(t, http.StatusNoContent)
	o.call("admin.salatiga", "GET", "/me", nil).must(t, http.StatusUnauthorized)
}
