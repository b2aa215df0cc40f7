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
)

// browserRun drives one Chromium tab through a test: steps with a
// deadline, text and location read back, and screenshots at desktop and
// phone width (failing the test when a page scrolls sideways).
type browserRun struct {
	t      *testing.T
	ctx    context.Context
	art    string
	prefix string
}

func (b *browserRun) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	sctx, cancel := context.WithTimeout(b.ctx, 45*time.Second)
	defer cancel()
	for i, st := range steps {
		if err := chromedp.Do(sctx, st); err != nil {
			b.t.Fatalf("%s, step %d: %v", what, i, err)
		}
	}
}

func (b *browserRun) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// poll is the text of sel, or "" while the page has no such node (it is
// being rendered again): for loops that wait for a text.
func (b *browserRun) poll(sel string) string {
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		return ""
	}
	return s
}

// flash is the text of the page's flash message once it holds want, or
// after 15 s whatever it holds: when an action's WaitVisible returns, the
// flash it sees may still be the previous page's, about to be replaced
// (and its node detached) by the page the action loads.
func (b *browserRun) flash(want string) string {
	b.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if s := b.poll("p.flash"); strings.Contains(s, want) {
			return s
		}
	}
	return b.text("p.flash")
}

func (b *browserRun) location() string {
	b.t.Helper()
	u, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}

// shot saves the page as <prefix>-<name>-{1280,375}.png.
func (b *browserRun) shot(name string) {
	b.t.Helper()
	for _, w := range []int64{1280, 375} {
		if _, err := chromedp.Call(b.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: w, Height: 900, DeviceScaleFactor: 1, Mobile: w < 600}); err != nil {
			b.t.Fatal(err)
		}
		if sw, err := chromedp.Run(b.ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`)); err != nil || sw > w {
			b.t.Errorf("%s at %d px is %d px wide: it scrolls sideways (%v)", name, w, sw, err)
		}
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			b.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(b.art, b.prefix+"-"+name+"-"+strconv.FormatInt(w, 10)+".png"), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	if _, err := chromedp.Call(b.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: 1280, Height: 900, DeviceScaleFactor: 1}); err != nil {
		b.t.Fatal(err)
	}
}
