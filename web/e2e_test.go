package web

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/agenda"
	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/collector"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/inbox"
	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/ppid"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store/storetest"
)

// artifactsDir is where the e2e test saves screenshots and the printed
// report (git-ignored; the README names it). HUMAS_ARTIFACTS overrides it.
func artifactsDir(t *testing.T) string {
	dir := os.Getenv("HUMAS_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "artifacts", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifacts folder %s: %v", dir, err)
	}
	return dir
}

// chromiumPath finds Debian's chromium. Without it the test skips on a
// developer's machine and fails in CI, which must run it.
func chromiumPath(t *testing.T) string {
	for _, p := range []string{os.Getenv("HUMAS_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is required in CI for the end-to-end test: apt-get install -y chromium (.ci/run does)")
	}
	t.Skip("chromium not installed (apt-get install -y chromium); skipping the browser test outside CI")
	return ""
}

// offsetClock is real time plus a shift the test moves forward, shared by
// the simulator, scheduler, publisher and collector, so "later" needs no
// waiting.
type offsetClock struct{ off atomic.Int64 }

func (c *offsetClock) Now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *offsetClock) Advance(d time.Duration) { c.off.Add(int64(d)) }

func testJPEG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 320, 200))
	for y := 0; y < 200; y++ {
		for x := 0; x < 320; x++ {
			img.Set(x, y, color.RGBA{R: uint8(180 + x/8), G: uint8(40 + y/2), B: 60, A: 255})
		}
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, &jpeg.Options{Quality: 80})
	return b.Bytes()
}

// stack is the whole of humas behind the pages: SQLite, ClickHouse, the
// scheduler's publishing loop and the collector against the Graph API
// simulator with the sandbox's demo accounts and 90 days of history,
// collected through the normal collector path.
type stack struct {
	clock                           *offsetClock
	sim                             *graphsim.Sim
	coll                            *collector.Collector
	orgs                            *org.Store
	prov                            org.Unit
	city                            org.Unit
	cityFB                          org.Channel
	editorTok, approverTok, headTok string
	// names: the user each token belongs to (all sign in with fixedPassword).
	names  map[string]string
	web    *httptest.Server
	an     *analytics.Service
	lib    *media.Library
	sched  *scheduler.Service
	cityIG org.Channel
	// The comments inbox, the PPID's requests and a PPID officer of the city.
	inbox   *inbox.Service
	ppid    *ppid.Service
	ppidTok string
	agenda  *agenda.Service
}

