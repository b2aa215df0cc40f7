package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/auth/throttle"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/reportmail"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// env is a real SQLite state database with a unit, channels and a user
// per role, the real scheduler, and the pages on a test server.
type env struct {
	t      *testing.T
	db     *store.SQLite
	org    *org.Store
	auth   *auth.Store
	sched  *scheduler.Service
	unit   org.Unit
	fb, ig org.Channel
	tokens map[auth.Role]string
	// passwords of the users "user-<role>".
	passwords map[auth.Role]string
	srv       *httptest.Server
	now       time.Time
	handler   *Handler
}

// cheapHash keeps the many sign-ins of the tests fast; the real costs are
// auth.DefaultPasswordParams (tested in package auth).
var cheapHash = auth.PasswordParams{MemoryKiB: 1024, Time: 1, Threads: 1}

// testPassword is a password the policy accepts, different per role.
func testPassword(r auth.Role) string {
	b := []byte(r)
	slices.Reverse(b)
	return "Rapat pleno " + string(b) + " Salatiga 2029"
}

type envOpts struct {
	reports  Reports
	platform Platform
	subs     func(e *env) *reportmail.Service
	usage    UsageSource
	secure   bool
	// server mounts the pages on the API server's engine (its body limit
	// and trusted proxies), as serve does, instead of a bare Gin engine.
	server   *api.Options
	throttle *throttle.Limiter
	// deps changes the pages' dependencies before they mount.
	deps func(*Deps)
	// fresh: no unit, channel or user (a new installation).
	fresh bool
}

func newEnv(t *testing.T, o envOpts) *env {
	t.Helper()
	gin.SetMode(gin.TestMode)
	ctx := context.Background()
	e := &env{t: t, db: storetest.SQLite(t), tokens: map[auth.Role]string{}, passwords: map[auth.Role]string{}, now: time.Now()}
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i + 1)
	}
	e.org = org.NewStore(e.db, key)
	e.auth = auth.NewStore(e.db).WithKey(key).WithPasswordParams(cheapHash)
	var err error
	if o.fresh {
		e.mount(o)
		return e
	}
	if e.unit, err = e.org.CreateUnit(ctx, org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-salatiga", Level: "city",
		Timezone: "Asia/Jakarta", RequiresApproval: true}); err != nil {
		t.Fatal(err)
	}
	if e.fb, err = e.org.CreateChannel(ctx, org.ChannelInput{UnitID: e.unit.ID, Platform: org.Facebook,
		ExternalID: "104857600000001", Name: "KPU Salatiga <FB>", AccessToken: "tok-fb"}); err != nil {
		t.Fatal(err)
	}
	if e.ig, err = e.org.CreateChannel(ctx, org.ChannelInput{UnitID: e.unit.ID, Platform: org.Instagram,
		ExternalID: "17841400000000001", Name: "kpukotasalatiga", AccessToken: "tok-fb"}); err != nil {
		t.Fatal(err)
	}
	for _, r := range auth.Roles {
		_, tok, err := e.auth.CreateUser(ctx, "user-"+string(r), e.unit.ID, r)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[r] = tok
		if err := e.auth.SetPassword(ctx, "user-"+string(r), testPassword(r)); err != nil {
			t.Fatal(err)
		}
		e.passwords[r] = testPassword(r)
	}
	e.mount(o)
	return e
}

// mount serves the pages (with the scheduler) on a test server.
func (e *env) mount(o envOpts) {
	t := e.t
	e.sched = scheduler.NewService(e.db, e.org, scheduler.ServiceOptions{Logger: slog.New(slog.DiscardHandler)})
	d := Deps{SQL: e.db, Auth: e.auth, Org: e.org, Reports: o.reports, Usage: o.usage, Logger: slog.New(slog.DiscardHandler),
		SecureCookies: o.secure, Throttle: o.throttle, Scope: e.sched, Posts: NewSchedulerPosts(e.sched, e.auth),
		Platform: o.platform}
	if o.subs != nil {
		d.Subscriptions = o.subs(e)
	}
	if o.deps != nil {
		o.deps(&d)
	}
	eng := gin.New()
	if o.server != nil {
		opts := *o.server
		opts.Registry = prometheus.NewRegistry()
		opts.Logger = slog.New(slog.DiscardHandler)
		srv, err := api.New(opts)
		if err != nil {
			t.Fatal(err)
		}
		eng = srv.Engine()
	}
	h, err := Mount(eng, d)
	if err != nil {
		t.Fatal(err)
	}
	e.handler = h
	e.srv = httptest.NewServer(eng)
	t.Cleanup(e.srv.Close)
}

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	t *testing.T
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type resp struct {
	Status int
	Body   string
	Header http.Header
}

