package api_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/agenda"
	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/media"
)

// TestAgendaAPIURLEditDelete: the election-stage schedule imports from a
// URL (again: updated, not doubled); a private address is a 422 naming
// the url field in both languages; an event is read, patched (the fields
// given) and deleted by the city's editor, while a viewer, another city's
// editor and the city's editor on an inherited event are refused.
func TestAgendaAPIURLEditDelete(t *testing.T) {
	o := newOffice(t)
	ev := agenda.New(o.db, o.orgs, time.FixedZone("WIB", 7*3600), nil)
	ics, err := os.ReadFile("../agenda/testdata/tahapan.ics")
	if err != nil {
		t.Fatal(err)
	}
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(ics) }))
	defer files.Close()
	ev.UseFetcher(media.NewFetcher(media.FetchOptions{MaxBytes: agenda.MaxICSBytes, AllowAddrs: []string{strings.TrimPrefix(files.URL, "http://")}}))
	api.MountAgenda(o.authed(), api.AgendaDeps{Agenda: ev, Units: api.SchedulerDeps{Org: o.orgs, Auth: o.users, Calendar: o.sched}})

	body := map[string]any{"url": files.URL + "/tahapan.ics", "unit": "kpu-salatiga"}
	if r := o.call("editor.salatiga", "POST", "/events/import-url", body).must(t, 200); r.num("added") != 5 {
		t.Fatalf("import: %s", r.Raw)
	}
	if r := o.call("editor.salatiga", "POST", "/events/import-url", body).must(t, 200); r.num("added") != 0 || r.num("updated") != 5 {
		t.Fatalf("re-import: %s", r.Raw)
	}
	r := o.call("editor.salatiga", "POST", "/events/import-url", map[string]any{"url": "http://192.168.1.10/tahapan.ics"}).must(t, 422)
	if !slices.Contains(fieldNames(r), "url") || !strings.Contains(r.Raw, "private, loopback or reserved") || !strings.Contains(r.Raw, "bersifat privat") {
		t.Errorf("a private address: %s", r.Raw)
	}
	o.call("kepala.jateng", "POST", "/events/import-url", body).must(t, 403)
	o.call("editor.salatiga", "POST", "/events/import-url", nil).must(t, 400)

	mine := o.call("editor.salatiga", "POST", "/events", map[string]any{"title": "Sosialisasi", "type": "campaign", "start": "2026-12-10T09:00:00+07:00",
		"end": "2026-12-10T11:00:00+07:00"}).must(t, 201)
	path := "/events/" + strconv.Itoa(int(mine.num("id")))
	prov := o.call("ppid.jateng", "POST", "/events", map[string]any{"title": "Pleno provinsi", "type": "plenary", "start": "2026-12-11T09:00:00+07:00"}).must(t, 201)
	provPath := "/events/" + strconv.Itoa(int(prov.num("id")))

	if g := o.call("editor.salatiga", "GET", provPath, nil).must(t, 200); g.str("title") != "Pleno provinsi" {
		t.Errorf("the city reads the province's event: %s", g.Raw)
	}
	o.call("editor.magelang", "GET", path, nil).must(t, 404)
	p := o.call("editor.salatiga", "PATCH", path, map[string]any{"title": "Sosialisasi pemilih pemula", "start": "2026-12-12T13:00:00+07:00"}).must(t, 200)
	if p.str("title") != "Sosialisasi pemilih pemula" || p.str("type") != "campaign" {
		t.Errorf("patched: %s", p.Raw)
	}
	if start, _ := time.Parse(time.RFC3339, p.str("start")); !start.Equal(time.Date(2026, 12, 12, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("start %s", p.str("start"))
	}
	if end, _ := time.Parse(time.RFC3339, p.str("end")); !end.Equal(time.Date(2026, 12, 12, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("a moved event keeps its two hours: end %s", p.str("end"))
	}
	if bad := o.call("editor.salatiga", "PATCH", path, map[string]any{"type": "pesta"}).must(t, 422); !slices.Contains(fieldNames(bad), "type") {
		t.Errorf("bad type: %s", bad.Raw)
	}
	o.call("editor.salatiga", "PATCH", path, map[string]any{"colour": "red"}).must(t, 400)
	o.call("kepala.jateng", "PATCH", path, map[string]any{"title": "x"}).must(t, 403)
	o.call("editor.magelang", "PATCH", path, map[string]any{"title": "x"}).must(t, 404)
	o.call("editor.salatiga", "PATCH", provPath, map[string]any{"title": "x"}).must(t, 403)
	o.call("editor.salatiga", "DELETE", provPath, nil).must(t, 403)
	o.call("editor.salatiga", "DELETE", "/events/abc", nil).must(t, 400)
	o.call("editor.salatiga", "DELETE", path, nil).must(t, http.StatusNoContent)
	o.call("editor.salatiga", "GET", path, nil).must(t, 404)
	o.call("editor.salatiga", "DELETE", path, nil).must(t, 404)

	// A daily subscription: made, listed, stopped.
	sub := o.call("editor.salatiga", "POST", "/event-feeds", body).must(t, 201)
	if sub.num("feed.id") == 0 || sub.num("updated") != 5 || sub.str("feed.url") != body["url"] {
		t.Fatalf("subscribe: %s", sub.Raw)
	}
	o.call("editor.salatiga", "POST", "/event-feeds", map[string]any{"url": "ftp://kpu.go.id/x.ics"}).must(t, 422)
	o.call("kepala.jateng", "POST", "/event-feeds", body).must(t, 403)
	if l := o.call("editor.salatiga", "GET", "/event-feeds", nil).must(t, 200); !strings.Contains(l.Raw, `"url":"`+files.URL) {
		t.Errorf("feeds: %s", l.Raw)
	}
	if l := o.call("editor.magelang", "GET", "/event-feeds", nil).must(t, 200); l.Raw != "[]" {
		t.Errorf("another city's feeds: %s", l.Raw)
	}
	feedPath := "/event-feeds/" + strconv.Itoa(int(sub.num("feed.id")))
	o.call("editor.magelang", "DELETE", feedPath, nil).must(t, 403)
	o.call("editor.salatiga", "DELETE", feedPath, nil).must(t, http.StatusNoContent)
	o.call("editor.salatiga", "DELETE", feedPath, nil).must(t, 404)
}
