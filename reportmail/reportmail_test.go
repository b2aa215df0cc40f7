package reportmail_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/notify/mail"
	"github.com/humas-id/humas/notify/mail/mailtest"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/report"
	"github.com/humas-id/humas/reportmail"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
	"github.com/humas-id/humas/valid"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

var wib = func() *time.Location { l, _ := time.LoadLocation("Asia/Jakarta"); return l }()

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, wib)
	if err != nil {
		panic(err)
	}
	return t
}

// builder makes a small document and counts builds.
type builder struct {
	builds atomic.Int32
	fail   atomic.Bool
	got    []report.Request
	mu     sync.Mutex
}

func (b *builder) Build(_ context.Context, r report.Request) (*report.Document, error) {
	b.builds.Add(1)
	b.mu.Lock()
	b.got = append(b.got, r)
	b.mu.Unlock()
	if b.fail.Load() {
		return nil, errors.New("clickhouse: unavailable")
	}
	lang := r.Lang
	return &report.Document{Lang: lang, Loc: wib, Title: report.T(lang, "title"), Period: r.Period, PeriodLabel: r.Period.Label(lang),
		RangeLabel: report.Dates(lang, r.Period.From, r.Period.To), Scope: "KPU Provinsi Jawa Tengah",
		CompareLabel: report.T(lang, "compare", r.Period.PrevLabel(lang), "…"), Generated: time.Now(),
		Letterhead: report.Letterhead{UnitName: "KPU Provinsi Jawa Tengah"},
		Cards:      []report.Card{{Key: "posts", Label: report.T(lang, "card.posts"), Value: "169", Change: "+11,9%", Verdict: "tidak berbeda bermakna", Num: 169, PrevNum: 151, Format: "int"}},
		Findings:   []report.FindingText{{Kind: "overall", Text: "ER menurut jangkauan 4,4%, tidak berbeda bermakna dibanding bulan lalu.", Posts: 320}},
	}, nil
}

type fixture struct {
	svc   *reportmail.Service
	clock *clock
	b     *builder
	unit  org.Unit
	db    *store.SQLite
}

func newFixture(t *testing.T, sender mail.Sender, subscribedAt time.Time) *fixture {
	t.Helper()
	ctx := context.Background()
	db := storetest.SQLite(t)
	orgs := org.NewStore(db, nil)
	u, err := orgs.CreateUnit(ctx, org.Unit{Name: "KPU Provinsi Jawa Tengah", Slug: "kpu-jateng", Level: "province"})
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: subscribedAt}
	b := &builder{}
	svc := reportmail.New(db, b, sender, reportmail.Options{Now: c.Now, Location: wib, Logger: slog.New(slog.DiscardHandler)})
	return &fixture{svc: svc, clock: c, b: b, unit: u, db: db}
}

func TestFirstWorkingDay(t *testing.T) {
	idulFitri := time.Date(2027, 3, 10, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		from  string
		extra []time.Time
		want  string
	}{
		{"2026-12-01", nil, "2026-12-01"},                    // Tuesday
		{"2027-01-01", nil, "2027-01-04"},                    // New Year on a Friday, then the weekend
		{"2026-08-01", nil, "2026-08-03"},                    // Saturday
		{"2027-05-01", nil, "2027-05-03"},                    // Labour Day on a Saturday
		{"2027-03-10", []time.Time{idulFitri}, "2027-03-11"}, // a configured holiday
		{"2026-11-30", nil, "2026-11-30"},                    // Monday
		{"2026-08-17", nil, "2026-08-18"},                    // Independence Day
	} {
		from, _ := time.Parse("2006-01-02", tc.from)
		if got := reportmail.FirstWorkingDay(from, tc.extra).Format("2006-01-02"); got != tc.want {
			t.Errorf("FirstWorkingDay(%s) = %s, want %s", tc.from, got, tc.want)
		}
	}
}

