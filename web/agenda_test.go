package web

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/agenda"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/inbox"
	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/org"
)

// agendaEnv is the pages with the agenda (calendars from URLs fetched
// through the media fetcher, allowed to reach the test's file server)
// and the comments inbox.
type agendaEnv struct {
	*env
	agenda *agenda.Service
	inbox  *inbox.Service
	files  *httptest.Server
}

func newAgendaEnv(t *testing.T) *agendaEnv {
	t.Helper()
	ics, err := os.ReadFile("../agenda/testdata/tahapan.ics")
	if err != nil {
		t.Fatal(err)
	}
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/jadwal/tahapan.ics" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/calendar")
		_, _ = w.Write(ics)
	}))
	t.Cleanup(files.Close)
	ae := &agendaEnv{files: files}
	jakarta, _ := time.LoadLocation("Asia/Jakarta")
	ae.env = newEnv(t, envOpts{deps: func(d *Deps) {
		ae.agenda = agenda.New(d.SQL, d.Org, jakarta, nil)
		ae.agenda.UseFetcher(media.NewFetcher(media.FetchOptions{MaxBytes: agenda.MaxICSBytes, AllowAddrs: []string{strings.TrimPrefix(files.URL, "http://")}}))
		ae.inbox = inbox.New(d.SQL, d.Org, inbox.Options{})
		d.Agenda, d.Inbox = ae.agenda, ae.inbox
	}})
	return ae
}

