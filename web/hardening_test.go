package web

import (
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/auth/throttle"
	"github.com/humas-id/humas/report"
)

// browserLocation resolves a Location header the way a browser does: tabs
// and newlines dropped, a backslash read as a slash (WHATWG URL).
func browserLocation(base, loc string) (*url.URL, error) {
	loc = strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(loc)
	b, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	ref, err := url.Parse(loc)
	if err != nil {
		return nil, err
	}
	return b.ResolveReference(ref), nil
}

// openRedirects are next= values that try to leave the site.
var openRedirects = []string{
	`/./\evil.example`, // the issue's /./%5Cevil.example, decoded
	`//evil.example`,
	`/\evil.example`,
	`\\evil.example`,
	`/\/evil.example`,
	`///evil.example`,
	`/%2F%2Fevil.example`,
	`/%5C%5Cevil.example`,
	`/%2f/evil.example`,
	"/\t/evil.example",
	"/\n/evil.example",
	"/%09/evil.example",
	"https://evil.example/",
	"http:evil.example",
	"HTTPS://evil.example",
	"javascript:alert(document.cookie)",
	"JaVaScRiPt:alert(1)",
	"data:text/html,<script>alert(1)</script>",
	"/.//evil.example\\",
	"//evil.example@humas.example",
	"evil.example",
}

