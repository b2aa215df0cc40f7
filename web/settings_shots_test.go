package web

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/reportmail"
)

// TestReportSettingsInChromium: the admin sets the letterhead (the logo
// chosen with the file input) and a division head subscribes a person to
// the monthly report, in headless Chromium at 1280 and 375 px, with
// screenshots of both pages and of the report's letterhead.
func TestReportSettingsInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	var svc *reportmail.Service
	e := newEnv(t, envOpts{reports: &fakeReports{}, subs: func(e *env) *reportmail.Service {
		svc = reportmail.New(e.db, &fakeReports{}, nil, reportmail.Options{Logger: slog.New(slog.DiscardHandler)})
		return svc
	}})
	logo := filepath.Join(t.TempDir(), "logo-kpu.png")
	if err := os.WriteFile(logo, emblem(t), 0o600); err != nil {
		t.Fatal(err)
	}
	art := artifactsDir(t)
	bctx, stop := startChromium(t, chromium)
	defer stop()
	br := &browserRun{t: t, ctx: bctx}
	do, text := br.do, br.text
	shots := func(name, waitFor string) {
		t.Helper()
		for _, w := range []int64{1280, 375} {
			if _, err := chromedp.Call(bctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
				Width: w, Height: 900, DeviceScaleFactor: 1, Mobile: w < 600}); err != nil {
				t.Fatal(err)
			}
			do("reload "+name, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(waitFor)))
			if sw, err := chromedp.Run(bctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`)); err != nil || sw > w {
				t.Errorf("%s at %d px is %d px wide: it scrolls sideways (%v)", name, w, sw, err)
			}
			b, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(art, name+"-"+strconv.FormatInt(w, 10)+".png"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	signin := func(role auth.Role) {
		do("sign in", append(signinSteps(e.srv.URL, "user-"+string(role), e.passwords[role]), chromedp.WaitVisible(chromedp.CSS("header.top .who")))...)
	}

	// The admin's letterhead form.
	signin(auth.RoleAdmin)
	do("letterhead", chromedp.Navigate(e.srv.URL+"/settings/letterhead"), chromedp.WaitVisible(chromedp.CSS("#lh-form")),
		chromedp.SetValue(chromedp.CSS("#address"), "Jl. Diponegoro No. 1, Salatiga 50711"),
		chromedp.SetValue(chromedp.CSS("#contact"), "Telp. (0298) 321 000 · humas@salatiga.kpu.go.id"),
		chromedp.SetValue(chromedp.CSS("#city"), "Salatiga"),
		chromedp.SetValue(chromedp.CSS("#head_title"), "Ketua KPU Kota Salatiga"),
		chromedp.SetValue(chromedp.CSS("#head_name"), "Budi Santoso, S.H."),
		chromedp.SetUploadFiles(chromedp.CSS("#logo"), []string{logo}),
		chromedp.Click(chromedp.CSS("#lh-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("p.flash")))
	if got := br.flash("Kop surat disimpan."); got != "Kop surat disimpan." {
		t.Errorf("after saving: %q", got)
	}
	// The flash shows before the browser has loaded the preview: wait
	// for the image (naturalWidth is 0 until then).
	if w, err := chromedp.Run(bctx, chromedp.Poll[int64](`(() => { const i = document.querySelector("img.logo-preview");
		return i && i.complete && i.naturalWidth > 0 ? i.naturalWidth : null })()`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil || w != 160 {
		t.Errorf("logo preview %d px wide (%v)", w, err)
	}
	shots("letterhead", "#lh-form")
	do("sign out", chromedp.Click(chromedp.CSS("form[action='/signout'] button")), chromedp.WaitVisible(chromedp.CSS("#password")))

	// The division head's subscriptions.
	signin(auth.RoleViewer)
	do("subscribe", chromedp.Navigate(e.srv.URL+"/report/subscriptions"), chromedp.WaitVisible(chromedp.CSS("#sub-form")),
		chromedp.SendKeys(chromedp.CSS("#s-email"), "kepala@salatiga.kpu.go.id"),
		chromedp.SendKeys(chromedp.CSS("#s-name"), "Kepala Divisi Sosialisasi"),
		chromedp.Click(chromedp.CSS("#sub-form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#subs")))
	if got := text("#subs"); !strings.Contains(got, "kepala@salatiga.kpu.go.id") || !strings.Contains(got, "Bulanan") {
		t.Errorf("subscribers: %q", got)
	}
	// No mail server here: the first working day's delivery is recorded
	// as retrying, with the reason, on the page.
	ctx := context.Background()
	subs, _ := svc.Subscriptions(ctx, nil)
	if _, err := e.db.DB.Exec(`UPDATE report_subscriptions SET created_at = '2026-11-01T00:00:00.000Z' WHERE id = ?`, subs[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Run(ctx); err != nil {
		t.Fatal(err)
	}
	do("deliveries", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#deliveries")))
	if got := text("#deliveries"); !strings.Contains(got, "Dicoba lagi") || !strings.Contains(got, "HUMAS_SMTP_HOST") {
		t.Errorf("deliveries: %q", got)
	}
	if got := text("#mail-missing"); !strings.Contains(got, "Server email (SMTP) belum diatur") {
		t.Errorf("no-mail notice %q", got)
	}
	shots("subscriptions", "#deliveries")
	t.Logf("screenshots in %s: letterhead-{1280,375}.png, subscriptions-{1280,375}.png", art)
}
