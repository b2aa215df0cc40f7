package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/connect"
	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/notify"
	"github.com/humas-id/humas/notify/mail"
	"github.com/humas-id/humas/notify/mail/mailtest"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store/storetest"
)

// adoption is a new installation's whole stack: a fresh state database,
// the simulator with the office's Page, its Instagram account and the
// person who manages them, a real SMTP server, notifications with their
// email sender running, the scheduler with its publishing loop, channel
// connection, and the pages.
type adoption struct {
	web   *httptest.Server
	sim   *graphsim.Sim
	smtp  *mailtest.Server
	clock *offsetClock
	auth  *auth.Store
	org   *org.Store
	sched *scheduler.Service
	notes *notify.Service
}

const (
	adoptPage = "104857600000001"
	adoptIG   = "17841400000000001"
)

func newAdoption(t *testing.T, ctx context.Context) *adoption {
	t.Helper()
	gin.SetMode(gin.TestMode)
	quiet := slog.New(slog.DiscardHandler)
	a := &adoption{clock: &offsetClock{}}
	db := storetest.SQLite(t)
	key := bytes.Repeat([]byte{4}, 32)
	a.org = org.NewStore(db, key)
	a.auth = auth.NewStore(db).WithKey(key).WithPasswordParams(cheapHash)

	eng := gin.New()
	a.web = httptest.NewUnstartedServer(eng)
	base := "http://" + a.web.Listener.Addr().String()
	callback := base + "/admin/channels/facebook/callback"

	// Meta, simulated: the Page of KPU Kota Salatiga with its Instagram
	// account, managed by Rina, whose login continues in the dialog.
	a.sim = graphsim.New(graphsim.Options{Clock: a.clock.Now, Seed: 15, AppID: "100000000000001", AppSecret: "adoption-secret"})
	for _, err := range []error{
		a.sim.AddPage(adoptPage, "KPU Kota Salatiga", "token-nobody-pastes"),
		a.sim.AddIGAccount(adoptIG, "kpukotasalatiga", adoptPage),
		a.sim.AddUser("1000000000000001", "Rina Humas"),
		a.sim.AddPageRole("1000000000000001", adoptPage),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	a.sim.AllowRedirectURI(callback)
	simSrv := httptest.NewServer(a.sim)
	t.Cleanup(simSrv.Close)
	graph, err := meta.New(meta.Options{BaseURL: simSrv.URL, DialogURL: simSrv.URL, AppID: "100000000000001", AppSecret: "adoption-secret",
		Logger: quiet, Now: a.clock.Now})
	if err != nil {
		t.Fatal(err)
	}

	// Email through a real SMTP server; notifications drained in the
	// background.
	a.smtp = mailtest.Start(t, mailtest.Options{})
	sender, err := mail.New(a.smtp.Config(), mail.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	a.notes = notify.New(db, a.auth, sender, notify.Options{Logger: quiet, Now: a.clock.Now, PublicURL: base, Poll: time.Second})
	if err := a.notes.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.notes.Stop(context.Background()) })

	a.sched = scheduler.NewService(db, a.org, scheduler.ServiceOptions{Logger: quiet, Now: a.clock.Now})
	a.sched.UseNotifier(a.notes, a.auth)
	pub, err := scheduler.NewPublisher(a.sched, graph, prometheus.NewRegistry(), scheduler.PublisherOptions{Logger: quiet, Now: a.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pub.Stop(context.Background()) })
	checks := scheduler.NewTokenChecks(a.sched, graph)
	photo := testJPEG()
	eng.GET("/e2e/rapat.jpg", func(c *gin.Context) { c.Data(http.StatusOK, "image/jpeg", photo) })
	if _, err := Mount(eng, Deps{SQL: db, Auth: a.auth, Org: a.org, Posts: NewSchedulerPosts(a.sched, a.auth), Scope: a.sched,
		Logger: quiet, Now: a.clock.Now, PublicURL: base, Links: a.notes, Notices: a.notes, Checks: checks,
		Connect: connect.New(graph, a.org, checks, connect.Options{RedirectURL: callback, Logger: quiet, Now: a.clock.Now})}); err != nil {
		t.Fatal(err)
	}
	a.web.Start()
	t.Cleanup(a.web.Close)
	return a
}

