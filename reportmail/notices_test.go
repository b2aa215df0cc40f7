package reportmail_test

import (
	"context"
	"strings"
	"testing"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/notify"
	"github.com/humas-id/humas/notify/mail"
	"github.com/humas-id/humas/notify/mail/mailtest"
	"github.com/humas-id/humas/reportmail"
)

// When a unit's monthly report is generated, its admins and division
// heads find a notification in humas, once however many subscribers (and
// languages) it was built for; other people of the unit do not.
func TestReportReadyNotice(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	sender, err := mail.New(srv.Config())
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, sender, at("2026-11-20 10:00"))
	ctx := context.Background()
	users := auth.NewStore(f.db)
	ids := map[string]int64{}
	for name, role := range map[string]auth.Role{"admin.jateng": auth.RoleAdmin, "kepala.jateng": auth.RoleViewer, "editor.jateng": auth.RoleEditor} {
		u, _, err := users.CreateUser(ctx, name, f.unit.ID, role)
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = u.ID
	}
	notes := notify.New(f.db, users, nil, notify.Options{Now: f.clock.Now})
	f.svc.UseNotifier(notes, users)
	for _, s := range []reportmail.Subscription{
		{UnitID: f.unit.ID, Email: "kepala@jateng.kpu.test"},
		{UnitID: f.unit.ID, Email: "ketua@jateng.kpu.test", Lang: "en"},
	} {
		if _, err := f.svc.Subscribe(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Set(at("2026-12-01 07:05"))
	if st, err := f.svc.Run(ctx); err != nil || st.Sent != 2 {
		t.Fatalf("run %+v %v", st, err)
	}
	for name, want := range map[string]int{"admin.jateng": 1, "kepala.jateng": 1, "editor.jateng": 0} {
		list, err := notes.List(ctx, ids[name], 10)
		if err != nil || len(list) != want {
			t.Fatalf("%s: %d notifications (%v), want %d", name, len(list), err, want)
		}
		if want == 0 {
			continue
		}
		n := list[0]
		if n.Kind != notify.KindReport || n.TitleID != "Laporan media sosial November 2026 siap: KPU Provinsi Jawa Tengah" ||
			!strings.Contains(n.Link, "month=2026-11") || n.Email != nil {
			t.Errorf("%s: %+v (reports are not emailed as notifications by default)", name, n)
		}
	}
}
