package main

import (
	"context"
	"log/slog"
	"testing"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/notify"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/ppid"
	"github.com/humas-id/humas/store/storetest"
)

// TestOverdueNoticesReachTheOutbox: serve's overdue sender stores an
// in-app notification of kind ppid_overdue for each person, once.
func TestOverdueNoticesReachTheOutbox(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	orgs := org.NewStore(db, nil)
	u, err := orgs.CreateUnit(ctx, org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-salatiga", Level: "city"})
	if err != nil {
		t.Fatal(err)
	}
	users := auth.NewStore(db)
	officer, _, err := users.CreateUser(ctx, "ppid.salatiga", u.ID, auth.RolePPID)
	if err != nil {
		t.Fatal(err)
	}
	a := &app{log: slog.New(slog.DiscardHandler), notes: notify.New(db, users, nil, notify.Options{})}
	send := wireOverdue(a)
	if send == nil {
		t.Fatal("no sender with a notifications outbox")
	}
	n := ppid.Notice{To: []int64{officer.ID}, TitleID: "Permohonan informasi #7 lewat tenggat", TitleEN: "Information request #7 is overdue",
		BodyID: "Jawab sekarang.", BodyEN: "Answer it now.", Link: "/ppid#r-7", Key: "ppid-overdue:7"}
	for i := 0; i < 2; i++ {
		if err := send(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	list, err := a.notes.List(ctx, officer.ID, 10)
	if err != nil || len(list) != 1 || list[0].Kind != notify.KindPPID || list[0].Link != "/ppid#r-7" {
		t.Fatalf("notifications %+v %v", list, err)
	}
	if wireOverdue(&app{}) != nil {
		t.Error("a sender without an outbox")
	}
}
