package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/auth"
)

func TestSignInSessionAndSignOut(t *testing.T) {
	e := newEnv(t, envOpts{})
	b := e.browser()

	r := b.get("/calendar")
	mustStatus(t, r, http.StatusSeeOther)
	if got := r.Header.Get("Location"); got != "/signin?next=%2Fcalendar" {
		t.Errorf("redirect to %q", got)
	}
	page := b.get("/signin")
	mustStatus(t, page, http.StatusOK)
	mustContain(t, page.Body, `<html lang="id">`, "Nama pengguna atau e-mail", `<label for="username">`, `<label for="password">`,
		`autocomplete="current-password"`)
	if h := page.Header.Get("Content-Security-Policy"); !strings.Contains(h, "script-src 'self'") {
		t.Errorf("CSP = %q", h)
	}
	csrfOf(t, page.Body) // the form carries a token

	// Wrong or missing CSRF: 403, whatever the token.
	good := url.Values{"username": {"user-editor"}, "password": {e.passwords[auth.RoleEditor]}}
	mustStatus(t, b.post("/signin", url.Values{"csrf": {"nope"}, "username": good["username"], "password": good["password"]}), http.StatusForbidden)
	mustStatus(t, b.post("/signin", good), http.StatusForbidden)

	tok := csrfOf(t, b.get("/signin").Body)
	r = b.post("/signin", url.Values{"csrf": {tok}, "username": {"user-editor"}, "password": {"not the password at all"}})
	mustStatus(t, r, http.StatusUnauthorized)
	mustContain(t, r.Body, "Nama pengguna atau kata sandi salah.", `aria-invalid="true"`, `value="user-editor"`)
	if strings.Contains(r.Body, "not the password at all") {
		t.Error("the page echoes the wrong password")
	}

	// An API token is not a password: the old token form is told why.
	tok = csrfOf(t, b.get("/signin").Body)
	r = b.post("/signin", url.Values{"csrf": {tok}, "token": {e.tokens[auth.RoleEditor]}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r.Body, "Token API hanya untuk skrip dan Grafana")

	tok = csrfOf(t, b.get("/signin").Body)
	r = b.post("/signin", url.Values{"csrf": {tok}, "username": {"user-editor"}, "password": {e.passwords[auth.RoleEditor]}, "next": {"//evil.example/x"}})
	mustStatus(t, r, http.StatusSeeOther)
	if got := r.Header.Get("Location"); got != "/calendar" {
		t.Errorf("open redirect: went to %q", got)
	}
	var sc *http.Cookie
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			sc = c
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie = %+v, want HttpOnly SameSite=Lax", sc)
	}
	// Only the hash is stored.
	var n int
	if err := e.db.DB.QueryRow(`SELECT count(*) FROM web_sessions WHERE id_hash = ?`, hashID(sc.Value)).Scan(&n); err != nil || n != 1 {
		t.Fatalf("session row: %d %v", n, err)
	}
	if err := e.db.DB.QueryRow(`SELECT count(*) FROM web_sessions WHERE id_hash = ?`, sc.Value).Scan(&n); err != nil || n != 0 {
		t.Fatal("raw session id stored")
	}

	cal := b.get("/calendar")
	mustStatus(t, cal, http.StatusOK)
	mustContain(t, cal.Body, "Kalender konten", "Masuk sebagai user-editor (editor)", "Waktu ditampilkan dalam WIB")

	csrf := csrfOf(t, cal.Body)
	mustStatus(t, b.post("/signout", url.Values{"csrf": {"wrong"}}), http.StatusForbidden)
	mustStatus(t, b.post("/signout", url.Values{}), http.StatusForbidden)
	r = b.post("/signout", url.Values{"csrf": {csrf}})
	mustStatus(t, r, http.StatusSeeOther)
	mustStatus(t, b.get("/calendar"), http.StatusSeeOther)
	if err := e.db.DB.QueryRow(`SELECT count(*) FROM web_sessions`).Scan(&n); err != nil || n != 0 {
		t.Errorf("sessions left after sign-out: %d", n)
	}
}

func TestRevokedUserLosesSession(t *testing.T) {
	e := newEnv(t, envOpts{})
	b := e.browser()
	b.signin(auth.RoleViewer)
	mustStatus(t, b.get("/calendar"), http.StatusOK)
	if err := e.auth.Revoke(context.Background(), "user-viewer"); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, b.get("/calendar"), http.StatusSeeOther)
}