// postMultipart posts a form the way the import form does (multipart),
// with an optional file in the "file" field.
func (b *browser) postMultipart(path string, fields url.Values, file string, data []byte) resp {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if file != "" {
		fw, _ := mw.CreateFormFile("file", file)
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", b.e.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	r, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer r.Body.Close()
	raw, _ := io.ReadAll(r.Body)
	return resp{Status: r.StatusCode, Body: string(raw), Header: r.Header}
}

// TestAgendaPageImportURL: the import form takes a URL: the schedule
// imports through the media fetcher (again: updated, not doubled); a
// private address, a missing file and URL, and both at once are refused
// on the page with what is wrong, keeping the URL typed.
func TestAgendaPageImportURL(t *testing.T) {
	e := newAgendaEnv(t)
	b := e.browser()
	csrf := b.signin(auth.RoleEditor)
	page := b.get("/agenda")
	if !strings.Contains(page.Body, `name="url"`) {
		t.Fatal("the import form has no URL field")
	}
	u := e.files.URL + "/jadwal/tahapan.ics"
	for range 2 {
		r := b.postMultipart("/agenda/import", url.Values{"csrf": {csrf}, "url": {u}, "type": {"election_stage"}}, "", nil)
		if r.Status != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "ok=agenda.imported.url") ||
			!strings.Contains(r.Header.Get("Location"), "n=5") {
			t.Fatalf("import from URL: %d %s %s", r.Status, r.Header.Get("Location"), r.Body)
		}
	}
	list, err := e.agenda.ForUnit(context.Background(), e.unit.ID, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(list) != 5 {
		t.Fatalf("%d events after importing the URL twice (%v)", len(list), err)
	}
	if got := b.get("/agenda?ok=agenda.imported.url&n=5").Body; !strings.Contains(got, "5 kegiatan diimpor dari alamat URL") {
		t.Error("no flash after the import")
	}
	for _, c := range []struct {
		name   string
		fields url.Values
		file   string
		want   string
		status int
	}{
		{"private", url.Values{"url": {"http://192.168.10.5/tahapan.ics"}}, "", "bersifat privat, loopback atau khusus", 422},
		{"private, daily", url.Values{"url": {"http://192.168.10.5/tahapan.ics"}, "daily": {"1"}}, "", "bersifat privat, loopback atau khusus", 422},
		{"not found", url.Values{"url": {e.files.URL + "/hilang.ics"}}, "", "server menjawab 404", 422},
		{"nothing", url.Values{}, "", "Pilih berkas .ics atau isi alamat URL kalender.", 422},
		{"both", url.Values{"url": {u}}, "tahapan.ics", "Pilih salah satu: berkas .ics atau alamat URL, bukan keduanya.", 422},
	} {
		c.fields.Set("csrf", csrf)
		r := b.postMultipart("/agenda/import", c.fields, c.file, []byte("BEGIN:VCALENDAR\nEND:VCALENDAR\n"))
		if r.Status != c.status || !strings.Contains(html.UnescapeString(r.Body), c.want) {
			t.Errorf("%s: %d, want %d saying %q:\n%s", c.name, r.Status, c.status, c.want, r.Body)
		}
		if v := c.fields.Get("url"); v != "" && !strings.Contains(r.Body, `value="`+html.EscapeString(v)+`"`) {
			t.Errorf("%s: the URL typed is not kept in the form", c.name)
		}
		if ticked := strings.Contains(r.Body, `value="1" checked>`); ticked != (c.fields.Get("daily") != "") {
			t.Errorf("%s: the every-day box is ticked %v after the refusal", c.name, ticked)
		}
	}
	// A viewer sees no import form and may not import.
	v := e.browser()
	vcsrf := v.signin(auth.RoleViewer)
	if strings.Contains(v.get("/agenda").Body, `action="/agenda/import"`) {
		t.Error("a viewer sees the import form")
	}
	if r := v.postMultipart("/agenda/import", url.Values{"csrf": {vcsrf}, "url": {u}}, "", nil); r.Status != http.StatusForbidden {
		t.Errorf("a viewer's import: %d", r.Status)
	}
}

// TestAgendaPageEditDelete: an editor changes an event from the agenda
// page (the form comes filled in; a bad change names the field and keeps
// what was typed) and deletes it; both are in the audit log. A viewer
// sees neither button and is refused; an event of a unit outside the
// editor's is refused too.
func TestAgendaPageEditDelete(t *testing.T) {
	e := newAgendaEnv(t)
	ctx := context.Background()
	editor, err := e.auth.Authenticate(ctx, e.tokens[auth.RoleEditor])
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, time.FixedZone("WIB", 7*3600))
	ev, err := e.agenda.Create(ctx, editor, agenda.Input{Title: "Rapat pleno DPT", Type: "plenary", Start: start, End: start.Add(2 * time.Hour),
		Description: "Aula KPU Kota Salatiga"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.org.CreateUnit(ctx, org.Unit{Name: "KPU Kota Magelang", Slug: "kpu-magelang", Level: "city", Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := e.agenda.Create(ctx, auth.Principal{Name: "admin", Role: auth.RoleAdmin, UnitID: other.ID},
		agenda.Input{UnitID: other.ID, Title: "Pleno Magelang", Type: "plenary", Start: start})
	if err != nil {
		t.Fatal(err)
	}
	// Shown on the page only when within its window: move the clock there.
	e.handler.d.Now = func() time.Time { return start.Add(-72 * time.Hour) }
	path := "/agenda/" + strconv.FormatInt(ev.ID, 10)

	b := e.browser()
	csrf := b.signin(auth.RoleEditor)
	page := b.get("/agenda").Body
	if !strings.Contains(page, `href="`+path+`/edit"`) || !strings.Contains(page, `action="`+path+`/delete"`) {
		t.Fatalf("the agenda has no edit and delete for the editor's event:\n%s", page)
	}
	form := b.get(path + "/edit")
	for _, want := range []string{`value="Rapat pleno DPT"`, `value="2026-12-03"`, `value="09:00"`, `value="11:00"`, `>Aula KPU Kota Salatiga</textarea>`,
		`<option value="plenary" selected>`} {
		if form.Status != 200 || !strings.Contains(form.Body, want) {
			t.Errorf("the edit form lacks %s (%d)", want, form.Status)
		}
	}
	bad := b.post(path, url.Values{"csrf": {csrf}, "title": {"Rapat pleno penetapan DPT"}, "type": {"plenary"}, "date": {"2026-12-04"},
		"time": {"13:00"}, "end_date": {"2026-12-03"}})
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "waktu selesai sebelum waktu mulai") ||
		!strings.Contains(bad.Body, `value="Rapat pleno penetapan DPT"`) {
		t.Errorf("a bad change: %d\n%s", bad.Status, bad.Body)
	}
	r := b.post(path, url.Values{"csrf": {csrf}, "title": {"Rapat pleno penetapan DPT"}, "type": {"plenary"}, "date": {"2026-12-04"},
		"time": {"13:00"}, "end_time": {"15:30"}, "description": {"Aula KPU"}})
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "ok=agenda.updated") {
		t.Fatalf("save: %d %s %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	got, err := e.agenda.Event(ctx, editor, ev.ID)
	wantStart := time.Date(2026, 12, 4, 13, 0, 0, 0, time.UTC).Add(-7 * time.Hour)
	if err != nil || got.Title != "Rapat pleno penetapan DPT" || !got.Start.Equal(wantStart) || !got.End.Equal(wantStart.Add(150*time.Minute)) ||
		got.Description != "Aula KPU" || got.AllDay {
		t.Errorf("saved %+v %v", got, err)
	}

	// A viewer: no buttons, refused; the editor on another unit's event: refused.
	v := e.browser()
	vcsrf := v.signin(auth.RoleViewer)
	if strings.Contains(v.get("/agenda").Body, path+"/edit") {
		t.Error("a viewer sees the edit link")
	}
	if r := v.get(path + "/edit"); r.Status != http.StatusForbidden {
		t.Errorf("a viewer's edit page: %d", r.Status)
	}
	if r := v.post(path+"/delete", url.Values{"csrf": {vcsrf}}); r.Status != http.StatusForbidden {
		t.Errorf("a viewer's delete: %d", r.Status)
	}
	theirPath := "/agenda/" + strconv.FormatInt(theirs.ID, 10)
	if r := b.post(theirPath+"/delete", url.Values{"csrf": {csrf}}); r.Status != http.StatusForbidden {
		t.Errorf("another unit's event deleted: %d", r.Status)
	}

	r = b.post(path+"/delete", url.Values{"csrf": {csrf}})
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "ok=agenda.deleted") {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if _, err := e.agenda.Event(ctx, editor, ev.ID); err == nil {
		t.Error("the event is still there")
	}
	if r := b.get(path + "/edit"); r.Status != http.StatusNotFound {
		t.Errorf("edit page of a deleted event: %d", r.Status)
	}
	lines, err := auth.ReadAudit(ctx, e.db.DB, []auth.Entity{{Kind: "event", ID: ev.ID}})
	if err != nil || len(lines) != 3 || lines[1].Action != "event_update" || lines[2].Action != "event_delete" || lines[2].ActorName != "user-editor" {
		t.Errorf("audit %+v %v", lines, err)
	}
}

// seedComments puts n comments on the city's Facebook Page into the
// inbox, one a minute, every third a question.
func (e *agendaEnv) seedComments(t *testing.T, n int) {
	t.Helper()
	at := time.Now().Add(-time.Duration(n) * time.Minute)
	var got []meta.Comment
	for i := range n {
		msg := fmt.Sprintf("Komentar warga nomor %d tentang pemilihan", i+1)
		if i%3 == 0 {
			msg = fmt.Sprintf("Kapan jadwal coklit di RT %d?", i+1)
		}
		got = append(got, meta.Comment{ID: fmt.Sprintf("104857600000001_%d", 9000+i), ObjectID: "104857600000001_77", Message: msg,
			Created: at.Add(time.Duration(i) * time.Minute), FromID: strconv.Itoa(5000 + i), FromName: fmt.Sprintf("Warga %d", i+1)})
	}
	if _, err := e.inbox.SaveCollected(context.Background(), e.fb, time.Now(), []inbox.Collected{{ObjectID: "104857600000001_77",
		PostText: "Jadwal pemutakhiran data pemilih", Count: int64(n), Comments: got}}); err != nil {
		t.Fatal(err)
	}
}

// TestInboxPaging: 230 comments page by 100 with links that keep the
// filters; the last page has the rest; past the end is the last page; a
// filter (questions only) pages its own total.
func TestInboxPaging(t *testing.T) {
	e := newAgendaEnv(t)
	e.seedComments(t, 230)
	b := e.browser()
	b.signin(auth.RoleEditor)
	count := func(body string) int { return strings.Count(body, `<article class="card comment`) }

	first := b.get("/inbox")
	if n := count(first.Body); n != 100 || !strings.Contains(first.Body, "Komentar 1–100 dari 230") {
		t.Fatalf("first page: %d comments", n)
	}
	if strings.Contains(first.Body, `rel="prev"`) || !strings.Contains(first.Body, `href="/inbox?offset=100" rel="next"`) {
		t.Errorf("first page's links:\n%s", first.Body)
	}
	last := b.get("/inbox?offset=200")
	if n := count(last.Body); n != 30 || !strings.Contains(last.Body, "Komentar 201–230 dari 230") || strings.Contains(last.Body, `rel="next"`) ||
		!strings.Contains(last.Body, `href="/inbox?offset=100" rel="prev"`) {
		t.Errorf("last page: %d comments", n)
	}
	if past := b.get("/inbox?offset=900"); count(past.Body) != 30 || !strings.Contains(past.Body, "Komentar 201–230 dari 230") {
		t.Errorf("past the end: %d comments", count(past.Body))
	}
	q := "/inbox?channel=" + strconv.FormatInt(e.fb.ID, 10) + "&question=1&status=all"
	filtered := b.get(q)
	if n := count(filtered.Body); n != 77 || !strings.Contains(filtered.Body, "77 komentar") || strings.Contains(filtered.Body, `rel="next"`) {
		t.Errorf("questions: %d comments", n)
	}
	all := b.get("/inbox?status=all&question=0")
	nextURL := linkOf(all.Body, "next")
	u, _ := url.Parse(nextURL)
	if u == nil || u.Query().Get("status") != "all" || u.Query().Get("question") != "0" || u.Query().Get("offset") != "100" {
		t.Fatalf("the next link drops the filters: %q", nextURL)
	}
	p2 := b.get(nextURL)
	if n := count(p2.Body); n != 53 || !strings.Contains(p2.Body, "Komentar 101–153 dari 153") || strings.Contains(p2.Body, "Kapan jadwal coklit") {
		t.Errorf("second page of other comments: %d", n)
	}
	if !strings.Contains(p2.Body, `<option value="0" selected>`) {
		t.Error("the filter form forgets the filter on page 2")
	}
}

// linkOf is the href of the page's rel=<rel> link.
func linkOf(body, rel string) string {
	before, _, ok := strings.Cut(body, `" rel="`+rel+`"`)
	if !ok {
		return ""
	}
	return html.UnescapeString(before[strings.LastIndex(before, `href="`)+len(`href="`):])
}

// TestAgendaPageSubscribe: ticking "every day" with a URL imports it and
// keeps it as a subscription, listed on the agenda page with its last
// import; stopping it removes it (its events stay); a viewer sees none.
func TestAgendaPageSubscribe(t *testing.T) {
	e := newAgendaEnv(t)
	b := e.browser()
	csrf := b.signin(auth.RoleEditor)
	u := e.files.URL + "/jadwal/tahapan.ics"
	r := b.postMultipart("/agenda/import", url.Values{"csrf": {csrf}, "url": {u}, "daily": {"1"}, "type": {"election_stage"}}, "", nil)
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "ok=agenda.subscribed") {
		t.Fatalf("subscribe: %d %s %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	page := b.get(r.Header.Get("Location")).Body
	if !strings.Contains(page, "diimpor ulang setiap hari") || !strings.Contains(page, `<td class="feed-url">`+u+`</td>`) ||
		!strings.Contains(page, "berhasil, 5 kegiatan") {
		t.Fatalf("the subscription is not listed:\n%s", page)
	}
	feeds, err := e.agenda.Feeds(context.Background(), auth.Principal{Role: auth.RoleAdmin})
	if err != nil || len(feeds) != 1 {
		t.Fatalf("feeds %+v %v", feeds, err)
	}
	stop := "/agenda/feeds/" + strconv.FormatInt(feeds[0].ID, 10) + "/delete"
	v := e.browser()
	vcsrf := v.signin(auth.RoleViewer)
	if strings.Contains(v.get("/agenda").Body, u) {
		t.Error("a viewer sees the subscriptions")
	}
	if r := v.post(stop, url.Values{"csrf": {vcsrf}}); r.Status != http.StatusForbidden {
		t.Errorf("a viewer stopped it: %d", r.Status)
	}
	if r := b.post(stop, url.Values{"csrf": {csrf}}); r.Status != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "ok=agenda.unsubscribed") {
		t.Fatalf("stop: %d %s", r.Status, r.Body)
	}
	if page := b.get("/agenda").Body; strings.Contains(page, `id="feeds"`) || !strings.Contains(page, "Rapat pleno terbuka rekapitulasi") {
		t.Error("after stopping: still listed, or the events went with it")
	}
}