func newStack(t *testing.T, ctx context.Context) *stack {
	t.Helper()
	ch := storetest.ClickHouse(t)
	db := storetest.SQLite(t)
	gin.SetMode(gin.TestMode)
	quiet := slog.New(slog.DiscardHandler)
	// The sandbox as on 1 December 2026, 10.00 WIB: its 90 days of history
	// cover September to November, so "November 2026" is the last full
	// month, whenever the test runs.
	clock := &offsetClock{}
	clock.Advance(time.Until(time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)))

	// The simulator with the sandbox's demo accounts and history.
	// Instagram containers fetch humas's public media links, as Meta does.
	sim := graphsim.New(graphsim.Options{Clock: clock.Now, Seed: 20261127, AppID: "100000000000001", AppSecret: "e2e-secret", FetchMedia: true})
	simSrv := httptest.NewServer(sim)
	t.Cleanup(simSrv.Close)
	accts, err := sim.SetupDemo(90)
	if err != nil {
		t.Fatal(err)
	}

	// Offices, channels and people as in sandbox mode.
	key := bytes.Repeat([]byte{7}, 32)
	orgs := org.NewStore(db, key)
	users := auth.NewStore(db)
	prov, err := orgs.CreateUnit(ctx, org.Unit{Name: "KPU Provinsi Jawa Tengah", Slug: "kpu-jateng", Level: "province", Timezone: "Asia/Jakarta", RequiresApproval: true})
	if err != nil {
		t.Fatal(err)
	}
	city, err := orgs.CreateUnit(ctx, org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-salatiga", Level: "city", ParentID: prov.ID, Timezone: "Asia/Jakarta", RequiresApproval: true})
	if err != nil {
		t.Fatal(err)
	}
	var cityFB, cityIG org.Channel
	for _, a := range accts {
		u := prov
		if strings.Contains(a.Unit, "Salatiga") {
			u = city
		}
		fb, err := orgs.CreateChannel(ctx, org.ChannelInput{UnitID: u.ID, Platform: org.Facebook, ExternalID: a.PageID, Name: a.PageName, AccessToken: a.PageToken})
		if err != nil {
			t.Fatal(err)
		}
		ig, err := orgs.CreateChannel(ctx, org.ChannelInput{UnitID: u.ID, Platform: org.Instagram, ExternalID: a.IGID, Name: "@" + a.IGUsername, AccessToken: a.PageToken})
		if err != nil {
			t.Fatal(err)
		}
		if u.ID == city.ID {
			cityFB, cityIG = fb, ig
		}
	}
	if err := orgs.MirrorToClickHouse(ctx, ch); err != nil {
		t.Fatal(err)
	}
	_, editorTok, err := users.CreateUser(ctx, "editor.salatiga", city.ID, auth.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	_, approverTok, err := users.CreateUser(ctx, "approver.salatiga", city.ID, auth.RoleApprover)
	if err != nil {
		t.Fatal(err)
	}
	_, headTok, err := users.CreateUser(ctx, "kepala.jateng", prov.ID, auth.RoleViewer)
	if err != nil {
		t.Fatal(err)
	}
	_, ppidTok, err := users.CreateUser(ctx, "ppid.salatiga", city.ID, auth.RolePPID)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{editorTok: "editor.salatiga", approverTok: "approver.salatiga", headTok: "kepala.jateng", ppidTok: "ppid.salatiga"}
	for _, n := range names {
		if err := users.SetPassword(ctx, n, fixedPassword); err != nil {
			t.Fatal(err)
		}
	}

	// The scheduler and its publishing loop, on the simulator.
	reg := prometheus.NewRegistry()
	graph, err := meta.New(meta.Options{BaseURL: simSrv.URL, AppID: "100000000000001", AppSecret: "e2e-secret", Logger: quiet, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	sched := scheduler.NewService(db, orgs, scheduler.ServiceOptions{Logger: quiet, Now: clock.Now})
	// The pages' server: its address is humas's public URL, which the
	// simulator fetches Instagram media from.
	eng := gin.New()
	web := httptest.NewUnstartedServer(eng)
	blobs, err := media.NewLocalBlobs(filepath.Join(t.TempDir(), "media"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	ff, _ := media.DetectFFmpeg(ctx)
	webAddr := web.Listener.Addr().String()
	lib, err := media.New(db, sched, media.Options{Blobs: blobs, TempDir: filepath.Join(t.TempDir(), "media-tmp"), PublicURL: "http://" + webAddr,
		URLKey: bytes.Repeat([]byte{5}, 32), FFmpeg: ff, Logger: quiet, Now: clock.Now,
		Fetch: media.FetchOptions{AllowAddrs: []string{webAddr}}}) // pasted URLs of the test's own server
	if err != nil {
		t.Fatal(err)
	}
	sched.UseMedia(lib)
	pub, err := scheduler.NewPublisher(sched, graph, reg, scheduler.PublisherOptions{Logger: quiet, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pub.Stop(context.Background()) })

	// The comments inbox and the PPID's requests, as serve wires them.
	ib := inbox.New(db, orgs, inbox.Options{Graph: graph, Logger: quiet, Now: clock.Now})
	holidays, err := ppid.DefaultHolidays()
	if err != nil {
		t.Fatal(err)
	}
	jakarta, _ := time.LoadLocation("Asia/Jakarta")
	requests := ppid.New(db, orgs, ib, ppid.Options{Calendar: ppid.NewCalendar(jakarta, holidays, 16*time.Hour), Logger: quiet, Now: clock.Now})

	// The collector reads the 90 days of history through the normal path
	// (and the comments of its last 14 days into the inbox).
	ccfg := config.Default().Collector
	ccfg.BufferPath = t.TempDir()
	ccfg.CarouselAs = "interactive" // as sandbox mode does: carousels are meant to be explored
	coll, err := collector.New(collector.Options{Config: ccfg, Graph: meta.Options{BaseURL: simSrv.URL, AppID: "100000000000001",
		AppSecret: "e2e-secret", Now: clock.Now}, Channels: orgs, ClickHouse: ch, SQLite: db, Registerer: reg, Logger: quiet, Now: clock.Now, Comments: ib})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	st, err := coll.Run(ctx, collector.RunOptions{Since: clock.Now().AddDate(0, 0, -91), RequestedBy: "e2e"})
	if err != nil {
		t.Fatalf("collect demo history: %v", err)
	}
	t.Logf("demo history collected: %d posts, %d rows, %d Graph calls in %s", st.Posts, st.RowsWritten, st.GraphCalls, time.Since(start).Round(time.Millisecond))
	if st.Posts < 500 {
		t.Fatalf("collected %d posts of 90 days of demo history, want ≥ 500", st.Posts)
	}

	an, err := analytics.New(ch, analytics.Options{CacheTTL: -1, Logger: quiet, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	// As serve does after the sandbox's demo collection: reports read the
	// rebuilt read model.
	if err := an.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	photo := testJPEG()
	eng.GET("/e2e/rapat.jpg", func(c *gin.Context) { c.Data(http.StatusOK, "image/jpeg", photo) })
	docs := NewReportBuilder(an, orgs)
	docs.Now = clock.Now
	docs.Service = ServiceFigures{Inbox: ib, PPID: requests, Org: orgs}
	events := agenda.New(db, orgs, jakarta, clock.Now)
	docs.Agenda = AgendaFigures{Agenda: events}
	if _, err := Mount(eng, Deps{SQL: db, Auth: users, Org: orgs, Posts: NewSchedulerPosts(sched, users), Scope: sched,
		Reports: docs, Platform: an, Usage: RegistryUsage{G: reg}, Logger: quiet, Now: clock.Now, Media: lib, Users: users,
		Inbox: ib, PPID: requests, Agenda: events}); err != nil {
		t.Fatal(err)
	}
	web.Start()
	t.Cleanup(web.Close)
	return &stack{clock: clock, sim: sim, coll: coll, orgs: orgs, prov: prov, city: city, cityFB: cityFB, cityIG: cityIG, editorTok: editorTok,
		approverTok: approverTok, headTok: headTok, names: names, web: web, an: an, lib: lib, sched: sched,
		inbox: ib, ppid: requests, ppidTok: ppidTok, agenda: events}
}

// TestEndToEndInChromium runs the pages in headless Chromium over the
// real stack: an editor schedules a post, an approver approves it, the
// publishing loop publishes it through the simulator, and a division head
// reads and prints the report. Screenshots go to the artifacts folder.
func TestEndToEndInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	st := newStack(t, ctx)
	clock, sim, coll, city, cityFB := st.clock, st.sim, st.coll, st.city, st.cityFB
	editorTok, approverTok, headTok, web := st.editorTok, st.approverTok, st.headTok, st.web
	art := artifactsDir(t)

	// Headless Chromium with the flags that work in CI containers.
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000))
	defer cancelAlloc()
	bctx, cancelB := chromedp.NewContext(alloc)
	defer cancelB()
	// The first action starts the browser on bctx's lifetime (not on the
	// per-step timeouts below).
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}

	br := &browserRun{t: t, ctx: bctx}
	do, text := br.do, br.text
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return s
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
	signin := func(token string) {
		t.Helper()
		do("sign in", append(signinSteps(web.URL, st.names[token], fixedPassword), chromedp.WaitVisible(chromedp.CSS("header.top .who")))...)
	}
	signout := func() {
		t.Helper()
		do("sign out", chromedp.Click(chromedp.CSS("form[action='/signout'] button")), chromedp.WaitVisible(chromedp.CSS("#password")))
	}

	// 1. The editor writes and submits a post, with live caption counts.
	signin(editorTok)
	if got := text("header.top .who"); !strings.Contains(got, "editor.salatiga") {
		t.Fatalf("signed in as %q", got)
	}
	loc := city.Location()
	at := clock.Now().In(loc).Add(3 * time.Minute).Truncate(time.Minute)
	caption := "Rapat pleno terbuka rekapitulasi hari ini. #Pemilu2029 #KPUSalatiga @kpu_ri"
	do("compose",
		chromedp.Navigate(web.URL+"/posts/new"),
		chromedp.WaitVisible(chromedp.CSS("#caption")),
		chromedp.Click(chromedp.CSS("#ch-"+strconv.FormatInt(cityFB.ID, 10))),
		chromedp.SetValue(chromedp.CSS("#content_type"), "photo"),
		chromedp.SendKeys(chromedp.CSS("#caption"), caption),
		chromedp.SetValue(chromedp.CSS("#media"), web.URL+"/e2e/rapat.jpg"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("media").dispatchEvent(new Event("change", {bubbles: true}))`),
		chromedp.SetValue(chromedp.CSS("#date"), at.Format("2006-01-02")),
		chromedp.SetValue(chromedp.CSS("#time"), at.Format("15:04")),
		chromedp.WaitVisible(chromedp.CSS("#media-preview img")),
	)
	counts := text("#caption-counts")
	if want := fmt.Sprintf("%d karakter · 2 tagar · 1 sebutan", len([]rune(caption))); counts != want {
		t.Errorf("live counts = %q, want %q", counts, want)
	}
	shot("compose.png")
	do("submit", chromedp.Click(chromedp.CSS("button[name=submit][value='1']")), chromedp.WaitVisible(chromedp.CSS("p.flash")))
	if got := br.flash("diajukan untuk persetujuan"); !strings.Contains(got, "diajukan untuk persetujuan") {
		t.Fatalf("after submit: %q", got)
	}
	postURL, err := chromedp.Run(bctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	postPath := strings.TrimPrefix(strings.Split(postURL, "?")[0], web.URL)
	postID := strings.TrimPrefix(postPath, "/posts/")
	signout()

	// 2. The approver approves it from the queue.
	signin(approverTok)
	do("queue", chromedp.Navigate(web.URL+"/approvals"), chromedp.WaitVisible(chromedp.CSS("#post-"+postID)))
	if got := text("#post-" + postID); !strings.Contains(got, "Rapat pleno terbuka") || !strings.Contains(got, "Terbuka") {
		t.Fatalf("queue entry: %q", got)
	}
	do("approve", chromedp.Click(chromedp.CSS("form[action='/approvals/"+postID+"/approve'] button")), chromedp.WaitVisible(chromedp.CSS("p.flash")))
	if got := br.flash("disetujui"); !strings.Contains(got, "disetujui") {
		t.Fatalf("after approve: %q", got)
	}

	// 3. Time passes: the publishing loop publishes it through the simulator.
	clock.Advance(5 * time.Minute)
	var state string
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); {
		do("post page", chromedp.Navigate(web.URL+postPath), chromedp.WaitVisible(chromedp.CSS("dl.summary .st")))
		if state = text("dl.summary .st"); state == "Terbit" || state == "Gagal" {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if state != "Terbit" {
		t.Fatalf("post %s state %q after the publishing loop ran, want Terbit (published)", postID, state)
	}
	if n := sim.CountText(cityFB.ExternalID, caption); n != 1 {
		t.Fatalf("the simulator holds the caption %d times, want exactly once", n)
	}
	// The calendar shows it published in its week.
	do("calendar", chromedp.Navigate(web.URL+"/calendar?view=week&date="+at.Format("2006-01-02")), chromedp.WaitVisible(chromedp.CSS(".cal li.st-published")))
	shot("calendar.png")
	do("month", chromedp.Navigate(web.URL+"/calendar?view=month&date="+at.Format("2006-01-02")), chromedp.WaitVisible(chromedp.CSS(".cal li.st-published")))
	shot("calendar-month.png")
	signout()

	// 4. A day later the collector has its figures too.
	clock.Advance(24 * time.Hour)
	if _, err := coll.Run(ctx, collector.RunOptions{Since: clock.Now().AddDate(0, 0, -3), RequestedBy: "e2e"}); err != nil {
		t.Fatal(err)
	}
	if err := st.an.Refresh(ctx); err != nil {
		t.Fatal(err)
	}

	// 5. The division head reads the report.
	signin(headTok)
	do("report", chromedp.Navigate(web.URL+"/report"), chromedp.WaitVisible(chromedp.CSS("#chart-type")))
	for sel, min := range map[string]int{
		"#chart-type rect.bar.cur":     4, // photo, video, interactive, text/link (+legend)
		"#chart-type rect.bar.prev":    4,
		"#chart-platform rect.bar.cur": 3, // facebook, instagram (+legend)
		"#chart-besttime text.count":   10,
	} {
		n := eval(`String(document.querySelectorAll("` + sel + `").length)`)
		if c, _ := strconv.Atoi(n); c < min {
			t.Errorf("%s: %s elements, want ≥ %d", sel, n, min)
		}
	}
	for _, sel := range []string{"#chart-type-t", "#chart-type-d", "#chart-besttime-d"} {
		if s := eval(`document.querySelector("` + sel + `").textContent`); strings.TrimSpace(s) == "" {
			t.Errorf("%s is empty: the chart has no accessible text", sel)
		}
	}
	page := text("main")
	for _, want := range []string{"ER menurut jenis konten", "Foto", "Video", "Interaktif", "Unggahan terbaik", "Unggahan terlemah",
		"Rekap per unit", "KPU Kota Salatiga", "KPU Provinsi Jawa Tengah", "Definisi yang dipakai", "Waktu terbaik untuk mengunggah"} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if def := text("#definition"); len(def) < 40 {
		t.Errorf("definition %q", def)
	}
	if n := eval(`String(document.querySelectorAll("a.permalink").length)`); n == "0" {
		t.Error("top/bottom posts have no links")
	}
	shot("report.png")

	// The published post's page shows its figures over age: the collection
	// a day later gave its 24-hour figures.
	do("post ages", chromedp.Navigate(web.URL+postPath), chromedp.WaitVisible(chromedp.CSS("svg.chart.ages")))
	if got := text("#h-ages"); got != "Angka menurut umur unggahan" {
		t.Errorf("post page ages heading %q", got)
	}
	if d := eval(`document.querySelector("svg.chart.ages desc").textContent`); !strings.Contains(d, "24 jam: ") || strings.Contains(d, "24 jam: belum") {
		t.Errorf("the post's 24-hour figures are missing: %q", d)
	}
	shot("post-ages-1280.png")
	if _, err := chromedp.Call(bctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 375, Height: 900, DeviceScaleFactor: 1, Mobile: true}); err != nil {
		t.Fatal(err)
	}
	do("post ages phone", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("svg.chart.ages")))
	if sw := eval(`String(document.documentElement.scrollWidth)`); sw != "375" {
		t.Errorf("the post page at 375 px is %s px wide", sw)
	}
	shot("post-ages-375.png")
	if _, err := chromedp.Call(bctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	do("report again", chromedp.Navigate(web.URL+"/report"), chromedp.WaitVisible(chromedp.CSS("#chart-type")))

	// 6. On paper: no navigation or forms, A4.
	if _, err := chromedp.Call(bctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	for _, sel := range []string{"header.top", "form.period"} {
		if d := eval(`getComputedStyle(document.querySelector("` + sel + `")).display`); d != "none" {
			t.Errorf("print: %s display %q, want none", sel, d)
		}
	}
	if d := eval(`getComputedStyle(document.querySelector("#chart-type")).display`); d == "none" {
		t.Error("print: the charts are hidden")
	}
	shot("report-print.png")
	pdf, err := chromedp.Run(bctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	if err != nil {
		t.Fatal(err)
	}
	// A4 is 595 × 842 points.
	m := regexp.MustCompile(`/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]`).FindSubmatch(pdf)
	if !bytes.HasPrefix(pdf, []byte("%PDF")) || m == nil {
		t.Fatalf("printed report is not a PDF with pages (%d bytes)", len(pdf))
	}
	w, _ := strconv.ParseFloat(string(m[1]), 64)
	h, _ := strconv.ParseFloat(string(m[2]), 64)
	if math.Abs(w-595) > 2 || math.Abs(h-842) > 2 {
		t.Errorf("printed page is %.1f × %.1f pt, want A4 (595 × 842)", w, h)
	}
	t.Logf("printed report: %d A4 pages", bytes.Count(pdf, []byte("/Type /Page\n"))+bytes.Count(pdf, []byte("/Type /Page ")))
	if err := os.WriteFile(filepath.Join(art, "report.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots and report.pdf saved in %s", art)
}
