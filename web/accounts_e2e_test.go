package web

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/humas-id/humas/auth"
)

// TestNewInstallationInChromium is an office adopting humas in a real
// browser, from an empty state database: the first-run address creates
// the office and its administrator; the administrator signs in with the
// password, invites an editor and an approver on the users page (the
// links are read off the page), requires two-step verification of the
// office's approvers, and makes an API token; the editor and the approver
// each open their link, set a password and sign in, the approver enrolling
// in two-step verification on the way. Every page is saved at 1280 and
// 375 px, and none scrolls sideways on a phone.
func TestNewInstallationInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	e := newEnv(t, envOpts{fresh: true})
	ctx := context.Background()
	first, err := e.auth.NewFirstRunLink(ctx)
	if err != nil {
		t.Fatal(err)
	}
	art := artifactsDir(t)
	bctx, stop := startChromium(t, chromium)
	defer stop()
	br := &browserRun{t: t, ctx: bctx}
	do, text := br.do, br.text
	attr := func(sel, name string) string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector(`+strconv.Quote(sel)+`).getAttribute(`+strconv.Quote(name)+`)`))
		if err != nil {
			t.Fatalf("%s[%s]: %v", sel, name, err)
		}
		return v
	}
	// shot saves the page as it is (never reloaded: some pages answer a
	// form and show a link once) at both widths.
	shot := func(name string) {
		t.Helper()
		for _, w := range []int64{1280, 375} {
			if _, err := chromedp.Call(bctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
				Width: w, Height: 900, DeviceScaleFactor: 1, Mobile: w < 600}); err != nil {
				t.Fatal(err)
			}
			if sw, err := chromedp.Run(bctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`)); err != nil || sw > w {
				t.Errorf("%s at %d px is %d px wide: it scrolls sideways (%v)", name, w, sw, err)
			}
			b, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(art, "accounts-"+name+"-"+strconv.FormatInt(w, 10)+".png"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := chromedp.Call(bctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: 1280, Height: 900, DeviceScaleFactor: 1}); err != nil {
			t.Fatal(err)
		}
	}
	signin := func(name, pw, waitFor string) {
		t.Helper()
		do("sign in as "+name, append(signinSteps(e.srv.URL, name, pw), chromedp.WaitVisible(chromedp.CSS(waitFor)))...)
	}
	signout := func() {
		t.Helper()
		do("sign out", chromedp.Click(chromedp.CSS("form[action='/signout'] button")), chromedp.WaitVisible(chromedp.CSS("#password")))
	}
	const adminPw, editorPw, approverPw = "rekap suara pleno tingkat kota", "kopi pagi di aula rapat", "sidang pleno terbuka kamis"

	// 1. The first-run address: the office and its administrator.
	do("first run", chromedp.Navigate(e.srv.URL+first.Path()), chromedp.WaitVisible(chromedp.CSS("#office")))
	shot("first-run")
	do("fill the first run",
		chromedp.SendKeys(chromedp.CSS("#office"), "KPU Kota Salatiga"),
		chromedp.SetValue(chromedp.CSS("#level"), "city"),
		chromedp.SendKeys(chromedp.CSS("#username"), "admin.salatiga"),
		chromedp.SendKeys(chromedp.CSS("#email"), "humas@salatiga.kpu.go.id"),
		chromedp.SendKeys(chromedp.CSS("#new"), adminPw),
		chromedp.SendKeys(chromedp.CSS("#repeat"), adminPw),
		chromedp.Click(chromedp.CSS("#first-submit")),
		chromedp.WaitVisible(chromedp.CSS("#password, p.error-box")))
	if got := text("main"); !strings.Contains(got, "Kata sandi tersimpan") {
		t.Fatalf("after the first run: %q", got)
	}
	if got := br.flash("Kata sandi tersimpan"); !strings.Contains(got, "Kata sandi tersimpan") {
		t.Errorf("after the first run the sign-in page says %q", got)
	}
	shot("signin")

	// 2. The administrator signs in and looks at the offices.
	signin("admin.salatiga", adminPw, "#cal-heading")
	do("offices", chromedp.Navigate(e.srv.URL+"/admin/units"), chromedp.WaitVisible(chromedp.CSS("table.units")))
	if got := text("table.units"); !strings.Contains(got, "KPU Kota Salatiga") || !strings.Contains(got, "Kabupaten/kota") {
		t.Errorf("offices: %q", got)
	}
	shot("admin-offices")

	// 3. Invite an editor and an approver; the links are on the page.
	invite := func(name, role string) string {
		t.Helper()
		do("invite "+name, chromedp.Navigate(e.srv.URL+"/admin/users"), chromedp.WaitVisible(chromedp.CSS("#invite summary")),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('#invite').open = true`),
			chromedp.WaitVisible(chromedp.CSS("#username")),
			chromedp.SendKeys(chromedp.CSS("#username"), name),
			chromedp.SendKeys(chromedp.CSS("#email"), name+"@salatiga.kpu.go.id"),
			chromedp.SetValue(chromedp.CSS("#role"), role),
			chromedp.Click(chromedp.CSS("#invite-submit")),
			chromedp.WaitVisible(chromedp.CSS("#setup-url")))
		link := attr("#setup-url", "href")
		if !strings.HasPrefix(link, e.srv.URL+"/setup/") {
			t.Fatalf("invitation link %q", link)
		}
		return link
	}
	editorLink := invite("sari.editor", "editor")
	shot("admin-users-invited")
	approverLink := invite("budi.penyetuju", "approver")
	if got := text("#user-budi\\.penyetuju"); !strings.Contains(got, "Diundang") {
		t.Errorf("the approver's row: %q", got)
	}

	// 4. Require two-step verification of the office's approvers.
	do("require 2FA", chromedp.Navigate(e.srv.URL+"/admin/units/1"), chromedp.WaitVisible(chromedp.CSS("#require_2fa")),
		chromedp.Click(chromedp.CSS("#require_2fa")))
	shot("admin-office")
	do("save the office", chromedp.Click(chromedp.CSS("#unit-save")), chromedp.WaitVisible(chromedp.CSS("table.units")))
	if got := text("#unit-1"); !strings.Contains(got, "Wajib") {
		t.Errorf("the office row after requiring 2FA: %q", got)
	}
	do("a user's page", chromedp.Navigate(e.srv.URL+"/admin/users/sari.editor"), chromedp.WaitVisible(chromedp.CSS("#user-save")))
	shot("admin-user")
	do("audit", chromedp.Navigate(e.srv.URL+"/admin/audit"), chromedp.WaitVisible(chromedp.CSS("table.audit")))
	if got := text("table.audit"); !strings.Contains(got, "setup_link") || !strings.Contains(got, "admin.salatiga") {
		t.Errorf("audit log: %q", got)
	}
	shot("admin-audit")
	do("tokens", chromedp.Navigate(e.srv.URL+"/account/tokens"), chromedp.WaitVisible(chromedp.CSS("#tok-name")),
		chromedp.SendKeys(chromedp.CSS("#tok-name"), "grafana"), chromedp.Click(chromedp.CSS("form[action='/account/tokens'] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#token-value")))
	if tok := text("#token-value"); !strings.HasPrefix(tok, auth.TokenPrefix) {
		t.Errorf("new token %q", tok)
	}
	shot("account-tokens")
	do("account", chromedp.Navigate(e.srv.URL+"/account"), chromedp.WaitVisible(chromedp.CSS("#current")))
	shot("account")
	signout()

	// 5. The editor sets a password through the link and signs in.
	do("editor's link", chromedp.Navigate(editorLink), chromedp.WaitVisible(chromedp.CSS("#new")))
	shot("setup-password")
	do("editor sets a password", chromedp.SendKeys(chromedp.CSS("#new"), editorPw), chromedp.SendKeys(chromedp.CSS("#repeat"), editorPw),
		chromedp.Click(chromedp.CSS("#setup-submit")), chromedp.WaitVisible(chromedp.CSS("#password")))
	signin("sari.editor", editorPw, "#cal-heading")
	shot("calendar-editor")
	signout()

	// 6. The approver sets a password and, at sign-in, enrols in two-step
	// verification (required by the office) before anything else.
	do("approver's link", chromedp.Navigate(approverLink), chromedp.WaitVisible(chromedp.CSS("#new")),
		chromedp.SendKeys(chromedp.CSS("#new"), approverPw), chromedp.SendKeys(chromedp.CSS("#repeat"), approverPw),
		chromedp.Click(chromedp.CSS("#setup-submit")), chromedp.WaitVisible(chromedp.CSS("#password")))
	signin("budi.penyetuju", approverPw, "#tfa-start")
	shot("twofactor-required")
	do("start enrolment", chromedp.Click(chromedp.CSS("#tfa-start")), chromedp.WaitVisible(chromedp.CSS("#secret")))
	shot("twofactor-scan")
	code, err := auth.TOTPCode(strings.ReplaceAll(text("#secret"), " ", ""), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	do("confirm", chromedp.SendKeys(chromedp.CSS("#code"), code), chromedp.Click(chromedp.CSS("form[action='/account/2fa/confirm'] button")),
		chromedp.WaitVisible(chromedp.CSS("#recovery")))
	if n := strings.Count(text("ol.codes"), "-"); n != auth.RecoveryCodeCount {
		t.Errorf("%d recovery codes shown", n)
	}
	shot("twofactor-codes")
	do("continue", chromedp.Click(chromedp.CSS("#continue")), chromedp.WaitVisible(chromedp.CSS("#cal-heading")))
	if got := text("header.top"); !strings.Contains(got, "budi.penyetuju (penyetuju)") {
		t.Errorf("header: %q", got)
	}
	signout()
	// The next sign-in asks for the code.
	signin("budi.penyetuju", approverPw, "#code")
	shot("signin-code")
}
