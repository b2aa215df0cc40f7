package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
)

var versionFieldRE = regexp.MustCompile(`name="version" value="(\d+)"`)

// editForm is the edit page's form as the browser would send it, with
// caption changed.
func (b *browser) editForm(id, caption string) url.Values {
	b.t.Helper()
	page := b.get("/posts/" + id + "/edit")
	mustStatus(b.t, page, http.StatusOK)
	m := versionFieldRE.FindStringSubmatch(page.Body)
	if m == nil {
		b.t.Fatalf("the edit form carries no version:\n%s", page.Body)
	}
	f := b.e.composeForm(csrfOf(b.t, page.Body), caption, false)
	f.Set("version", m[1])
	return f
}

// principal is the user of a role in the test env.
func (e *env) principal(role auth.Role) auth.Principal {
	e.t.Helper()
	p, err := e.auth.Authenticate(context.Background(), e.tokens[role])
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// TestStaleEditFormDoesNotOverwrite: an editor opens the edit form, an
// approver saves a newer version meanwhile; sending the old form is 409
// with a conflict message and the newer content beside the form, and
// nothing is overwritten. Sent again (now on the newer version), it saves.
func TestStaleEditFormDoesNotOverwrite(t *testing.T) {
	e := newEnv(t, envOpts{})
	editor := e.browser()
	csrf := editor.signin(auth.RoleEditor)
	r := editor.post("/posts", e.composeForm(csrf, "Versi pertama", false))
	mustStatus(t, r, http.StatusSeeOther)
	id := strings.TrimPrefix(strings.Split(r.Header.Get("Location"), "?")[0], "/posts/")
	stale := editor.editForm(id, "Versi basi dari formulir lama")

	post, err := e.sched.Post(context.Background(), e.principal(auth.RoleApprover), parseID(id))
	if err != nil {
		t.Fatal(err)
	}
	d := scheduler.Draft{Caption: "Versi lebih baru dari approver", ContentType: post.ContentType, Classification: post.Classification,
		Channels: post.ChannelIDs(), ScheduledAt: post.ScheduledAt, Media: post.Media}
	if _, err := e.sched.UpdatePost(context.Background(), e.principal(auth.RoleApprover), post.ID, d); err != nil {
		t.Fatal(err)
	}

	r = editor.post("/posts/"+id, stale)
	mustStatus(t, r, http.StatusConflict)
	mustContain(t, r.Body, "diubah setelah formulir ini dibuka: kini versi 2, formulir Anda dibuka pada versi 1", `id="conflict"`, "Isi terbaru (versi 2)", "Versi lebih baru dari approver",
		"Versi basi dari formulir lama", `name="version" value="2"`)
	if got, _ := e.sched.Post(context.Background(), e.principal(auth.RoleEditor), post.ID); got.Caption != "Versi lebih baru dari approver" || got.Version != 2 {
		t.Fatalf("the stale form overwrote the post: %q v%d", got.Caption, got.Version)
	}
	// The user has seen the newer version: sending the form again saves.
	stale.Set("version", "2")
	mustStatus(t, editor.post("/posts/"+id, stale), http.StatusSeeOther)
	if got, _ := e.sched.Post(context.Background(), e.principal(auth.RoleEditor), post.ID); got.Caption != "Versi basi dari formulir lama" || got.Version != 3 {
		t.Fatalf("after resending: %q v%d", got.Caption, got.Version)
	}
}

// TestApprovalPageBindsTheVersion: the approval form carries the version
// the approver sees; when the editor changes the post meanwhile, approving
// is 409 with a notice and the queue shows the current version; an
// approver who edited the version is told to leave it to another.
func TestApprovalPageBindsTheVersion(t *testing.T) {
	e := newEnv(t, envOpts{})
	editor := e.browser()
	csrf := editor.signin(auth.RoleEditor)
	r := editor.post("/posts", e.composeForm(csrf, "Jadwal kampanye", true))
	mustStatus(t, r, http.StatusSeeOther)
	id := strings.TrimPrefix(strings.Split(r.Header.Get("Location"), "?")[0], "/posts/")

	appr := e.browser()
	acsrf := appr.signin(auth.RoleApprover)
	form := appr.review(id, acsrf)
	mustStatus(t, editor.post("/posts/"+id, editor.editForm(id, "Jadwal kampanye (diubah)")), http.StatusSeeOther)
	// (Editing a submitted post keeps it submitted.)
	r = appr.post("/approvals/"+id+"/approve", form)
	mustStatus(t, r, http.StatusConflict)
	mustContain(t, r.Body, "berubah saat Anda memeriksanya: kini versi 2", "Jadwal kampanye (diubah)", `name="version" value="2"`)
	p, _ := e.sched.Post(context.Background(), e.principal(auth.RoleApprover), parseID(id))
	if p.State != scheduler.StateSubmitted {
		t.Fatalf("post is %s after a stale approval", p.State)
	}

	// The approver edits it: the page says another approver must approve.
	d := scheduler.Draft{Caption: "Jadwal kampanye (disunting approver)", ContentType: p.ContentType, Classification: p.Classification,
		Channels: p.ChannelIDs(), ScheduledAt: p.ScheduledAt, Media: p.Media}
	if _, err := e.sched.UpdatePost(context.Background(), e.principal(auth.RoleApprover), p.ID, d); err != nil {
		t.Fatal(err)
	}
	q := appr.get("/approvals")
	mustContain(t, q.Body, "Anda tidak dapat menyetujui versi ini", "harus disetujui approver lain", "user-approver")
	if strings.Contains(q.Body, `action="/approvals/`+id+`/approve"`) {
		t.Error("the approver who edited is offered Approve")
	}
	mustStatus(t, appr.post("/approvals/"+id+"/approve", url.Values{"csrf": {acsrf}, "version": {"3"}}), http.StatusForbidden)
}

// TestApprovalPageShowsClassifierAndApprover: in a unit where the PPID
// classifies, the queue shows the editor's proposal and offers no
// approval; the PPID officer confirms from the page (with the category);
// the approver then sees who classified, and that they approve which
// version; the post page says who approved which version.
func TestApprovalPageShowsClassifierAndApprover(t *testing.T) {
	e := newEnv(t, envOpts{})
	ctx := context.Background()
	ppid := org.ClassifiedByPPID
	if _, err := e.org.UpdateUnit(ctx, e.unit.ID, org.UnitPatch{ClassificationBy: &ppid}); err != nil {
		t.Fatal(err)
	}
	editor := e.browser()
	csrf := editor.signin(auth.RoleEditor)
	mustContain(t, editor.get("/posts/new").Body, "pilihan Anda adalah usulan sampai PPID mengonfirmasinya", "Jenis informasi publik", "Dasar hukum pengecualian")
	r := editor.post("/posts", e.composeForm(csrf, "Pengumuman hasil rekapitulasi", true))
	mustStatus(t, r, http.StatusSeeOther)
	id := strings.TrimPrefix(strings.Split(r.Header.Get("Location"), "?")[0], "/posts/")

	appr := e.browser()
	acsrf := appr.signin(auth.RoleApprover)
	q := appr.get("/approvals")
	mustContain(t, q.Body, "Usulan, menunggu PPID", "menunggu PPID mengonfirmasi klasifikasinya")
	if strings.Contains(q.Body, `action="/approvals/`+id+`/approve"`) {
		t.Error("approval offered before the PPID confirmed")
	}

	officer := e.browser()
	pcsrf := officer.signin(auth.RolePPID)
	page := officer.get("/approvals")
	mustStatus(t, page, http.StatusOK)
	mustContain(t, page.Body, `action="/approvals/`+id+`/classify"`, "Tetapkan klasifikasi (PPID)")
	f := url.Values{"csrf": {pcsrf}, "version": {"1"}, "classification": {"public"}}
	r = officer.post("/approvals/"+id+"/classify", f)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r.Body, "sebutkan jenis informasi publik")
	f.Set("category", "berkala")
	mustStatus(t, officer.post("/approvals/"+id+"/classify", f), http.StatusSeeOther)

	q = appr.get("/approvals")
	mustContain(t, q.Body, "Klasifikasi oleh", "Dikonfirmasi: user-ppid (PPID)", "Berkala",
		"Persetujuan oleh:", "Anda (user-approver) menyetujui versi 2", "Setujui · Versi 2")
	mustStatus(t, appr.post("/approvals/"+id+"/approve", appr.review(id, acsrf)), http.StatusSeeOther)
	mustContain(t, appr.get("/posts/"+id).Body, "oleh user-approver (versi 2)", "Dikonfirmasi: user-ppid (PPID)")
	// The audit trail shows the classification change and the version approved.
	mustContain(t, appr.get("/posts/"+id).Body, "classify", "classification.status", "proposed", "confirmed")
}

