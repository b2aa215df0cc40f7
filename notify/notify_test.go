package notify_test

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/notify"
	"github.com/humas-id/humas/notify/mail"
	"github.com/humas-id/humas/notify/mail/mailtest"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store/storetest"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	svc   *notify.Service
	smtp  *mailtest.Server
	clock *clock
	users map[string]auth.User
	// with makes another service on the same database and SMTP server.
	with func(notify.Options) *notify.Service
}

// newFixture is a state database with an office and three people (one
// without an email address, one disabled), a real SMTP server and the
// service sending through it.
func newFixture(t *testing.T, smtp mailtest.Options) *fixture {
	t.Helper()
	ctx := context.Background()
	db := storetest.SQLite(t)
	orgs := org.NewStore(db, nil)
	unit, err := orgs.CreateUnit(ctx, org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-salatiga", Level: "city"})
	if err != nil {
		t.Fatal(err)
	}
	users := auth.NewStore(db)
	f := &fixture{smtp: mailtest.Start(t, smtp), clock: &clock{t: time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)}, users: map[string]auth.User{}}
	for _, u := range []struct {
		name, email string
		role        auth.Role
	}{{"sari.editor", "sari@salatiga.kpu.go.id", auth.RoleEditor}, {"budi.penyetuju", "budi@salatiga.kpu.go.id", auth.RoleApprover},
		{"tanpa.email", "", auth.RoleEditor}, {"pensiun", "pensiun@salatiga.kpu.go.id", auth.RoleEditor}} {
		nu, _, err := users.Invite(ctx, auth.NewUser{Name: u.name, Email: u.email, UnitID: unit.ID, Role: u.role}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		f.users[u.name] = nu
	}
	if err := users.Revoke(ctx, "pensiun"); err != nil {
		t.Fatal(err)
	}
	sender, err := mail.New(f.smtp.Config())
	if err != nil {
		t.Fatal(err)
	}
	f.svc = notify.New(db, users, sender, notify.Options{Logger: slog.New(slog.DiscardHandler), Now: f.clock.Now,
		PublicURL: "https://humas.kpu-salatiga.go.id/"})
	f.with = func(o notify.Options) *notify.Service { return notify.New(db, users, sender, o) }
	return f
}

func (f *fixture) ids(names ...string) []int64 {
	var out []int64
	for _, n := range names {
		out = append(out, f.users[n].ID)
	}
	return out
}

func approved(to []int64) notify.Message {
	return notify.Message{Kind: notify.KindApproved, To: to, TitleID: "Unggahan #12 disetujui oleh budi.penyetuju",
		TitleEN: "Post #12 was approved by budi.penyetuju", BodyID: "Terbit Kamis 09.00 WIB.", BodyEN: "Publishes Thursday 09:00 WIB.",
		Link: "/posts/12"}
}

// A notification reaches each active person once in the app; those with
// an address get an email (Indonesian, then English, with the absolute
// link); disabled people get nothing; a keyed message lands once.
func TestNotifyInAppAndEmail(t *testing.T) {
	f := newFixture(t, mailtest.Options{})
	ctx := context.Background()
	to := f.ids("sari.editor", "tanpa.email", "pensiun", "sari.editor")
	if err := f.svc.Notify(ctx, approved(to)); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]int{"sari.editor": 1, "tanpa.email": 1, "pensiun": 0, "budi.penyetuju": 0} {
		if n, err := f.svc.Unread(ctx, f.users[name].ID); err != nil || n != want {
			t.Errorf("%s has %d unread (%v), want %d", name, n, err, want)
		}
	}
	st, err := f.svc.Drain(ctx)
	if err != nil || st.Sent != 1 || st.Failed != 0 {
		t.Fatalf("drain: %+v %v", st, err)
	}
	msgs := f.smtp.Wait(t, 1, 10*time.Second)
	m := msgs[0]
	if m.Subject != "[humas] Unggahan #12 disetujui oleh budi.penyetuju" || len(m.To) != 1 || m.To[0] != "sari@salatiga.kpu.go.id" {
		t.Errorf("email %q to %v", m.Subject, m.To)
	}
	for _, want := range []string{"Yth. sari.editor", "Terbit Kamis 09.00 WIB.", "Buka: https://humas.kpu-salatiga.go.id/posts/12",
		"Post #12 was approved", "https://humas.kpu-salatiga.go.id/account/notifications"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("email lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Index(m.Text, "disetujui") > strings.Index(m.Text, "approved") {
		t.Error("the English text comes before the Indonesian")
	}
	list, err := f.svc.List(ctx, f.users["sari.editor"].ID, 10)
	if err != nil || len(list) != 1 || list[0].Email == nil || list[0].Email.Status != notify.EmailSent || list[0].Link != "/posts/12" {
		t.Fatalf("list %+v %v", list, err)
	}
	if l, _ := f.svc.List(ctx, f.users["tanpa.email"].ID, 10); len(l) != 1 || l[0].Email != nil {
		t.Errorf("a person without an address: %+v", l)
	}

	// Read one; another's is not ours to mark.
	if err := f.svc.MarkRead(ctx, f.users["budi.penyetuju"].ID, list[0].ID); err != notify.ErrNotFound {
		t.Errorf("marking another's notification: %v", err)
	}
	if err := f.svc.MarkRead(ctx, f.users["sari.editor"].ID, list[0].ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.svc.Unread(ctx, f.users["sari.editor"].ID); n != 0 {
		t.Errorf("%d unread after reading", n)
	}

	// A keyed message (a report generated twice) lands once.
	rep := notify.Message{Kind: notify.KindReport, To: f.ids("budi.penyetuju"), TitleID: "Laporan November 2026 siap",
		TitleEN: "The November 2026 report is ready", Link: "/report?period=2026-11", Key: "report:1:2026-11"}
	for range 2 {
		if err := f.svc.Notify(ctx, rep); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := f.svc.Unread(ctx, f.users["budi.penyetuju"].ID); n != 1 {
		t.Errorf("a keyed message sent twice: %d unread", n)
	}
	if n, err := f.svc.MarkAllRead(ctx, f.users["budi.penyetuju"].ID); n != 1 || err != nil {
		t.Errorf("mark all read: %d %v", n, err)
	}
	if err := f.svc.Notify(ctx, notify.Message{Kind: "gossip", To: to}); err == nil {
		t.Error("an unknown kind is accepted")
	}
}

// A person's preferences decide what is emailed; the app shows everything.
func TestNotificationPreferencesHonoured(t *testing.T) {
	f := newFixture(t, mailtest.Options{})
	ctx := context.Background()
	sari := f.users["sari.editor"].ID
	prefs, err := f.svc.Prefs(ctx, sari)
	if err != nil || !prefs[notify.KindApproved] || !prefs[notify.KindRejected] || prefs[notify.KindReport] {
		t.Fatalf("default preferences %v %v", prefs, err)
	}
	prefs[notify.KindApproved] = false
	prefs[notify.KindReport] = true
	if err := f.svc.SetPrefs(ctx, sari, prefs); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.svc.Prefs(ctx, sari); got[notify.KindApproved] || !got[notify.KindReport] || !got[notify.KindRejected] {
		t.Errorf("preferences read back %v", got)
	}
	if err := f.svc.Notify(ctx, approved([]int64{sari})); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Notify(ctx, notify.Message{Kind: notify.KindRejected, To: []int64{sari}, TitleID: "Unggahan #13 ditolak",
		TitleEN: "Post #13 was rejected", BodyID: "Alasan: foto buram", BodyEN: "Reason: foto buram", Link: "/posts/13"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Notify(ctx, notify.Message{Kind: notify.KindReport, To: []int64{sari}, TitleID: "Laporan siap", TitleEN: "Report ready",
		Link: "/report"}); err != nil {
		t.Fatal(err)
	}
	if st, err := f.svc.Drain(ctx); err != nil || st.Sent != 2 {
		t.Fatalf("drain %+v %v, want the rejection and the report sent", st, err)
	}
	msgs := f.smtp.Wait(t, 2, 10*time.Second)
	for _, m := range msgs {
		if strings.Contains(m.Subject, "disetujui") {
			t.Errorf("an approval was emailed against the preference: %q", m.Subject)
		}
	}
	if n, _ := f.svc.Unread(ctx, sari); n != 3 {
		t.Errorf("%d unread in the app, want all 3", n)
	}
	if err := f.svc.SetPrefs(ctx, sari, map[string]bool{"gossip": true}); err == nil {
		t.Error("a preference of an unknown kind is accepted")
	}
}

// A failed send is kept with its reason, retried after the backoff, and
// sent; after the last retry it is failed, visible, and can be sent again.
func TestFailedEmailRetried(t *testing.T) {
	f := newFixture(t, mailtest.Options{FailFirst: 1})
	ctx := context.Background()
	sari := f.users["sari.editor"].ID
	if err := f.svc.Notify(ctx, approved([]int64{sari})); err != nil {
		t.Fatal(err)
	}
	if st, err := f.svc.Drain(ctx); err != nil || st.Failed != 1 || st.Sent != 0 {
		t.Fatalf("first pass %+v %v, want one failure", st, err)
	}
	emails, err := f.svc.Emails(ctx, sari, 10)
	if err != nil || len(emails) != 1 {
		t.Fatal(emails, err)
	}
	e := emails[0]
	if e.Status != notify.EmailRetrying || e.Attempts != 1 || !strings.Contains(e.LastError, "451") ||
		e.NextAttemptAt == nil || !e.NextAttemptAt.Equal(f.clock.Now().Add(notify.DefaultBackoff[0])) {
		t.Fatalf("after a temporary failure: %+v", e)
	}
	if st, _ := f.svc.Drain(ctx); st.Sent+st.Failed != 0 {
		t.Errorf("retried before its time: %+v", st)
	}
	f.clock.Add(notify.DefaultBackoff[0])
	if st, err := f.svc.Drain(ctx); err != nil || st.Sent != 1 {
		t.Fatalf("retry %+v %v", st, err)
	}
	f.smtp.Wait(t, 1, 10*time.Second)
	if l, _ := f.svc.List(ctx, sari, 1); l[0].Email.Status != notify.EmailSent || l[0].Email.Attempts != 2 || l[0].Email.LastError != "" {
		t.Errorf("after the retry: %+v", l[0].Email)
	}
	if f.smtp.Refused() != 1 {
		t.Errorf("the server refused %d times", f.smtp.Refused())
	}
}

// A mail server that cannot be reached fails every attempt, with the
// reason, until the last; then the email is failed and the person can send
// it again. Without an SMTP server at all, people are told in the app only.
func TestEmailFailsForGoodThenResent(t *testing.T) {
	f := newFixture(t, mailtest.Options{})
	ctx := context.Background()
	db := storetest.SQLite(t)
	users := auth.NewStore(db)
	orgs := org.NewStore(db, nil)
	unit, _ := orgs.CreateUnit(ctx, org.Unit{Name: "KPU", Slug: "kpu", Level: "city"})
	u, _, err := users.Invite(ctx, auth.NewUser{Name: "sari", Email: "sari@kpu.go.id", UnitID: unit.ID, Role: auth.RoleEditor}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // nothing listens there now
	sender, err := mail.New(config.SMTP{Host: "127.0.0.1", Port: closed, From: "humas@kpu.go.id", TLS: "none", Timeout: config.Duration(5 * time.Second)},
		mail.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	svc := notify.New(db, users, sender, notify.Options{Logger: slog.New(slog.DiscardHandler), Now: f.clock.Now,
		Backoff: []time.Duration{time.Minute}})
	if err := svc.Notify(ctx, approved([]int64{u.ID})); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := svc.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Minute)
	}
	e, _ := svc.Emails(ctx, u.ID, 1)
	if e[0].Status != notify.EmailFailed || e[0].Attempts != 2 || !strings.Contains(e[0].LastError, "127.0.0.1") || e[0].NextAttemptAt != nil {
		t.Fatalf("after the last attempt: %+v", e[0])
	}
	if l, _ := svc.List(ctx, u.ID, 1); l[0].Email == nil || l[0].Email.Status != notify.EmailFailed {
		t.Errorf("the notification does not show its failed email: %+v", l[0])
	}
	if err := svc.Resend(ctx, u.ID+1, e[0].ID); err != notify.ErrNotFound {
		t.Errorf("another person resends: %v", err)
	}
	if err := svc.Resend(ctx, u.ID, e[0].ID); err != nil {
		t.Fatal(err)
	}
	if e, _ := svc.Emails(ctx, u.ID, 1); e[0].Status != notify.EmailPending {
		t.Errorf("after resend: %s", e[0].Status)
	}

	appOnly := notify.New(db, users, nil, notify.Options{Now: f.clock.Now})
	if err := appOnly.Notify(ctx, approved([]int64{u.ID})); err != nil {
		t.Fatal(err)
	}
	if l, _ := appOnly.List(ctx, u.ID, 1); l[0].Email != nil {
		t.Errorf("an email was queued with no SMTP server: %+v", l[0].Email)
	}
}

// The running sender delivers a new email without waiting for its poll.
func TestSenderWakesOnNotify(t *testing.T) {
	f := newFixture(t, mailtest.Options{})
	ctx := context.Background()
	if err := f.svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer f.svc.Stop(ctx)
	if err := f.svc.Notify(ctx, approved(f.ids("budi.penyetuju"))); err != nil {
		t.Fatal(err)
	}
	if m := f.smtp.Wait(t, 1, 10*time.Second); m[0].To[0] != "budi@salatiga.kpu.go.id" {
		t.Errorf("sent to %v", m[0].To)
	}
}

// Invitations and resets are emailed at once with the link.
func TestSendSetupLink(t *testing.T) {
	f := newFixture(t, mailtest.Options{})
	ctx := context.Background()
	exp := f.clock.Now().Add(72 * time.Hour)
	err := f.svc.SendSetupLink(ctx, auth.LinkMessage{User: f.users["sari.editor"], URL: "https://humas.kpu-salatiga.go.id/setup/abc",
		Purpose: auth.PurposeInvite, ExpiresAt: exp, By: "admin.salatiga"})
	if err != nil {
		t.Fatal(err)
	}
	m := f.smtp.Wait(t, 1, 10*time.Second)[0]
	if m.Subject != "[humas] Undangan ke humas" || !strings.Contains(m.Text, "https://humas.kpu-salatiga.go.id/setup/abc") ||
		!strings.Contains(m.Text, "admin.salatiga mengundang Anda") || !strings.Contains(m.Text, "berlaku sampai 4 Des 2026 10.00 WIB") ||
		!strings.Contains(m.Text, "good until 4 Dec 2026 10:00 WIB") {
		t.Errorf("invitation %q:\n%s", m.Subject, m.Text)
	}
	// An office in Makassar reads its own time.
	wita, err := time.LoadLocation("Asia/Makassar")
	if err != nil {
		t.Fatal(err)
	}
	east := f.with(notify.Options{Location: wita, Logger: slog.New(slog.DiscardHandler)})
	if err := east.SendSetupLink(ctx, auth.LinkMessage{User: f.users["sari.editor"], URL: "https://humas.example/setup/def",
		Purpose: auth.PurposeReset, ExpiresAt: exp, By: "admin.makassar"}); err != nil {
		t.Fatal(err)
	}
	if m := f.smtp.Wait(t, 2, 10*time.Second)[1]; m.Subject != "[humas] Atur ulang kata sandi Anda" || !strings.Contains(m.Text, "berlaku sampai 4 Des 2026 11.00 WITA") {
		t.Errorf("reset %q:\n%s", m.Subject, m.Text)
	}
	if err := f.svc.SendSetupLink(ctx, auth.LinkMessage{User: f.users["tanpa.email"], URL: "x"}); err == nil {
		t.Error("a link sent to a person without an address")
	}
}
