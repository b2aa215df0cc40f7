package web

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
)

var channelBoxRE = regexp.MustCompile(`name="channel" value="(\d+)"`)

// offeredChannels are the channel checkboxes of a compose page, sorted.
func offeredChannels(body string) []int64 {
	var out []int64
	for _, m := range channelBoxRE.FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// TestEditAndChannelsFollowScheduler: the Edit button, the edit page and
// the compose page's channels are what scheduler.CanEdit and
// scheduler.WritableChannels say, for each user.
func TestEditAndChannelsFollowScheduler(t *testing.T) {
	e := newEnv(t, envOpts{})
	ctx := context.Background()
	other, err := e.org.CreateUnit(ctx, org.Unit{Name: "KPU Kota Magelang", Slug: "kpu-magelang", Level: "city", Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	district, err := e.org.CreateUnit(ctx, org.Unit{ParentID: e.unit.ID, Name: "PPK Sidorejo", Slug: "ppk-sidorejo", Level: "other", Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	otherCh, err := e.org.CreateChannel(ctx, org.ChannelInput{UnitID: other.ID, Platform: org.Facebook, ExternalID: "300", Name: "KPU Magelang", AccessToken: "tok-300"})
	if err != nil {
		t.Fatal(err)
	}
	districtCh, err := e.org.CreateChannel(ctx, org.ChannelInput{UnitID: district.ID, Platform: org.Facebook, ExternalID: "200", Name: "PPK Sidorejo", AccessToken: "tok-200"})
	if err != nil {
		t.Fatal(err)
	}
	off, err := e.org.CreateChannel(ctx, org.ChannelInput{UnitID: e.unit.ID, Platform: org.Facebook, ExternalID: "101", Name: "Halaman lama", AccessToken: "tok-101"})
	if err != nil {
		t.Fatal(err)
	}
	disabled := org.StatusDisabled
	if _, err := e.org.UpdateChannel(ctx, off.ID, org.ChannelPatch{Status: &disabled}); err != nil {
		t.Fatal(err)
	}
	user := func(name string, unit int64, role auth.Role) string {
		_, tok, err := e.auth.CreateUser(ctx, name, unit, role)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	otherEditorTok := user("editor-magelang", other.ID, auth.RoleEditor)
	districtEditorTok := user("editor-sidorejo", district.ID, auth.RoleEditor)

	// Compose: each user is offered what the scheduler lets them target.
	editor := e.browser()
	csrf := editor.signin(auth.RoleEditor)
	page := editor.get("/posts/new")
	mustStatus(t, page, http.StatusOK)
	want := []int64{e.fb.ID, e.ig.ID, districtCh.ID}
	slices.Sort(want)
	if got := offeredChannels(page.Body); !slices.Equal(got, want) {
		t.Errorf("city editor offered %v, want %v (own unit and below, no disabled, no other unit)", got, want)
	}
	otherEditor := e.browser()
	otherEditor.signinAs(otherEditorTok)
	if got := offeredChannels(otherEditor.get("/posts/new").Body); !slices.Equal(got, []int64{otherCh.ID}) {
		t.Errorf("Magelang editor offered %v, want [%d]", got, otherCh.ID)
	}
	// The same, asked of the scheduler directly.
	for tok, b := range map[string]*browser{e.tokens[auth.RoleEditor]: editor, otherEditorTok: otherEditor} {
		p, err := e.auth.Authenticate(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		chans, err := e.sched.WritableChannels(ctx, p, 0)
		if err != nil {
			t.Fatal(err)
		}
		wantIDs := make([]int64, 0, len(chans))
		for _, c := range chans {
			wantIDs = append(wantIDs, c.ID)
		}
		slices.Sort(wantIDs)
		if got := offeredChannels(b.get("/posts/new").Body); !slices.Equal(got, wantIDs) {
			t.Errorf("%s: page offers %v, scheduler says %v", p.Name, got, wantIDs)
		}
	}

	// A scheduled post: the scheduler lets its editor edit it (it goes
	// back to approval), so the page offers Edit.
	r := editor.post("/posts", e.composeForm(csrf, "Sosialisasi pemutakhiran data", true))
	mustStatus(t, r, http.StatusSeeOther)
	id := strings.TrimPrefix(strings.Split(r.Header.Get("Location"), "?")[0], "/posts/")
	approver := e.browser()
	acsrf := approver.signin(auth.RoleApprover)
	mustStatus(t, approver.post("/approvals/"+id+"/approve", approver.review(id, acsrf)), http.StatusSeeOther)
	editLink := `href="/posts/` + id + `/edit"`
	page = editor.get("/posts/" + id)
	mustContain(t, page.Body, "Terjadwal", editLink)
	mustContain(t, editor.get("/posts").Body, editLink)
	mustStatus(t, editor.get("/posts/"+id+"/edit"), http.StatusOK)

	// A viewer sees the post but no Edit, and cannot open the editor.
	viewer := e.browser()
	viewer.signin(auth.RoleViewer)
	page = viewer.get("/posts/" + id)
	mustStatus(t, page, http.StatusOK)
	if strings.Contains(page.Body, editLink) || strings.Contains(viewer.get("/posts").Body, editLink) {
		t.Error("viewer is offered Edit")
	}
	mustStatus(t, viewer.get("/posts/"+id+"/edit"), http.StatusForbidden)

	// An editor of another unit can neither see nor edit it.
	mustStatus(t, otherEditor.get("/posts/"+id), http.StatusNotFound)
	mustStatus(t, otherEditor.get("/posts/"+id+"/edit"), http.StatusNotFound)
	if strings.Contains(otherEditor.get("/posts").Body, editLink) {
		t.Error("Magelang editor is offered Edit")
	}

	// An editor below sees nothing of the city's post; the city editor
	// sees the district's post but may not edit it (editors write in their
	// own unit only): no Edit, and the editor page is the scheduler's 403.
	districtEditor := e.browser()
	dcsrf := districtEditor.signinAs(districtEditorTok)
	mustStatus(t, districtEditor.get("/posts/"+id), http.StatusNotFound)
	f := e.composeForm(dcsrf, "Rapat kerja PPK", false)
	f["channel"] = []string{strconv.FormatInt(districtCh.ID, 10)}
	r = districtEditor.post("/posts", f)
	mustStatus(t, r, http.StatusSeeOther)
	did := strings.TrimPrefix(strings.Split(r.Header.Get("Location"), "?")[0], "/posts/")
	mustContain(t, districtEditor.get("/posts/"+did).Body, `href="/posts/`+did+`/edit"`)
	page = editor.get("/posts/" + did)
	mustStatus(t, page, http.StatusOK)
	if strings.Contains(page.Body, `href="/posts/`+did+`/edit"`) {
		t.Error("city editor is offered Edit on the district's post")
	}
	r = editor.get("/posts/" + did + "/edit")
	mustStatus(t, r, http.StatusForbidden)
	mustContain(t, r.Body, "editor hanya dapat menulis kiriman di unitnya sendiri")
	mustStatus(t, editor.post("/posts/"+did, e.composeForm(csrf, "Ubah", false)), http.StatusForbidden)
}
