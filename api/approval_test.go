package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestApproverWhoEditsCannotApprove: an approver who changes a submitted
// post's caption is in that version's author set and may not approve it;
// another approver may, and the answer and the audit say which version
// (and content hash) was approved.
func TestApproverWhoEditsCannotApprove(t *testing.T) {
	o := newOffice(t)
	id := o.submitted("Jadwal coklit")
	r := o.call("approver.salatiga", "PATCH", postPath(id, ""), map[string]any{"caption": "Jadwal coklit (diubah approver)"}).must(t, http.StatusOK)
	if r.num("version") != 2 || r.str("state") != "submitted" {
		t.Fatalf("after the approver's edit: %s", r.Raw)
	}
	authors, _ := r.at("authors").([]any)
	if !slices.Contains(authors, any(float64(o.ids["approver.salatiga"]))) || !slices.Contains(authors, any(float64(o.ids["editor.salatiga"]))) {
		t.Errorf("author set %v lacks the editor or the approver", authors)
	}
	hash := r.str("content_hash")
	refused := o.call("approver.salatiga", "POST", postPath(id, "/approve"), map[string]any{"version": 2, "content_hash": hash}).must(t, http.StatusForbidden)
	if !strings.Contains(refused.str("error.message"), "another approver") || refused.str("error.message_id") == "" {
		t.Errorf("refusal: %s", refused.Raw)
	}
	ok := o.call("approver2.salatiga", "POST", postPath(id, "/approve"), map[string]any{"version": 2, "content_hash": hash}).must(t, http.StatusOK)
	if ok.str("state") != "scheduled" || ok.num("approved_version") != 2 || ok.str("approved_hash") != hash ||
		ok.num("approved_by") != float64(o.ids["approver2.salatiga"]) || len(ok.at("authors").([]any)) != 0 {
		t.Errorf("approved post: %s", ok.Raw)
	}
	audit := o.call("kepala.jateng", "GET", postPath(id, "/audit"), nil).must(t, http.StatusOK)
	var approve map[string]any
	for _, e := range audit.at("audit").([]any) {
		if m := e.(map[string]any); m["action"] == "approve" {
			approve = m
		}
	}
	if approve == nil || approve["actor"] != "approver2.salatiga" || !strings.Contains(approve["detail"].(string), `"version":2`) ||
		!strings.Contains(approve["detail"].(string), hash) {
		t.Errorf("approve audit line: %v", approve)
	}
}

// TestApproveTheVersionReviewed: an editor changes a submitted post
// between the approver reading it and approving it; the approval names
// the version read and is refused with 409 and the current version (by
// number or by content hash), then succeeds on the current one. Reject
// is bound the same way, and neither may omit the version.
func TestApproveTheVersionReviewed(t *testing.T) {
	o := newOffice(t)
	id := o.submitted("Sosialisasi tahapan")
	seen := o.call("approver.salatiga", "GET", postPath(id, ""), nil).must(t, http.StatusOK)
	o.call("editor.salatiga", "PATCH", postPath(id, ""), map[string]any{"caption": "Sosialisasi tahapan: teks yang belum dibaca approver"}).must(t, http.StatusOK)

	for _, review := range []map[string]any{
		{"version": seen.num("version")},
		{"content_hash": seen.str("content_hash")},
		{"version": seen.num("version"), "content_hash": seen.str("content_hash")},
	} {
		r := o.call("approver.salatiga", "POST", postPath(id, "/approve"), review).must(t, http.StatusConflict)
		if r.str("error.code") != "version_mismatch" || r.num("error.details.current_version") != 2 ||
			r.str("error.details.post.caption") != "Sosialisasi tahapan: teks yang belum dibaca approver" ||
			r.str("error.details.content_hash") == seen.str("content_hash") || r.str("error.message_id") == "" {
			t.Errorf("stale approval %v: %s", review, r.Raw)
		}
	}
	r := o.call("approver.salatiga", "POST", postPath(id, "/reject"), map[string]any{"version": 1, "reason": "kurang jelas"}).must(t, http.StatusConflict)
	if r.str("error.code") != "version_mismatch" {
		t.Errorf("stale rejection: %s", r.Raw)
	}
	for _, path := range []string{"/approve", "/reject"} {
		r := o.call("approver.salatiga", "POST", postPath(id, path), map[string]any{"reason": "tanpa versi"}).must(t, http.StatusUnprocessableEntity)
		if f := r.fields(t); !slices.Equal(f, []string{"version"}) {
			t.Errorf("%s without a version: fields %v", path, f)
		}
	}
	if r := o.call("approver.salatiga", "POST", postPath(id, "/approve"), nil).must(t, http.StatusUnprocessableEntity); !slices.Equal(r.fields(t), []string{"version"}) {
		t.Errorf("approve without a body: %s", r.Raw)
	}
	if got := o.call("approver.salatiga", "GET", postPath(id, ""), nil); got.str("state") != "submitted" {
		t.Fatalf("refused reviews changed the post: %s", got.Raw)
	}
	cur := o.call("approver.salatiga", "GET", postPath(id, ""), nil)
	ok := o.call("approver.salatiga", "POST", postPath(id, "/approve"), map[string]any{"version": cur.num("version"), "content_hash": cur.str("content_hash")}).must(t, http.StatusOK)
	if ok.num("approved_version") != 2 {
		t.Errorf("approved: %s", ok.Raw)
	}
}

