package agenda_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/humas-id/humas/agenda"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
	"github.com/humas-id/humas/valid"
)

type fixture struct {
	db                   *store.SQLite
	svc                  *agenda.Service
	prov, city           org.Unit
	provEditor, cityEdit auth.Principal
	viewer, cityAdmin    auth.Principal
	now                  time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := storetest.SQLite(t)
	orgs := org.NewStore(db, []byte(strings.Repeat("k", 32)))
	prov, _ := orgs.CreateUnit(ctx, org.Unit{Name: "KPU Jawa Tengah", Slug: "jateng", Level: "province"})
	city, _ := orgs.CreateUnit(ctx, org.Unit{Name: "KPU Kota Salatiga", Slug: "salatiga", Level: "city", ParentID: prov.ID})
	users := auth.NewStore(db)
	mk := func(name string, unit int64, role auth.Role) auth.Principal {
		u, _, err := users.CreateUser(ctx, name, unit, role)
		if err != nil {
			t.Fatal(err)
		}
		return auth.Principal{UserID: u.ID, Name: name, UnitID: unit, Role: role}
	}
	f := &fixture{db: db, prov: prov, city: city, now: time.Date(2026, 11, 10, 3, 0, 0, 0, time.UTC)}
	f.provEditor, f.cityEdit = mk("prov", prov.ID, auth.RoleEditor), mk("kota", city.ID, auth.RoleEditor)
	f.viewer, f.cityAdmin = mk("tamu", city.ID, auth.RoleViewer), mk("admin", city.ID, auth.RoleAdmin)
	f.svc = agenda.New(db, orgs, wib, func() time.Time { return f.now })
	return f
}

