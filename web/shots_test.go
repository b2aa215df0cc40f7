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
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
)

// TestApprovalAndConflictInChromium drives the approval page and the edit
// form's conflict message in headless Chromium, at desktop (1280) and
// phone (375) widths, checks what each shows and saves screenshots to the
// artifacts folder: the approval queue of a unit whose PPID classifies
// (one post confirmed by the PPID, ready for this approver; one the
// approver changed, which another approver must approve), and an editor's
// stale form meeting a newer version.
func TestApprovalAndConflictInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	e := newEnv(t, envOpts{})
	ctx := context.Background()
	ppid := org.ClassifiedByPPID
	if _, err := e.org.UpdateUnit(ctx, e.unit.ID, org.UnitPatch{ClassificationBy: &ppid}); err != nil {
		t.Fatal(err)
	}
	editor, approver, officer := e.principal(auth.RoleEditor), e.principal(auth.RoleApprover), e.principal(auth.RolePPID)
	at := time.Now().In(e.unit.Location()).Add(48 * time.Hour).Truncate(time.Hour)
	draft := func(caption string) scheduler.Draft {
		return scheduler.Draft{Caption: caption, ContentType: "text", Channels: []int64{e.fb.ID}, ScheduledAt: at,
			Classification: scheduler.Classification{Level: scheduler.Public, Category: scheduler.CategoryPeriodic}}
	}
	ready, err := e.sched.CreatePost(ctx, editor, draft("Rapat pleno terbuka rekapitulasi hasil penghitungan suara tingkat kota, Kamis pukul 09.00 WIB di aula KPU Kota Salatiga. #Pemilu2029"), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.sched.Classify(ctx, officer, ready.ID, scheduler.ClassifyInput{Version: ready.Version,
		Classification: scheduler.Classification{Level: scheduler.Public, Category: scheduler.CategoryImmediate}}); err != nil {
		t.Fatal(err)
	}
	edited, err := e.sched.CreatePost(ctx, editor, draft("Pengumuman daftar pemilih tetap"), true)
	if err != nil {
		t.Fatal(err)
	}
	d := draft("Pengumuman daftar pemilih tetap (DPT) dapat dicek di cekdptonline.kpu.go.id")
	if edited, err = e.sched.UpdatePost(ctx, approver, edited.ID, d); err != nil {
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
			// Nothing wider than the screen: no sideways scrolling on a phone.
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
	signin := func(tok string) {
		name, pw := e.passwordFor(tok)
		do("sign in", append(signinSteps(e.srv.URL, name, pw), chromedp.WaitVisible(chromedp.CSS("#cal-heading")))...)
	}

	// The approver's queue.
	signin(e.tokens[auth.RoleApprover])
	do("queue", chromedp.Navigate(e.srv.URL+"/approvals"), chromedp.WaitVisible(chromedp.CSS("#post-"+strconv.FormatInt(ready.ID, 10))))
	card := text("#post-" + strconv.FormatInt(ready.ID, 10))
	for _, want := range []string{"Versi 2", "Klasifikasi oleh", "Dikonfirmasi: user-ppid (PPID)", "Serta-merta",
		"Persetujuan oleh: Anda (user-approver) menyetujui versi 2", "Setujui · Versi 2"} {
		if !strings.Contains(card, want) {
			t.Errorf("the ready card lacks %q:\n%s", want, card)
		}
	}
	other := text("#post-" + strconv.FormatInt(edited.ID, 10))
	for _, want := range []string{"Usulan, menunggu PPID", "Anda tidak dapat menyetujui versi ini", "user-editor, user-approver", "caption"} {
		if !strings.Contains(other, want) {
			t.Errorf("the edited card lacks %q:\n%s", want, other)
		}
	}
	shots("approvals", "#post-"+strconv.FormatInt(ready.ID, 10))
	do("sign out", chromedp.Click(chromedp.CSS("form[action='/signout'] button")), chromedp.WaitVisible(chromedp.CSS("#password")))

	// The editor's stale form.
	signin(e.tokens[auth.RoleEditor])
	id := strconv.FormatInt(edited.ID, 10)
	do("edit", chromedp.Navigate(e.srv.URL+"/posts/"+id+"/edit"), chromedp.WaitVisible(chromedp.CSS("#caption")))
	d.Caption = "Pengumuman DPT: cek nama Anda di cekdptonline.kpu.go.id atau di kantor kelurahan sampai 30 November."
	if _, err := e.sched.UpdatePost(ctx, approver, edited.ID, d); err != nil {
		t.Fatal(err)
	}
	do("save the stale form",
		chromedp.SetValue(chromedp.CSS("#caption"), "Pengumuman DPT (versi editor dari formulir lama)"),
		chromedp.Click(chromedp.CSS("button[name=submit][value='0']")),
		chromedp.WaitVisible(chromedp.CSS("#conflict")))
	if got := text("#conflict"); !strings.Contains(got, "sampai 30 November") || !strings.Contains(got, "Isi terbaru (versi 3)") {
		t.Errorf("conflict box: %q", got)
	}
	if got := text("p.error-box"); !strings.Contains(got, "diubah setelah formulir ini dibuka: kini versi 3") {
		t.Errorf("conflict message: %q", got)
	}
	shots("edit-conflict", "#conflict")
	t.Logf("screenshots in %s: approvals-{1280,375}.png, edit-conflict-{1280,375}.png", art)
}

// startChromium starts headless Chromium for one test.
func startChromium(t *testing.T, path string) (context.Context, func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	bctx, cancelB := chromedp.NewContext(alloc)
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx, func() { cancelB(); cancelAlloc(); cancel() }
}

// signinSteps opens the sign-in page and signs in with a name and
// password (the caller waits for where it lands).
func signinSteps(base, name, pw string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/signin"), chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SetValue(chromedp.CSS("#username"), name), chromedp.SetValue(chromedp.CSS("#password"), pw),
		chromedp.Click(chromedp.CSS("form[action='/signin'] button[type=submit]"))}
}
