package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Issue 14 item 9: the assembled server asks Meta (debug_token) about a
// pasted token before it stores it: a made-up token is refused with a
// message naming the field, on connect and on token replacement, and the
// channel keeps its working token.
func TestConnectRefusesMadeUpToken(t *testing.T) {
	s := startServe(t)
	s.waitReady(t, 90*time.Second)
	users, err := os.ReadFile(filepath.Join(s.dir, "var", "sandbox-users.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var admin string
	for _, line := range strings.Split(string(users), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "admin" {
			admin = f[len(f)-1]
		}
	}
	call := func(method, path string, body any) (int, map[string]any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, s.base+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+admin)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	_, units := call("GET", "/api/v1/units", nil)
	list, _ := units["units"].([]any)
	if len(list) == 0 {
		t.Fatalf("no units: %v", units)
	}
	unit := fmt.Sprint(list[0].(map[string]any)["id"])

	status, body := call("POST", "/api/v1/channels", map[string]any{"platform": "facebook", "external_id": "104857600000099",
		"name": "Page karangan", "unit": unit, "access_token": "EAAmadeUpTokenNobodyIssued"})
	if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body), "access_token") {
		t.Fatalf("connect with a made-up token: %d %v, want 422 naming access_token", status, body)
	}
	status, body = call("PATCH", "/api/v1/channels/1", map[string]any{"access_token": "EAAmadeUpTokenNobodyIssued"})
	if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body), "access_token") {
		t.Fatalf("replace a channel's token with a made-up one: %d %v, want 422 naming access_token", status, body)
	}
}

// signedIn is a cookie-keeping client of the sandbox's admin that does
// not follow redirects, and the session's CSRF token.
func signedIn(t *testing.T, base, name, pw string) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := get(t, c, base+"/signin")
	m := csrfField.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatal("no csrf on the sign-in page")
	}
	r, err := c.PostForm(base+"/signin", url.Values{"csrf": {m[1]}, "username": {name}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	cal := get(t, c, base+"/calendar")
	m = csrfField.FindStringSubmatch(cal.body)
	if m == nil {
		t.Fatalf("not signed in as %s: %d", name, cal.status)
	}
	return c, m[1]
}

type page struct {
	status int
	body   string
	loc    string
}

func get(t *testing.T, c *http.Client, u string) page {
	t.Helper()
	r, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return page{status: r.StatusCode, body: string(b), loc: r.Header.Get("Location")}
}

var dialogInput = regexp.MustCompile(`<input type="(hidden|checkbox)" name="([a-z_]+)" value="([^"]*)"(?: id="[^"]*")?( disabled| checked)?`)

// The sandbox: the demo channels are connected; "Connect with Facebook"
// goes to the in-process simulator's dialog, which continues as the demo
// Pages' manager and comes back to humas with both demo Pages and their
// Instagram accounts, connected already; connecting them again replaces
// their tokens, and they stay valid.
func TestSandboxFacebookLogin(t *testing.T) {
	s := startServe(t, "HUMAS_COLLECTOR_ENABLED=false")
	s.waitReady(t, 90*time.Second)
	users, err := os.ReadFile(filepath.Join(s.dir, "var", "sandbox-users.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var pw string
	for _, line := range strings.Split(string(users), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "admin" {
			pw = f[len(f)-2]
		}
	}
	c, csrf := signedIn(t, s.base, "admin", pw)
	chans := get(t, c, s.base+"/admin/channels")
	if chans.status != http.StatusOK || strings.Count(chans.body, `<tr id="channel-`) != 4 || !strings.Contains(chans.body, "@kpukotasalatiga") {
		t.Fatalf("the demo channels: %d\n%s", chans.status, chans.body)
	}
	r, err := c.PostForm(s.base+"/admin/channels/1/check", url.Values{"csrf": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther || !strings.Contains(get(t, c, s.base+"/admin/channels").body, `id="channel-1" class="h-ok"`) {
		t.Errorf("checking a demo channel now: %d", r.StatusCode)
	}

	start := get(t, c, s.base+"/admin/channels/facebook")
	if start.status != http.StatusSeeOther || !strings.Contains(start.loc, "/dialog/oauth?") || strings.HasPrefix(start.loc, s.base) {
		t.Fatalf("Connect with Facebook went to %d %s", start.status, start.loc)
	}
	dialog := get(t, http.DefaultClient, start.loc)
	if !strings.Contains(dialog.body, "Continue as Rina Humas") {
		t.Fatalf("the simulator's dialog:\n%s", dialog.body)
	}
	form := url.Values{"decision": {"allow"}}
	for _, m := range dialogInput.FindAllStringSubmatch(dialog.body, -1) {
		if m[1] == "hidden" || m[4] == " checked" {
			form.Add(m[2], strings.ReplaceAll(m[3], "&amp;", "&"))
		}
	}
	u, _ := url.Parse(start.loc)
	u.RawQuery = ""
	back, err := c.PostForm(u.String(), form)
	if err != nil {
		t.Fatal(err)
	}
	back.Body.Close()
	cb := back.Header.Get("Location")
	if !strings.HasPrefix(cb, s.base+"/admin/channels/facebook/callback?") {
		t.Fatalf("the dialog sent the browser to %s", cb)
	}
	offer := get(t, c, cb)
	if offer.status != http.StatusSeeOther {
		t.Fatalf("callback: %d\n%s", offer.status, offer.body)
	}
	pick := get(t, c, s.base+offer.loc)
	for _, want := range []string{"KPU Kota Salatiga", "KPU Provinsi Jawa Tengah", "@kpujawatengah", "Sudah terhubung ke"} {
		if !strings.Contains(pick.body, want) {
			t.Errorf("the pick page lacks %q", want)
		}
	}
	picks := url.Values{"csrf": {csrf}}
	for _, m := range regexp.MustCompile(`<select id="((?:fb|ig)unit_\d+)" name="[^"]+">(?:<option value="(\d+)"(?: selected)?>[^<]*</option>)*`).FindAllStringSubmatch(pick.body, -1) {
		sel := regexp.MustCompile(`<option value="(\d+)" selected>`).FindStringSubmatch(m[0])
		if sel == nil {
			t.Fatalf("no office chosen in %s", m[0])
		}
		picks.Set(m[1], sel[1])
		picks.Set(strings.Replace(m[1], "unit", "", 1), "1")
	}
	res, err := c.PostForm(s.base+offer.loc, picks)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	valid := regexp.MustCompile(`<tr id="channel-\d+" class="h-ok">`).FindAllString(string(body), -1)
	if res.StatusCode != http.StatusOK || strings.Count(string(body), "token diganti") != 4 || len(valid) != 4 {
		t.Errorf("connecting the demo Pages again: %d\n%s", res.StatusCode, body)
	}
}