// TestEditsAreVersionedAndAudited: each content change is a new version
// whose audit line holds every changed field before and after (caption
// included); a PATCH naming an older version is 409 and changes nothing;
// a PATCH that changes nothing makes no version.
func TestEditsAreVersionedAndAudited(t *testing.T) {
	o := newOffice(t)
	id := o.submitted("Isi awal")
	r := o.call("editor.salatiga", "PATCH", postPath(id, ""), map[string]any{"version": 1, "caption": "Isi sesudah",
		"tags": []string{"pemilu"}, "campaign": "Pilkada 2026"}).must(t, http.StatusOK)
	if r.num("version") != 2 {
		t.Fatalf("version after an edit: %s", r.Raw)
	}
	stale := o.call("approver.salatiga", "PATCH", postPath(id, ""), map[string]any{"version": 1, "caption": "Timpa"}).must(t, http.StatusConflict)
	if stale.num("error.details.current_version") != 2 {
		t.Errorf("stale PATCH: %s", stale.Raw)
	}
	same := o.call("editor.salatiga", "PATCH", postPath(id, ""), map[string]any{"caption": "Isi sesudah"}).must(t, http.StatusOK)
	if same.num("version") != 2 || same.str("caption") != "Isi sesudah" {
		t.Errorf("a PATCH without change: %s", same.Raw)
	}
	audit := o.call("editor.salatiga", "GET", postPath(id, "/audit"), nil).must(t, http.StatusOK)
	var edits []map[string]any
	for _, e := range audit.at("audit").([]any) {
		if m := e.(map[string]any); m["action"] == "edit" {
			edits = append(edits, m)
		}
	}
	if len(edits) != 1 {
		t.Fatalf("%d edit lines, want 1: %s", len(edits), audit.Raw)
	}
	var detail struct {
		Version         int `json:"version"`
		PreviousVersion int `json:"previous_version"`
		Changes         map[string]struct {
			Before, After any
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(edits[0]["detail"].(string)), &detail); err != nil {
		t.Fatal(err)
	}
	c := detail.Changes
	if detail.Version != 2 || detail.PreviousVersion != 1 || c["caption"].Before != "Isi awal" || c["caption"].After != "Isi sesudah" ||
		c["campaign"].After != "Pilkada 2026" || len(c["tags"].After.([]any)) != 1 || len(c) != 3 {
		t.Errorf("edit audit detail: %s", edits[0]["detail"])
	}
}

// TestPPIDClassifiesWhereTheUnitSaysSo: in a unit whose classification is
// the PPID's, the editor's classification is only proposed and the post
// cannot be approved; an editor cannot confirm it, nor a PPID officer of
// another unit; a PPID officer of the unit above confirms it (with the
// category of public information), which is a new version; the approver
// approves that version and the post names who classified it. A later
// content change needs the PPID again. Units without the step keep the
// editor's classification.
func TestPPIDClassifiesWhereTheUnitSaysSo(t *testing.T) {
	o := newOffice(t)
	if r := o.call("admin", "PATCH", "/units/"+itoa(o.city.ID), map[string]any{"classification_by": "ppid"}).must(t, http.StatusOK); r.str("classification_by") != "ppid" {
		t.Fatalf("unit setting: %s", r.Raw)
	}
	o.call("editor.salatiga", "PATCH", "/units/"+itoa(o.city.ID), map[string]any{"classification_by": "editor"}).must(t, http.StatusForbidden)
	o.call("admin", "PATCH", "/units/"+itoa(o.city.ID), map[string]any{"classification_by": "nobody"}).must(t, http.StatusUnprocessableEntity)

	id := o.submitted("Pengumuman DPT")
	p := o.call("approver.salatiga", "GET", postPath(id, ""), nil)
	if p.str("classification.status") != "proposed" || p.num("classification.classified_by") != 0 {
		t.Fatalf("editor's classification in a PPID unit: %s", p.Raw)
	}
	r := o.call("approver.salatiga", "POST", postPath(id, "/approve"), map[string]any{"version": p.num("version")}).must(t, http.StatusConflict)
	if r.str("error.code") != "classification_unconfirmed" {
		t.Errorf("approval before the PPID: %s", r.Raw)
	}
	classify := func(user string, version float64, c map[string]any) reply {
		return o.call(user, "POST", postPath(id, "/classify"), map[string]any{"version": version, "classification": c})
	}
	public := map[string]any{"level": "public", "category": "serta_merta"}
	classify("editor.salatiga", p.num("version"), public).must(t, http.StatusForbidden)
	classify("approver.salatiga", p.num("version"), public).must(t, http.StatusForbidden)
	classify("ppid.magelang", p.num("version"), public).must(t, http.StatusNotFound) // another city's post is not visible
	if f := classify("ppid.jateng", p.num("version"), map[string]any{"level": "public"}).must(t, http.StatusUnprocessableEntity).fields(t); !slices.Equal(f, []string{"classification.category"}) {
		t.Errorf("public without a category: %v", f)
	}
	if f := classify("ppid.jateng", p.num("version"), map[string]any{"level": "exempt"}).must(t, http.StatusUnprocessableEntity).fields(t); !slices.Equal(f, []string{"classification.reason", "classification.legal_basis"}) {
		t.Errorf("exempt without reason and basis: %v", f)
	}
	if f := classify("ppid.jateng", 0, public).must(t, http.StatusUnprocessableEntity).fields(t); !slices.Equal(f, []string{"version"}) {
		t.Errorf("classify without a version: %v", f)
	}
	c := classify("ppid.jateng", p.num("version"), public).must(t, http.StatusOK)
	if c.str("classification.status") != "confirmed" || c.num("classification.classified_by") != float64(o.ids["ppid.jateng"]) ||
		c.str("classification.category") != "serta_merta" || c.num("version") != p.num("version")+1 || c.str("classification.classified_at") == "" {
		t.Fatalf("after the PPID: %s", c.Raw)
	}
	// The approver reviewed the proposal, not the confirmed version.
	o.call("approver.salatiga", "POST", postPath(id, "/approve"), map[string]any{"version": p.num("version")}).must(t, http.StatusConflict)
	ok := o.call("approver.salatiga", "POST", postPath(id, "/approve"), map[string]any{"version": c.num("version")}).must(t, http.StatusOK)
	if ok.str("state") != "scheduled" || ok.num("approved_version") != c.num("version") || ok.num("classification.classified_by") != float64(o.ids["ppid.jateng"]) {
		t.Errorf("approved: %s", ok.Raw)
	}

	// Changing the content afterwards needs the PPID (and approval) again.
	e := o.call("editor.salatiga", "PATCH", postPath(id, ""), map[string]any{"caption": "Pengumuman DPT (ralat)"}).must(t, http.StatusOK)
	if e.str("state") != "submitted" || e.str("classification.status") != "proposed" {
		t.Errorf("edit after approval in a PPID unit: %s", e.Raw)
	}
	// An exempt classification takes a submitted post back to draft.
	x := classify("ppid.jateng", e.num("version"), map[string]any{"level": "exempt", "legal_basis": "UU 14/2008 pasal 17 huruf h",
		"reason": "memuat data pribadi pemilih"}).must(t, http.StatusOK)
	if x.str("state") != "draft" || x.str("classification.legal_basis") != "UU 14/2008 pasal 17 huruf h" {
		t.Errorf("exempt by the PPID: %s", x.Raw)
	}

	// Magelang keeps the editor's classification (no PPID step).
	m := o.call("editor.magelang", "POST", "/posts", map[string]any{"caption": "Rapat pleno", "content_type": "text",
		"classification": map[string]any{"level": "public"}, "channels": []int64{o.otherFB.ID},
		"scheduled_at": "2099-01-01T09:00:00+07:00"})
	if m.Code != http.StatusUnprocessableEntity { // two years ahead at most
		t.Errorf("far schedule: %s", m.Raw)
	}
}

// TestPPIDInAUnitWithoutApproval: where posts need no approval but the
// PPID classifies, a submitted post waits for the PPID, then is scheduled
// at once, its approved version the confirmed one.
func TestPPIDInAUnitWithoutApproval(t *testing.T) {
	o := newOffice(t)
	no := false
	o.call("admin", "PATCH", "/units/"+itoa(o.city.ID), map[string]any{"classification_by": "ppid", "requires_approval": no}).must(t, http.StatusOK)
	id := o.submitted("Info serta-merta banjir")
	p := o.call("editor.salatiga", "GET", postPath(id, ""), nil)
	if p.str("state") != "submitted" {
		t.Fatalf("waits for the PPID: %s", p.Raw)
	}
	c := o.call("ppid.jateng", "POST", postPath(id, "/classify"), map[string]any{"version": p.num("version"),
		"classification": map[string]any{"level": "public", "category": "serta_merta"}}).must(t, http.StatusOK)
	if c.str("state") != "scheduled" || c.num("approved_version") != c.num("version") {
		t.Errorf("after the PPID in a unit without approval: %s", c.Raw)
	}
}

// TestPPIDRoleEverywhere: the ppid role is accepted where roles are, and
// refused roles name it.
func TestPPIDRoleEverywhere(t *testing.T) {
	o := newOffice(t)
	r := o.call("admin", "POST", "/users", map[string]any{"name": "ppid.salatiga", "unit": "kpu-salatiga", "role": "ppid"}).must(t, http.StatusCreated)
	if r.str("user.role") != "ppid" {
		t.Errorf("created: %s", r.Raw)
	}
	bad := o.call("admin", "POST", "/users", map[string]any{"name": "x", "unit": "kpu-salatiga", "role": "root"}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(bad.Raw, "ppid") {
		t.Errorf("role error does not list ppid: %s", bad.Raw)
	}
	if r := o.call("admin", "PATCH", "/users/ppid.salatiga", map[string]any{"role": "viewer"}).must(t, http.StatusOK); r.str("user.role") != "viewer" {
		t.Errorf("role change: %s", r.Raw)
	}
	// A PPID officer writes no posts.
	o.call("ppid.jateng", "POST", "/posts", map[string]any{"caption": "x", "content_type": "text",
		"classification": map[string]any{"level": "public"}, "channels": []int64{o.provFB.ID}, "scheduled_at": "2026-12-30T09:00:00+07:00"}).must(t, http.StatusForbidden)
}