func (b *browser) do(method, path string, form url.Values) resp {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.srv.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer r.Body.Close()
	raw, _ := io.ReadAll(r.Body)
	return resp{Status: r.StatusCode, Body: string(raw), Header: r.Header}
}

func (b *browser) get(path string) resp { b.t.Helper(); return b.do("GET", path, nil) }
func (b *browser) post(path string, form url.Values) resp {
	b.t.Helper()
	return b.do("POST", path, form)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the form token from a page.
func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf field in page:\n%s", body)
	}
	return m[1]
}

// signin signs in as the user of a role (user-<role>) with its password
// and returns the session's CSRF token.
func (b *browser) signin(role auth.Role) string {
	b.t.Helper()
	return b.signinPw("user-"+string(role), b.e.passwords[role])
}

// fixedPassword is the password tests give users made with a token only.
const fixedPassword = "Rapat pleno sesi uji 2029"

// passwordFor gives the user a token belongs to a password, when they have
// none, and returns the user's name and password.
func (e *env) passwordFor(tok string) (string, string) {
	e.t.Helper()
	ctx := context.Background()
	p, err := e.auth.Authenticate(ctx, tok)
	if err != nil {
		e.t.Fatalf("token of no user: %v", err)
	}
	u, err := e.auth.UserByID(ctx, p.UserID)
	if err != nil {
		e.t.Fatal(err)
	}
	if r, ok := strings.CutPrefix(u.Name, "user-"); ok && e.passwords[auth.Role(r)] != "" {
		return u.Name, e.passwords[auth.Role(r)]
	}
	if !u.HasPassword {
		if err := e.auth.SetPassword(ctx, u.Name, fixedPassword); err != nil {
			e.t.Fatal(err)
		}
	}
	return u.Name, fixedPassword
}

// signinAs signs in as the user a token belongs to (with a password the
// test gives them) and returns the session's CSRF token.
func (b *browser) signinAs(tok string) string {
	b.t.Helper()
	return b.signinPw(b.e.passwordFor(tok))
}

// signinPw signs in with a name and password and returns the CSRF token.
func (b *browser) signinPw(name, pw string) string {
	b.t.Helper()
	r := b.password(name, pw)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/calendar" {
		b.t.Fatalf("sign in as %s: %d %s %s", name, r.Status, r.Header.Get("Location"), r.Body)
	}
	return csrfOf(b.t, b.get("/calendar").Body)
}

// signinRaw posts the sign-in form of a role's user with next (may be
// empty) and returns the answer (a redirect).
func (b *browser) signinRaw(role auth.Role, next string) resp {
	b.t.Helper()
	page := b.get("/signin")
	return b.post("/signin", url.Values{"csrf": {csrfOf(b.t, page.Body)}, "username": {"user-" + string(role)},
		"password": {b.e.passwords[role]}, "next": {next}})
}

// password posts the sign-in form and returns the answer.
func (b *browser) password(name, pw string) resp {
	b.t.Helper()
	page := b.get("/signin")
	return b.post("/signin", url.Values{"csrf": {csrfOf(b.t, page.Body)}, "username": {name}, "password": {pw}, "next": {"/calendar"}})
}

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func mustStatus(t *testing.T, r resp, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d; body:\n%s", r.Status, want, r.Body)
	}
}

var reviewRE = regexp.MustCompile(`(?s)action="/approvals/(\d+)/(?:approve|reject)">.*?name="version" value="(\d+)">.*?name="content_hash" value="([^"]+)"`)

// review is the approval form of post id as the queue shows it (the
// version and content hash the approver sees), with csrf and extra fields.
func (b *browser) review(id, csrf string, extra ...string) url.Values {
	b.t.Helper()
	page := b.get("/approvals")
	f := url.Values{"csrf": {csrf}}
	for _, m := range reviewRE.FindAllStringSubmatch(page.Body, -1) {
		if m[1] == id {
			f.Set("version", m[2])
			f.Set("content_hash", m[3])
			break
		}
	}
	if f.Get("version") == "" {
		b.t.Fatalf("no approval form for post %s in the queue:\n%s", id, page.Body)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return f
}