func TestLanguageSwitch(t *testing.T) {
	e := newEnv(t, envOpts{})
	b := e.browser()
	b.signin(auth.RoleViewer)
	r := b.get("/lang/en?next=" + url.QueryEscape("/calendar?view=month"))
	mustStatus(t, r, http.StatusSeeOther)
	if got := r.Header.Get("Location"); got != "/calendar?view=month" {
		t.Errorf("back to %q", got)
	}
	cal := b.get("/calendar?view=month")
	mustContain(t, cal.Body, `<html lang="en">`, "Content calendar", "Times are shown in WIB", "Bahasa Indonesia")
	if r := b.get("/lang/id?next=https://evil.example"); r.Header.Get("Location") != "/calendar" {
		t.Errorf("open redirect via lang: %q", r.Header.Get("Location"))
	}
	mustContain(t, b.get("/calendar").Body, "Kalender konten")
}

func TestRoleChecks(t *testing.T) {
	e := newEnv(t, envOpts{})
	viewer := e.browser()
	viewer.signin(auth.RoleViewer)
	for _, p := range []string{"/posts/new", "/approvals"} {
		r := viewer.get(p)
		mustStatus(t, r, http.StatusForbidden)
		mustContain(t, r.Body, "Halaman ini memerlukan peran")
	}
	editor := e.browser()
	csrf := editor.signin(auth.RoleEditor)
	mustStatus(t, editor.get("/approvals"), http.StatusForbidden)
	mustStatus(t, editor.post("/approvals/1/approve", url.Values{"csrf": {csrf}}), http.StatusForbidden)
	mustStatus(t, editor.get("/posts/new"), http.StatusOK)
	// The navigation offers only what the role may use.
	cal := viewer.get("/calendar").Body
	if strings.Contains(cal, `href="/posts/new"`) || strings.Contains(cal, `href="/approvals"`) {
		t.Error("viewer sees compose or approvals links")
	}
}

// composeForm is a valid post for both demo channels.
func (e *env) composeForm(csrf, caption string, submit bool) url.Values {
	at := time.Now().In(e.unit.Location()).Add(48 * time.Hour)
	s := "0"
	if submit {
		s = "1"
	}
	return url.Values{"csrf": {csrf}, "channel": {strconv.FormatInt(e.fb.ID, 10), strconv.FormatInt(e.ig.ID, 10)},
		"content_type": {"photo"}, "classification": {"public"}, "caption": {caption},
		"media": {"https://example.org/foto-rapat.jpg"}, "date": {at.Format("2006-01-02")}, "time": {"14:00"},
		"recurrence": {""}, "submit": {s}}
}

func TestComposeValidationShowsErrorsBesideFields(t *testing.T) {
	e := newEnv(t, envOpts{})
	b := e.browser()
	csrf := b.signin(auth.RoleEditor)
	page := b.get("/posts/new")
	mustStatus(t, page, http.StatusOK)
	mustContain(t, page.Body, `<label for="caption">`, "Batas per platform", "Instagram:", "maks. 2.200 karakter",
		`src="/static/compose.js"`, "Jadwal terbit (WIB)", "KPU Salatiga &lt;FB&gt;")

	// Missing CSRF.
	f := e.composeForm(csrf, "x", true)
	f.Del("csrf")
	mustStatus(t, b.post("/posts", f), http.StatusForbidden)

	// Too many hashtags for Instagram, exempt without a reason, a PNG on
	// Instagram: the scheduler's rules, in Bahasa Indonesia beside fields.
	f = e.composeForm(csrf, strings.Repeat("#tag ", 31), true)
	f.Set("classification", "exempt")
	f.Set("media", "https://example.org/a.png")
	r := b.post("/posts", f)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r.Body, `id="caption-err"`, "Instagram membolehkan maksimal 30 tagar", `id="classification_reason-err"`,
		"wajib disertai alasan", `id="media-err"`, "hanya menerima gambar JPEG", "31 tagar", "Periksa isian yang ditandai")

	// An unreadable date never reaches the scheduler.
	f = e.composeForm(csrf, "ok", false)
	f.Set("date", "27/11/2026")
	r = b.post("/posts", f)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r.Body, `id="scheduled_at-err"`, "Tanggal/jam tidak valid")

	// No channel.
	f = e.composeForm(csrf, "ok", false)
	f.Del("channel")
	mustContain(t, b.post("/posts", f).Body, `id="channels-err"`, "Pilih sedikitnya satu kanal tujuan")
}

