package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/auth/throttle"
	"github.com/humas-id/humas/org"
)

// TestSigninThrottledPerAccount: wrong passwords for one account from
// ever new addresses (behind a trusted proxy) lock that account, even
// with the right password, while another account signs in; the wait
// ends and a good sign-in clears the account.
func TestSigninThrottledPerAccount(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	lim := throttle.New(throttle.Policy{Now: clock.Now, Logger: slog.New(slog.DiscardHandler)})
	e := newEnv(t, envOpts{server: &api.Options{TrustedProxies: []string{"127.0.0.1", "::1"}}, throttle: lim})
	try := func(xff, name, pw string) resp {
		t.Helper()
		b := e.browser()
		tok := csrfOf(t, b.get("/signin").Body)
		req, _ := http.NewRequest("POST", e.srv.URL+"/signin", strings.NewReader(url.Values{"csrf": {tok}, "username": {name}, "password": {pw}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", xff)
		r, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		raw, _ := io.ReadAll(r.Body)
		return resp{Status: r.StatusCode, Body: string(raw), Header: r.Header}
	}
	for i := 1; i <= 5; i++ {
		mustStatus(t, try("203.0.113."+string(rune('0'+i)), "user-approver", "tebakan ke "+string(rune('0'+i))), http.StatusUnauthorized)
	}
	// The sixth failure locks the account, whatever the address.
	mustStatus(t, try("203.0.113.6", "user-approver", "tebakan ke 6"), http.StatusTooManyRequests)
	r := try("198.51.100.77", "user-approver", e.passwords[auth.RoleApprover])
	mustStatus(t, r, http.StatusTooManyRequests)
	mustContain(t, r.Body, "untuk akun ini", "Tunggu 1 detik")
	if r.Header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	// Another account, from a clean address, is not held up.
	if r := try("198.51.100.78", "user-editor", e.passwords[auth.RoleEditor]); r.Status != http.StatusSeeOther {
		t.Fatalf("another account: %d", r.Status)
	}
	clock.Add(time.Second)
	if r := try("198.51.100.79", "user-approver", e.passwords[auth.RoleApprover]); r.Status != http.StatusSeeOther {
		t.Fatalf("after the wait: %d %s", r.Status, r.Body)
	}
	// The good sign-in cleared the account: one more failure is free.
	mustStatus(t, try("198.51.100.80", "user-approver", "salah lagi sekali"), http.StatusUnauthorized)
}

var qrSecretRE = regexp.MustCompile(`<code id="secret" class="secret">([A-Z2-7 ]+)</code>`)
var codeRE = regexp.MustCompile(`<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>`)

// enrolTOTP drives the enrolment pages from a page showing the start
// button (or an enrolment-stage session) and returns the secret and the
// recovery codes.
func enrolTOTP(t *testing.T, b *browser, csrf string, clock func() time.Time) (string, []string) {
	t.Helper()
	r := b.post("/account/2fa/start", url.Values{"csrf": {csrf}})
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r.Body, `src="data:image/png;base64,`, "Hubungkan aplikasi autentikator")
	m := qrSecretRE.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no secret on the enrolment page:\n%s", r.Body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	code, _ := auth.TOTPCode(secret, clock())
	bad := string(rune('0'+(code[0]-'0'+1)%10)) + code[1:]
	r = b.post("/account/2fa/confirm", url.Values{"csrf": {csrf}, "code": {bad}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r.Body, "Kode salah atau sudah dipakai", `src="data:image/png;base64,`)
	r = b.post("/account/2fa/confirm", url.Values{"csrf": {csrf}, "code": {code}})
	mustStatus(t, r, http.StatusOK)
	var codes []string
	for _, m := range codeRE.FindAllStringSubmatch(r.Body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != auth.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown:\n%s", len(codes), r.Body)
	}
	return secret, codes
}

// TestTOTPRequiredAndWrongCode: a unit that requires two-step
// verification sends its approver to enrol at the next sign-in (nothing
// else opens until then); the next sign-in asks for the code, refuses a
// wrong one, takes a recovery code once, and the user cannot turn it off.
func TestTOTPRequiredAndWrongCode(t *testing.T) {
	e := newEnv(t, envOpts{})
	ctx := context.Background()
	on := true
	if _, err := e.org.UpdateUnit(ctx, e.unit.ID, org.UnitPatch{Require2FA: &on}); err != nil {
		t.Fatal(err)
	}
	// An editor is not concerned.
	e.browser().signin(auth.RoleEditor)

	b := e.browser()
	r := b.password("user-approver", e.passwords[auth.RoleApprover])
	mustStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/account/2fa" {
		t.Fatalf("approver sent to %q, want the enrolment", loc)
	}
	for _, p := range []string{"/calendar", "/approvals", "/account"} {
		if r := b.get(p); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/account/2fa" {
			t.Errorf("%s before enrolment: %d %q", p, r.Status, r.Header.Get("Location"))
		}
	}
	page := b.get("/account/2fa")
	mustStatus(t, page, http.StatusOK)
	mustContain(t, page.Body, "Unit Anda mewajibkan verifikasi dua langkah")
	secret, codes := enrolTOTP(t, b, csrfOf(t, page.Body), time.Now)
	mustStatus(t, b.get("/calendar"), http.StatusOK) // the enrolment completed the sign-in

	// The user cannot turn it off: the unit requires it.
	csrf := csrfOf(t, b.get("/account/2fa").Body)
	r = b.post("/account/2fa/disable", url.Values{"csrf": {csrf}, "password": {e.passwords[auth.RoleApprover]}})
	mustStatus(t, r, http.StatusForbidden)

	// Next sign-in: the code step.
	b2 := e.browser()
	r = b2.password("user-approver", e.passwords[auth.RoleApprover])
	if r.Header.Get("Location") != "/signin/2fa" {
		t.Fatalf("second sign-in goes to %q", r.Header.Get("Location"))
	}
	mustStatus(t, b2.get("/calendar"), http.StatusSeeOther)
	tp := b2.get("/signin/2fa")
	mustContain(t, tp.Body, "Kode 6 digit", `autocomplete="one-time-code"`)
	csrf = csrfOf(t, tp.Body)
	r = b2.post("/signin/2fa", url.Values{"csrf": {csrf}, "code": {"000000"}})
	mustStatus(t, r, http.StatusUnauthorized)
	mustContain(t, r.Body, "Kode salah atau sudah dipakai")
	r = b2.post("/signin/2fa", url.Values{"csrf": {csrf}, "code": {codes[0]}})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/account/2fa?ok=acct.recovery.used") {
		t.Fatalf("recovery code: %d %q", r.Status, r.Header.Get("Location"))
	}
	mustStatus(t, b2.get("/calendar"), http.StatusOK)

	// The same recovery code is good once.
	b3 := e.browser()
	b3.password("user-approver", e.passwords[auth.RoleApprover])
	csrf = csrfOf(t, b3.get("/signin/2fa").Body)
	mustStatus(t, b3.post("/signin/2fa", url.Values{"csrf": {csrf}, "code": {codes[0]}}), http.StatusUnauthorized)
	code, _ := auth.TOTPCode(secret, time.Now().Add(30*time.Second))
	r = b3.post("/signin/2fa", url.Values{"csrf": {csrf}, "code": {code}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/calendar" {
		t.Fatalf("good code: %d %q", r.Status, r.Header.Get("Location"))
	}
}

// TestPasswordChangeEndsOtherSessions: changing the password keeps this
// browser signed in and signs the others out; "sign out everywhere" ends
// them all.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	e := newEnv(t, envOpts{})
	a, b := e.browser(), e.browser()
	csrf := a.signin(auth.RoleEditor)
	b.signin(auth.RoleEditor)
	mustContain(t, a.get("/account").Body, "2 peramban")
	r := a.post("/account/password", url.Values{"csrf": {csrf}, "current": {"wrong"}, "new": {"sidang pleno rekapitulasi suara"}, "repeat": {"sidang pleno rekapitulasi suara"}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r.Body, "Kata sandi sekarang salah")
	r = a.post("/account/password", url.Values{"csrf": {csrf}, "current": {e.passwords[auth.RoleEditor]}, "new": {"password12345"}, "repeat": {"password12345"}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r.Body, "paling sering dipakai")
	r = a.post("/account/password", url.Values{"csrf": {csrf}, "current": {e.passwords[auth.RoleEditor]}, "new": {"sidang pleno rekapitulasi suara"}, "repeat": {"sidang pleno rekapitulasi suara"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/account?ok=acct.pw.changed" {
		t.Fatalf("change: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	mustContain(t, a.get("/account?ok=acct.pw.changed").Body, "Kata sandi diganti", "1 peramban")
	mustStatus(t, b.get("/calendar"), http.StatusSeeOther)
	if r := b.password("user-editor", e.passwords[auth.RoleEditor]); r.Status != http.StatusUnauthorized {
		t.Errorf("the old password still works: %d", r.Status)
	}
	b.signinPw("user-editor", "sidang pleno rekapitulasi suara")
	csrf = csrfOf(t, a.get("/account").Body)
	mustStatus(t, a.post("/account/signout-all", url.Values{"csrf": {csrf}}), http.StatusSeeOther)
	mustStatus(t, a.get("/calendar"), http.StatusSeeOther)
	mustStatus(t, b.get("/calendar"), http.StatusSeeOther)
}

// TestSetupLinkPages: an invited user sets a password through the link
// and signs in; the link is then used up (410); an expired link is 410
// saying to ask for a new one; an unknown one is 404.
func TestSetupLinkPages(t *testing.T) {
	e := newEnv(t, envOpts{})
	ctx := context.Background()
	clock := &fakeClock{t: time.Now()}
	e.auth.WithClock(clock.Now)
	u, l, err := e.auth.Invite(ctx, auth.NewUser{Name: "dewi", UnitID: e.unit.ID, Role: auth.RoleEditor}, 72*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	page := b.get(l.Path())
	mustStatus(t, page, http.StatusOK)
	mustContain(t, page.Body, "Selamat datang, dewi", `autocomplete="new-password"`)
	if page.Header.Get("Referrer-Policy") != "same-origin" {
		t.Errorf("Referrer-Policy %q", page.Header.Get("Referrer-Policy"))
	}
	pre := csrfOf(t, page.Body)
	r := b.post(l.Path(), url.Values{"csrf": {pre}, "new": {"dewi rapat pleno"}, "repeat": {"dewi rapat pleno"}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r.Body, "nama pengguna")
	pre = csrfOf(t, r.Body)
	mustStatus(t, b.post(l.Path(), url.Values{"csrf": {"x"}, "new": {"sidang pleno terbuka"}, "repeat": {"sidang pleno terbuka"}}), http.StatusForbidden)
	r = b.post(l.Path(), url.Values{"csrf": {pre}, "new": {"sidang pleno terbuka"}, "repeat": {"sidang pleno terbuka"}})
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "ok=setup.done") {
		t.Fatalf("set password: %d %q", r.Status, r.Header.Get("Location"))
	}
	mustContain(t, b.get(r.Header.Get("Location")).Body, "Kata sandi tersimpan", `value="dewi"`)
	b.signinPw(u.Name, "sidang pleno terbuka")
	r = e.browser().get(l.Path())
	mustStatus(t, r, http.StatusGone)
	mustContain(t, r.Body, "sudah dipakai")

	_, l2, err := e.auth.NewResetLink(ctx, "dewi", 72*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	clock.Add(73 * time.Hour)
	r = e.browser().get(l2.Path())
	mustStatus(t, r, http.StatusGone)
	mustContain(t, r.Body, "sudah kedaluwarsa", "Minta admin")
	mustStatus(t, e.browser().get("/setup/not-a-link"), http.StatusNotFound)
}

// TestFirstRunSetup: on an empty installation the first-run link makes
// the first office and its administrator, who signs in with the password;
// afterwards the link is gone (410).
func TestFirstRunSetup(t *testing.T) {
	e := newEnv(t, envOpts{fresh: true})
	ctx := context.Background()
	l, err := e.auth.NewFirstRunLink(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustStatus(t, e.browser().get("/setup/first/wrong"), http.StatusNotFound)
	b := e.browser()
	page := b.get(l.Path())
	mustStatus(t, page, http.StatusOK)
	mustContain(t, page.Body, "Instalasi ini masih kosong", `name="office"`, `name="username"`, "WITA (Asia/Makassar)")
	form := url.Values{"csrf": {csrfOf(t, page.Body)}, "office": {"KPU Kota Salatiga"}, "slug": {""}, "level": {"city"},
		"timezone": {"Asia/Jakarta"}, "username": {"admin.salatiga"}, "email": {"humas@salatiga.kpu.go.id"},
		"new": {"short"}, "repeat": {"short"}}
	r := b.post(l.Path(), form)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r.Body, "sedikitnya 12 karakter", `value="KPU Kota Salatiga"`)
	form.Set("csrf", csrfOf(t, r.Body))
	form.Set("new", "rekap suara pleno kota")
	form.Set("repeat", "rekap suara pleno kota")
	r = b.post(l.Path(), form)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("first run: %d %s", r.Status, r.Body)
	}
	u, err := e.org.UnitBySlug(ctx, "kpu-kota-salatiga")
	if err != nil || u.Level != "city" {
		t.Fatalf("office: %+v %v", u, err)
	}
	csrf := b.signinPw("humas@salatiga.kpu.go.id", "rekap suara pleno kota")
	page = b.get("/admin/users")
	mustStatus(t, page, http.StatusOK)
	mustContain(t, page.Body, "admin.salatiga", "Masuk sebagai admin.salatiga (admin)")
	_ = csrf
	r = e.browser().get(l.Path())
	mustStatus(t, r, http.StatusGone)
	mustContain(t, r.Body, "sudah disiapkan")
}

// TestAdminPagesStayInTheSubtree: an admin of a city office sees and
// manages its own office only: the province and its users are not
// listed, and opening them is 404; an invitation shows the setup link
// once; the last admin cannot be demoted; the audit log lists the city's
// lines and downloads as CSV with formulas defused.
func TestAdminPagesStayInTheSubtree(t *testing.T) {
	e := newEnv(t, envOpts{})
	ctx := context.Background()
	prov, err := e.org.CreateUnit(ctx, org.Unit{Name: "KPU Provinsi Jawa Tengah", Slug: "kpu-jateng", Level: "province", RequiresApproval: true})
	if err != nil {
		t.Fatal(err)
	}
	pid := prov.ID
	if _, err := e.org.UpdateUnit(ctx, e.unit.ID, org.UnitPatch{ParentID: &pid}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.auth.CreateUser(ctx, "admin.jateng", prov.ID, auth.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	csrf := b.signin(auth.RoleAdmin)
	units := b.get("/admin/units")
	mustStatus(t, units, http.StatusOK)
	mustContain(t, units.Body, "KPU Kota Salatiga")
	if strings.Contains(units.Body, "KPU Provinsi Jawa Tengah") {
		t.Error("the province is listed to the city's admin")
	}
	mustStatus(t, b.get("/admin/units/"+i64(prov.ID)), http.StatusNotFound)
	mustStatus(t, b.get("/admin/users/admin.jateng"), http.StatusNotFound)
	if strings.Contains(b.get("/admin/users").Body, "admin.jateng") {
		t.Error("the province's admin is listed")
	}
	// Create an office below, invite into it; a unit outside is refused.
	r := b.post("/admin/units", url.Values{"csrf": {csrf}, "name": {"PPK Sidorejo"}, "slug": {""}, "parent": {i64(e.unit.ID)},
		"level": {"other"}, "timezone": {"Asia/Jakarta"}, "classification_by": {"editor"}, "approval": {"1"}})
	mustStatus(t, r, http.StatusSeeOther)
	sub, err := e.org.UnitBySlug(ctx, "ppk-sidorejo")
	if err != nil || sub.ParentID != e.unit.ID {
		t.Fatalf("office below: %+v %v", sub, err)
	}
	r = b.post("/admin/users", url.Values{"csrf": {csrf}, "username": {"rina"}, "email": {"=cmd|x@kpu.go.id"}, "role": {"editor"}, "unit": {i64(prov.ID)}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	r = b.post("/admin/users", url.Values{"csrf": {csrf}, "username": {"rina"}, "email": {"rina@kpu.go.id"}, "role": {"editor"}, "unit": {i64(sub.ID)}})
	mustStatus(t, r, http.StatusCreated)
	link := regexp.MustCompile(`id="setup-url" class="secret" href="([^"]+)"`).FindStringSubmatch(r.Body)
	if link == nil || !strings.HasPrefix(link[1], e.srv.URL+"/setup/") {
		t.Fatalf("no setup link on the page:\n%s", r.Body)
	}
	mustStatus(t, e.browser().get(strings.TrimPrefix(link[1], e.srv.URL)), http.StatusOK)
	// The last admin of the whole installation keeps the role... here the
	// province has another admin, so the guard is the installation's.
	r = b.post("/admin/users/user-admin/disable", url.Values{"csrf": {csrf}})
	mustStatus(t, r, http.StatusConflict)
	mustContain(t, r.Body, "tidak dapat menonaktifkan akun Anda sendiri")
	// The audit log: the city's lines, not the province's.
	r = b.get("/admin/audit?entity=user")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r.Body, "setup_link", "rina")
	if strings.Contains(r.Body, "admin.jateng") {
		t.Error("the province's user lines are shown")
	}
	r = b.get("/admin/audit?from=2026-13-01")
	mustStatus(t, r, http.StatusBadRequest)
	csv := b.get("/admin/audit.csv?entity=unit")
	mustStatus(t, csv, http.StatusOK)
	if !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") || !strings.Contains(csv.Body, "PPK Sidorejo") ||
		!strings.HasPrefix(csv.Body, "id,at_utc,at_local,actor_id,actor") {
		t.Errorf("CSV: %q\n%s", csv.Header.Get("Content-Type"), csv.Body)
	}
	// Role changes within the tree; an editor does not see the pages.
	r = b.post("/admin/users/rina", url.Values{"csrf": {csrf}, "email": {"rina@kpu.go.id"}, "role": {"approver"}, "unit": {i64(sub.ID)}})
	mustStatus(t, r, http.StatusSeeOther)
	if u, _ := e.auth.UserByName(ctx, "rina"); u.Role != auth.RoleApprover {
		t.Errorf("role now %s", u.Role)
	}
	ed := e.browser()
	ed.signin(auth.RoleEditor)
	mustStatus(t, ed.get("/admin/users"), http.StatusForbidden)
}

func i64(n int64) string { return fmt.Sprint(n) }
