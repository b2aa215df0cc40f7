package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/connect"
	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/notify"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
)

const (
	simPage = "104857600000009"
	simIG   = "17841400000000009"
)

// connectEnv is the pages with channel administration over the
// simulator: a Page with its Instagram account managed by Rina, a person
// who manages none, the callback registered.
type connectEnv struct {
	*env
	sim   *graphsim.Sim
	notes *notify.Service
}

func newConnectEnv(t *testing.T) *connectEnv {
	t.Helper()
	sim := graphsim.New(graphsim.Options{AppID: "100000000000001", AppSecret: "web-secret"})
	for _, step := range []error{sim.AddPage(simPage, "KPU Kabupaten Semarang", "registered-token"), sim.AddIGAccount(simIG, "kpusemarang", simPage),
		sim.AddUser("1001", "Rina Humas"), sim.AddPageRole("1001", simPage), sim.AddUser("1002", "Tamu Tanpa Page")} {
		if step != nil {
			t.Fatal(step)
		}
	}
	simSrv := httptest.NewServer(sim)
	t.Cleanup(simSrv.Close)
	quiet := slog.New(slog.DiscardHandler)
	graph, err := meta.New(meta.Options{BaseURL: simSrv.URL, DialogURL: simSrv.URL, AppID: "100000000000001", AppSecret: "web-secret", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ce := &connectEnv{sim: sim}
	ce.env = newEnv(t, envOpts{deps: func(d *Deps) {
		sched := d.Scope.(*scheduler.Service)
		checks := scheduler.NewTokenChecks(sched, graph)
		d.Checks = checks
		d.Connect = connect.New(graph, d.Org, checks, connect.Options{RedirectURL: "http://humas.test/admin/channels/facebook/callback", Logger: quiet})
		ce.notes = notify.New(d.SQL, d.Auth, nil, notify.Options{Logger: quiet})
		d.Notices = ce.notes
	}})
	sim.AllowRedirectURI("http://humas.test/admin/channels/facebook/callback")
	return ce
}

// fbLogin starts Facebook Login in b, answers the dialog as c says and
// returns the callback's path and query (on humas's server).
func (ce *connectEnv) fbLogin(b *browser, c graphsim.Consent, extra string) string {
	ce.t.Helper()
	r := b.get("/admin/channels/facebook" + extra)
	mustStatus(ce.t, r, http.StatusSeeOther)
	to, err := ce.sim.AnswerDialog(r.Header.Get("Location"), c)
	if err != nil {
		ce.t.Fatal(err)
	}
	u, err := url.Parse(to)
	if err != nil || u.Host != "humas.test" {
		ce.t.Fatalf("sent back to %s (%v)", to, err)
	}
	return u.Path + "?" + u.RawQuery
}

var offerRE = regexp.MustCompile(`^/admin/channels/connect/([A-Za-z0-9_-]+)$`)

// Facebook Login from the channels page: the Page and its Instagram
// account found, picked into the office, checked at once and shown as
// valid; the admin channel list names them with their actions.
func TestConnectWithFacebookPages(t *testing.T) {
	ce := newConnectEnv(t)
	b := ce.browser()
	csrf := b.signin(auth.RoleAdmin)
	page := b.get("/admin/channels")
	mustStatus(t, page, http.StatusOK)
	mustContain(t, page.Body, "Hubungkan dengan Facebook", "http://humas.test/admin/channels/facebook/callback", "pages_manage_posts",
		"tempel token system user", "Belum diperiksa")
	cb := ce.fbLogin(b, graphsim.Consent{}, "")
	r := b.get(cb)
	mustStatus(t, r, http.StatusSeeOther)
	m := offerRE.FindStringSubmatch(r.Header.Get("Location"))
	if m == nil {
		t.Fatalf("callback went to %s", r.Header.Get("Location"))
	}
	pick := b.get(r.Header.Get("Location"))
	mustStatus(t, pick, http.StatusOK)
	mustContain(t, pick.Body, "KPU Kabupaten Semarang", "@kpusemarang", `name="fb_`+simPage+`"`, `name="ig_`+simPage+`"`)
	unit := itoa(ce.unit.ID)
	res := b.post(r.Header.Get("Location"), url.Values{"csrf": {csrf}, "fb_" + simPage: {"1"}, "fbunit_" + simPage: {unit},
		"ig_" + simPage: {"1"}, "igunit_" + simPage: {unit}})
	mustStatus(t, res, http.StatusOK)
	mustContain(t, res.Body, "Hasil menghubungkan", "KPU Kabupaten Semarang</strong> (Facebook)", "@kpusemarang</strong> (Instagram)", "terhubung")
	if n := strings.Count(res.Body, `<span class="health h-ok">Berlaku</span>`); n != 4 { // in the results and in the list
		t.Errorf("%d valid health labels, want 4", n)
	}
	ch, err := ce.org.ChannelByExternalID(context.Background(), org.Facebook, simPage)
	if err != nil || ch.UnitID != ce.unit.ID || ch.TokenCheckedAt == nil {
		t.Fatalf("channel %+v %v", ch, err)
	}
	// The offer is used up.
	mustStatus(t, b.get(r.Header.Get("Location")), http.StatusGone)
}

// An answer whose state is not this browser's login is refused and
// connects nothing; so is one without the flow's cookie, and a cancel
// says so.
func TestConnectStateMismatch(t *testing.T) {
	ce := newConnectEnv(t)
	b := ce.browser()
	b.signin(auth.RoleAdmin)
	cb := ce.fbLogin(b, graphsim.Consent{}, "")
	bad := strings.Replace(cb, "state=", "state=x", 1)
	r := b.get(bad)
	mustStatus(t, r, http.StatusBadRequest)
	mustContain(t, r.Body, "state tidak cocok", "tidak ada yang dihubungkan")
	// The flow is used up: the right answer after a wrong one is refused too.
	mustStatus(t, b.get(cb), http.StatusBadRequest)
	other := ce.browser()
	other.signin(auth.RoleAdmin)
	mustContain(t, other.get(ce.fbLogin(b, graphsim.Consent{}, "")).Body, "Tidak ada proses")
	r = b.get(ce.fbLogin(b, graphsim.Consent{Cancel: true}, ""))
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r.Body, "Anda membatalkan di Facebook")
	if _, err := ce.org.ChannelByExternalID(context.Background(), org.Facebook, simPage); err == nil {
		t.Error("a channel was connected")
	}
}

// Declined permissions: the pick page names them and offers to ask again;
// the Page is connected and its row says "Izin kurang: pages_manage_posts"
// with what to do; the re-ask link asks Facebook again (rerequest).
func TestConnectDeclinedPermissions(t *testing.T) {
	ce := newConnectEnv(t)
	b := ce.browser()
	csrf := b.signin(auth.RoleAdmin)
	r := b.get(ce.fbLogin(b, graphsim.Consent{Decline: []string{"pages_manage_posts"}}, ""))
	mustStatus(t, r, http.StatusSeeOther)
	offer := r.Header.Get("Location")
	pick := b.get(offer)
	mustContain(t, pick.Body, "Izin yang tidak diberikan: pages_manage_posts", `href="/admin/channels/facebook?rerequest=1"`)
	res := b.post(offer, url.Values{"csrf": {csrf}, "fb_" + simPage: {"1"}, "fbunit_" + simPage: {itoa(ce.unit.ID)}})
	mustStatus(t, res, http.StatusOK)
	mustContain(t, res.Body, "Izin kurang: pages_manage_posts", "setujui izin itu", "Hubungkan ulang")
	again := b.get("/admin/channels/facebook?rerequest=1")
	if loc := again.Header.Get("Location"); !strings.Contains(loc, "auth_type=rerequest") {
		t.Errorf("asking again goes to %s", loc)
	}
}

// A Facebook account that manages no Page: the page says so and what to do.
func TestConnectNoPages(t *testing.T) {
	ce := newConnectEnv(t)
	if err := ce.sim.LogInAs("1002"); err != nil {
		t.Fatal(err)
	}
	b := ce.browser()
	b.signin(auth.RoleAdmin)
	r := b.get(ce.fbLogin(b, graphsim.Consent{}, ""))
	mustStatus(t, r, http.StatusSeeOther)
	pick := b.get(r.Header.Get("Location"))
	mustStatus(t, pick, http.StatusOK)
	mustContain(t, pick.Body, "tidak mengelola Page apa pun", "Meta Business Suite", "Coba lagi")
}

// A pasted token Meta does not accept is refused on its field with the
// reason; a system user's token lists its Pages.
func TestPastedSystemUserToken(t *testing.T) {
	ce := newConnectEnv(t)
	b := ce.browser()
	csrf := b.signin(auth.RoleAdmin)
	r := b.post("/admin/channels/system-user", url.Values{"csrf": {csrf}, "token": {"EAAmadeUpTokenNobodyIssued"}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r.Body, "Meta menyatakan token ini tidak berlaku", `id="token-err"`, `<details class="card" id="system-user" open>`)
	if strings.Contains(r.Body, "EAAmadeUpTokenNobodyIssued") {
		t.Error("the pasted token is echoed back")
	}
	if err := ce.sim.AddSystemUser("EAAsystemUserSemarang", []string{simPage}); err != nil {
		t.Fatal(err)
	}
	r = b.post("/admin/channels/system-user", url.Values{"csrf": {csrf}, "token": {"EAAsystemUserSemarang"}})
	mustStatus(t, r, http.StatusSeeOther)
	mustContain(t, b.get(r.Header.Get("Location")).Body, "Ditemukan lewat token system user", "KPU Kabupaten Semarang")
}

// Rename, move, check now and disconnect, within the admin's offices;
// others are not found, and other roles may not come here.
func TestChannelAdminActions(t *testing.T) {
	ce := newConnectEnv(t)
	ctx := context.Background()
	sub, err := ce.org.CreateUnit(ctx, org.Unit{Name: "KPU Kecamatan Sidorejo", Slug: "kpu-sidorejo", Level: "other", ParentID: ce.unit.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := ce.sim.AddSystemUser("EAAsu", []string{simPage}); err != nil {
		t.Fatal(err)
	}
	// A channel whose token the simulator knows (derived from the system user).
	ch, _, err := ce.org.Connect(ctx, org.ChannelInput{UnitID: ce.unit.ID, Platform: org.Facebook, ExternalID: simPage, Name: "Semarang", AccessToken: "EAAsu"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	b := ce.browser()
	csrf := b.signin(auth.RoleAdmin)
	id := itoa(ch.ID)
	r := b.post("/admin/channels/"+id+"/check", url.Values{"csrf": {csrf}})
	mustStatus(t, r, http.StatusSeeOther)
	mustContain(t, b.get(r.Header.Get("Location")).Body, "Token diperiksa.", `id="channel-`+id+`" class="h-ok"`)
	mustStatus(t, b.post("/admin/channels/"+id+"/rename", url.Values{"csrf": {csrf}, "name": {"KPU Semarang (resmi)"}}), http.StatusSeeOther)
	r = b.post("/admin/channels/"+id+"/rename", url.Values{"csrf": {csrf}, "name": {" "}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r.Body, "kanal harus punya nama")
	mustStatus(t, b.post("/admin/channels/"+id+"/move", url.Values{"csrf": {csrf}, "unit": {itoa(sub.ID)}}), http.StatusSeeOther)
	got, _ := ce.org.Channel(ctx, ch.ID)
	if got.Name != "KPU Semarang (resmi)" || got.UnitID != sub.ID {
		t.Errorf("after rename and move: %+v", got)
	}
	mustStatus(t, b.post("/admin/channels/"+id+"/move", url.Values{"csrf": {csrf}, "unit": {"999"}}), http.StatusUnprocessableEntity)
	mustStatus(t, b.post("/admin/channels/"+id+"/disconnect", url.Values{"csrf": {csrf}}), http.StatusSeeOther)
	if _, err := ce.org.Channel(ctx, ch.ID); err == nil {
		t.Error("still connected")
	}
	mustStatus(t, b.post("/admin/channels/"+id+"/check", url.Values{"csrf": {csrf}}), http.StatusNotFound)
	ed := ce.browser()
	ed.signin(auth.RoleEditor)
	mustStatus(t, ed.get("/admin/channels"), http.StatusForbidden)
}

// The channel health page is everyone's; its actions are the admins'.
// An admin of the channel's office gets "Periksa sekarang" (which comes
// back to this page) and "Hubungkan ulang" where the token needs it; an
// editor is told to ask the office's admin instead of being shown buttons
// they may not press.
func TestChannelHealthPageActions(t *testing.T) {
	ce := newConnectEnv(t)
	fb, ig := itoa(ce.fb.ID), itoa(ce.ig.ID)
	ed := ce.browser()
	ed.signin(auth.RoleEditor)
	page := ed.get("/channels")
	mustStatus(t, page, http.StatusOK)
	mustContain(t, page.Body, `id="channel-`+fb+`" class="h-unchecked"`, "humas memeriksa token setiap hari; admin kantor Anda dapat memeriksanya sekarang.")
	for _, never := range []string{"check-now", "/admin/channels/facebook", "humas belum tahu apakah token ini berlaku"} {
		if strings.Contains(page.Body, never) {
			t.Errorf("the editor's health page offers %q", never)
		}
	}

	ad := ce.browser()
	csrf := ad.signin(auth.RoleAdmin)
	page = ad.get("/channels")
	mustContain(t, page.Body, `action="/admin/channels/`+fb+`/check"`, `action="/admin/channels/`+ig+`/check"`, `name="back" value="health"`,
		"humas belum tahu apakah token ini berlaku")
	// The env's tokens are unknown to Meta: checked now, the Page needs
	// reconnecting, and the page says so with the button to do it.
	r := ad.post("/admin/channels/"+fb+"/check", url.Values{"csrf": {csrf}, "back": {"health"}})
	mustStatus(t, r, http.StatusSeeOther)
	if got := r.Header.Get("Location"); got != "/channels?ok=adm.ch.checked#channel-"+fb {
		t.Fatalf("checked from the health page, back to %q", got)
	}
	page = ad.get("/channels?ok=adm.ch.checked")
	mustContain(t, page.Body, "Token diperiksa.", `id="channel-`+fb+`" class="h-reconnect_needed"`, `href="/admin/channels/facebook">Hubungkan ulang</a>`)
	if ch, err := ce.org.Channel(context.Background(), ce.fb.ID); err != nil || ch.TokenCheckedAt == nil || ch.Status != org.StatusReconnectNeeded {
		t.Errorf("after the check: %+v %v", ch, err)
	}
	mustContain(t, ed.get("/channels").Body, "Minta admin kantor Anda menghubungkan ulang kanal ini.")
	// Without back=health the check returns to the channels admin page.
	r = ad.post("/admin/channels/"+ig+"/check", url.Values{"csrf": {csrf}})
	mustStatus(t, r, http.StatusSeeOther)
	if got := r.Header.Get("Location"); got != ChannelsAdminPath+"?ok=adm.ch.checked#channel-"+ig {
		t.Errorf("checked from the admin page, back to %q", got)
	}
}

// The header's badge counts unread notifications; the list marks them
// read; the preferences page keeps the person's email choice.
func TestNotificationsPages(t *testing.T) {
	ce := newConnectEnv(t)
	ctx := context.Background()
	editor := ce.principal(auth.RoleEditor)
	for i, title := range []string{"Unggahan #1 disetujui oleh user-approver", "Unggahan #2 ditolak oleh user-approver"} {
		kind := []string{notify.KindApproved, notify.KindRejected}[i]
		if err := ce.notes.Notify(ctx, notify.Message{Kind: kind, To: []int64{editor.UserID}, TitleID: title, TitleEN: title,
			BodyID: "Alasan: foto buram", Link: "/posts/" + itoa(int64(i+1))}); err != nil {
			t.Fatal(err)
		}
	}
	b := ce.browser()
	csrf := b.signin(auth.RoleEditor)
	cal := b.get("/calendar")
	mustContain(t, cal.Body, `id="unread-badge" aria-label="2 belum dibaca">2</span>`)
	list := b.get("/notifications")
	mustContain(t, list.Body, "Unggahan #2 ditolak oleh user-approver", "Alasan: foto buram", "2 belum dibaca.")
	items, _ := ce.notes.List(ctx, editor.UserID, 10)
	r := b.post("/notifications/"+itoa(items[0].ID)+"/open", url.Values{"csrf": {csrf}, "link": {"https://evil.example/"}})
	mustStatus(t, r, http.StatusSeeOther)
	if r.Header.Get("Location") != "/posts/2" {
		t.Errorf("open goes to %s, want the notification's own link", r.Header.Get("Location"))
	}
	mustContain(t, b.get("/calendar").Body, `aria-label="1 belum dibaca">1</span>`)
	other := ce.browser()
	ocsrf := other.signin(auth.RoleApprover)
	mustStatus(t, other.post("/notifications/"+itoa(items[1].ID)+"/read", url.Values{"csrf": {ocsrf}}), http.StatusNotFound)
	mustStatus(t, b.post("/notifications/read-all", url.Values{"csrf": {csrf}}), http.StatusSeeOther)
	if strings.Contains(b.get("/calendar").Body, "unread-badge") {
		t.Error("a badge with nothing unread")
	}

	prefs := b.get("/account/notifications")
	mustContain(t, prefs.Body, `id="email_post_approved" name="email_post_approved" value="1" checked`, "Akun Anda belum punya alamat email")
	mustStatus(t, b.post("/account/notifications", url.Values{"csrf": {csrf}, "email_post_rejected": {"1"}}), http.StatusSeeOther)
	got, _ := ce.notes.Prefs(ctx, editor.UserID)
	if got[notify.KindApproved] || !got[notify.KindRejected] {
		t.Errorf("saved preferences %v", got)
	}
}

// A rejected post says why at the top of its page and of its edit form,
// in the list and in the calendar, each with "Perbaiki dan ajukan ulang";
// fixed and submitted again, it waits for approval and the box is gone.
func TestRejectedPostSaysWhy(t *testing.T) {
	e := newEnv(t, envOpts{})
	editor := e.browser()
	csrf := editor.signin(auth.RoleEditor)
	r := editor.post("/posts", e.composeForm(csrf, "Sosialisasi tahapan pemilu", true))
	mustStatus(t, r, http.StatusSeeOther)
	id := strings.TrimPrefix(strings.Split(r.Header.Get("Location"), "?")[0], "/posts/")
	appr := e.browser()
	acsrf := appr.signin(auth.RoleApprover)
	mustStatus(t, appr.post("/approvals/"+id+"/reject", appr.review(id, acsrf, "reason", "Foto kurang tajam; ganti foto rapat pleno")), http.StatusSeeOther)

	post := editor.get("/posts/" + id)
	mustContain(t, post.Body, `id="rejected"`, "Ditolak oleh user-approver", "Alasan: Foto kurang tajam; ganti foto rapat pleno",
		`id="fix-resubmit" href="/posts/`+id+`/edit">Perbaiki dan ajukan ulang`)
	if strings.Index(post.Body, `id="rejected"`) > strings.Index(post.Body, `class="summary"`) {
		t.Error("the reason is not at the top of the post page")
	}
	mustContain(t, editor.get("/posts").Body, "Ditolak: Foto kurang tajam; ganti foto rapat pleno", `href="/posts/`+id+`/edit">Perbaiki dan ajukan ulang`)
	at := time.Now().In(e.unit.Location()).Add(48 * time.Hour)
	mustContain(t, editor.get("/calendar?view=month&month="+at.Format("2006-01")).Body, "Ditolak: Foto kurang tajam", "Perbaiki dan ajukan ulang")
	edit := editor.get("/posts/" + id + "/edit")
	mustContain(t, edit.Body, `id="rejected"`, "Alasan: Foto kurang tajam")

	f := e.composeForm(csrfOf(t, edit.Body), "Sosialisasi tahapan pemilu (foto baru)", true)
	f.Set("version", regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(edit.Body)[1])
	mustStatus(t, editor.post("/posts/"+id, f), http.StatusSeeOther)
	after := editor.get("/posts/" + id)
	mustContain(t, after.Body, "Menunggu persetujuan")
	if strings.Contains(after.Body, `id="rejected"`) {
		t.Error("the rejection box stays after resubmitting")
	}
}