func TestComposeApproveFlowAndEscaping(t *testing.T) {
	e := newEnv(t, envOpts{})
	editor := e.browser()
	csrf := editor.signin(auth.RoleEditor)
	caption := `Rapat pleno <script>alert("x")</script> #Pemilu @kpu_ri`
	r := editor.post("/posts", e.composeForm(csrf, caption, true))
	mustStatus(t, r, http.StatusSeeOther)
	loc := r.Header.Get("Location")
	if !strings.HasPrefix(loc, "/posts/") || !strings.Contains(loc, "ok=compose.submitted") {
		t.Fatalf("redirect to %q", loc)
	}
	post := editor.get(loc)
	mustStatus(t, post, http.StatusOK)
	mustContain(t, post.Body, "diajukan untuk persetujuan", "Menunggu persetujuan",
		`Rapat pleno &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`, "14.00 WIB", "Jejak audit")
	if strings.Contains(post.Body, `<script>alert`) {
		t.Fatal("caption not escaped")
	}
	id := strings.TrimPrefix(strings.Split(loc, "?")[0], "/posts/")

	// The flash text comes from the catalogue, never from the URL.
	if strings.Contains(editor.get("/posts/"+id+"?ok=%3Cb%3Ehi").Body, "<b>hi") {
		t.Error("flash reflected")
	}

	// List and calendar show it.
	list := editor.get("/posts?state=submitted&q=pleno")
	mustContain(t, list.Body, "1 unggahan", "Rapat pleno &lt;script&gt;")
	mustContain(t, editor.get("/posts?state=published").Body, "0 unggahan", "Tidak ada unggahan yang cocok")
	bad := editor.get("/posts?from=kemarin")
	mustStatus(t, bad, http.StatusBadRequest)
	mustContain(t, bad.Body, `id="from-err"`, "gunakan format TTTT-BB-HH")
	at := time.Now().In(e.unit.Location()).Add(48 * time.Hour).Format("2006-01-02")
	cal := editor.get("/calendar?view=week&date=" + at)
	mustContain(t, cal.Body, `class="st-submitted"`, "14.00 Foto", "Rapat pleno &lt;script&gt;")
	mustContain(t, editor.get("/calendar?view=month&date="+at).Body, "st-submitted")
	mustStatus(t, editor.get("/calendar?date=bad"), http.StatusBadRequest)

	// Edit page is prefilled.
	edit := editor.get("/posts/" + id + "/edit")
	mustStatus(t, edit, http.StatusOK)
	mustContain(t, edit.Body, `value="14:00"`, "https://example.org/foto-rapat.jpg", "&lt;script&gt;")

	// The approver sees it with its classification and audit trail.
	appr := e.browser()
	acsrf := appr.signin(auth.RoleApprover)
	q := appr.get("/approvals")
	mustStatus(t, q, http.StatusOK)
	mustContain(t, q.Body, "Antrean persetujuan", "Terbuka", "user-editor", "Jejak audit", `action="/approvals/`+id+`/approve"`)

	mustStatus(t, appr.post("/approvals/"+id+"/approve", url.Values{}), http.StatusForbidden)
	mustStatus(t, appr.post("/approvals/"+id+"/approve", url.Values{"csrf": {"bad"}}), http.StatusForbidden)
	r = appr.post("/approvals/"+id+"/reject", url.Values{"csrf": {acsrf}, "reason": {"  "}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r.Body, "Tuliskan alasan penolakan")

	form := appr.review(id, acsrf)
	r = appr.post("/approvals/"+id+"/approve", form)
	mustStatus(t, r, http.StatusSeeOther)
	mustContain(t, appr.get(r.Header.Get("Location")).Body, "Unggahan #"+id+" disetujui", "Tidak ada unggahan yang menunggu persetujuan")
	mustContain(t, appr.get("/posts/"+id).Body, "Terjadwal", "Disetujui", "oleh user-approver (versi 1)")
	// Approving twice is the scheduler's 409.
	mustStatus(t, appr.post("/approvals/"+id+"/approve", form), http.StatusConflict)
	mustStatus(t, appr.get("/posts/999999"), http.StatusNotFound)
}

func TestRejectWithReason(t *testing.T) {
	e := newEnv(t, envOpts{})
	editor := e.browser()
	csrf := editor.signin(auth.RoleEditor)
	r := editor.post("/posts", e.composeForm(csrf, "Sosialisasi tahapan", true))
	mustStatus(t, r, http.StatusSeeOther)
	id := strings.TrimPrefix(strings.Split(r.Header.Get("Location"), "?")[0], "/posts/")
	appr := e.browser()
	acsrf := appr.signin(auth.RoleApprover)
	r = appr.post("/approvals/"+id+"/reject", appr.review(id, acsrf, "reason", "Foto <belum> final"))
	mustStatus(t, r, http.StatusSeeOther)
	post := editor.get("/posts/" + id)
	mustContain(t, post.Body, "Ditolak", "Foto &lt;belum&gt; final")
}

func TestChannelHealth(t *testing.T) {
	e := newEnv(t, envOpts{})
	ctx := context.Background()
	if err := e.org.MarkReconnect(ctx, e.ig.ID, "token <expired>"); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.signin(auth.RoleViewer)
	r := b.get("/channels")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r.Body, "Kesehatan kanal", "Kanal yang perlu dihubungkan ulang atau kurang izin: 1", "token &lt;expired&gt;",
		"KPU Salatiga &lt;FB&gt;", "kpukotasalatiga", "Belum diperiksa", "KPU Kota Salatiga")
}

