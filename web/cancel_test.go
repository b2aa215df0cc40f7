package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/scheduler"
)

// TestCancelPost: the post page offers cancel to those the scheduler lets
// cancel; the action needs the CSRF token, a viewer is refused by the
// scheduler's rule, and a successful cancel shows the canceled state and
// lands in the audit trail with its reason.
func TestCancelPost(t *testing.T) {
	e := newEnv(t, envOpts{})
	editor := e.browser()
	csrf := editor.signin(auth.RoleEditor)
	r := editor.post("/posts", e.composeForm(csrf, "Sosialisasi tahapan", true))
	mustStatus(t, r, http.StatusSeeOther)
	id := strings.TrimPrefix(strings.Split(r.Header.Get("Location"), "?")[0], "/posts/")
	action := `action="/posts/` + id + `/cancel"`

	page := editor.get("/posts/" + id)
	mustContain(t, page.Body, action, "Batalkan unggahan", "yang sudah tayang tetap tayang", `<label for="cancel-reason">`)

	// A viewer is not offered the button, and posting anyway is the
	// scheduler's 403.
	viewer := e.browser()
	vcsrf := viewer.signin(auth.RoleViewer)
	if strings.Contains(viewer.get("/posts/"+id).Body, action) {
		t.Error("viewer is offered cancel")
	}
	r = viewer.post("/posts/"+id+"/cancel", url.Values{"csrf": {vcsrf}})
	mustStatus(t, r, http.StatusForbidden)
	mustContain(t, r.Body, "tidak dapat menulis kiriman")

	// Without or with a wrong CSRF token nothing happens.
	mustStatus(t, editor.post("/posts/"+id+"/cancel", url.Values{}), http.StatusForbidden)
	mustStatus(t, editor.post("/posts/"+id+"/cancel", url.Values{"csrf": {"wrong"}}), http.StatusForbidden)
	mustContain(t, editor.get("/posts/"+id).Body, "Menunggu persetujuan")

	r = editor.post("/posts/"+id+"/cancel", url.Values{"csrf": {csrf}, "reason": {"Jadwal <acara> diundur"}})
	mustStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/posts/"+id+"?n="+id+"&ok=post.canceled" {
		t.Fatalf("redirect to %q", loc)
	}
	page = editor.get(r.Header.Get("Location"))
	mustStatus(t, page, http.StatusOK)
	mustContain(t, page.Body, "Unggahan #"+id+" dibatalkan.", `class="st st-canceled"`, "Dibatalkan", "Jadwal &lt;acara&gt; diundur")
	if strings.Contains(page.Body, action) {
		t.Error("a canceled post still offers cancel")
	}
	var n int
	if err := e.db.DB.QueryRow(`SELECT count(*) FROM deliveries WHERE post_id = ? AND status = 'canceled'`, id).Scan(&n); err != nil || n != 2 {
		t.Errorf("canceled deliveries = %d, %v; want 2", n, err)
	}
	// Canceling twice is the scheduler's 409, in English when asked.
	editor.get("/lang/en")
	r = editor.post("/posts/"+id+"/cancel", url.Values{"csrf": {csrf}})
	mustStatus(t, r, http.StatusConflict)
	mustContain(t, r.Body, "cannot cancel a post that is canceled")
	mustContain(t, editor.get("/posts/"+id).Body, "Canceled")
	mustStatus(t, editor.post("/posts/999999/cancel", url.Values{"csrf": {csrf}}), http.StatusNotFound)
}

// TestComposeLimitsComeFromScheduler: the limits the page (and its
// script) uses are the scheduler's, rendered by the server.
func TestComposeLimitsComeFromScheduler(t *testing.T) {
	e := newEnv(t, envOpts{})
	b := e.browser()
	b.signin(auth.RoleEditor)
	page := b.get("/posts/new")
	mustStatus(t, page, http.StatusOK)
	lims := scheduler.AllLimits()
	if len(lims) != 2 {
		t.Fatalf("scheduler has %d platforms' limits", len(lims))
	}
	for _, lim := range lims {
		mustContain(t, page.Body, fmt.Sprintf(`data-platform="%s" data-caption="%d" data-hashtags="%d" data-mentions="%d" data-hashtags-warn="%d"`,
			lim.Platform, lim.Chars, lim.Hashtags, lim.Mentions, lim.HashtagsWarn))
	}
	mustContain(t, page.Body, "(disarankan ≤ 5)") // Instagram's announced cap: a warning, not a refusal
	mustContain(t, page.Body, "maks. 63.206 karakter")
}
