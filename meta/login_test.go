package meta_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
)

const redirectURI = "https://humas.kpu-salatiga.go.id/admin/channels/facebook/callback"

// loginEnv is the simulator with a person who manages the test Page, the
// app's redirect URI registered, and a client whose dialog is the
// simulator's.
func loginEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, graphsim.Options{}, meta.Options{})
	c, err := meta.New(meta.Options{BaseURL: e.srv.URL, DialogURL: e.srv.URL, AppID: testAppID, AppSecret: testSecret, Now: e.clock.Now,
		RetryBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	e.client = c
	if err := e.sim.AddUser("1001", "Rina Humas"); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.AddPageRole("1001", pageID); err != nil {
		t.Fatal(err)
	}
	e.sim.AllowRedirectURI(redirectURI)
	return e
}

var inputRE = regexp.MustCompile(`<input type="(hidden|checkbox)" name="([a-z_]+)" value="([^"]*)"(?: id="[^"]*")?( disabled| checked)?`)

// dialogPage opens the login dialog as a browser would and returns its
// HTML and the form it would post (checked boxes ticked).
func dialogPage(t *testing.T, loginURL string) (string, url.Values) {
	t.Helper()
	resp, err := http.Get(loginURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	form := url.Values{}
	for _, m := range inputRE.FindAllStringSubmatch(string(b), -1) {
		if m[1] == "hidden" || m[4] == " checked" {
			form.Add(m[2], htmlUnescape(m[3]))
		}
	}
	return string(b), form
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#39;", "'", "&#34;", `"`, "&lt;", "<", "&gt;", ">").Replace(s)
}

// answer posts the dialog's form with decision and returns where the
// browser is sent.
func answer(t *testing.T, loginURL string, form url.Values, decision string) *url.URL {
	t.Helper()
	form.Set("decision", decision)
	u, _ := url.Parse(loginURL)
	u.RawQuery = ""
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(u.String(), form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("dialog answered %d, want a redirect", resp.StatusCode)
	}
	to, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return to
}

// The whole server-side flow: dialog, code, short-lived then long-lived
// user token, the permissions, the Pages with their tokens, tasks and
// Instagram account; the Page token passes the channel check and never
// expires. A code is good once, and only with its redirect URI.
func TestFacebookLoginCodeFlow(t *testing.T) {
	e := loginEnv(t)
	ctx := context.Background()
	loginURL := e.client.LoginURL(redirectURI, "st4te", meta.LoginScopes(), false)
	if !strings.HasPrefix(loginURL, e.srv.URL+"/v26.0/dialog/oauth?") || !strings.Contains(loginURL, "client_id="+testAppID) {
		t.Fatalf("login URL %s", loginURL)
	}
	page, form := dialogPage(t, loginURL)
	for _, want := range []string{"Continue as Rina Humas", "KPU Kota Salatiga · Instagram @kpusalatiga", "Create and manage content on your Page"} {
		if !strings.Contains(page, want) {
			t.Errorf("dialog lacks %q", want)
		}
	}
	to := answer(t, loginURL, form, "allow")
	if got := to.Scheme + "://" + to.Host + to.Path; got != redirectURI || to.Query().Get("state") != "st4te" || to.Fragment != "_=_" {
		t.Fatalf("redirected to %s", to)
	}
	code := to.Query().Get("code")
	short, err := e.client.ExchangeCode(ctx, code, redirectURI)
	if err != nil {
		t.Fatal(err)
	}
	if d := short.ExpiresAt.Sub(e.clock.Now()); d != 2*time.Hour {
		t.Errorf("the code's token lasts %s, want a short-lived 2 h", d)
	}
	var me *meta.Error
	if _, err := e.client.ExchangeCode(ctx, code, redirectURI); !errors.As(err, &me) || me.Subcode != 36009 {
		t.Errorf("a used code: %v, want 100/36009", err)
	}
	long, err := e.client.LongLivedToken(ctx, short.Token)
	if err != nil {
		t.Fatal(err)
	}
	if d := long.ExpiresAt.Sub(e.clock.Now()); d < 59*24*time.Hour {
		t.Errorf("the long-lived token lasts %s", d)
	}
	granted, declined, err := e.client.Permissions(ctx, long.Token)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range meta.LoginScopes() {
		if !slices.Contains(granted, p) {
			t.Errorf("%s not granted: %v", p, granted)
		}
	}
	if len(declined) != 0 {
		t.Errorf("declined %v", declined)
	}
	pages, err := e.client.ManagedPages(ctx, long.Token)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 1 || pages[0].ID != pageID || pages[0].Instagram == nil || pages[0].Instagram.ID != igID ||
		pages[0].Instagram.Username != "kpusalatiga" || !pages[0].CanPublish() || pages[0].AccessToken == "" {
		t.Fatalf("pages %+v", pages)
	}
	for _, c := range []struct{ platform, id string }{{"facebook", pageID}, {"instagram", igID}} {
		ct, err := e.client.CheckChannelToken(ctx, pages[0].AccessToken, c.platform, c.id)
		if err != nil {
			t.Errorf("%s channel: %v", c.platform, err)
		}
		if !ct.PageInfo.ExpiresAt.IsZero() {
			t.Errorf("the Page token of a long-lived user token expires at %s", ct.PageInfo.ExpiresAt)
		}
	}

	// The code of another login, sent with another redirect URI.
	_, form = dialogPage(t, loginURL)
	to = answer(t, loginURL, form, "allow")
	if _, err := e.client.ExchangeCode(ctx, to.Query().Get("code"), redirectURI+"x"); !errors.As(err, &me) || me.Subcode != 36008 {
		t.Errorf("another redirect URI: %v, want 100/36008", err)
	}
}

// A Page token read with the short-lived token expires with it.
func TestShortLivedPageToken(t *testing.T) {
	e := loginEnv(t)
	ctx := context.Background()
	loginURL := e.client.LoginURL(redirectURI, "s", meta.LoginScopes(), false)
	_, form := dialogPage(t, loginURL)
	short, err := e.client.ExchangeCode(ctx, answer(t, loginURL, form, "allow").Query().Get("code"), redirectURI)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := e.client.ManagedPages(ctx, short.Token)
	if err != nil || len(pages) != 1 {
		t.Fatalf("%v %v", pages, err)
	}
	info, err := e.client.DebugToken(ctx, pages[0].AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if !info.ExpiresAt.Equal(short.ExpiresAt) || info.Type != "PAGE" || info.UserID != "1001" {
		t.Errorf("Page token of the short-lived token: %+v, want it to expire at %s", info, short.ExpiresAt)
	}
}

// A declined permission is missing from the token, named by
// /me/permissions and by the channel check; the dialog does not ask again
// for it unless auth_type=rerequest.
func TestFacebookLoginDeclinedPermission(t *testing.T) {
	e := loginEnv(t)
	ctx := context.Background()
	loginURL := e.client.LoginURL(redirectURI, "s", meta.LoginScopes(), false)
	_, form := dialogPage(t, loginURL)
	form["perm"] = slices.DeleteFunc(form["perm"], func(p string) bool { return p == "pages_manage_posts" })
	short, err := e.client.ExchangeCode(ctx, answer(t, loginURL, form, "allow").Query().Get("code"), redirectURI)
	if err != nil {
		t.Fatal(err)
	}
	_, declined, err := e.client.Permissions(ctx, short.Token)
	if err != nil || !slices.Equal(declined, []string{"pages_manage_posts"}) {
		t.Fatalf("declined %v (%v)", declined, err)
	}
	pages, err := e.client.ManagedPages(ctx, short.Token)
	if err != nil || len(pages) != 1 {
		t.Fatalf("%v %v", pages, err)
	}
	_, err = e.client.CheckChannelToken(ctx, pages[0].AccessToken, "facebook", pageID)
	var tp *meta.TokenProblem
	if !errors.As(err, &tp) || tp.Kind != meta.TokenMissingPerms || !slices.Contains(tp.Missing[meta.FuncPagePublish], "pages_manage_posts") {
		t.Fatalf("check of a token without pages_manage_posts: %v", err)
	}

	page, _ := dialogPage(t, loginURL)
	if !strings.Contains(page, `value="pages_manage_posts" id="perm-pages_manage_posts" disabled`) || !strings.Contains(page, "you declined this before") {
		t.Errorf("the dialog asks again for a declined permission without rerequest")
	}
	again := e.client.LoginURL(redirectURI, "s", meta.LoginScopes(), true)
	page, form = dialogPage(t, again)
	if !strings.Contains(page, `value="pages_manage_posts" id="perm-pages_manage_posts" checked`) {
		t.Errorf("rerequest does not ask again")
	}
	short, err = e.client.ExchangeCode(ctx, answer(t, again, form, "allow").Query().Get("code"), redirectURI)
	if err != nil {
		t.Fatal(err)
	}
	if _, declined, _ := e.client.Permissions(ctx, short.Token); len(declined) != 0 {
		t.Errorf("after granting again, declined %v", declined)
	}
}

// Cancel sends the browser back with error=access_denied and the state.
func TestFacebookLoginCancelled(t *testing.T) {
	e := loginEnv(t)
	loginURL := e.client.LoginURL(redirectURI, "st4te", meta.LoginScopes(), false)
	_, form := dialogPage(t, loginURL)
	q := answer(t, loginURL, form, "cancel").Query()
	if q.Get("error") != "access_denied" || q.Get("error_reason") != "user_denied" || q.Get("state") != "st4te" || q.Has("code") {
		t.Errorf("cancel answered %v", q)
	}
}

// A person who manages no Page (or chose none) lists none.
func TestFacebookLoginNoPages(t *testing.T) {
	e := loginEnv(t)
	ctx := context.Background()
	if err := e.sim.AddUser("1002", "Tamu"); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.LogInAs("1002"); err != nil {
		t.Fatal(err)
	}
	loginURL := e.client.LoginURL(redirectURI, "s", meta.LoginScopes(), false)
	page, form := dialogPage(t, loginURL)
	if !strings.Contains(page, "You don't manage any Facebook Pages.") {
		t.Errorf("dialog of a person without Pages:\n%s", page)
	}
	tok, err := e.client.ExchangeCode(ctx, answer(t, loginURL, form, "allow").Query().Get("code"), redirectURI)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := e.client.ManagedPages(ctx, tok.Token)
	if err != nil || len(pages) != 0 {
		t.Errorf("pages %v (%v), want none", pages, err)
	}
}

// The dialog refuses a redirect URI the app did not register and another
// app's id, as Facebook does, before anyone is asked anything.
func TestFacebookLoginDialogRefusals(t *testing.T) {
	e := loginEnv(t)
	for _, c := range []struct{ url, want string }{
		{e.client.LoginURL("https://evil.example/cb", "s", meta.LoginScopes(), false), "URL blocked"},
		{strings.Replace(e.client.LoginURL(redirectURI, "s", meta.LoginScopes(), false), "client_id="+testAppID, "client_id=999", 1), "Invalid App ID"},
		{e.client.LoginURL(redirectURI, "s", []string{"pages_show_list", "publish_everything"}, false), "Invalid Scopes: publish_everything"},
	} {
		page, form := dialogPage(t, c.url)
		if !strings.Contains(page, c.want) || form.Has("user") {
			t.Errorf("%s: page lacks %q or still offers to continue", c.url, c.want)
		}
	}
}

// A person whose tasks on the Page do not include creating content can
// list it, but its token cannot publish.
func TestFacebookLoginAnalystCannotPublish(t *testing.T) {
	e := loginEnv(t)
	ctx := context.Background()
	if err := e.sim.AddPageRole("1001", pageID, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	loginURL := e.client.LoginURL(redirectURI, "s", meta.LoginScopes(), false)
	_, form := dialogPage(t, loginURL)
	tok, err := e.client.ExchangeCode(ctx, answer(t, loginURL, form, "allow").Query().Get("code"), redirectURI)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := e.client.ManagedPages(ctx, tok.Token)
	if err != nil || len(pages) != 1 {
		t.Fatalf("%v %v", pages, err)
	}
	if pages[0].CanPublish() {
		t.Errorf("tasks %v can publish", pages[0].Tasks)
	}
	_, err = e.client.PublishPageFeed(ctx, pages[0].AccessToken, pageID, meta.FeedPost{Message: "uji"})
	var me *meta.Error
	if !errors.As(err, &me) || me.Code != 200 {
		t.Errorf("publishing as an analyst: %v, want code 200", err)
	}
}
