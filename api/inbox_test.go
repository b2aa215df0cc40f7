package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/agenda"
	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/inbox"
	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/ppid"
)

// TestInboxAPI: the city's comments reach its staff and the province
// (roll-up), not the other city; a reply waits for a second approver and
// is published once; bad input is a 4xx naming the field.
// inboxOffice is the office with the city's Page in the simulator, its
// comments collected into the inbox (one question among them), and the
// inbox and PPID routes mounted.
func inboxOffice(t *testing.T) (*office, *graphsim.Sim, *graphsim.ManualClock) {
	t.Helper()
	o := newOffice(t)
	ctx := context.Background()
	clock := graphsim.NewManualClock(time.Now().UTC().Truncate(time.Second))
	sim := graphsim.New(graphsim.Options{Clock: clock.Now, Seed: 5})
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	if err := sim.AddPage("200", "KPU Kota Salatiga", "tok-200"); err != nil {
		t.Fatal(err)
	}
	_ = sim.SetFollowers("200", 20000)
	if err := sim.SeedHistory("200", 2, 2); err != nil {
		t.Fatal(err)
	}
	client, err := meta.New(meta.Options{BaseURL: hs.URL, Now: clock.Now, RetryBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ib := inbox.New(o.db, o.orgs, inbox.Options{Graph: client, Now: clock.Now})
	units := api.SchedulerDeps{Org: o.orgs, Auth: o.users, Calendar: o.sched}
	api.MountInbox(o.authed(), api.InboxDeps{Inbox: ib, Units: units})
	cal := ppid.NewCalendar(time.FixedZone("WIB", 7*3600), nil, 16*time.Hour)
	api.MountPPID(o.authed(), api.PPIDDeps{Requests: ppid.New(o.db, o.orgs, ib, ppid.Options{Calendar: cal, Now: clock.Now}), Units: units})
	posts := sim.Published("200")
	if _, err := sim.AddComment(posts[len(posts)-1].ID, "Warga Argomulyo", "Kapan pendaftaran KPPS dibuka?"); err != nil {
		t.Fatal(err)
	}
	var got []inbox.Collected
	for _, p := range posts {
		l, err := client.ListComments(ctx, "tok-200", meta.CommentTarget{Platform: "facebook", ObjectID: p.ID}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, inbox.Collected{ObjectID: p.ID, PostText: p.Text, Count: -1, Comments: l})
	}
	if _, err := ib.SaveCollected(ctx, o.cityFB, clock.Now(), got); err != nil {
		t.Fatal(err)
	}

	return o, sim, clock
}

func TestInboxAPI(t *testing.T) {
	o, sim, _ := inboxOffice(t)
	all := o.call("editor.salatiga", "GET", "/comments?limit=200", nil).must(t, 200)
	total := int(all.num("total"))
	if total == 0 {
		t.Fatal("the city's inbox is empty")
	}
	if n := o.call("kepala.jateng", "GET", "/comments?unit=kpu-salatiga", nil).must(t, 200).num("total"); int(n) != total {
		t.Errorf("the province sees %v of the city's %d comments", n, total)
	}
	if n := o.call("editor.magelang", "GET", "/comments", nil).must(t, 200).num("total"); n != 0 {
		t.Errorf("another city sees %v comments", n)
	}
	o.call("editor.magelang", "GET", "/comments?unit=kpu-salatiga", nil).must(t, 403)
	q := o.call("editor.salatiga", "GET", "/comments?question=true&status=new", nil).must(t, 200)
	var id int64
	for i := 0; i < int(q.num("total")) && i < 50; i++ {
		if q.str(fmt.Sprintf("comments.%d.message", i)) == "Kapan pendaftaran KPPS dibuka?" {
			id = int64(q.num(fmt.Sprintf("comments.%d.id", i)))
		}
	}
	if id == 0 {
		t.Fatalf("the question is not among the new questions: %s", q.Raw)
	}
	path := fmt.Sprintf("/comments/%d", id)

	for _, tc := range []struct {
		user, method, path string
		body               any
		code               int
		field              string
	}{
		{"editor.salatiga", "GET", "/comments?question=maybe", nil, 400, "question"},
		{"editor.salatiga", "GET", "/comments?status=open", nil, 400, "status"},
		{"editor.salatiga", "GET", "/comments?limit=-1", nil, 400, "limit"},
		{"editor.salatiga", "POST", path + "/replies", map[string]any{"message": "  "}, 422, "message"},
		{"editor.salatiga", "POST", path + "/hide", map[string]any{}, 422, "hidden"},
		{"editor.salatiga", "POST", path + "/assign", map[string]any{"assignee_id": 99999}, 422, "assignee_id"},
		{"editor.salatiga", "POST", path + "/done", map[string]any{"done": "yes"}, 400, ""},
		{"kepala.jateng", "POST", path + "/replies", map[string]any{"message": "Halo"}, 403, ""},
		{"editor.magelang", "GET", path, nil, 404, ""},
	} {
		r := o.call(tc.user, tc.method, tc.path, tc.body)
		if r.Code != tc.code {
			t.Errorf("%s %s: %d, want %d: %s", tc.method, tc.path, r.Code, tc.code, r.Raw)
			continue
		}
		if tc.field != "" && r.str("error.field") != tc.field && !slices.Contains(fieldNames(r), tc.field) {
			t.Errorf("%s %s: the answer does not name %s: %s", tc.method, tc.path, tc.field, r.Raw)
		}
	}

	r := o.call("editor.salatiga", "POST", path+"/replies", map[string]any{"message": "Pendaftaran KPPS dibuka 1 Desember di kantor PPS."}).must(t, 200)
	if r.str("state") != inbox.ReplyAwaitingApproval {
		t.Fatalf("reply in a unit that requires approval: %s", r.Raw)
	}
	rid := int64(r.num("id"))
	o.call("editor.salatiga", "POST", fmt.Sprintf("/comment-replies/%d/approve", rid), nil).must(t, 403)
	r = o.call("approver.salatiga", "POST", fmt.Sprintf("/comment-replies/%d/approve", rid), nil).must(t, 200)
	if r.str("state") != inbox.ReplyPublished {
		t.Fatalf("approved: %s", r.Raw)
	}
	o.call("approver.salatiga", "POST", fmt.Sprintf("/comment-replies/%d/approve", rid), nil).must(t, 409)
	c := o.call("editor.salatiga", "GET", path, nil).must(t, 200)
	if c.str("replies.0.state") != inbox.ReplyPublished || c.at("first_reply_at") == nil {
		t.Errorf("comment after the reply: %s", c.Raw)
	}
	if n := len(sim.PageReplies(c.str("external_id"))); n != 1 {
		t.Errorf("%d replies on the Page", n)
	}
	o.call("editor.salatiga", "POST", path+"/assign", map[string]any{"assignee_id": o.ids["approver.salatiga"]}).must(t, 200)
	o.call("editor.salatiga", "POST", path+"/done", map[string]any{"done": true}).must(t, 200)
	o.call("editor.salatiga", "POST", path+"/hide", map[string]any{"hidden": true}).must(t, 200)
	if !sim.CommentHidden(c.str("external_id")) {
		t.Error("not hidden on the Page")
	}
	if n := o.call("editor.salatiga", "GET", "/comments?status=done", nil).must(t, 200).num("total"); n != 1 {
		t.Errorf("done: %v", n)
	}
}

func fieldNames(r reply) []string {
	list, _ := r.at("error.fields").([]any)
	var out []string
	for _, f := range list {
		if m, ok := f.(map[string]any); ok {
			s, _ := m["field"].(string)
			out = append(out, s)
		}
	}
	return out
}

// TestPPIDAPI: the question becomes a request (once), the PPID answers it
// by reply and it closes on time; bad input names the field.
func TestPPIDAPI(t *testing.T) {
	o, sim, _ := inboxOffice(t)
	q := o.call("editor.salatiga", "GET", "/comments?question=true", nil).must(t, 200)
	var id int64
	for i := 0; i < int(q.num("total")) && i < 50; i++ {
		if q.str(fmt.Sprintf("comments.%d.message", i)) == "Kapan pendaftaran KPPS dibuka?" {
			id = int64(q.num(fmt.Sprintf("comments.%d.id", i)))
		}
	}
	path := fmt.Sprintf("/comments/%d/ppid-request", id)
	if f := o.call("editor.salatiga", "POST", path, map[string]any{"category": "rahasia"}).must(t, 422); f.str("error.field") != "category" && !slices.Contains(fieldNames(f), "category") {
		t.Errorf("bad category: %s", f.Raw)
	}
	r := o.call("editor.salatiga", "POST", path, map[string]any{"category": "serta_merta"}).must(t, 201)
	o.call("editor.salatiga", "POST", path, map[string]any{"category": "serta_merta"}).must(t, 409)
	if r.str("requester_name") != "Warga Argomulyo" || r.str("status") != "open" || r.num("working_days_left") < 9 {
		t.Fatalf("request: %s", r.Raw)
	}
	rid := int64(r.num("id"))
	o.call("ppid.jateng", "POST", fmt.Sprintf("/ppid-requests/%d/refuse", rid), map[string]any{"reason": "x"}).must(t, 422)
	o.call("ppid.magelang", "GET", fmt.Sprintf("/ppid-requests/%d", rid), nil).must(t, 404)
	// The province's PPID answers; the unit requires approval, so the
	// reply waits for the city's approver, then the request closes.
	a := o.call("ppid.jateng", "POST", fmt.Sprintf("/ppid-requests/%d/reply", rid), map[string]any{"message": "Pendaftaran KPPS dibuka 1 Desember."}).must(t, 200)
	if a.str("status") != "open" || a.str("reply_state") != "awaiting_approval" {
		t.Fatalf("answered, waiting: %s", a.Raw)
	}
	o.call("approver.salatiga", "POST", fmt.Sprintf("/comment-replies/%d/approve", int64(a.num("reply_id"))), nil).must(t, 200)
	got := o.call("ppid.jateng", "GET", fmt.Sprintf("/ppid-requests/%d", rid), nil).must(t, 200)
	if got.str("status") != "answered" || got.at("late") != false {
		t.Fatalf("closed: %s", got.Raw)
	}
	if n := len(sim.PageReplies(o.call("editor.salatiga", "GET", fmt.Sprintf("/comments/%d", id), nil).str("external_id"))); n != 1 {
		t.Errorf("%d replies", n)
	}
	m := o.call("ppid.jateng", "POST", "/ppid-requests", map[string]any{"requester_name": "LSM", "question": "Daftar hadir pleno", "category": "berkala",
		"received_at": "yesterday", "unit": "kpu-salatiga"}).must(t, 422)
	if m.str("error.field") != "received_at" && !slices.Contains(fieldNames(m), "received_at") {
		t.Errorf("bad received_at: %s", m.Raw)
	}
	o.call("ppid.jateng", "POST", "/ppid-requests", map[string]any{"requester_name": "LSM", "question": "Daftar hadir pleno", "category": "berkala",
		"unit": "kpu-salatiga"}).must(t, 201)
	if l := o.call("kepala.jateng", "GET", "/ppid-requests?status=open", nil).must(t, 200); !strings.Contains(l.Raw, "Daftar hadir pleno") {
		t.Errorf("open list: %s", l.Raw)
	}
}

// TestAgendaAPI: an iCalendar body imports into the city's agenda
// (again: updated, not doubled); the list shows it; bad input names the field.
func TestAgendaAPI(t *testing.T) {
	o := newOffice(t)
	ev := agenda.New(o.db, o.orgs, time.FixedZone("WIB", 7*3600), nil)
	api.MountAgenda(o.authed(), api.AgendaDeps{Agenda: ev, Units: api.SchedulerDeps{Org: o.orgs, Auth: o.users, Calendar: o.sched}})
	ics, err := os.ReadFile("../agenda/testdata/tahapan.ics")
	if err != nil {
		t.Fatal(err)
	}
	post := func(user, body string) reply {
		req := httptest.NewRequest("POST", "/api/v1/events/import?unit=kpu-salatiga", strings.NewReader(body))
		req.Header.Set("Content-Type", "text/calendar")
		req.Header.Set("Authorization", "Bearer "+o.tok[user])
		w := httptest.NewRecorder()
		o.engine.ServeHTTP(w, req)
		r := reply{Code: w.Code, Raw: w.Body.String()}
		_ = json.Unmarshal(w.Body.Bytes(), &r.Body)
		return r
	}
	if r := post("editor.salatiga", string(ics)).must(t, 200); r.num("added") != 5 {
		t.Fatalf("import: %s", r.Raw)
	}
	if r := post("editor.salatiga", string(ics)).must(t, 200); r.num("updated") != 5 || r.num("added") != 0 {
		t.Fatalf("re-import: %s", r.Raw)
	}
	if r := post("editor.salatiga", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n").must(t, 422); r.str("error.field") != "file" && !slices.Contains(fieldNames(r), "file") {
		t.Errorf("a bad file: %s", r.Raw)
	}
	post("kepala.jateng", string(ics)).must(t, 403)
	l := o.call("editor.salatiga", "GET", "/events?from=2026-11-01&to=2026-12-01", nil).must(t, 200)
	if !strings.Contains(l.Raw, "Rapat pleno terbuka rekapitulasi") {
		t.Errorf("list: %s", l.Raw)
	}
	o.call("editor.salatiga", "GET", "/events?from=kemarin", nil).must(t, 400)
	r := o.call("editor.salatiga", "POST", "/events", map[string]any{"title": "Sosialisasi", "type": "pesta", "start": "2026-12-10T09:00:00+07:00"}).must(t, 422)
	if !slices.Contains(fieldNames(r), "type") {
		t.Errorf("bad type: %s", r.Raw)
	}
	o.call("editor.salatiga", "POST", "/events", map[string]any{"title": "Sosialisasi", "type": "campaign", "start": "2026-12-10T09:00:00+07:00"}).must(t, 201)
}