// TestOpenRedirect: /lang/{id,en} and /signin (the form's next, its hidden
// field and the redirect after sign-in) only ever send the browser to a
// path of this site; a good next still works, cleaned.
func TestOpenRedirect(t *testing.T) {
	e := newEnv(t, envOpts{})
	b := e.browser()
	host := func(loc string) string {
		u, err := browserLocation(e.srv.URL, loc)
		if err != nil {
			return "unparseable"
		}
		return u.Host
	}
	site, _ := url.Parse(e.srv.URL)
	for _, next := range openRedirects {
		r := b.get("/lang/en?next=" + url.QueryEscape(next))
		if loc := r.Header.Get("Location"); r.Status != http.StatusSeeOther || loc != "/calendar" || host(loc) != site.Host {
			t.Errorf("/lang/en?next=%q: %d Location %q (browser goes to host %q), want /calendar", next, r.Status, loc, host(loc))
		}
		page := b.get("/signin?next=" + url.QueryEscape(next))
		if !strings.Contains(page.Body, `<input type="hidden" name="next" value="">`) {
			t.Errorf("/signin?next=%q keeps the target in the form", next)
		}
		tok := csrfOf(t, page.Body)
		r = b.post("/signin", url.Values{"csrf": {tok}, "username": {"user-viewer"}, "password": {e.passwords[auth.RoleViewer]}, "next": {next}})
		// A division head (viewer) without a safe next lands on the report.
		if loc := r.Header.Get("Location"); r.Status != http.StatusSeeOther || loc != "/report" {
			t.Errorf("sign-in with next=%q: %d Location %q, want /report", next, r.Status, loc)
		}
		b.post("/signout", url.Values{"csrf": {csrfOf(t, b.get("/calendar").Body)}})
	}
	if r := b.get("/lang/en?next=/./%5Cevil.example"); r.Header.Get("Location") != "/calendar" {
		t.Errorf("the issue's URL: Location %q", r.Header.Get("Location"))
	}
	for next, want := range map[string]string{
		"/calendar?view=month":          "/calendar?view=month",
		"/posts/7/edit":                 "/posts/7/edit",
		"/./report?period=month":        "/report?period=month",
		"/posts/../report":              "/report",
		"/report?from=2026-01-01&x=a/b": "/report?from=2026-01-01&x=a/b",
	} {
		if r := b.get("/lang/id?next=" + url.QueryEscape(next)); r.Header.Get("Location") != want {
			t.Errorf("next=%q: Location %q, want %q", next, r.Header.Get("Location"), want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for _, p := range openRedirects {
		if got := localPath(p, "/x"); got != "/x" {
			t.Errorf("localPath(%q) = %q, want the fallback", p, got)
		}
	}
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// signinFrom posts the sign-in form with an X-Forwarded-For header: as
// the user a known token belongs to (with their password), or, for any
// other text, as an unknown account of that name.
func (b *browser) signinFrom(xff, cred string) resp {
	b.t.Helper()
	name, pw := cred, "kata sandi tebakan"
	for _, t := range b.e.tokens {
		if t == cred {
			name, pw = b.e.passwordFor(cred)
		}
	}
	tok := csrfOf(b.t, b.get("/signin").Body)
	form := url.Values{"csrf": {tok}, "username": {name}, "password": {pw}, "next": {"/calendar"}}
	req, _ := http.NewRequest("POST", b.e.srv.URL+"/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	r, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer r.Body.Close()
	raw, _ := io.ReadAll(r.Body)
	return resp{Status: r.StatusCode, Body: string(raw), Header: r.Header}
}

// TestSigninThrottled: wrong tokens from one address are free five times;
// then the sign-in page answers 429 with Retry-After and says how long to
// wait, even for the right token, and the wait doubles. Rotating
// X-Forwarded-For does not help when no proxy is trusted.
func TestSigninThrottled(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	lim := throttle.New(throttle.Policy{Now: clock.Now, Logger: slog.New(slog.DiscardHandler)})
	e := newEnv(t, envOpts{server: &api.Options{}, throttle: lim})
	b := e.browser()
	for i := 1; i <= 5; i++ {
		r := b.signinFrom("198.51.100."+strconv.Itoa(i), "humas_guess"+strconv.Itoa(i))
		mustStatus(t, r, http.StatusUnauthorized)
	}
	r := b.signinFrom("198.51.100.6", "humas_guess6")
	mustStatus(t, r, http.StatusTooManyRequests)
	if r.Header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q, want 1", r.Header.Get("Retry-After"))
	}
	mustContain(t, r.Body, `class="error-box" role="alert">Terlalu banyak percobaan masuk yang gagal dari alamat ini atau untuk akun ini. Tunggu 1 detik, lalu coba lagi.`,
		`id="password"`)
	mustStatus(t, b.signinFrom("", e.tokens[auth.RoleEditor]), http.StatusTooManyRequests)
	clock.Add(time.Second)
	r = b.signinFrom("", e.tokens[auth.RoleEditor])
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/calendar" {
		t.Fatalf("the right token after the wait: %d %q", r.Status, r.Header.Get("Location"))
	}
	// Signed in, the session is not throttled; a further failure from the
	// address doubles the wait (in English for an English browser).
	mustStatus(t, b.get("/calendar"), http.StatusOK)
	other := e.browser()
	other.get("/lang/en")
	r = other.signinFrom("", "humas_guess7")
	mustStatus(t, r, http.StatusTooManyRequests)
	mustContain(t, r.Body, "Too many failed sign-ins from this address or for this account. Wait 2 seconds, then try again.")
	for i := 0; i < 10; i++ { // long waits read in minutes
		clock.Add(time.Hour / 2)
		r = other.signinFrom("", "humas_guess")
	}
	mustContain(t, r.Body, "Wait 15 minutes")
}

// TestSigninThrottleTrustedProxy: behind a trusted proxy each client is
// throttled on its own address from X-Forwarded-For.
func TestSigninThrottleTrustedProxy(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	lim := throttle.New(throttle.Policy{Now: clock.Now, Logger: slog.New(slog.DiscardHandler)})
	e := newEnv(t, envOpts{server: &api.Options{TrustedProxies: []string{"127.0.0.1", "::1"}}, throttle: lim})
	b := e.browser()
	for i := 1; i <= 6; i++ {
		b.signinFrom("203.0.113.7", "humas_guess"+strconv.Itoa(i))
	}
	mustStatus(t, b.signinFrom("203.0.113.7", e.tokens[auth.RoleViewer]), http.StatusTooManyRequests)
	r := e.browser().signinFrom("198.51.100.20", e.tokens[auth.RoleViewer])
	if r.Status != http.StatusSeeOther {
		t.Fatalf("another client behind the proxy: %d, want 303 (signed in)", r.Status)
	}
}

// TestFormBodyLimit: a form over the body limit gets a 413 page naming the
// limit, whether it announces its length (refused before routing) or comes
// chunked (the page in the user's language); normal forms still work.
func TestFormBodyLimit(t *testing.T) {
	e := newEnv(t, envOpts{server: &api.Options{MaxBodyBytes: 2048}})
	b := e.browser()
	csrf := b.signin(auth.RoleEditor)
	big := url.Values{"csrf": {csrf}, "caption": {strings.Repeat("Ayo memilih! ", 400)}, "content_type": {"text"}}
	r := b.post("/posts", big)
	mustStatus(t, r, http.StatusRequestEntityTooLarge)
	mustContain(t, r.Body, "Kiriman terlalu besar", "2 KiB (2048 byte)")
	req, _ := http.NewRequest("POST", e.srv.URL+"/posts", io.MultiReader(strings.NewReader(big.Encode())))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.ContentLength = -1 // chunked
	cr, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(cr.Body)
	cr.Body.Close()
	if cr.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "Kiriman terlalu besar: batasnya 2 KiB (2048 byte)") ||
		!strings.Contains(string(body), `class="error-box"`) {
		t.Fatalf("chunked: %d %s", cr.StatusCode, body)
	}
	// The sign-in form and a short post still go through.
	mustStatus(t, b.post("/posts", url.Values{"csrf": {csrf}, "caption": {"Ayo memilih!"}, "content_type": {"text"}}), http.StatusUnprocessableEntity)
}

// TestReportDatesOutsideWindow: the report page and its CSV answer 400
// naming the parameter for a year 9999 (or pre-2004) period, never asking
// the reports for it.
func TestReportDatesOutsideWindowPages(t *testing.T) {
	f := &fakeReports{}
	e := newEnv(t, envOpts{reports: f})
	b := e.browser()
	b.signin(auth.RoleViewer)
	for q, want := range map[string]string{
		"period=month&month=9999-01":                  `bulan &#34;9999-01&#34; di luar rentang tanggal laporan (2004-01-01 sampai 2099-12-31)`,
		"period=quarter&quarter=9999-Q1":              `triwulan &#34;9999-Q1&#34; di luar rentang`,
		"period=custom&from=9999-01-01&to=9999-01-31": `dari &#34;9999-01-01&#34; di luar rentang`,
		"period=custom&from=2003-01-01&to=2003-01-31": `dari &#34;2003-01-01&#34; di luar rentang`,
		"period=custom&to=9999-12-31":                 `sampai &#34;9999-12-31&#34; di luar rentang`,
	} {
		for _, page := range []string{"/report?", "/report.csv?", "/report.pdf?", "/report.xlsx?"} {
			_, before := f.last()
			r := b.get(page + q)
			mustStatus(t, r, http.StatusBadRequest)
			mustContain(t, r.Body, want)
			if got, after := f.last(); after != before {
				t.Errorf("%s%s asked the reports for %+v", page, q, got)
			}
		}
	}
}

// hostileReports returns names and a caption that are formulas.
type hostileReports struct{ fakeReports }

func (h *hostileReports) Build(ctx context.Context, r report.Request) (*report.Document, error) {
	d, err := h.fakeReports.Build(ctx, r)
	for i := range d.Sections {
		s := &d.Sections[i]
		switch s.ID {
		case "rollup":
			s.Rows[0][0].Text = `=HYPERLINK("http://evil.example/u","unit")`
		case "top":
			s.Rows[0][2].Text = `=HYPERLINK("http://evil.example/ch","kanal")`
			s.Rows[0][3].Text = `=HYPERLINK("http://evil.example/p","baca")`
			s.Rows = append(s.Rows, []report.Cell{{Num: report.NoNum}, {Num: report.NoNum}, {Text: "+62 812 3456", Num: report.NoNum},
				{Text: "-1+1", Num: report.NoNum}, {Text: "@SUM(A1:A9)", Num: report.NoNum}})
		}
	}
	return d, err
}

// TestWebReportCSVDefusesFormulas: unit and channel names, captions and
// links that are formulas come out as text; figures, negative changes
// included, stay numbers.
func TestWebReportCSVDefusesFormulas(t *testing.T) {
	e := newEnv(t, envOpts{reports: &hostileReports{}})
	b := e.browser()
	b.signin(auth.RoleViewer)
	r := b.get("/report.csv?period=month&month=2026-10&lang=en")
	mustStatus(t, r, http.StatusOK)
	cr := csv.NewReader(strings.NewReader(r.Body))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cells := map[string]bool{}
	for _, rec := range recs {
		for _, c := range rec {
			cells[c] = true
		}
	}
	for _, want := range []string{`'=HYPERLINK("http://evil.example/u","unit")`, `'=HYPERLINK("http://evil.example/ch","kanal")`,
		`'=HYPERLINK("http://evil.example/p","baca")`, "'+62 812 3456", "'-1+1", "'@SUM(A1:A9)",
		"-1.0000", "0.4500", "1234", "0.023500"} {
		if !cells[want] {
			t.Errorf("CSV lacks the cell %q:\n%s", want, r.Body)
		}
	}
	for c := range cells {
		if c != "" && strings.ContainsAny(c[:1], "=+@\t\r") {
			t.Errorf("cell %q starts a formula", c)
		}
		if strings.HasPrefix(c, "-") {
			if _, err := strconv.ParseFloat(c, 64); err != nil {
				t.Errorf("cell %q starts with - and is not a number", c)
			}
		}
	}
}
