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

	"github.com/humas-id/humas/agenda"
	"github.com/humas-id/humas/auth"
)

// TestAgendaAndInboxPagingInChromium: in headless Chromium an editor
// imports the election-stage schedule from a URL with the agenda's form,
// is told in Indonesian why a private address is refused, edits an event
// and deletes another (confirming), and pages through an inbox of 230
// comments with a filter kept. Screenshots of every changed page at 1280
// and 375 px; none scrolls sideways.
func TestAgendaAndInboxPagingInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	e := newAgendaEnv(t)
	e.seedComments(t, 230)
	ctx := context.Background()
	editor, err := e.auth.Authenticate(ctx, e.tokens[auth.RoleEditor])
	if err != nil {
		t.Fatal(err)
	}
	jakarta, _ := time.LoadLocation("Asia/Jakarta")
	day := time.Now().In(jakarta).AddDate(0, 0, 3)
	start := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, jakarta)
	ev, err := e.agenda.Create(ctx, editor, agenda.Input{Title: "Sosialisasi pemilih pemula di SMA Negeri 1 Salatiga", Type: "campaign",
		Start: start, End: start.Add(2 * time.Hour), Description: "Bersama Dinas Pendidikan"})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := e.agenda.Create(ctx, editor, agenda.Input{Title: "Rapat koordinasi (dibatalkan)", Type: "plenary", Start: start.Add(24 * time.Hour), AllDay: true})
	if err != nil {
		t.Fatal(err)
	}
	art := artifactsDir(t)
	bctx, stop := startChromium(t, chromium)
	defer stop()
	br := &browserRun{t: t, ctx: bctx}
	do, text := br.do, br.text
	// shots takes the page as it is (no reload: some are answers to a
	// POST) at both widths, then goes back to 1280.
	shots := func(name string) {
		t.Helper()
		for _, w := range []int64{375, 1280} {
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
			if err := os.WriteFile(filepath.Join(art, name+"-"+strconv.FormatInt(w, 10)+".png"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	do("sign in", append(signinSteps(e.srv.URL, "user-editor", e.passwords[auth.RoleEditor]), chromedp.WaitVisible(chromedp.CSS("header.top .who")))...)

	// 1. Import from a URL with the page's form.
	u := e.files.URL + "/jadwal/tahapan.ics"
	do("import from URL", chromedp.Navigate(e.srv.URL+"/agenda"), chromedp.WaitVisible(chromedp.CSS("#ics-url")),
		chromedp.SetValue(chromedp.CSS("#ics-url"), u), chromedp.Click(chromedp.CSS("form[action='/agenda/import'] button")),
		chromedp.WaitVisible(chromedp.CSS("p.flash")))
	if got := br.flash("5 kegiatan diimpor dari alamat URL"); !strings.Contains(got, "5 kegiatan diimpor dari alamat URL") {
		t.Errorf("after the import: %q", got)
	}
	if got := text("table.agenda"); !strings.Contains(got, "Rapat pleno terbuka rekapitulasi") || !strings.Contains(got, "Sosialisasi pemilih pemula") {
		t.Errorf("the agenda: %q", got)
	}
	shots("agenda-url-imported")

	// 1b. The same URL as a daily subscription: listed with its last import.
	do("subscribe", chromedp.SetValue(chromedp.CSS("#ics-url"), u), chromedp.Click(chromedp.CSS("#ics-daily")),
		chromedp.Click(chromedp.CSS("form[action='/agenda/import'] button")), chromedp.WaitVisible(chromedp.CSS("#feeds")))
	if got := text("#feeds"); !strings.Contains(got, u) || !strings.Contains(got, "berhasil, 5 kegiatan") {
		t.Errorf("the subscriptions: %q", got)
	}
	if got := br.flash("setiap hari"); !strings.Contains(got, "setiap hari") {
		t.Errorf("after subscribing: %q", got)
	}

	// 2. A private address: refused, saying why, the URL kept.
	do("private URL", chromedp.SetValue(chromedp.CSS("#ics-url"), "http://192.168.1.20/jadwal.ics"),
		chromedp.Click(chromedp.CSS("form[action='/agenda/import'] button")), chromedp.WaitVisible(chromedp.CSS(".error, p.error, [role=alert]")))
	body := text("main")
	if !strings.Contains(body, "bersifat privat, loopback atau khusus") {
		t.Errorf("the refusal: %q", body)
	}
	if v, _ := chromedp.Run(bctx, chromedp.Value(chromedp.CSS("#ics-url"))); v != "http://192.168.1.20/jadwal.ics" {
		t.Errorf("the URL field after the refusal: %q", v)
	}
	shots("agenda-url-error")

	// 3. Edit an event.
	id := strconv.FormatInt(ev.ID, 10)
	do("edit", chromedp.Navigate(e.srv.URL+"/agenda"), chromedp.WaitVisible(chromedp.CSS("#ev-"+id)),
		chromedp.Click(chromedp.CSS("#ev-"+id+" a[href='/agenda/"+id+"/edit']")), chromedp.WaitVisible(chromedp.CSS("#ev-desc")))
	if v, _ := chromedp.Run(bctx, chromedp.Value(chromedp.CSS("#ev-title"))); v != ev.Title {
		t.Errorf("the edit form's title: %q", v)
	}
	shots("agenda-edit")
	do("save", chromedp.SetValue(chromedp.CSS("#ev-title"), "Sosialisasi pemilih pemula di SMA Negeri 3 Salatiga"),
		chromedp.SetValue(chromedp.CSS("#ev-endtime"), ""), chromedp.Click(chromedp.CSS("form.event-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("p.flash")))
	if got := br.flash("Perubahan kegiatan tersimpan."); got != "Perubahan kegiatan tersimpan." {
		t.Errorf("after saving: %q", got)
	}
	if got := text("#ev-" + id); !strings.Contains(got, "SMA Negeri 3") {
		t.Errorf("the edited row: %q", got)
	}

	// 4. Delete another, confirming the browser's question.
	gid := strconv.FormatInt(gone.ID, 10)
	// The saved page's flash goes first, so the wait below is for the
	// next page's.
	do("delete", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("p.flash").forEach(e => e.remove())`),
		chromedp.Evaluate[chromedp.Void](`window.confirm = function (q) { sessionStorage.setItem("asked", q); return true; }`),
		chromedp.Click(chromedp.CSS("#ev-"+gid+" form.delete button")), chromedp.WaitVisible(chromedp.CSS("p.flash")))
	if got := br.flash("Kegiatan dihapus."); got != "Kegiatan dihapus." {
		t.Errorf("after deleting: %q", got)
	}
	if q, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`String(sessionStorage.getItem("asked"))`)); q != `Hapus kegiatan "Rapat koordinasi (dibatalkan)" dari agenda?` {
		t.Errorf("the question before deleting: %q", q)
	}
	if n, _ := chromedp.Run(bctx, chromedp.Evaluate[int64](`document.querySelectorAll("#ev-`+gid+`").length`)); n != 0 {
		t.Error("the deleted event is still listed")
	}
	shots("agenda-list")

	// 5. The inbox pages by 100, keeping the filter.
	do("inbox", chromedp.Navigate(e.srv.URL+"/inbox?status=all&question=0"), chromedp.WaitVisible(chromedp.CSS("nav.pager")))
	if got := text("#inbox-count"); got != "Komentar 1–100 dari 153" {
		t.Errorf("first page: %q", got)
	}
	shots("inbox-page1")
	do("next page", chromedp.Click(chromedp.CSS("nav.pager a[rel=next]")), chromedp.WaitVisible(chromedp.CSS("nav.pager a[rel=prev]")))
	if got := text("#inbox-count"); got != "Komentar 101–153 dari 153" {
		t.Errorf("second page: %q", got)
	}
	if v, _ := chromedp.Run(bctx, chromedp.Value(chromedp.CSS("#f-q"))); v != "0" {
		t.Errorf("the question filter on page 2: %q", v)
	}
	shots("inbox-page2")
	t.Logf("screenshots in %s: agenda-url-imported, agenda-url-error, agenda-edit, agenda-list, inbox-page1, inbox-page2 (-1280, -375).png", art)
}
