package web

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/auth/throttle"
)

// TestHardenedPagesInChromium drives the sign-in page in headless
// Chromium: six wrong tokens give the throttled sign-in page, and a token
// longer than the body limit gives the 413 page. Both are saved at
// desktop (1280) and phone (375) width in the artifacts folder.
func TestHardenedPagesInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	clock := &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	lim := throttle.New(throttle.Policy{Now: clock.Now, Logger: slog.New(slog.DiscardHandler)})
	e := newEnv(t, envOpts{server: &api.Options{MaxBodyBytes: 1024}, throttle: lim})
	art := artifactsDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900))
	defer cancelAlloc()
	bctx, cancelB := chromedp.NewContext(alloc)
	defer cancelB()
	// The first action starts the browser on bctx's lifetime.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	br := &browserRun{t: t, ctx: bctx}
	do, text := br.do, br.text
	shots := func(name string) {
		t.Helper()
		for _, w := range []int64{1280, 375} {
			do("viewport", chromedp.EmulateViewport(w, 800))
			b, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(art, name+"-"+map[int64]string{1280: "1280", 375: "375"}[w]+".png")
			if err := os.WriteFile(file, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		do("viewport", chromedp.EmulateViewport(1280, 800))
	}
	try := func(pw string) {
		t.Helper()
		do("sign in", append(signinSteps(e.srv.URL, "user-viewer", pw),
			chromedp.WaitVisible(chromedp.CSS("#password-err, p.error-box, #body-too-large")))...)
	}
	for range 6 {
		try("kata sandi yang salah")
	}
	if got := text("p.error-box"); !strings.Contains(got, "Tunggu 1 detik") {
		t.Fatalf("after six wrong tokens the page says %q", got)
	}
	shots("signin-throttled")
	clock.Add(time.Minute)
	try(strings.Repeat("humas_", 400)) // 2400 bytes: over the 1 KiB limit
	if got := text("h1"); got != "Kiriman terlalu besar" {
		t.Fatalf("oversized form: heading %q", got)
	}
	shots("form-too-large")
}
