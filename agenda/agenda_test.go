package agenda_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/agenda"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store/storetest"
	"github.com/humas-id/humas/valid"
)

var wib = time.FixedZone("WIB", 7*3600)

// TestImportAndInherit: the election-stage schedule imports into the
// province's agenda (again: updated, not doubled); the city below sees
// it, the other province does not; a post links to an event and the
// compose page stops suggesting it.
func TestImportAndInherit(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	orgs := org.NewStore(db, []byte(strings.Repeat("k", 32)))
	prov, _ := orgs.CreateUnit(ctx, org.Unit{Name: "KPU Jawa Tengah", Slug: "jateng", Level: "province"})
	city, _ := orgs.CreateUnit(ctx, org.Unit{Name: "KPU Kota Salatiga", Slug: "salatiga", Level: "city", ParentID: prov.ID})
	other, _ := orgs.CreateUnit(ctx, org.Unit{Name: "KPU DIY", Slug: "diy", Level: "province"})
	users := auth.NewStore(db)
	mk := func(name string, unit int64, role auth.Role) auth.Principal {
		u, _, err := users.CreateUser(ctx, name, unit, role)
		if err != nil {
			t.Fatal(err)
		}
		return auth.Principal{UserID: u.ID, Name: name, UnitID: unit, Role: role}
	}
	provEditor, cityEditor, viewer := mk("prov", prov.ID, auth.RoleEditor), mk("kota", city.ID, auth.RoleEditor), mk("tamu", city.ID, auth.RoleViewer)
	now := time.Date(2026, 11, 10, 3, 0, 0, 0, time.UTC)
	svc := agenda.New(db, orgs, wib, func() time.Time { return now })

	imp := func() agenda.ImportResult {
		f, err := os.Open("testdata/tahapan.ics")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r, err := svc.Import(ctx, provEditor, prov.ID, f, "")
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := imp(); r.Added != 5 || r.Updated != 0 {
		t.Fatalf("first import %+v", r)
	}
	if r := imp(); r.Added != 0 || r.Updated != 5 {
		t.Fatalf("second import %+v", r)
	}
	if _, err := svc.Import(ctx, viewer, city.ID, strings.NewReader("BEGIN:VCALENDAR\nEND:VCALENDAR\n"), ""); !errors.Is(err, valid.ErrForbidden) {
		t.Errorf("a viewer imported: %v", err)
	}
	if _, err := svc.Import(ctx, cityEditor, city.ID, strings.NewReader("nonsense"), ""); !errors.Is(err, valid.ErrInvalid) {
		t.Errorf("a bad file: %v", err)
	}
	from, to := time.Date(2026, 11, 1, 0, 0, 0, 0, wib), time.Date(2026, 12, 1, 0, 0, 0, 0, wib)
	cityEvents, err := svc.List(ctx, cityEditor, city.ID, from, to)
	if err != nil || len(cityEvents) != 5 {
		t.Fatalf("the city sees %d of the province's events: %v", len(cityEvents), err)
	}
	types := map[string]string{}
	for _, e := range cityEvents {
		types[e.Title] = e.Type
	}
	if types["Rapat pleno terbuka rekapitulasi"] != "plenary" || types["Hari Guru Nasional"] != "national_day" ||
		types["Batas akhir pengajuan pindah memilih"] != "deadline" || types["Pendidikan pemilih untuk pemula"] != "campaign" {
		t.Errorf("types from CATEGORIES: %v", types)
	}
	if l, _ := svc.ForReport(ctx, prov.ID, from, to); len(l) != 5 {
		t.Errorf("the province's report covers %d events", len(l))
	}
	if l, _ := svc.ForUnit(ctx, other.ID, from, to); len(l) != 0 {
		t.Errorf("another province sees %d events", len(l))
	}
	if _, err := svc.List(ctx, cityEditor, prov.ID, from, to); !errors.Is(err, valid.ErrForbidden) {
		t.Errorf("the city read the province's own agenda: %v", err)
	}

	// Manual entry in the city, with a bad one naming its fields.
	_, err = svc.Create(ctx, cityEditor, agenda.Input{Type: "party", Start: now, End: now.Add(-time.Hour)})
	if fe, ok := valid.Fields(err); !ok || len(fe) != 3 {
		t.Errorf("bad event: %v", err)
	}
	mine, err := svc.Create(ctx, cityEditor, agenda.Input{Title: "Sosialisasi di CFD Salatiga", Type: "campaign", Start: now.Add(48 * time.Hour), AllDay: true})
	if err != nil || mine.UnitID != city.ID || !mine.End.Equal(mine.Start.AddDate(0, 0, 1)) {
		t.Fatalf("manual event %+v %v", mine, err)
	}

	sugg, err := svc.Suggest(ctx, city.ID, 21)
	if err != nil {
		t.Fatal(err)
	}
	has := func(l []agenda.Event, id int64) bool {
		for _, e := range l {
			if e.ID == id {
				return true
			}
		}
		return false
	}
	if !has(sugg, mine.ID) {
		t.Fatalf("suggestions %+v lack the upcoming event", sugg)
	}
	if err := svc.Link(ctx, cityEditor, 42, city.ID, mine.ID); err != nil {
		t.Fatal(err)
	}
	if l, _ := svc.ForReport(ctx, prov.ID, from, to.AddDate(0, 1, 0)); !has(l, mine.ID) {
		t.Error("the province's report does not cover its city's event")
	}
	if sugg, _ = svc.Suggest(ctx, city.ID, 21); has(sugg, mine.ID) {
		t.Error("an event with a post is still suggested")
	}
	if m, _ := svc.EventOfPosts(ctx, []int64{42, 43}); m[42] != mine.ID || len(m) != 1 {
		t.Errorf("links %v", m)
	}
	var otherEv int64
	if r, err := svc.Import(ctx, mk("diy", other.ID, auth.RoleEditor), other.ID, strings.NewReader("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nSUMMARY:Pleno DIY\nDTSTART;VALUE=DATE:20261120\nEND:VEVENT\nEND:VCALENDAR\n"), "plenary"); err != nil {
		t.Fatal(err)
	} else {
		otherEv = r.Events[0].ID
	}
	if err := svc.Link(ctx, cityEditor, 44, city.ID, otherEv); !errors.Is(err, valid.ErrInvalid) {
		t.Errorf("linked to another province's event: %v", err)
	}
}
