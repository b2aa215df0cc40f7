package ppid_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/inbox"
	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/ppid"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
	"github.com/humas-id/humas/valid"
)

var wib = time.FixedZone("WIB", 7*3600)

type env struct {
	t                                 *testing.T
	clock                             *graphsim.ManualClock
	sim                               *graphsim.Sim
	client                            *meta.Client
	ib                                *inbox.Service
	db                                *store.SQLite
	svc                               *ppid.Service
	orgs                              *org.Store
	ch                                org.Channel
	officer, editor, approver, viewer auth.Principal
	unit                              org.Unit
}

const page, token = "104857600000001", "tok-salatiga"

// start is Friday 2026-11-06 18:00 WIB: after closing time.
var start = time.Date(2026, 11, 6, 11, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, approval bool) *env {
	t.Helper()
	e := &env{t: t, clock: graphsim.NewManualClock(start)}
	e.sim = graphsim.New(graphsim.Options{Clock: e.clock.Now, Seed: 9})
	hs := httptest.NewServer(e.sim)
	t.Cleanup(hs.Close)
	if err := e.sim.AddPage(page, "KPU Kota Salatiga", token); err != nil {
		t.Fatal(err)
	}
	_ = e.sim.SeedHistory(page, 2, 1)
	var err error
	if e.client, err = meta.New(meta.Options{BaseURL: hs.URL, Now: e.clock.Now, RetryBackoff: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db := storetest.SQLite(t)
	e.db = db
	e.orgs = org.NewStore(db, []byte(strings.Repeat("k", 32)))
	if e.unit, err = e.orgs.CreateUnit(ctx, org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-salatiga", Level: "city", RequiresApproval: approval}); err != nil {
		t.Fatal(err)
	}
	if e.ch, err = e.orgs.CreateChannel(ctx, org.ChannelInput{UnitID: e.unit.ID, Platform: org.Facebook, ExternalID: page, Name: "KPU", AccessToken: token}); err != nil {
		t.Fatal(err)
	}
	users := auth.NewStore(db)
	mk := func(name string, role auth.Role) auth.Principal {
		u, _, err := users.CreateUser(ctx, name, e.unit.ID, role)
		if err != nil {
			t.Fatal(err)
		}
		return auth.Principal{UserID: u.ID, Name: u.Name, UnitID: u.UnitID, Role: u.Role}
	}
	e.officer, e.editor, e.approver, e.viewer = mk("ppid", auth.RolePPID), mk("rina", auth.RoleEditor), mk("budi", auth.RoleApprover), mk("kepala", auth.RoleViewer)
	e.ib = inbox.New(db, e.orgs, inbox.Options{Graph: e.client, Now: e.clock.Now})
	cal := ppid.NewCalendar(wib, map[string]string{"2026-11-20": "test holiday"}, 16*time.Hour)
	e.svc = ppid.New(db, e.orgs, e.ib, ppid.Options{Calendar: cal, Now: e.clock.Now})
	return e
}

// question puts a question on the Page now and returns its inbox comment.
func (e *env) question(text string) inbox.Comment {
	e.t.Helper()
	posts := e.sim.Published(page)
	if _, err := e.sim.AddComment(posts[0].ID, "Warga Tingkir", text); err != nil {
		e.t.Fatal(err)
	}
	list, err := e.client.ListComments(context.Background(), token, meta.CommentTarget{Platform: "facebook", ObjectID: posts[0].ID}, time.Time{})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.ib.SaveCollected(context.Background(), e.ch, e.clock.Now(), []inbox.Collected{{ObjectID: posts[0].ID, Count: -1, Comments: list}}); err != nil {
		e.t.Fatal(err)
	}
	got, _, err := e.ib.List(context.Background(), e.editor, inbox.Filter{Limit: 200})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, c := range got {
		if c.Message == text {
			return c
		}
	}
	e.t.Fatalf("%q not in the inbox", text)
	return inbox.Comment{}
}

func endOf(day string) time.Time {
	d, _ := time.ParseInLocation(time.DateOnly, day, wib)
	return d.AddDate(0, 0, 1).Add(-time.Millisecond)
}

// TestRequestFromCommentAnsweredByReply: a question on Friday evening
// becomes a request due 10 working days from Monday (a holiday on the
// way); a reply closes it on time.
func TestRequestFromCommentAnsweredByReply(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	c := e.question("Berapa anggaran sosialisasi pemilihan tahun ini?")
	if _, err := e.svc.FromComment(ctx, e.viewer, c.ID, "setiap_saat"); !errors.Is(err, valid.ErrForbidden) {
		t.Errorf("a viewer recorded a request: %v", err)
	}
	if _, err := e.svc.FromComment(ctx, e.editor, c.ID, "rahasia"); !errors.Is(err, valid.ErrInvalid) {
		t.Errorf("a bad category: %v", err)
	}
	r, err := e.svc.FromComment(ctx, e.editor, c.ID, "setiap_saat")
	if err != nil {
		t.Fatal(err)
	}
	// Received Friday 18:00 (after 16:00): counts from Monday 9 Nov;
	// 10 working days from Tuesday, skipping Friday 20 Nov (a holiday
	// here) → Tuesday 24 Nov; 11 working days left on Friday.
	if !r.DueAt.Equal(endOf("2026-11-24")) || r.RequesterName != "Warga Tingkir" || r.Status != ppid.StatusOpen || r.DaysLeft != 11 {
		t.Fatalf("request %+v", r)
	}
	if _, err := e.svc.FromComment(ctx, e.officer, c.ID, "setiap_saat"); !errors.Is(err, valid.ErrConflict) {
		t.Errorf("the same comment twice: %v", err)
	}
	if _, err := e.svc.AnswerByReply(ctx, e.editor, r.ID, "x"); !errors.Is(err, valid.ErrForbidden) {
		t.Errorf("an editor answered: %v", err)
	}
	e.clock.Advance(3 * 24 * time.Hour)
	r, err = e.svc.AnswerByReply(ctx, e.officer, r.ID, "Anggaran sosialisasi 2026 Rp 250 juta; rinciannya di laman PPID.")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != ppid.StatusAnswered || r.AnswerKind != ppid.AnswerReply || r.Late || r.ClosedAt == nil {
		t.Fatalf("answered request %+v", r)
	}
	if n := len(e.sim.PageReplies(c.ExternalID)); n != 1 {
		t.Errorf("%d replies on the Page", n)
	}
	months, err := e.svc.Monthly(ctx, nil, time.Date(2026, 11, 1, 0, 0, 0, 0, wib), time.Date(2026, 12, 1, 0, 0, 0, 0, wib))
	if err != nil || len(months) != 1 || months[0].Received != 1 || months[0].OnTime != 1 || months[0].AvgWorkingDays != 0 {
		// answered on Monday, the day a Friday-evening request counts as received: 0 working days
		t.Fatalf("November: %+v %v", months, err)
	}
}

// TestRequestWaitsForReplyApproval: in a unit that requires approval the
// request stays open until the reply is approved and published.
func TestRequestWaitsForReplyApproval(t *testing.T) {
	e := newEnv(t, true)
	ctx := context.Background()
	c := e.question("Kapan hasil seleksi PPK diumumkan?")
	r, err := e.svc.FromComment(ctx, e.officer, c.ID, "berkala")
	if err != nil {
		t.Fatal(err)
	}
	r, err = e.svc.AnswerByReply(ctx, e.officer, r.ID, "Hasil seleksi PPK diumumkan 12 November.")
	if err != nil || r.Status != ppid.StatusOpen || r.ReplyState != inbox.ReplyAwaitingApproval {
		t.Fatalf("before approval: %+v %v", r, err)
	}
	if _, err := e.ib.ApproveReply(ctx, e.approver, r.ReplyID); err != nil {
		t.Fatal(err)
	}
	list, err := e.svc.List(ctx, e.officer, ppid.Filter{})
	if err != nil || len(list) != 1 || list[0].Status != ppid.StatusAnswered {
		t.Fatalf("after approval: %+v %v", list, err)
	}
}

func TestExtendRefuseOverdue(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	a, err := e.svc.FromComment(ctx, e.officer, e.question("Minta salinan kontrak pengadaan logistik?").ID, "setiap_saat")
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.svc.Create(ctx, e.officer, ppid.Input{RequesterName: "LSM Pemantau", Question: "Daftar hadir rapat pleno", Category: "berkala",
		ReceivedAt: e.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Create(ctx, e.officer, ppid.Input{Category: "berkala"}); err == nil {
		t.Error("a request without requester and question")
	} else if fe, ok := valid.Fields(err); !ok || len(fe) != 2 {
		t.Errorf("fields: %v", err)
	}
	if _, err := e.svc.Extend(ctx, e.officer, a.ID, " "); !errors.Is(err, valid.ErrInvalid) {
		t.Errorf("an extension without a reason: %v", err)
	}
	a, err = e.svc.Extend(ctx, e.officer, a.ID, "Dokumen kontrak perlu dikumpulkan dari tiga satuan kerja")
	if err != nil || a.ExtendedDueAt == nil || !a.Due.Equal(endOf("2026-12-03")) {
		t.Fatalf("extended %+v %v", a, err)
	}
	if _, err := e.svc.Extend(ctx, e.officer, a.ID, "lagi"); !errors.Is(err, valid.ErrConflict) {
		t.Errorf("a second extension: %v", err)
	}
	if _, err := e.svc.Refuse(ctx, e.officer, a.ID, "", "alasan"); err == nil {
		t.Error("a refusal without a legal basis")
	} else if fe, _ := valid.Fields(err); len(fe) != 1 || fe[0].Field != "legal_basis" {
		t.Errorf("refusal fields: %v", fe)
	}
	// Past b's deadline (Tue 24 Nov): overdue, told once.
	e.clock.Advance(19 * 24 * time.Hour)
	n := &recorder{}
	if told, err := e.svc.NotifyOverdue(ctx, n); err != nil || told != 1 || n.ids[0] != b.ID {
		t.Fatalf("told %d %v %v", told, n.ids, err)
	}
	if told, _ := e.svc.NotifyOverdue(ctx, n); told != 0 {
		t.Errorf("told again: %d", told)
	}
	list, _ := e.svc.List(ctx, e.officer, ppid.Filter{Status: ppid.StatusOpen})
	if len(list) != 2 || list[0].ID != b.ID || !list[0].Overdue || list[0].DaysLeft >= 0 {
		t.Fatalf("open list by days left: %+v", list)
	}
	if _, err := e.svc.Refuse(ctx, e.officer, a.ID, "UU 14/2008 pasal 17 huruf b", "Mengganggu proses pengadaan yang berjalan"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AnswerOther(ctx, e.officer, b.ID, "Dikirim lewat surel 10 Desember"); err != nil {
		t.Fatal(err)
	}
	months, _ := e.svc.Monthly(ctx, nil, time.Date(2026, 11, 1, 0, 0, 0, 0, wib), time.Date(2027, 1, 1, 0, 0, 0, 0, wib))
	if len(months) != 2 || months[0].Received != 2 || months[0].Refused != 1 || months[0].LateAnswer != 1 || months[0].Late() != 1 || months[1].Received != 0 {
		t.Fatalf("months %+v", months)
	}
}

type recorder struct{ ids []int64 }

func (r *recorder) RequestOverdue(_ context.Context, q ppid.Request) error {
	r.ids = append(r.ids, q.ID)
	return nil
}

// TestOverdueNotifier: the unit's PPID officer and head are told, not the
// editor; the notice says what to do and carries a once-only key.
func TestOverdueNotifier(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	r, err := e.svc.Create(ctx, e.officer, ppid.Input{RequesterName: "LSM", Question: "Daftar hadir pleno", Category: "berkala", ReceivedAt: e.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	var got []ppid.Notice
	n := ppid.OverdueNotifier{Users: auth.NewStore(e.db), Org: e.orgs, Cal: e.svc.Calendar(),
		Send: func(_ context.Context, m ppid.Notice) error { got = append(got, m); return nil }}
	e.clock.Advance(30 * 24 * time.Hour)
	if told, err := e.svc.NotifyOverdue(ctx, n); err != nil || told != 1 {
		t.Fatalf("told %d: %v", told, err)
	}
	if len(got) != 1 || len(got[0].To) != 2 || !slices.Contains(got[0].To, e.officer.UserID) || !slices.Contains(got[0].To, e.viewer.UserID) {
		t.Fatalf("notices %+v (officer %d, head %d)", got, e.officer.UserID, e.viewer.UserID)
	}
	if m := got[0]; m.Key != fmt.Sprintf("ppid-overdue:%d", r.ID) || !strings.Contains(m.BodyID, "24/11/2026") || m.Link != fmt.Sprintf("/ppid#r-%d", r.ID) {
		t.Errorf("notice %+v", m)
	}
}

// TestMirrorFacts: each request reaches ClickHouse with its outcome; a
// later mirror replaces it.
func TestMirrorFacts(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	a, _ := e.svc.Create(ctx, e.officer, ppid.Input{RequesterName: "A", Question: "Satu", Category: "berkala", ReceivedAt: e.clock.Now()})
	if _, err := e.svc.Create(ctx, e.officer, ppid.Input{RequesterName: "B", Question: "Dua", Category: "berkala", ReceivedAt: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AnswerOther(ctx, e.officer, a.ID, "surel"); err != nil {
		t.Fatal(err)
	}
	ch := storetest.ClickHouse(t)
	if n, err := e.svc.MirrorToClickHouse(ctx, ch, e.clock.Now().AddDate(0, -1, 0)); err != nil || n != 2 {
		t.Fatalf("mirrored %d: %v", n, err)
	}
	e.clock.Advance(30 * 24 * time.Hour) // b is now overdue
	if _, err := e.svc.MirrorToClickHouse(ctx, ch, e.clock.Now().AddDate(0, -2, 0)); err != nil {
		t.Fatal(err)
	}
	rows, err := ch.Query(ctx, `SELECT request_id, argMax(outcome, version) FROM ppid_facts GROUP BY request_id ORDER BY request_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id uint64
		var o string
		if err := rows.Scan(&id, &o); err != nil {
			t.Fatal(err)
		}
		got = append(got, o)
	}
	if strings.Join(got, ",") != "on_time,overdue" {
		t.Fatalf("outcomes %v", got)
	}
}