// TestPagesAreScopedByUnit: another unit's list, calendar and report are
// 403 naming the unit (never 500); the channel page and the filters hold
// the user's unit and the units below it.
func TestPagesAreScopedByUnit(t *testing.T) {
	rep := &fakeReports{}
	e := newEnv(t, envOpts{reports: rep})
	ctx := context.Background()
	other, err := e.org.CreateUnit(ctx, org.Unit{Name: "KPU Kota Magelang", Slug: "kpu-magelang", Level: "city", Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.org.CreateChannel(ctx, org.ChannelInput{UnitID: other.ID, Platform: org.Facebook, ExternalID: "300", Name: "Halaman Magelang", AccessToken: "t"}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.signin(auth.RoleEditor)
	u := "unit=" + itoa(other.ID)
	for _, path := range []string{"/posts?" + u, "/calendar?" + u, "/report?" + u, "/report.csv?" + u} {
		r := b.get(path)
		mustStatus(t, r, http.StatusForbidden)
		mustContain(t, r.Body, "KPU Kota Magelang", "di luar unit Anda")
	}
	ch := b.get("/channels")
	mustStatus(t, ch, http.StatusOK)
	if strings.Contains(ch.Body, "Halaman Magelang") {
		t.Error("the channel page shows another unit's channel")
	}
	list := b.get("/posts")
	mustStatus(t, list, http.StatusOK)
	if strings.Contains(list.Body, "KPU Kota Magelang") || strings.Contains(list.Body, "Halaman Magelang") {
		t.Error("the list filters offer another unit")
	}
	r := b.get("/report")
	mustStatus(t, r, http.StatusOK)
	if rep.got.UnitID != e.unit.ID {
		t.Errorf("the report without a unit covered unit %d, want the user's %d", rep.got.UnitID, e.unit.ID)
	}
	bad := b.get("/posts?from=9999-12-31")
	mustStatus(t, bad, http.StatusBadRequest)
	mustContain(t, bad.Body, "di luar 2000–2099")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