func (f *fixture) audit(t *testing.T, kind string, id int64) []auth.AuditLine {
	t.Helper()
	lines, err := auth.ReadAudit(context.Background(), f.db.DB, []auth.Entity{{Kind: kind, ID: id}})
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestUpdateDelete: an event is edited and deleted by those who may
// create it in its unit (an editor of the unit or a unit above it); a
// viewer and the city's editor (for an event inherited from the province)
// are refused; a bad edit names its fields; both changes are in the audit
// log with the values before (and after); deleting unlinks its posts.
func TestUpdateDelete(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ev, err := f.svc.Create(ctx, f.cityEdit, agenda.Input{Title: "Sosialisasi di CFD", Type: "campaign", Start: f.now.Add(48 * time.Hour), AllDay: true})
	if err != nil {
		t.Fatal(err)
	}
	inherited, err := f.svc.Create(ctx, f.provEditor, agenda.Input{Title: "Rapat pleno provinsi", Type: "plenary", Start: f.now.Add(72 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if l := f.audit(t, "event", ev.ID); len(l) != 1 || l[0].Action != "event_create" {
		t.Errorf("create audit %+v", l)
	}
	start := time.Date(2026, 11, 14, 7, 30, 0, 0, wib)
	in := agenda.Input{Title: "Sosialisasi pemilih pemula di CFD", Type: "campaign", Start: start, End: start.Add(3 * time.Hour)}
	for _, c := range []struct {
		who  auth.Principal
		id   int64
		want error
	}{
		{f.viewer, ev.ID, valid.ErrForbidden},
		{f.cityEdit, inherited.ID, valid.ErrForbidden},
		{f.cityEdit, 9999, valid.ErrNotFound},
	} {
		if _, err := f.svc.Update(ctx, c.who, c.id, in); !errors.Is(err, c.want) {
			t.Errorf("update of %d by %s: %v, want %v", c.id, c.who.Name, err, c.want)
		}
		if err := f.svc.Delete(ctx, c.who, c.id); !errors.Is(err, c.want) {
			t.Errorf("delete of %d by %s: %v, want %v", c.id, c.who.Name, err, c.want)
		}
	}
	if _, err := f.svc.Update(ctx, f.cityEdit, ev.ID, agenda.Input{Type: "party", Start: start, End: start.Add(-time.Hour)}); err == nil {
		t.Error("a bad edit was saved")
	} else if fe, ok := valid.Fields(err); !ok || len(fe) != 3 {
		t.Errorf("bad edit: %v", err)
	}
	got, err := f.svc.Update(ctx, f.cityEdit, ev.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != in.Title || !got.Start.Equal(start) || !got.End.Equal(in.End) || got.AllDay || got.UnitID != f.city.ID || got.UID != ev.UID {
		t.Errorf("updated %+v", got)
	}
	// The province's editor may change the city's event (the unit above it).
	if _, err := f.svc.Update(ctx, f.provEditor, ev.ID, in); err != nil {
		t.Errorf("the province's editor: %v", err)
	}
	lines := f.audit(t, "event", ev.ID)
	if len(lines) != 3 || lines[1].Action != "event_update" || lines[1].ActorName != "kota" ||
		!strings.Contains(lines[1].Detail, `"before":{"title":"Sosialisasi di CFD"`) || !strings.Contains(lines[1].Detail, `"title":"Sosialisasi pemilih pemula di CFD"`) {
		t.Errorf("update audit %+v", lines)
	}

	if err := f.svc.Link(ctx, f.cityEdit, 42, f.city.ID, ev.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Delete(ctx, f.cityEdit, ev.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Update(ctx, f.cityEdit, ev.ID, in); !errors.Is(err, valid.ErrNotFound) {
		t.Errorf("update after delete: %v", err)
	}
	if m, _ := f.svc.EventOfPosts(ctx, []int64{42}); len(m) != 0 {
		t.Errorf("the deleted event keeps its post link: %v", m)
	}
	lines = f.audit(t, "event", ev.ID)
	if last := lines[len(lines)-1]; last.Action != "event_delete" || !strings.Contains(last.Detail, `"posts":[42]`) ||
		!strings.Contains(last.Detail, "Sosialisasi pemilih pemula di CFD") {
		t.Errorf("delete audit %+v", last)
	}
	// An admin reaches every unit.
	if err := f.svc.Delete(ctx, f.cityAdmin, inherited.ID); err != nil {
		t.Errorf("admin delete: %v", err)
	}
}

// TestImportURL: the election-stage schedule imports from a URL through
// the media fetcher (again: updated, not doubled; webcal:// read as
// https://), and every refusal is a 4xx-kind error on the url field that
// says what is wrong, in both languages.
func TestImportURL(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ics, err := os.ReadFile("testdata/tahapan.ics")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/jadwal/tahapan.ics":
			w.Header().Set("Content-Type", "text/calendar")
			_, _ = w.Write(ics)
		case "/halaman.html":
			_, _ = w.Write([]byte("<!doctype html><title>KPU</title>"))
		case "/besar.ics":
			_, _ = w.Write([]byte(strings.Repeat("X-PAD:"+strings.Repeat("a", 70)+"\r\n", 70_000)))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	u := srv.URL + "/jadwal/tahapan.ics"
	if _, err := f.svc.ImportURL(ctx, f.provEditor, f.prov.ID, u, ""); !errors.Is(err, valid.ErrInvalid) || !strings.Contains(err.Error(), "not set up") {
		t.Errorf("without a fetcher: %v", err)
	}
	// The fetcher serve uses, allowed to reach this test's loopback server.
	f.svc.UseFetcher(media.NewFetcher(media.FetchOptions{MaxBytes: agenda.MaxICSBytes, AllowAddrs: []string{strings.TrimPrefix(srv.URL, "http://")}}))
	r, err := f.svc.ImportURL(ctx, f.provEditor, f.prov.ID, u, "")
	if err != nil || r.Added != 5 || r.Updated != 0 {
		t.Fatalf("first import %+v %v", r, err)
	}
	r, err = f.svc.ImportURL(ctx, f.provEditor, f.prov.ID, "  "+u+" ", "")
	if err != nil || r.Added != 0 || r.Updated != 5 {
		t.Fatalf("second import %+v %v", r, err)
	}
	from, to := time.Date(2026, 11, 1, 0, 0, 0, 0, wib), time.Date(2026, 12, 1, 0, 0, 0, 0, wib)
	if l, _ := f.svc.List(ctx, f.cityEdit, f.city.ID, from, to); len(l) != 5 {
		t.Errorf("the city sees %d events", len(l))
	}
	if l := f.audit(t, "unit", f.prov.ID); len(l) != 3 || l[2].Action != "agenda_import" || !strings.Contains(l[2].Detail, `"url":"`+u+`"`) ||
		!strings.Contains(l[2].Detail, `"updated":5`) {
		t.Errorf("import audit %+v", l)
	}
	if _, err := f.svc.ImportURL(ctx, f.viewer, f.city.ID, u, ""); !errors.Is(err, valid.ErrForbidden) {
		t.Errorf("a viewer imported: %v", err)
	}
	if _, err := f.svc.ImportURL(ctx, f.cityEdit, f.prov.ID, u, ""); !errors.Is(err, valid.ErrForbidden) {
		t.Errorf("the city imported into the province: %v", err)
	}
	for _, c := range []struct{ url, en, id string }{
		{"", "give the address", "isi alamat"},
		{"ftp://kpu.go.id/tahapan.ics", "scheme", "hanya alamat http atau https"},
		{"http://10.0.0.8/tahapan.ics", "private, loopback or reserved", "bersifat privat"},
		{"http://127.0.0.1:1/tahapan.ics", "private, loopback or reserved", "bersifat privat"},
		{"webcal://10.0.0.8/tahapan.ics", "private, loopback or reserved", "bersifat privat"},
		{srv.URL + "/hilang.ics", "404", "server menjawab 404"},
		{srv.URL + "/halaman.html", "did not give an iCalendar", "tidak berisi berkas iCalendar"},
		{srv.URL + "/besar.ics", "larger than 4.0 MB", "lebih besar dari 4.0 MB"},
	} {
		_, err := f.svc.ImportURL(ctx, f.cityEdit, f.city.ID, c.url, "")
		var p *valid.Problem
		if !errors.As(err, &p) || p.Field != "url" || !errors.Is(err, valid.ErrInvalid) || !strings.Contains(p.Msg, c.en) || !strings.Contains(p.MsgID, c.id) {
			t.Errorf("%q: %v, want an invalid url saying %q / %q", c.url, err, c.en, c.id)
		}
	}
	if l, _ := f.svc.List(ctx, f.cityEdit, f.city.ID, from, to); len(l) != 5 {
		t.Errorf("refused imports changed the agenda: %d events", len(l))
	}
}

// TestFeeds: a subscription imports at once and again a day later (the
// new event in the file arrives, the old ones update); a failing day is
// kept on the subscription with its reason and the events stay; a
// refused URL saves no subscription; only the unit's keepers list and
// remove it; removing stops the re-import.
func TestFeeds(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ics, err := os.ReadFile("testdata/tahapan.ics")
	if err != nil {
		t.Fatal(err)
	}
	var serve atomic.Value
	serve.Store(string(ics))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := serve.Load().(string)
		if body == "" {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	f.svc.UseFetcher(media.NewFetcher(media.FetchOptions{AllowAddrs: []string{strings.TrimPrefix(srv.URL, "http://")}}))
	u := srv.URL + "/tahapan.ics"

	if _, _, err := f.svc.Subscribe(ctx, f.cityEdit, f.city.ID, "http://10.9.8.7/x.ics", ""); !errors.Is(err, valid.ErrInvalid) {
		t.Errorf("a private URL: %v", err)
	}
	feed, res, err := f.svc.Subscribe(ctx, f.cityEdit, f.city.ID, u, "")
	if err != nil || res.Added != 5 || feed.URL != u || feed.Events != 5 || feed.SyncedAt == nil {
		t.Fatalf("subscribe: %+v %+v %v", feed, res, err)
	}
	if r, err := f.svc.SyncFeeds(ctx); err != nil || r.Synced != 0 {
		t.Errorf("synced again within a day: %+v %v", r, err)
	}
	// A day later the file has one more event.
	serve.Store(strings.Replace(string(ics), "END:VCALENDAR", "BEGIN:VEVENT\r\nUID:tahapan-099@kpu.go.id\r\nSUMMARY:Penetapan hasil\r\nDTSTART;VALUE=DATE:20261128\r\nEND:VEVENT\r\nEND:VCALENDAR", 1))
	f.now = f.now.Add(FeedDay)
	if r, err := f.svc.SyncFeeds(ctx); err != nil || r.Synced != 1 || r.Failed != 0 {
		t.Fatalf("daily sync: %+v %v", r, err)
	}
	from, to := time.Date(2026, 11, 1, 0, 0, 0, 0, wib), time.Date(2026, 12, 1, 0, 0, 0, 0, wib)
	if l, _ := f.svc.List(ctx, f.cityEdit, f.city.ID, from, to); len(l) != 6 {
		t.Errorf("%d events after the daily sync, want 6", len(l))
	}
	// The next day the server is down: kept as the reason, events stay.
	serve.Store("")
	f.now = f.now.Add(FeedDay)
	if r, err := f.svc.SyncFeeds(ctx); err != nil || r.Failed != 1 {
		t.Fatalf("failing sync: %+v %v", r, err)
	}
	list, err := f.svc.Feeds(ctx, f.cityEdit)
	if err != nil || len(list) != 1 || !strings.Contains(list[0].LastError, "503") || list[0].Events != 6 || !list[0].SyncedAt.Equal(f.now) {
		t.Errorf("feeds after a failure: %+v %v", list, err)
	}
	if l, _ := f.svc.List(ctx, f.cityEdit, f.city.ID, from, to); len(l) != 6 {
		t.Errorf("a failed sync changed the agenda: %d events", len(l))
	}
	// The province's editor sees the city's subscription (below it); a viewer cannot remove it.
	if l, _ := f.svc.Feeds(ctx, f.provEditor); len(l) != 1 {
		t.Errorf("the province sees %d subscriptions", len(l))
	}
	if err := f.svc.Unsubscribe(ctx, f.viewer, feed.ID); !errors.Is(err, valid.ErrForbidden) {
		t.Errorf("a viewer unsubscribed: %v", err)
	}
	if err := f.svc.Unsubscribe(ctx, f.cityEdit, feed.ID); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(FeedDay)
	if r, _ := f.svc.SyncFeeds(ctx); r.Synced+r.Failed != 0 {
		t.Errorf("an unsubscribed URL was synced: %+v", r)
	}
	if l := f.audit(t, "unit", f.city.ID); l[len(l)-1].Action != "agenda_unsubscribe" {
		t.Errorf("audit %+v", l[len(l)-1])
	}
}

// FeedDay is a day on the test's clock.
const FeedDay = agenda.FeedEvery
