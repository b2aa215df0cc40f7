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
	"github.com/humas-id/humas/collector"
	"github.com/humas-id/humas/inbox"
	"github.com/humas-id/humas/ppid"
)

// TestInboxPPIDInChromium: a citizen asks a question in a comment on the
// city's Page; the collector brings it into the inbox; the editor turns
// it into an information request; the PPID officer answers it with a
// public reply, which the city's approver approves (the unit requires
// approval) and humas publishes once; the division head's monthly report
// shows it answered on time. Screenshots at 1280 and 375 px.
func TestInboxPPIDInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	st := newStack(t, ctx)
	art := artifactsDir(t)

	// The sandbox's demo history brought comments into the inbox.
	all, total, err := st.inbox.List(ctx, adminPrincipal(), inbox.Filter{Limit: 1})
	if err != nil || total == 0 || len(all) == 0 {
		t.Fatalf("the demo history has no comments in the inbox: %d %v", total, err)
	}
	t.Logf("demo history: %d comments in the inbox", total)

	// A citizen asks on the newest post of the city's Page (Tuesday 1 Dec, 10.05 WIB).
	posts := st.sim.Published(st.cityFB.ExternalID)
	const question = "Kapan batas akhir pengajuan pindah memilih untuk pilkada ulang?"
	cid, err := st.sim.AddComment(posts[len(posts)-1].ID, "Warga Sidorejo", question)
	if err != nil {
		t.Fatal(err)
	}
	st.clock.Advance(5 * time.Minute)
	if _, err := st.coll.Run(ctx, collector.RunOptions{ChannelID: st.cityFB.ID, Since: st.clock.Now().AddDate(0, 0, -3), RequestedBy: "e2e"}); err != nil {
		t.Fatal(err)
	}

	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000))
	defer cancelAlloc()
	bctx, cancelB := chromedp.NewContext(alloc)
	defer cancelB()
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	br := &browserRun{t: t, ctx: bctx}
	do, text := br.do, br.text
	width := func(w int64) {
		t.Helper()
		if _, err := chromedp.Call(bctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: w, Height: 900, DeviceScaleFactor: 1, Mobile: w < 600}); err != nil {
			t.Fatal(err)
		}
	}
	// shots takes the page at 1280 and 375 px and checks that nothing
	// scrolls sideways on a phone.
	shots := func(name string) {
		t.Helper()
		for _, w := range []int64{1280, 375} {
			width(w)
			if w == 375 {
				sw, err := chromedp.Run(bctx, chromedp.Evaluate[string](`String(document.documentElement.scrollWidth)`))
				if err != nil || sw != "375" {
					t.Errorf("%s at 375 px is %s px wide (%v)", name, sw, err)
				}
			}
			b, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot %s: %v", name, err)
			}
			if err := os.WriteFile(filepath.Join(art, name+"-"+strconv.FormatInt(w, 10)+".png"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		width(1280)
	}
	signin := func(token string) {
		t.Helper()
		do("sign in", append(signinSteps(st.web.URL, st.names[token], fixedPassword), chromedp.WaitVisible(chromedp.CSS("header.top .who")))...)
	}
	signout := func() {
		t.Helper()
		do("sign out", chromedp.Click(chromedp.CSS("form[action='/signout'] button")), chromedp.WaitVisible(chromedp.CSS("#password")))
	}

	// 1. The editor finds the question among the new questions.
	signin(st.editorTok)
	do("inbox", chromedp.Navigate(st.web.URL+"/inbox?question=1"), chromedp.WaitVisible(chromedp.CSS("article.comment")))
	list, _, err := st.inbox.List(ctx, adminPrincipal(), inbox.Filter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var commentID int64
	for _, c := range list {
		if c.ExternalID == cid {
			commentID = c.ID
		}
	}
	if commentID == 0 {
		t.Fatal("the question did not reach the inbox")
	}
	card := "#c-" + strconv.FormatInt(commentID, 10)
	if got := text(card); !strings.Contains(got, question) || !strings.Contains(got, "Pertanyaan") || !strings.Contains(got, "Warga Sidorejo") {
		t.Fatalf("the question's card: %q", got)
	}
	shots("inbox")
	do("make a request",
		chromedp.SetValue(chromedp.CSS(card+" select[name=category]"), "setiap_saat"),
		chromedp.Click(chromedp.CSS(card+" form[action$='/ppid'] button")),
		chromedp.WaitVisible(chromedp.CSS("p.flash")))
	if got := br.flash("Permohonan informasi dicatat"); !strings.Contains(got, "Permohonan informasi dicatat") {
		t.Fatalf("after making the request: %q", got)
	}
	reqs, err := st.ppid.List(ctx, adminPrincipal(), ppid.Filter{})
	if err != nil || len(reqs) != 1 {
		t.Fatalf("requests %+v %v", reqs, err)
	}
	r := reqs[0]
	// Received Tuesday 1 Dec 10.05 WIB: due at the end of the 10th working day after, Tuesday 15 Dec.
	if due := r.DueAt.In(st.city.Location()).Format("2006-01-02"); due != "2026-12-15" || r.DaysLeft != 10 {
		t.Errorf("due %s with %d working days left, want 2026-12-15 and 10", due, r.DaysLeft)
	}
	signout()

	// 2. The PPID officer answers it with a public reply.
	signin(st.ppidTok)
	rcard := "#r-" + strconv.FormatInt(r.ID, 10)
	do("ppid page", chromedp.Navigate(st.web.URL+"/ppid"), chromedp.WaitVisible(chromedp.CSS(rcard)))
	if got := text(rcard); !strings.Contains(got, "Sisa 10 hari kerja") || !strings.Contains(got, question) {
		t.Errorf("the request's card: %q", got)
	}
	shots("ppid")
	const answer = "Batas akhir pengajuan pindah memilih adalah 30 hari sebelum pemungutan suara; informasi lengkap di laman PPID KPU Kota Salatiga."
	do("answer", chromedp.SendKeys(chromedp.CSS(rcard+" form[action$='/reply'] textarea"), answer),
		chromedp.Click(chromedp.CSS(rcard+" form[action$='/reply'] button")), chromedp.WaitVisible(chromedp.CSS("p.flash")))
	if got := text(rcard); !strings.Contains(got, "Menunggu persetujuan") {
		t.Errorf("the answer should wait for approval: %q", got)
	}
	signout()

	// 3. The approver approves the reply; humas publishes it once.
	st.clock.Advance(2 * time.Hour)
	signin(st.approverTok)
	do("inbox, all", chromedp.Navigate(st.web.URL+"/inbox?status=all&question=1"), chromedp.WaitVisible(chromedp.CSS(card)))
	do("approve the reply", chromedp.Click(chromedp.CSS(card+" form[action^='/inbox-replies/'] button")), chromedp.WaitVisible(chromedp.CSS("p.flash")))
	if got := br.flash("Balasan terkirim"); !strings.Contains(got, "Balasan terkirim") {
		t.Fatalf("after approving: %q", got)
	}
	if got := st.sim.PageReplies(cid); len(got) != 1 || got[0] != answer {
		t.Fatalf("the Page's replies under the question: %q", got)
	}
	if got := text(card); !strings.Contains(got, "Terkirim") || !strings.Contains(got, "Dijawab") {
		t.Errorf("the answered card: %q", got)
	}
	signout()

	// 4. The division head's report for December: one request, answered on time.
	signin(st.headTok)
	do("report", chromedp.Navigate(st.web.URL+"/report?month=2026-12"), chromedp.WaitVisible(chromedp.CSS("#sec-ppid")))
	got := text("#sec-ppid")
	if !strings.Contains(got, "Desember 2026") {
		t.Fatalf("the PPID section: %q", got)
	}
	cells, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#sec-ppid tbody tr:first-child td")).map(td => td.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	// Month, received, on time, late, refused, open, average working days.
	if len(cells) < 6 || cells[1] != "1" || cells[2] != "1" || cells[3] != "0" || cells[4] != "0" {
		t.Fatalf("the PPID row: %q", cells)
	}
	if resp := text("#sec-responses"); !strings.Contains(resp, "KPU Kota Salatiga") {
		t.Errorf("the responses section: %q", resp)
	}
	do("to the section", chromedp.ScrollIntoView(chromedp.CSS("#sec-ppid")))
	shots("report-ppid")
	signout()

	// 5. The editor imports the election-stage schedule (.ics) into the
	// city's agenda; the calendar shows its events beside the posts.
	signin(st.editorTok)
	ics, err := filepath.Abs(filepath.Join("..", "agenda", "testdata", "tahapan.ics"))
	if err != nil {
		t.Fatal(err)
	}
	do("import", chromedp.Navigate(st.web.URL+"/agenda"), chromedp.WaitVisible(chromedp.CSS("#ics")),
		chromedp.SetUploadFiles(chromedp.CSS("#ics"), []string{ics}),
		chromedp.Click(chromedp.CSS("form[action='/agenda/import'] button")), chromedp.WaitVisible(chromedp.CSS("p.flash")))
	if got := br.flash("5 kegiatan diimpor"); !strings.Contains(got, "5 kegiatan diimpor") {
		t.Fatalf("after the import: %q", got)
	}
	if got := text("table.agenda"); !strings.Contains(got, "Rapat pleno terbuka rekapitulasi") || !strings.Contains(got, "Rapat pleno") {
		t.Errorf("the agenda: %q", got)
	}
	shots("agenda")
	do("calendar", chromedp.Navigate(st.web.URL+"/calendar?view=month&date=2026-11-20"), chromedp.WaitVisible(chromedp.CSS(".cal li.event")))
	if got := text(".cal"); !strings.Contains(got, "Pemutakhiran data pemilih") || !strings.Contains(got, "Hari Guru Nasional") {
		t.Errorf("the calendar's events: %q", got)
	}
	shots("calendar-events")
	// Composing suggests an upcoming event without a post.
	if _, err := st.agenda.Create(ctx, adminPrincipal(), agenda.Input{UnitID: st.city.ID, Title: "Sosialisasi di Car Free Day", Type: "campaign",
		Start: st.clock.Now().Add(72 * time.Hour), AllDay: true}); err != nil {
		t.Fatal(err)
	}
	do("compose", chromedp.Navigate(st.web.URL+"/posts/new"), chromedp.WaitVisible(chromedp.CSS("section.suggest")))
	if got := text("section.suggest"); !strings.Contains(got, "Sosialisasi di Car Free Day") {
		t.Errorf("suggestions: %q", got)
	}
	signout()

	// 6. November's report measures the posts against the agenda.
	signin(st.headTok)
	do("report", chromedp.Navigate(st.web.URL+"/report?month=2026-11"), chromedp.WaitVisible(chromedp.CSS("#sec-timeliness")))
	rows, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#sec-timeliness tbody tr")).map(tr => tr.textContent.replace(/\s+/g, " ").trim())`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatalf("no timeliness figures on the demo data: %q", text("#sec-timeliness"))
	}
	t.Logf("timeliness: %q; events without a post: %q", rows, text("#sec-events-without-post"))
	do("to the section", chromedp.ScrollIntoView(chromedp.CSS("#sec-timeliness")))
	shots("report-timeliness")
}

// adminPrincipal reads every unit's inbox and requests (test checks).
func adminPrincipal() auth.Principal { return auth.Principal{Name: "e2e-admin", Role: auth.RoleAdmin} }