func TestSubscribeValidation(t *testing.T) {
	f := newFixture(t, nil, at("2026-11-20 10:00"))
	ctx := context.Background()
	for _, tc := range []struct {
		in    reportmail.Subscription
		field string
	}{
		{reportmail.Subscription{UnitID: f.unit.ID, Email: "kepala"}, "email"},
		{reportmail.Subscription{UnitID: f.unit.ID, Email: "kepala@kpu.go.id", Frequency: "daily"}, "frequency"},
		{reportmail.Subscription{UnitID: f.unit.ID, Email: "kepala@kpu.go.id", Lang: "fr"}, "lang"},
		{reportmail.Subscription{UnitID: f.unit.ID, Email: "kepala@kpu.go.id\r\nBcc: x@y.z"}, "email"},
		{reportmail.Subscription{Email: "kepala@kpu.go.id"}, "unit"},
	} {
		_, err := f.svc.Subscribe(ctx, tc.in)
		var ve valid.Errors
		if !errors.As(err, &ve) || ve[0].Field != tc.field || ve[0].MessageID == "" {
			t.Errorf("%+v: %v, want field %s", tc.in, err, tc.field)
		}
	}
	s, err := f.svc.Subscribe(ctx, reportmail.Subscription{UnitID: f.unit.ID, Email: "Kepala Divisi <Kepala@KPU.go.id>", Name: " Kepala  Divisi "})
	if err != nil || s.Email != "kepala@kpu.go.id" || s.Name != "Kepala Divisi" || s.Frequency != reportmail.Monthly || s.Lang != "id" {
		t.Fatalf("subscribe: %+v %v", s, err)
	}
	_, err = f.svc.Subscribe(ctx, reportmail.Subscription{UnitID: f.unit.ID, Email: "kepala@kpu.go.id"})
	if err == nil || !strings.Contains(err.Error(), "already gets the monthly report") {
		t.Errorf("twice: %v", err)
	}
	if err := f.svc.Unsubscribe(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Subscribe(ctx, reportmail.Subscription{UnitID: f.unit.ID, Email: "kepala@kpu.go.id"}); err != nil {
		t.Errorf("again after unsubscribing: %v", err)
	}
}

// TestMonthlyReportByEmail: on the first working day of December at the
// send hour, the November report goes to each monthly subscriber as PDF
// and Excel through a real SMTP server; once only.
func TestMonthlyReportByEmail(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{TLS: true, Username: "humas", Password: "sandi"})
	sender, err := mail.New(srv.Config(), mail.WithRootCAs(srv.RootCAs))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, sender, at("2026-11-20 10:00"))
	ctx := context.Background()
	for _, s := range []reportmail.Subscription{
		{UnitID: f.unit.ID, Email: "kepala@jateng.kpu.test", Name: "Kepala Divisi"},
		{UnitID: f.unit.ID, Email: "ketua@jateng.kpu.test", Lang: "en"},
		{UnitID: f.unit.ID, Email: "mingguan@jateng.kpu.test", Frequency: reportmail.Weekly},
	} {
		if _, err := f.svc.Subscribe(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	// The last day of November: nothing monthly is due (the weekly one is:
	// Monday 30 November, for the week of 23–29 November).
	f.clock.Set(at("2026-11-30 09:00"))
	st, err := f.svc.Run(ctx)
	if err != nil || st.Enqueued != 1 || st.Sent != 1 {
		t.Fatalf("30 Nov: %+v %v", st, err)
	}
	weekly := srv.Wait(t, 1, 5*time.Second)[0]
	if weekly.To[0] != "mingguan@jateng.kpu.test" || !strings.Contains(weekly.Subject, "minggu 23 Nov 2026 – 29 Nov 2026") {
		t.Errorf("weekly mail to %v: %q", weekly.To, weekly.Subject)
	}
	// 1 December (Tuesday, a working day) before 07.00 WIB: not yet.
	f.clock.Set(at("2026-12-01 06:59"))
	if st, err := f.svc.Run(ctx); err != nil || st.Enqueued+st.Sent != 0 {
		t.Fatalf("before the send hour: %+v %v", st, err)
	}
	f.clock.Set(at("2026-12-01 07:05"))
	st, err = f.svc.Run(ctx)
	if err != nil || st.Enqueued != 2 || st.Sent != 2 || st.Failed != 0 {
		t.Fatalf("1 Dec 07.05: %+v %v", st, err)
	}
	msgs := srv.Wait(t, 3, 5*time.Second)
	byTo := map[string]mailtest.Message{}
	for _, m := range msgs {
		byTo[m.To[0]] = m
	}
	id, en := byTo["kepala@jateng.kpu.test"], byTo["ketua@jateng.kpu.test"]
	if id.Subject != "[humas] Laporan media sosial November 2026 – KPU Provinsi Jawa Tengah" ||
		en.Subject != "[humas] Social media report November 2026 – KPU Provinsi Jawa Tengah" {
		t.Errorf("subjects %q / %q", id.Subject, en.Subject)
	}
	for _, want := range []string{"Yth. Kepala Divisi,", "November 2026 (1 Nov 2026 – 30 Nov 2026)", "- Unggahan: 169 (+11,9%; tidak berbeda bermakna)",
		"1. ER menurut jangkauan 4,4%", "laporan bulanan"} {
		if !strings.Contains(id.Text, want) {
			t.Errorf("mail text lacks %q:\n%s", want, id.Text)
		}
	}
	if len(id.Attachments) != 2 {
		t.Fatalf("%d attachments", len(id.Attachments))
	}
	pdf, xlsx := id.Attachments[0], id.Attachments[1]
	if pdf.Name != "laporan-humas-kpu-provinsi-jawa-tengah-2026-11.pdf" || pdf.ContentType != "application/pdf" || !bytes.HasPrefix(pdf.Data, []byte("%PDF")) {
		t.Errorf("pdf attachment %q %q %q", pdf.Name, pdf.ContentType, pdf.Data[:8])
	}
	wb, err := excelize.OpenReader(bytes.NewReader(xlsx.Data))
	if err != nil || xlsx.Name != "laporan-humas-kpu-provinsi-jawa-tengah-2026-11.xlsx" {
		t.Fatalf("xlsx attachment %q: %v", xlsx.Name, err)
	}
	if sheets := wb.GetSheetList(); sheets[0] != "Ringkasan" || sheets[len(sheets)-1] != "Definisi" {
		t.Errorf("sheets %v", sheets)
	}
	// Built once per language, for November, for the unit.
	if n := f.b.builds.Load(); n != 3 {
		t.Errorf("%d builds, want 3 (weekly, monthly id, monthly en)", n)
	}
	if r := f.b.got[1]; r.UnitID != f.unit.ID || r.Period.Key() != "2026-11" || r.Period.PrevFrom.Format("2006-01-02") != "2026-10-01" {
		t.Errorf("built %+v", r)
	}
	// Recorded as sent; a later run sends nothing again.
	f.clock.Set(at("2026-12-02 07:05"))
	if st, err := f.svc.Run(ctx); err != nil || st.Enqueued+st.Sent+st.Failed != 0 {
		t.Errorf("second day: %+v %v", st, err)
	}
	ds, err := f.svc.Deliveries(ctx, []int64{f.unit.ID}, 10)
	if err != nil || len(ds) != 3 {
		t.Fatalf("deliveries %+v %v", ds, err)
	}
	for _, d := range ds {
		if d.Status != reportmail.StatusSent || d.Attempts != 1 || d.SentAt == nil || d.PDFBytes < 1000 || d.XLSXBytes < 1000 {
			t.Errorf("delivery %+v", d)
		}
	}
	// A person subscribed after the send moment waits for next month.
	if _, err := f.svc.Subscribe(ctx, reportmail.Subscription{UnitID: f.unit.ID, Email: "baru@jateng.kpu.test"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.svc.Run(ctx); st.Enqueued != 0 {
		t.Errorf("a new subscriber got last month's report: %+v", st)
	}
}

// TestFailedSendRetried: a busy server (451) and a failed build are
// retried after 5 and 15 minutes; after the last step the delivery is
// failed, visible, and an admin can send it again.
func TestFailedSendRetried(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{FailFirst: 1})
	sender, _ := mail.New(srv.Config())
	f := newFixture(t, sender, at("2026-11-20 10:00"))
	ctx := context.Background()
	if _, err := f.svc.Subscribe(ctx, reportmail.Subscription{UnitID: f.unit.ID, Email: "kepala@jateng.kpu.test"}); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(at("2026-12-01 08:00"))
	st, err := f.svc.Run(ctx)
	if err != nil || st.Failed != 1 || st.Sent != 0 {
		t.Fatalf("first run %+v %v", st, err)
	}
	d := only(t, f)
	if d.Status != reportmail.StatusRetrying || d.Attempts != 1 || !strings.Contains(d.LastError, "451") ||
		d.NextAttemptAt == nil || !d.NextAttemptAt.Equal(at("2026-12-01 08:05")) {
		t.Fatalf("after the busy server: %+v", d)
	}
	f.clock.Set(at("2026-12-01 08:04"))
	if st, _ := f.svc.Run(ctx); st.Sent+st.Failed != 0 {
		t.Errorf("retried before its time: %+v", st)
	}
	f.clock.Set(at("2026-12-01 08:05"))
	if st, _ := f.svc.Run(ctx); st.Sent != 1 {
		t.Fatalf("retry: %+v", st)
	}
	if d := only(t, f); d.Status != reportmail.StatusSent || d.Attempts != 2 || d.LastError != "" {
		t.Errorf("after the retry: %+v", d)
	}
	if n := len(srv.Wait(t, 1, 5*time.Second)); n != 1 || srv.Refused() != 1 {
		t.Errorf("arrived %d, refused %d", n, srv.Refused())
	}
}

func TestFailedForGood(t *testing.T) {
	f := newFixture(t, nil, at("2026-11-20 10:00")) // no SMTP configured
	ctx := context.Background()
	if _, err := f.svc.Subscribe(ctx, reportmail.Subscription{UnitID: f.unit.ID, Email: "kepala@jateng.kpu.test"}); err != nil {
		t.Fatal(err)
	}
	now := at("2026-12-01 08:00")
	for i, wait := range append([]time.Duration{0}, reportmail.DefaultBackoff...) {
		now = now.Add(wait)
		f.clock.Set(now)
		if st, err := f.svc.Run(ctx); err != nil || st.Failed != 1 {
			t.Fatalf("attempt %d: %+v %v", i+1, st, err)
		}
	}
	d := only(t, f)
	if d.Status != reportmail.StatusFailed || d.Attempts != 6 || d.NextAttemptAt != nil || !strings.Contains(d.LastError, "HUMAS_SMTP_HOST") {
		t.Fatalf("after every retry: %+v", d)
	}
	f.clock.Set(now.Add(24 * time.Hour))
	if st, _ := f.svc.Run(ctx); st.Failed+st.Sent != 0 {
		t.Errorf("a failed delivery was tried again by itself: %+v", st)
	}
	if err := f.svc.Retry(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if d := only(t, f); d.Status != reportmail.StatusPending {
		t.Errorf("after Retry: %+v", d)
	}
	if err := f.svc.Retry(ctx, d.ID); !errors.Is(err, reportmail.ErrNotFound) {
		t.Errorf("Retry of a pending delivery: %v", err)
	}
}

func TestBuildFailureRetried(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	sender, _ := mail.New(srv.Config())
	f := newFixture(t, sender, at("2026-11-20 10:00"))
	ctx := context.Background()
	if _, err := f.svc.Subscribe(ctx, reportmail.Subscription{UnitID: f.unit.ID, Email: "kepala@jateng.kpu.test"}); err != nil {
		t.Fatal(err)
	}
	f.b.fail.Store(true)
	f.clock.Set(at("2026-12-01 08:00"))
	if st, _ := f.svc.Run(ctx); st.Failed != 1 {
		t.Fatalf("%+v", st)
	}
	if d := only(t, f); !strings.Contains(d.LastError, "build the report: clickhouse: unavailable") {
		t.Errorf("%+v", d)
	}
	f.b.fail.Store(false)
	f.clock.Set(at("2026-12-01 08:05"))
	if st, _ := f.svc.Run(ctx); st.Sent != 1 {
		t.Fatalf("%+v", st)
	}
	srv.Wait(t, 1, 5*time.Second)
}

// TestCronJob: the job runs on its spec in the background and stops.
func TestCronJob(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	sender, _ := mail.New(srv.Config())
	db := storetest.SQLite(t)
	orgs := org.NewStore(db, nil)
	u, _ := orgs.CreateUnit(context.Background(), org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-salatiga"})
	c := &clock{t: at("2026-11-20 10:00")}
	opt := reportmail.OptionsFromConfig(config.Reports{Check: "@every 1s", SendHour: 7}, "Asia/Jakarta", slog.New(slog.DiscardHandler))
	opt.Now = c.Now
	svc := reportmail.New(db, &builder{}, sender, opt)
	if _, err := svc.Subscribe(context.Background(), reportmail.Subscription{UnitID: u.ID, Email: "kepala@salatiga.kpu.test"}); err != nil {
		t.Fatal(err)
	}
	c.Set(at("2026-12-01 09:00"))
	if err := svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.Wait(t, 1, 10*time.Second)
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := svc.Stop(sctx); err != nil {
		t.Fatal(err)
	}
}

func only(t *testing.T, f *fixture) reportmail.Delivery {
	t.Helper()
	ds, err := f.svc.Deliveries(context.Background(), nil, 10)
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries %+v %v", ds, err)
	}
	return ds[0]
}
