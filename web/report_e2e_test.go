package web

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/humas-id/humas/org"
)

// emblem is a small logo for the letterhead: a gold disc on red.
func emblem(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 160, 160))
	for y := 0; y < 160; y++ {
		for x := 0; x < 160; x++ {
			c := color.RGBA{R: 170, G: 20, B: 30, A: 255}
			if dx, dy := x-80, y-80; dx*dx+dy*dy < 52*52 {
				c = color.RGBA{R: 245, G: 190, B: 20, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pdfToText extracts a PDF's text with poppler's pdftotext (form feeds
// between pages).
func pdfToText(t *testing.T, path string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext is required in CI to read the PDF: apt-get install -y poppler-utils (.ci/run does)")
		}
		t.Skip("pdftotext not installed (poppler-utils)")
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext %s: %v: %s", path, err, out)
	}
	return string(out)
}

// TestDivisionHeadReportInChromium is the division head's month: the
// province's head (kepala.jateng, viewer) signs in on the sandbox as of
// 1 December 2026, lands on November's report, downloads the PDF and the
// Excel workbook, and reads the report on a phone. Screenshots (1280 and
// 375 px), the PDF and the printed page go to the artifacts folder.
func TestDivisionHeadReportInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	st := newStack(t, ctx)
	if _, err := st.orgs.SetLetterhead(ctx, st.prov.ID, org.Letterhead{Address: "Jl. Veteran No. 1A, Semarang 50231",
		Contact: "Telp. (024) 8311195 · humas@jateng.kpu.go.id", City: "Semarang", HeadTitle: "Ketua KPU Provinsi Jawa Tengah",
		HeadName: "Dra. Siti Rahmawati, M.Si.", HeadID: "197001011995032001"}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := st.orgs.SetLogo(ctx, st.prov.ID, emblem(t), 0); err != nil {
		t.Fatal(err)
	}
	art := artifactsDir(t)
	downloads := t.TempDir()

	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		// Thumbnails live on Meta's CDN: no network here, so fail them at once.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000))
	defer cancelAlloc()
	bctx, cancelB := chromedp.NewContext(alloc)
	defer cancelB()
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(bctx, 45*time.Second)
		defer cancel()
		for i, s := range steps {
			if err := chromedp.Do(sctx, s); err != nil {
				t.Fatalf("%s, step %d: %v", what, i, err)
			}
		}
	}
	text := (&browserRun{t: t, ctx: bctx}).text
	poll := (&browserRun{t: t, ctx: bctx}).poll
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return s
	}
	width := func(w int64) {
		t.Helper()
		if _, err := chromedp.Call(bctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: w, Height: 900, DeviceScaleFactor: 1, Mobile: w < 600}); err != nil {
			t.Fatal(err)
		}
	}
	shot := func(name string) {
		t.Helper()
		b, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(art, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	noOverflow := func(what string, w int64) {
		t.Helper()
		sw, err := chromedp.Run(bctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
		iw, err2 := chromedp.Run(bctx, chromedp.Evaluate[int64](`window.innerWidth`))
		if err != nil || err2 != nil || sw > iw || iw != w {
			t.Errorf("%s at %d px: scrollWidth %d, innerWidth %d (%v %v): it scrolls sideways", what, w, sw, iw, err, err2)
		}
	}

	// 1. The division head signs in and lands on the report of the last
	// full month: November 2026.
	do("sign in", append(signinSteps(st.web.URL, st.names[st.headTok], fixedPassword), chromedp.WaitVisible(chromedp.CSS("#doc-period")))...)
	if loc, _ := chromedp.Run(bctx, chromedp.Location()); !strings.HasSuffix(loc, "/report") {
		t.Errorf("the division head landed on %s, want the report", loc)
	}
	if p := text("#doc-period"); !strings.Contains(p, "November 2026") {
		t.Fatalf("default period %q, want November 2026", p)
	}
	// Choosing October in the picker shows October at once (no radio
	// button to press), then November again.
	// (SetValue fires the input's change event, as choosing does.)
	do("choose a month", chromedp.SetValue(chromedp.CSS("#month"), "2026-10"))
	for deadline := time.Now().Add(15 * time.Second); !strings.Contains(poll("#doc-period"), "Oktober 2026") && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	if p := text("#doc-period"); !strings.Contains(p, "Oktober 2026") {
		t.Errorf("after choosing October the page shows %q", p)
	}
	do("choose a quarter", chromedp.SetValue(chromedp.CSS("#quarter"), "2026-Q3"))
	for deadline := time.Now().Add(15 * time.Second); !strings.Contains(poll("#doc-period"), "Triwulan III 2026") && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	if p := text("#doc-period"); !strings.Contains(p, "Triwulan III 2026") {
		t.Errorf("after choosing Q3 the page shows %q", p)
	}
	// The quarter's data start on 2 September: the report says so.
	if n := text("#notices"); !strings.Contains(n, "baru tersedia sejak 2 Sep 2026") {
		t.Errorf("Q3 notice %q", n)
	}
	shot("report-quarter-1280.png")

	// 2. November's report at desktop width.
	width(1280)
	do("november", chromedp.Navigate(st.web.URL+"/report?month=2026-11"), chromedp.WaitVisible(chromedp.CSS("#chart-type")))
	page := text("main")
	for _, want := range []string{"KPU PROVINSI JAWA TENGAH", "Jl. Veteran No. 1A, Semarang 50231", "Laporan Kinerja Media Sosial",
		"November 2026", "Ringkasan", "Temuan", "unggahan", "Kampanye", "Tagar", "Pertumbuhan pengikut per kanal",
		"Rekap per unit (termasuk sub-unit)", "KPU Kota Salatiga", "Unggahan terbaik", "Unggahan terlemah", "Definisi yang dipakai"} {
		if !strings.Contains(strings.ToUpper(page), strings.ToUpper(want)) {
			t.Errorf("report lacks %q", want)
		}
	}
	if n := eval(`String(document.querySelectorAll("ol.findings li").length)`); n < "3" || n > "5" {
		t.Errorf("%s findings, want 3 to 5", n)
	}
	// The province's roll-up row counts the city's posts too: it equals
	// the posts card.
	posts := text("#card-posts .card-value")
	provRow := eval(`document.querySelector("#sec-rollup tbody tr td:nth-child(2)").textContent`)
	if posts == "" || provRow != posts {
		t.Errorf("roll-up: the province row has %q posts, the report %q", provRow, posts)
	}
	if n := eval(`String(document.querySelectorAll("#sec-top td.thumbcell").length)`); n != "5" {
		t.Errorf("top posts with a thumbnail cell: %s", n)
	}
	if logo := eval(`String(document.querySelector(".kop img.logo").naturalWidth)`); logo != "160" {
		t.Errorf("letterhead logo width %s", logo)
	}
	noOverflow("report", 1280)
	shot("report-1280.png")

	// 3. Download the PDF and the Excel workbook as the browser does.
	if _, err := chromedp.CallBrowser(bctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: new(true)}); err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 4)
	_ = chromedp.ListenBrowser(bctx, func(ev any) {
		if e, ok := ev.(*cdpbrowser.EventDownloadProgress); ok && e.State == cdpbrowser.DownloadProgressStateCompleted {
			done <- e.GUID
		}
	})
	download := func(sel string) []byte {
		t.Helper()
		do("download "+sel, chromedp.Click(chromedp.CSS(sel)))
		select {
		case guid := <-done:
			b, err := os.ReadFile(filepath.Join(downloads, guid))
			if err != nil {
				t.Fatal(err)
			}
			return b
		case <-time.After(60 * time.Second):
			t.Fatalf("%s: no download within a minute", sel)
		}
		return nil
	}
	pdf := download("#dl-pdf")
	pdfPath := filepath.Join(art, "report-2026-11.pdf")
	if err := os.WriteFile(pdfPath, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	pdfText := pdfToText(t, pdfPath)
	pages := strings.Count(pdfText, "\f")
	if pages < 2 {
		t.Fatalf("the PDF has %d pages:\n%s", pages, pdfText)
	}
	for _, want := range []string{"KPU PROVINSI JAWA TENGAH", "Jl. Veteran No. 1A, Semarang 50231", "LAPORAN KINERJA MEDIA SOSIAL",
		"Periode: November 2026", "Mengetahui,", "Dra. Siti Rahmawati, M.Si.", "Rekap per unit"} {
		if !strings.Contains(pdfText, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	for i := 1; i <= pages; i++ {
		if want := fmt.Sprintf("Halaman %d dari %d", i, pages); !strings.Contains(pdfText, want) {
			t.Errorf("PDF lacks the page number %q", want)
		}
	}
	if regexp.MustCompile(`https?://`).MatchString(pdfText) {
		t.Error("the PDF prints a raw link")
	}
	xlsx := download("#dl-xlsx")
	if err := os.WriteFile(filepath.Join(art, "report-2026-11.xlsx"), xlsx, 0o644); err != nil {
		t.Fatal(err)
	}
	wb, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatalf("the Excel download does not open: %v", err)
	}
	want := "Ringkasan|Temuan|Jenis konten|Platform|Kampanye|Tagar|Pengikut|Rekap unit|Unggahan terbaik|Unggahan terlemah|Waktu terbaik|Tanggapan|PPID|Ketepatan waktu|Tanpa unggahan|Definisi"
	if got := strings.Join(wb.GetSheetList(), "|"); got != want {
		t.Errorf("sheets %s, want %s", got, want)
	}
	// ER per content type: a number (a fraction) with a percentage format.
	head, _ := wb.GetCellValue("Jenis konten", "E1")
	raw, _ := wb.GetCellValue("Jenis konten", "E2", excelize.Options{RawCellValue: true})
	shown, _ := wb.GetCellValue("Jenis konten", "E2")
	sid, _ := wb.GetCellStyle("Jenis konten", "E2")
	style, _ := wb.GetStyle(sid)
	er, perr := strconv.ParseFloat(raw, 64)
	if head != "ER (jangkauan)" || perr != nil || er <= 0 || er >= 1 || style.CustomNumFmt == nil || *style.CustomNumFmt != "0.00%" ||
		!strings.HasSuffix(shown, "%") {
		t.Errorf("ER cell: head %q raw %q shown %q format %v", head, raw, shown, style.CustomNumFmt)
	}

	// 4. On a phone: nothing wider than the screen, the menu collapsed.
	width(375)
	do("phone", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#chart-type")))
	noOverflow("report", 375)
	if d := eval(`getComputedStyle(document.getElementById("main-nav")).display`); d != "none" {
		t.Errorf("the menu is not collapsed on a phone: display %s", d)
	}
	shot("report-375.png")
	do("menu", chromedp.Click(chromedp.CSS("label.nav-button")))
	if d := eval(`getComputedStyle(document.getElementById("main-nav")).display`); d == "none" {
		t.Error("the menu button does not open the menu")
	}
	do("calendar", chromedp.Navigate(st.web.URL+"/calendar?view=month&date=2026-11-15"), chromedp.WaitVisible(chromedp.CSS("li.ext")))
	noOverflow("calendar", 375)
	shot("calendar-month-375.png")
	width(1280)
	do("calendar desktop", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("li.ext")))
	noOverflow("calendar", 1280)
	if n := eval(`String(document.querySelectorAll("li.ext a.ext-link[href^='https://www.facebook.com/'], li.ext a.ext-link[href^='https://www.instagram.com/']").length)`); n < "100" {
		t.Errorf("%s posts outside humas linked to the live post", n)
	}
	shot("calendar-month-1280.png")

	// 5. On paper: the print view, as a PDF from Chromium.
	do("back to the report", chromedp.Navigate(st.web.URL+"/report?month=2026-11"), chromedp.WaitVisible(chromedp.CSS("#chart-type")))
	if _, err := chromedp.Call(bctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	for sel, want := range map[string]string{"header.top": "none", "form.period": "none", ".downloads": "none", ".signature": "grid"} {
		if d := eval(`getComputedStyle(document.querySelector("` + sel + `")).display`); d != want {
			t.Errorf("print: %s display %q, want %q", sel, d, want)
		}
	}
	printed, err := chromedp.Run(bctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	if err != nil {
		t.Fatal(err)
	}
	printPath := filepath.Join(art, "report-print.pdf")
	if err := os.WriteFile(printPath, printed, 0o644); err != nil {
		t.Fatal(err)
	}
	printText := pdfToText(t, printPath)
	for _, want := range []string{"KPU PROVINSI JAWA TENGAH", "Halaman 1 dari", "Mengetahui,"} {
		if !strings.Contains(printText, want) {
			t.Errorf("the printed page lacks %q", want)
		}
	}
	if regexp.MustCompile(`https?://`).MatchString(printText) {
		t.Error("the printed page prints a raw link")
	}
	t.Logf("artifacts in %s: report-1280.png, report-375.png, report-quarter-1280.png, calendar-month-{1280,375}.png, "+
		"report-2026-11.pdf (%d pages), report-2026-11.xlsx, report-print.pdf", art, pages)
}