// mailTo waits for an email to addr whose subject contains what.
func (a *adoption) mailTo(t *testing.T, addr, what string) mailtest.Message {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		for _, m := range a.smtp.Messages() {
			if len(m.To) == 1 && m.To[0] == addr && strings.Contains(m.Subject, what) {
				return m
			}
		}
	}
	var got []string
	for _, m := range a.smtp.Messages() {
		got = append(got, strings.Join(m.To, ",")+": "+m.Subject)
	}
	t.Fatalf("no email to %s about %q; arrived: %v", addr, what, got)
	return mailtest.Message{}
}

var setupURLRE = regexp.MustCompile(`http://127\.0\.0\.1:\d+/setup/[A-Za-z0-9_-]+`)

// TestAdoptionInChromium is issue 15's acceptance, in headless Chromium on
// a fresh state database: the first-run address creates the office and its
// admin, who signs in with the password, invites an editor and an approver
// (each sets a password through the link that arrived by email at the test
// SMTP server), connects the office's Page and its Instagram account
// through the simulated Facebook Login (clicking through the simulator's
// dialog), and sees both checked valid. The editor composes a post; the
// approver finds it in the header's badge and by email, approves it; the
// publishing loop publishes it to both; the editor is told (badge and
// email). A second post is rejected with a reason, which its page, the
// list and the calendar show with "Perbaiki dan ajukan ulang". Every page
// is saved at 1280 and 375 px, and none scrolls sideways on a phone.
func TestAdoptionInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	a := newAdoption(t, ctx)
	base := a.web.URL
	first, err := a.auth.NewFirstRunLink(ctx)
	if err != nil {
		t.Fatal(err)
	}
	art := artifactsDir(t)
	bctx, stop := startChromium(t, chromium)
	defer stop()
	br := &browserRun{t: t, ctx: bctx, art: art, prefix: "adoption"}
	do, text, location, shot := br.do, br.text, br.location, br.shot
	signin := func(name, pw string) {
		t.Helper()
		do("sign in as "+name, append(signinSteps(base, name, pw), chromedp.WaitVisible(chromedp.CSS("header.top .who")))...)
	}
	signout := func() {
		t.Helper()
		do("sign out", chromedp.Click(chromedp.CSS("form[action='/signout'] button")), chromedp.WaitVisible(chromedp.CSS("#password")))
	}
	// mailTo waits for an email to addr whose subject contains what.
	mailTo := func(addr, what string) mailtest.Message { t.Helper(); return a.mailTo(t, addr, what) }
	const adminPw, editorPw, approverPw = "rekap suara pleno tingkat kota", "kopi pagi di aula rapat", "sidang pleno terbuka kamis"

	// 1. The first-run address: the office and its administrator.
	do("first run", chromedp.Navigate(base+first.Path()), chromedp.WaitVisible(chromedp.CSS("#office")))
	shot("first-run")
	do("first run form",
		chromedp.SendKeys(chromedp.CSS("#office"), "KPU Kota Salatiga"),
		chromedp.SetValue(chromedp.CSS("#level"), "city"),
		chromedp.SendKeys(chromedp.CSS("#username"), "admin.salatiga"),
		chromedp.SendKeys(chromedp.CSS("#email"), "humas@salatiga.kpu.go.id"),
		chromedp.SendKeys(chromedp.CSS("#new"), adminPw),
		chromedp.SendKeys(chromedp.CSS("#repeat"), adminPw),
		chromedp.Click(chromedp.CSS("#first-submit")),
		chromedp.WaitVisible(chromedp.CSS("#password")))
	shot("signin")

	// 2. The admin signs in with the password and invites two people; the
	// links arrive by email.
	signin("admin.salatiga", adminPw)
	invite := func(name, role string) string {
		t.Helper()
		addr := name + "@salatiga.kpu.go.id"
		do("invite "+name, chromedp.Navigate(base+"/admin/users"), chromedp.WaitVisible(chromedp.CSS("#invite summary")),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('#invite').open = true`),
			chromedp.WaitVisible(chromedp.CSS("#username")),
			chromedp.SendKeys(chromedp.CSS("#username"), name),
			chromedp.SendKeys(chromedp.CSS("#email"), addr),
			chromedp.SetValue(chromedp.CSS("#role"), role),
			chromedp.Click(chromedp.CSS("#invite-submit")),
			chromedp.WaitVisible(chromedp.CSS("#setup-link")))
		if got := text("#setup-link"); !strings.Contains(got, "dikirim ke e-mail") {
			t.Errorf("the invitation of %s does not say it was emailed: %q", name, got)
		}
		m := mailTo(addr, "Undangan ke humas")
		link := setupURLRE.FindString(m.Text)
		if link == "" || !strings.HasPrefix(link, base+"/setup/") {
			t.Fatalf("no setup link in the email to %s:\n%s", addr, m.Text)
		}
		return link
	}
	editorLink := invite("sari.editor", "editor")
	shot("admin-users-invited")
	approverLink := invite("budi.penyetuju", "approver")

	// 3. Connect the Page and its Instagram account with Facebook Login.
	do("channels", chromedp.Navigate(base+"/admin/channels"), chromedp.WaitVisible(chromedp.CSS("#fb-connect")))
	if got := text("#no-channels"); !strings.Contains(got, "Belum ada kanal") {
		t.Errorf("channels of a new office: %q", got)
	}
	shot("admin-channels-empty")
	do("connect with facebook", chromedp.Click(chromedp.CSS("#fb-connect")), chromedp.WaitVisible(chromedp.CSS("#continue")))
	if !strings.Contains(location(), "/v26.0/dialog/oauth?") {
		t.Errorf("the button went to %s", location())
	}
	if got := text("main"); !strings.Contains(got, "Logged in as Rina Humas") || !strings.Contains(got, "KPU Kota Salatiga · Instagram @kpukotasalatiga") {
		t.Errorf("the dialog shows %q", got)
	}
	shot("facebook-dialog")
	do("continue as Rina", chromedp.Click(chromedp.CSS("#continue")), chromedp.WaitVisible(chromedp.CSS("#pick-form")))
	if got := text("#pick-form"); !strings.Contains(got, "KPU Kota Salatiga") || !strings.Contains(got, "@kpukotasalatiga") {
		t.Errorf("pick page: %q", got)
	}
	shot("connect-pick")
	do("connect", chromedp.Click(chromedp.CSS("#pick-submit")), chromedp.WaitVisible(chromedp.CSS("#connect-results")))
	if got := text("#connect-results"); strings.Count(got, "Berlaku") != 2 || !strings.Contains(got, "terhubung") {
		t.Fatalf("connect results: %q", got)
	}
	fb, err := a.org.ChannelByExternalID(ctx, org.Facebook, adoptPage)
	if err != nil {
		t.Fatal(err)
	}
	ig, err := a.org.ChannelByExternalID(ctx, org.Instagram, adoptIG)
	if err != nil {
		t.Fatal(err)
	}
	if got := text("#channel-" + strconv.FormatInt(ig.ID, 10)); !strings.Contains(got, "Berlaku") || !strings.Contains(got, "tidak kedaluwarsa") {
		t.Errorf("the Instagram channel's row: %q", got)
	}
	shot("admin-channels-connected")
	signout()

	// 4. The editor sets a password from the email and writes two posts.
	do("editor's link", chromedp.Navigate(editorLink), chromedp.WaitVisible(chromedp.CSS("#new")))
	shot("setup-password")
	do("editor's password",
		chromedp.SendKeys(chromedp.CSS("#new"), editorPw), chromedp.SendKeys(chromedp.CSS("#repeat"), editorPw),
		chromedp.Click(chromedp.CSS("#setup-submit")), chromedp.WaitVisible(chromedp.CSS("#password")))
	signin("sari.editor", editorPw)
	at := a.clock.Now().In(mustLoc(t)).Add(3 * time.Minute).Truncate(time.Minute)
	compose := func(caption string, name string) string {
		t.Helper()
		do("compose",
			chromedp.Navigate(base+"/posts/new"), chromedp.WaitVisible(chromedp.CSS("#caption")),
			chromedp.Click(chromedp.CSS("#ch-"+strconv.FormatInt(fb.ID, 10))), chromedp.Click(chromedp.CSS("#ch-"+strconv.FormatInt(ig.ID, 10))),
			chromedp.SetValue(chromedp.CSS("#content_type"), "photo"),
			chromedp.SendKeys(chromedp.CSS("#caption"), caption),
			chromedp.SetValue(chromedp.CSS("#media"), base+"/e2e/rapat.jpg"),
			chromedp.SetValue(chromedp.CSS("#date"), at.Format("2006-01-02")),
			chromedp.SetValue(chromedp.CSS("#time"), at.Format("15:04")))
		if name != "" {
			shot(name)
		}
		do("submit", chromedp.Click(chromedp.CSS("button[name=submit][value='1']")), chromedp.WaitVisible(chromedp.CSS("p.flash")))
		if got := br.flash("diajukan untuk persetujuan"); !strings.Contains(got, "diajukan untuk persetujuan") {
			t.Fatalf("after submit: %q", got)
		}
		return strings.TrimPrefix(strings.Split(location(), "?")[0], base+"/posts/")
	}
	caption := "Rapat pleno terbuka rekapitulasi suara tingkat kota, Kamis pukul 09.00 WIB. #Pemilu2029"
	postID := compose(caption, "compose")
	shot("post-submitted")
	badID := compose("Foto kegiatan sosialisasi pemilih pemula di SMA 1 Salatiga", "")
	// The editor's channel health page: both valid, nothing to do, and no
	// admin's buttons.
	do("health", chromedp.Navigate(base+"/channels"), chromedp.WaitVisible(chromedp.CSS("table.channels")))
	if got := text("table.channels"); strings.Count(got, "Berlaku") != 2 || strings.Contains(got, "Periksa sekarang") {
		t.Errorf("the editor's channel health page: %q", got)
	}
	shot("channel-health-editor")
	signout()

	// 5. The approver: the invitation's link, the badge and the email of
	// the posts waiting; approves one, rejects the other with a reason.
	do("approver's link", chromedp.Navigate(approverLink), chromedp.WaitVisible(chromedp.CSS("#new")),
		chromedp.SendKeys(chromedp.CSS("#new"), approverPw), chromedp.SendKeys(chromedp.CSS("#repeat"), approverPw),
		chromedp.Click(chromedp.CSS("#setup-submit")), chromedp.WaitVisible(chromedp.CSS("#password")))
	waiting := mailTo("budi.penyetuju@salatiga.kpu.go.id", "Unggahan #"+postID+" menunggu persetujuan Anda")
	if !strings.Contains(waiting.Text, base+"/approvals#post-"+postID) || !strings.Contains(waiting.Text, "Rapat pleno terbuka") {
		t.Errorf("the email to the approver:\n%s", waiting.Text)
	}
	signin("budi.penyetuju", approverPw)
	if got := text("#unread-badge"); got != "2" {
		t.Errorf("the approver's badge says %q, want 2", got)
	}
	do("notifications", chromedp.Navigate(base+"/notifications"), chromedp.WaitVisible(chromedp.CSS("ol.notices")))
	if got := text("ol.notices"); !strings.Contains(got, "Unggahan #"+postID+" menunggu persetujuan Anda") || !strings.Contains(got, "Email terkirim") {
		t.Errorf("the approver's notifications: %q", got)
	}
	shot("notifications")
	do("open it", chromedp.Click(chromedp.CSS("#notice-"+noticeID(t, a, "budi.penyetuju", postID)+" form[action$='/open'] button")),
		chromedp.WaitVisible(chromedp.CSS("#post-"+postID)))
	shot("approvals")
	do("approve", chromedp.Click(chromedp.CSS("form[action='/approvals/"+postID+"/approve'] button")), chromedp.WaitVisible(chromedp.CSS("p.flash")))
	do("reject", chromedp.Navigate(base+"/approvals"), chromedp.WaitVisible(chromedp.CSS("#post-"+badID)),
		chromedp.SendKeys(chromedp.CSS("#reason-"+badID), "Foto kurang tajam; ganti dengan foto kegiatan yang jelas"),
		chromedp.Click(chromedp.CSS("form[action='/approvals/"+badID+"/reject'] button")), chromedp.WaitVisible(chromedp.CSS("p.flash")))
	signout()

	// 6. Time passes: the publishing loop publishes the approved post to
	// the Page and to Instagram.
	a.clock.Advance(5 * time.Minute)
	id, _ := strconv.ParseInt(postID, 10, 64)
	admin := auth.Principal{Role: auth.RoleAdmin}
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		p, err := a.sched.Post(ctx, admin, id)
		if err != nil {
			t.Fatal(err)
		}
		if p.State == scheduler.StatePublished {
			break
		}
		if p.State == scheduler.StateFailed || time.Now().After(deadline) {
			t.Fatalf("post %d is %s, want published: %+v", id, p.State, p.Deliveries)
		}
	}
	if a.sim.CountText(adoptPage, caption) != 1 || a.sim.CountText(adoptIG, caption) != 1 {
		t.Fatalf("published %d times on the Page and %d on Instagram, want once each", a.sim.CountText(adoptPage, caption), a.sim.CountText(adoptIG, caption))
	}

	// 7. The editor was told: by email and in the app.
	ok := mailTo("sari.editor@salatiga.kpu.go.id", "Unggahan #"+postID+" disetujui oleh budi.penyetuju")
	if !strings.Contains(ok.Text, base+"/posts/"+postID) {
		t.Errorf("the approval email:\n%s", ok.Text)
	}
	no := mailTo("sari.editor@salatiga.kpu.go.id", "Unggahan #"+badID+" ditolak oleh budi.penyetuju")
	if !strings.Contains(no.Text, "Alasan: Foto kurang tajam") {
		t.Errorf("the rejection email:\n%s", no.Text)
	}
	signin("sari.editor", editorPw)
	if got := text("#unread-badge"); got != "2" {
		t.Errorf("the editor's badge says %q, want 2", got)
	}
	do("post", chromedp.Navigate(base+"/posts/"+postID), chromedp.WaitVisible(chromedp.CSS("dl.summary .st")))
	if got := text("dl.summary .st"); got != "Terbit" {
		t.Errorf("the post page says %q", got)
	}
	shot("post-published")
	do("rejected post", chromedp.Navigate(base+"/posts/"+badID), chromedp.WaitVisible(chromedp.CSS("#rejected")))
	if got := text("#rejected"); !strings.Contains(got, "Ditolak oleh budi.penyetuju") || !strings.Contains(got, "Alasan: Foto kurang tajam") ||
		!strings.Contains(got, "Perbaiki dan ajukan ulang") {
		t.Errorf("the rejected post's box: %q", got)
	}
	shot("post-rejected")
	do("list", chromedp.Navigate(base+"/posts"), chromedp.WaitVisible(chromedp.CSS(".rej-reason")))
	shot("list-rejected")
	do("calendar", chromedp.Navigate(base+"/calendar?view=week&date="+at.Format("2006-01-02")), chromedp.WaitVisible(chromedp.CSS(".cal .rej-reason")))
	shot("calendar-rejected")
	do("notifications", chromedp.Navigate(base+"/notifications"), chromedp.WaitVisible(chromedp.CSS("ol.notices")))
	shot("notifications-editor")
	do("preferences", chromedp.Navigate(base+"/account/notifications"), chromedp.WaitVisible(chromedp.CSS("#prefs-form")))
	shot("notification-preferences")
	saveEmails(t, filepath.Join(filepath.Dir(art), "emails"), "adoption", a.smtp.Messages())
	t.Logf("screenshots in %s: adoption-*-{1280,375}.png", art)
}

// saveEmails writes what the test SMTP server received, one text file per
// message (envelope, subject and body), beside the screenshots.
func saveEmails(t *testing.T, dir, prefix string, msgs []mailtest.Message) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, m := range msgs {
		body := "From: " + m.From + "\nTo: " + strings.Join(m.To, ", ") + "\nSubject: " + m.Subject + "\n\n" + m.Text
		name := filepath.Join(dir, prefix+"-"+strconv.Itoa(i+1)+".txt")
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func mustLoc(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// noticeID is the id of the notification of name about post postID.
func noticeID(t *testing.T, a *adoption, name, postID string) string {
	t.Helper()
	u, err := a.auth.UserByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	list, err := a.notes.List(context.Background(), u.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range list {
		if strings.Contains(n.TitleID, "#"+postID+" ") {
			return strconv.FormatInt(n.ID, 10)
		}
	}
	t.Fatalf("no notification of %s about post %s", name, postID)
	return ""
}

// TestConnectEdgesInChromium clicks through what can go wrong when
// connecting, in headless Chromium, and saves each page at 1280 and 375
// px: permissions unticked in Facebook's dialog (the pick page names them,
// the channel says "Izin kurang: …" with what to do), a Facebook account
// that manages no Page (switched to in the dialog), a cancelled dialog, and
// a made-up system-user token refused with the reason.
func TestConnectEdgesInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	a := newAdoption(t, ctx)
	base := a.web.URL
	if err := a.sim.AddUser("1000000000000002", "Tamu Tanpa Page"); err != nil {
		t.Fatal(err)
	}
	unit, err := a.org.CreateUnit(ctx, org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-salatiga", Level: "city", Timezone: "Asia/Jakarta", RequiresApproval: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.auth.CreateUser(ctx, "admin.salatiga", unit.ID, auth.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if err := a.auth.SetPassword(ctx, "admin.salatiga", fixedPassword); err != nil {
		t.Fatal(err)
	}
	art := artifactsDir(t)
	bctx, stop := startChromium(t, chromium)
	defer stop()
	br := &browserRun{t: t, ctx: bctx, art: art, prefix: "connect"}
	do, text, location, shot := br.do, br.text, br.location, br.shot
	do("sign in", append(signinSteps(base, "admin.salatiga", fixedPassword), chromedp.WaitVisible(chromedp.CSS("header.top .who")))...)

	// 1. Facebook's dialog with publishing unticked.
	do("dialog", chromedp.Navigate(base+"/admin/channels"), chromedp.Click(chromedp.CSS("#fb-connect")), chromedp.WaitVisible(chromedp.CSS("#continue")),
		chromedp.Click(chromedp.CSS("#perm-pages_manage_posts")))
	shot("dialog-unticked")
	do("continue", chromedp.Click(chromedp.CSS("#continue")), chromedp.WaitVisible(chromedp.CSS("#missing-perms")))
	if got := text("#missing-perms"); !strings.Contains(got, "pages_manage_posts") || !strings.Contains(got, "Minta izin itu lagi") {
		t.Errorf("the pick page's warning: %q", got)
	}
	shot("pick-declined")
	do("connect anyway", chromedp.Click(chromedp.CSS("#pick-submit")), chromedp.WaitVisible(chromedp.CSS("#connect-results")))
	fb, err := a.org.ChannelByExternalID(ctx, org.Facebook, adoptPage)
	if err != nil {
		t.Fatal(err)
	}
	row := text("#channel-" + strconv.FormatInt(fb.ID, 10))
	if !strings.Contains(row, "Izin kurang: pages_manage_posts") || !strings.Contains(row, "Hubungkan ulang") {
		t.Errorf("the Page's row: %q", row)
	}
	shot("channels-missing-permissions")
	do("health page", chromedp.Navigate(base+"/channels"), chromedp.WaitVisible(chromedp.CSS("table.channels")))
	if got := text("table.channels"); !strings.Contains(got, "Izin kurang: pages_manage_posts") || !strings.Contains(got, "Berlaku") {
		t.Errorf("the channel health page: %q", got)
	}
	shot("channel-health")
	do("check now from the health page", chromedp.Click(chromedp.CSS("#channel-"+strconv.FormatInt(fb.ID, 10)+" button.check-now")),
		chromedp.WaitVisible(chromedp.CSS("p.flash")))
	if got := br.flash("Token diperiksa"); !strings.Contains(got, "Token diperiksa") || !strings.HasSuffix(strings.Split(location(), "?")[0], "/channels") {
		t.Errorf("after checking from the health page: %q at %s", got, location())
	}
	do("back", chromedp.Navigate(base+"/admin/channels"), chromedp.WaitVisible(chromedp.CSS("#fb-connect")))

	// 2. Asked again (rerequest), publishing granted: the channel is valid.
	do("ask again", chromedp.Click(chromedp.CSS("#channel-"+strconv.FormatInt(fb.ID, 10)+" a.button")), chromedp.WaitVisible(chromedp.CSS("#continue")))
	do("grant", chromedp.Click(chromedp.CSS("#continue")), chromedp.WaitVisible(chromedp.CSS("#pick-form")),
		chromedp.Click(chromedp.CSS("#pick-submit")), chromedp.WaitVisible(chromedp.CSS("#connect-results")))
	if row := text("#channel-" + strconv.FormatInt(fb.ID, 10)); !strings.Contains(row, "Berlaku") {
		t.Errorf("after granting again: %q", row)
	}

	// 3. Another Facebook account, which manages no Page.
	do("switch account", chromedp.Click(chromedp.CSS("#fb-connect")), chromedp.WaitVisible(chromedp.CSS("#continue")),
		chromedp.Click(chromedp.CSS(`a[href*="user=1000000000000002"]`)), chromedp.WaitVisible(chromedp.CSS("#no-pages")))
	shot("dialog-no-pages")
	do("continue as the guest", chromedp.Click(chromedp.CSS("#continue")), chromedp.WaitVisible(chromedp.CSS("section#no-pages")))
	shot("pick-no-pages")

	// 4. Cancel in the dialog.
	do("cancel", chromedp.Navigate(base+"/admin/channels"), chromedp.Click(chromedp.CSS("#fb-connect")), chromedp.WaitVisible(chromedp.CSS("#cancel")),
		chromedp.Click(chromedp.CSS("#cancel")), chromedp.WaitVisible(chromedp.CSS("p.error-box")))
	if got := text("p.error-box"); !strings.Contains(got, "Anda membatalkan") {
		t.Errorf("after cancelling: %q", got)
	}
	shot("cancelled")

	// 5. A made-up system-user token.
	do("paste", chromedp.Evaluate[chromedp.Void](`document.querySelector('#system-user').open = true`), chromedp.WaitVisible(chromedp.CSS("#su-token")),
		chromedp.SendKeys(chromedp.CSS("#su-token"), "EAAmadeUpTokenNobodyIssued"), chromedp.Click(chromedp.CSS("#su-submit")),
		chromedp.WaitVisible(chromedp.CSS("#token-err")))
	if got := text("#token-err"); !strings.Contains(got, "Meta menyatakan token ini tidak berlaku") {
		t.Errorf("the refusal: %q", got)
	}
	shot("token-refused")
	t.Logf("screenshots in %s: connect-*-{1280,375}.png", art)
}

// TestReconnectAfterFailureInChromium follows a Page token that stops
// working, in headless Chromium: a connected Page's token expires at
// Meta; the scheduled post cannot be published; its writer is told by
// email and in the app that it failed and what to do, and the office's
// admin that the channel needs reconnecting; the admin finds it on the
// channel health page, reconnects it with Facebook Login, and the channel
// is valid again.
func TestReconnectAfterFailureInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	a := newAdoption(t, ctx)
	base := a.web.URL
	unit, err := a.org.CreateUnit(ctx, org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-salatiga", Level: "city", Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	const adminAddr, editorAddr = "humas@salatiga.kpu.go.id", "sari@salatiga.kpu.go.id"
	for _, nu := range []auth.NewUser{{Name: "admin.salatiga", Email: adminAddr, UnitID: unit.ID, Role: auth.RoleAdmin},
		{Name: "sari.editor", Email: editorAddr, UnitID: unit.ID, Role: auth.RoleEditor}} {
		if _, _, err := a.auth.Invite(ctx, nu, time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := a.auth.SetPassword(ctx, nu.Name, fixedPassword); err != nil {
			t.Fatal(err)
		}
	}
	art := artifactsDir(t)
	bctx, stop := startChromium(t, chromium)
	defer stop()
	br := &browserRun{t: t, ctx: bctx, art: art, prefix: "reconnect"}
	do, text, shot := br.do, br.text, br.shot
	signin := func(name string) {
		t.Helper()
		do("sign in as "+name, append(signinSteps(base, name, fixedPassword), chromedp.WaitVisible(chromedp.CSS("header.top .who")))...)
	}
	signout := func() {
		t.Helper()
		do("sign out", chromedp.Click(chromedp.CSS("form[action='/signout'] button")), chromedp.WaitVisible(chromedp.CSS("#password")))
	}
	connectPage := func() {
		t.Helper()
		do("connect with facebook", chromedp.Navigate(base+"/admin/channels"), chromedp.Click(chromedp.CSS("#fb-connect")),
			chromedp.WaitVisible(chromedp.CSS("#continue")), chromedp.Click(chromedp.CSS("#continue")),
			chromedp.WaitVisible(chromedp.CSS("#pick-form")), chromedp.Click(chromedp.CSS("#pick-submit")),
			chromedp.WaitVisible(chromedp.CSS("#connect-results")))
	}

	// 1. The admin connects the Page; the editor schedules a post to it
	// (this office publishes without approval).
	signin("admin.salatiga")
	connectPage()
	fb, err := a.org.ChannelByExternalID(ctx, org.Facebook, adoptPage)
	if err != nil {
		t.Fatal(err)
	}
	fbID := strconv.FormatInt(fb.ID, 10)
	signout()
	signin("sari.editor")
	at := a.clock.Now().In(mustLoc(t)).Add(3 * time.Minute).Truncate(time.Minute)
	caption := "Pengumuman: jam layanan PPID berubah mulai Senin, 08.00–15.00 WIB."
	do("compose", chromedp.Navigate(base+"/posts/new"), chromedp.WaitVisible(chromedp.CSS("#caption")),
		chromedp.Click(chromedp.CSS("#ch-"+fbID)),
		chromedp.SetValue(chromedp.CSS("#content_type"), "text"),
		chromedp.SendKeys(chromedp.CSS("#caption"), caption),
		chromedp.SetValue(chromedp.CSS("#date"), at.Format("2006-01-02")),
		chromedp.SetValue(chromedp.CSS("#time"), at.Format("15:04")),
		chromedp.Click(chromedp.CSS("button[name=submit][value='1']")), chromedp.WaitVisible(chromedp.CSS("p.flash")))
	postID := strings.TrimPrefix(strings.Split(br.location(), "?")[0], base+"/posts/")
	signout()

	// 2. Meta ends the Page token before the post is due.
	tok, err := a.org.ChannelToken(ctx, fb.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.sim.ExpireToken(tok, a.clock.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	a.clock.Advance(5 * time.Minute)
	id, _ := strconv.ParseInt(postID, 10, 64)
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		p, err := a.sched.Post(ctx, auth.Principal{Role: auth.RoleAdmin}, id)
		if err != nil {
			t.Fatal(err)
		}
		if p.State == scheduler.StateFailed {
			break
		}
		if p.State == scheduler.StatePublished || time.Now().After(deadline) {
			t.Fatalf("post %d is %s, want failed: %+v", id, p.State, p.Deliveries)
		}
	}
	if n := a.sim.CountText(adoptPage, caption); n != 0 {
		t.Fatalf("published %d times with an expired token", n)
	}

	// 3. Who is told what, by email.
	failed := a.mailTo(t, editorAddr, "Unggahan #"+postID+" gagal terbit di KPU Kota Salatiga (Facebook)")
	if !strings.Contains(failed.Text, "Yang perlu dilakukan: Hubungkan ulang kanal") || !strings.Contains(failed.Text, base+"/posts/"+postID) {
		t.Errorf("the failure email:\n%s", failed.Text)
	}
	reconnect := a.mailTo(t, adminAddr, "Kanal KPU Kota Salatiga (Facebook) perlu dihubungkan ulang")
	if !strings.Contains(reconnect.Text, "Hubungkan dengan Facebook") || !strings.Contains(reconnect.Text, base+"/admin/channels#channel-"+fbID) {
		t.Errorf("the reconnect email:\n%s", reconnect.Text)
	}

	// 4. The editor's post page says what happened and what to do.
	signin("sari.editor")
	do("failed post", chromedp.Navigate(base+"/posts/"+postID), chromedp.WaitVisible(chromedp.CSS("dl.summary .st")))
	if got := text("main"); !strings.Contains(got, "Hubungkan ulang kanal") {
		t.Errorf("the failed post's page: %q", got)
	}
	shot("post-failed")
	signout()

	// 5. The admin: the badge, the health page, reconnect, valid again.
	signin("admin.salatiga")
	if got := text("#unread-badge"); got != "1" {
		t.Errorf("the admin's badge says %q, want 1", got)
	}
	do("health", chromedp.Navigate(base+"/channels"), chromedp.WaitVisible(chromedp.CSS("#channel-"+fbID)))
	if got := text("#channel-" + fbID); !strings.Contains(got, "Perlu dihubungkan ulang") || !strings.Contains(got, "Hubungkan ulang") ||
		strings.Contains(got, "tidak kedaluwarsa") {
		t.Errorf("the health page's row: %q", got)
	}
	shot("channel-health")
	do("reconnect", chromedp.Click(chromedp.CSS("#channel-"+fbID+" a.button")), chromedp.WaitVisible(chromedp.CSS("#continue")),
		chromedp.Click(chromedp.CSS("#continue")), chromedp.WaitVisible(chromedp.CSS("#pick-form")),
		chromedp.Click(chromedp.CSS("#pick-submit")), chromedp.WaitVisible(chromedp.CSS("#connect-results")))
	if got := text("#connect-results"); !strings.Contains(got, "Berlaku") {
		t.Errorf("after reconnecting: %q", got)
	}
	if got := text("#channel-" + fbID); !strings.Contains(got, "Berlaku") {
		t.Errorf("the channel's row after reconnecting: %q", got)
	}
	shot("reconnected")
	if ch, err := a.org.Channel(ctx, fb.ID); err != nil || ch.Status == org.StatusReconnectNeeded {
		t.Errorf("the channel after reconnecting: %+v %v", ch, err)
	}
	saveEmails(t, filepath.Join(filepath.Dir(art), "emails"), "reconnect", a.smtp.Messages())
}