// The scheduler is required: without it the pages do not start (there
// is no half-working mode to keep in step).
func TestPagesNeedTheScheduler(t *testing.T) {
	e := newEnv(t, envOpts{})
	_, err := New(Deps{SQL: e.db, Auth: e.auth, Org: e.org, Scope: e.sched})
	if err == nil || !strings.Contains(err.Error(), "Deps.Posts") {
		t.Fatalf("New without Posts = %v, want an error naming Deps.Posts", err)
	}
}

// Without analytics the report page says it is not available.
func TestReportWithoutAnalytics(t *testing.T) {
	e := newEnv(t, envOpts{})
	b := e.browser()
	b.signin(auth.RoleAdmin)
	mustContain(t, b.get("/report").Body, "belum tersedia di server ini: analytics")
}

func TestChannelHealthShowsGraphUsage(t *testing.T) {
	reg := prometheus.NewRegistry()
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: usageMetric, Help: "x"}, []string{"account"})
	reg.MustRegister(g)
	g.WithLabelValues("104857600000001").Set(37)
	u := RegistryUsage{G: reg}
	if v, ok := u.AccountUsage("104857600000001"); !ok || v != 37 {
		t.Fatalf("usage = %v %v", v, ok)
	}
	if _, ok := u.AccountUsage("nope"); ok {
		t.Fatal("usage for unknown account")
	}
	e := newEnv(t, envOpts{usage: u})
	b := e.browser()
	b.signin(auth.RoleViewer)
	mustContain(t, b.get("/channels").Body, ">37%<")
}

func TestStaticFiles(t *testing.T) {
	e := newEnv(t, envOpts{})
	b := e.browser()
	r := b.get("/static/humas.css")
	mustStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("css content type %q", ct)
	}
	mustContain(t, r.Body, "@page { size: A4", "@media print")
	mustStatus(t, b.get("/static/compose.js"), http.StatusOK)
	mustStatus(t, b.get("/static/"), http.StatusNotFound)
	mustStatus(t, b.get("/static/nope.css"), http.StatusNotFound)
	// The Indonesian sign-in path the sandbox token file names.
	r = b.get("/masuk")
	mustStatus(t, r, http.StatusSeeOther)
	if r.Header.Get("Location") != "/signin" {
		t.Errorf("/masuk goes to %q", r.Header.Get("Location"))
	}
}

// TestSecureCookies: behind HTTPS (web.secure_cookies) the session and
// CSRF cookies are marked Secure; the default keeps plain-HTTP trials
// working.
func TestSecureCookies(t *testing.T) {
	for _, secure := range []bool{false, true} {
		e := newEnv(t, envOpts{secure: secure})
		b := e.browser()
		page := b.get("/signin")
		r := b.post("/signin", url.Values{"csrf": {csrfOf(t, page.Body)}, "username": {"user-editor"}, "password": {e.passwords[auth.RoleEditor]}})
		mustStatus(t, r, http.StatusSeeOther)
		cookies := (&http.Response{Header: r.Header}).Cookies()
		if len(cookies) == 0 {
			t.Fatal("sign-in set no cookie")
		}
		for _, c := range cookies {
			if c.Secure != secure {
				t.Errorf("secure_cookies=%v: cookie %s Secure=%v", secure, c.Name, c.Secure)
			}
		}
	}
}
