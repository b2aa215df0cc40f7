package reportmail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/notify/mail"
	"github.com/humas-id/humas/report"
	"github.com/humas-id/humas/store"
)

// fixedHolidays are national holidays on the same date every year (New
// Year, Labour Day, Pancasila Day, Independence Day, Christmas). Holidays
// that move (Idul Fitri, Nyepi, …) go in the configuration.
var fixedHolidays = [][2]int{{1, 1}, {5, 1}, {6, 1}, {8, 17}, {12, 25}}

// WorkingDay reports whether d (a calendar date) is a working day: not a
// weekend, a fixed national holiday or one of extra.
func WorkingDay(d time.Time, extra []time.Time) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	for _, h := range fixedHolidays {
		if int(d.Month()) == h[0] && d.Day() == h[1] {
			return false
		}
	}
	for _, h := range extra {
		if h.Year() == d.Year() && h.YearDay() == d.YearDay() {
			return false
		}
	}
	return true
}

// FirstWorkingDay is the first working day on or after from.
func FirstWorkingDay(from time.Time, extra []time.Time) time.Time {
	d := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	for !WorkingDay(d, extra) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// due is a report period due for subscriptions of one frequency, and the
// moment it became due (subscriptions made later wait for the next one).
type due struct {
	frequency string
	period    report.Period
	at        time.Time
}

// dueNow lists the periods whose send moment has passed: last month from
// the month's first working day at SendHour, last week from the week's.
func (s *Service) dueNow(now time.Time) []due {
	loc := s.opt.Location
	l := now.In(loc)
	at := func(day time.Time) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day(), s.opt.SendHour, 0, 0, 0, loc)
	}
	var out []due
	month := FirstWorkingDay(time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, time.UTC), s.opt.Holidays)
	if m := at(month); !now.Before(m) {
		out = append(out, due{Monthly, report.LastFullMonth(now, loc), m})
	}
	off := (int(l.Weekday()) + 6) % 7 // days since Monday
	monday := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -off)
	week := FirstWorkingDay(monday, s.opt.Holidays)
	if w := at(week); !now.Before(w) && week.Before(monday.AddDate(0, 0, 7)) {
		out = append(out, due{Weekly, report.Week(monday.AddDate(0, 0, -7)), w})
	}
	return out
}

// RunStats is what one run did.
type RunStats struct {
	Enqueued, Sent, Failed int
}

// Run enqueues the reports that are due and sends every delivery whose
// time has come (new ones and retries). Runs do not overlap.
func (s *Service) Run(ctx context.Context) (RunStats, error) {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	var st RunStats
	now := s.opt.Now()
	subs, err := s.Subscriptions(ctx, nil)
	if err != nil {
		return st, err
	}
	for _, d := range s.dueNow(now) {
		for _, sub := range subs {
			if sub.Frequency != d.frequency || !sub.CreatedAt.Before(d.at) {
				continue
			}
			res, err := s.db.DB.ExecContext(ctx, qEnqueue, sub.ID, d.period.Key(), d.period.From.Format("2006-01-02"),
				d.period.To.Format("2006-01-02"), store.FormatTime(now), store.FormatTime(now), store.FormatTime(now))
			if err != nil {
				return st, fmt.Errorf("enqueue report for subscription %d: %w", sub.ID, err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				st.Enqueued++
			}
		}
	}
	rows, err := s.db.DB.QueryContext(ctx, qDue, store.FormatTime(now))
	if err != nil {
		return st, fmt.Errorf("read due deliveries: %w", err)
	}
	var todo []Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			rows.Close()
			return st, fmt.Errorf("scan delivery: %w", err)
		}
		todo = append(todo, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	files := map[string]rendered{}
	for _, d := range todo {
		sub, err := s.Subscription(ctx, d.SubscriptionID)
		if errors.Is(err, ErrNotFound) {
			continue // unsubscribed since
		}
		if err != nil {
			return st, err
		}
		if err := s.send(ctx, d, sub, files); err != nil {
			st.Failed++
			if ferr := s.failed(ctx, d, err); ferr != nil {
				return st, ferr
			}
			continue
		}
		st.Sent++
	}
	if st.Enqueued+st.Sent+st.Failed > 0 {
		s.opt.Logger.InfoContext(ctx, "scheduled reports", "enqueued", st.Enqueued, "sent", st.Sent, "failed", st.Failed)
	}
	return st, nil
}

// rendered is one report's files (built once per unit, period and
// language in a run) and its document.
type rendered struct {
	doc       *report.Document
	pdf, xlsx []byte
	err       error
}

func (s *Service) send(ctx context.Context, d Delivery, sub Subscription, files map[string]rendered) error {
	if s.mail == nil {
		return mail.ErrNotConfigured
	}
	p := periodOf(d)
	key := fmt.Sprintf("%d|%s|%s", sub.UnitID, d.PeriodKey, sub.Lang)
	r, ok := files[key]
	if !ok {
		r.doc, r.err = s.b.Build(ctx, report.Request{UnitID: sub.UnitID, Period: p, Lang: sub.Lang})
		if r.err == nil {
			r.pdf, r.err = report.PDF(r.doc)
		}
		if r.err == nil {
			r.xlsx, r.err = report.XLSX(r.doc)
		}
		files[key] = r
	}
	if r.err != nil {
		return fmt.Errorf("build the report: %w", r.err)
	}
	if !ok && d.Frequency == Monthly {
		s.noticeReport(ctx, sub.UnitID, d.PeriodKey, r.doc)
	}
	to := sub.Email
	if sub.Name != "" {
		to = fmt.Sprintf("%q <%s>", sub.Name, sub.Email)
	}
	name := "laporan-humas-" + slug(r.doc.Letterhead.UnitName) + "-" + d.PeriodKey
	m := mail.Message{To: []string{to}, Subject: subject(r.doc), Text: body(r.doc, sub),
		Attachments: []mail.Attachment{{Name: name + ".pdf", ContentType: "application/pdf", Data: r.pdf},
			{Name: name + ".xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Data: r.xlsx}}}
	if err := s.mail.Send(ctx, m); err != nil {
		return err
	}
	now := store.FormatTime(s.opt.Now())
	if _, err := s.db.DB.ExecContext(ctx, qDeliverySent, len(r.pdf), len(r.xlsx), now, now, d.ID); err != nil {
		return fmt.Errorf("record delivery %d: %w", d.ID, err)
	}
	return nil
}

// failed records a failed attempt: retried after the next backoff step,
// or failed for good after the last.
func (s *Service) failed(ctx context.Context, d Delivery, cause error) error {
	now := s.opt.Now()
	status, next := StatusFailed, any(nil)
	if d.Attempts < len(s.opt.Backoff) {
		status = StatusRetrying
		next = store.FormatTime(now.Add(s.opt.Backoff[d.Attempts]))
	}
	msg := cause.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	s.opt.Logger.WarnContext(ctx, "scheduled report not sent", "delivery_id", d.ID, "subscription_id", d.SubscriptionID,
		"attempt", d.Attempts+1, "status", status, "err", cause)
	if _, err := s.db.DB.ExecContext(ctx, qDeliveryFailed, status, next, msg, store.FormatTime(now), d.ID); err != nil {
		return fmt.Errorf("record failed delivery %d: %w", d.ID, err)
	}
	return nil
}

func periodOf(d Delivery) report.Period {
	if strings.Contains(d.PeriodKey, "_") {
		if d.PeriodTo.Sub(d.PeriodFrom) == 6*24*time.Hour && d.PeriodFrom.Weekday() == time.Monday {
			return report.Week(d.PeriodFrom)
		}
		return report.Custom(d.PeriodFrom, d.PeriodTo)
	}
	return report.Month(d.PeriodFrom.Year(), d.PeriodFrom.Month())
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

func subject(d *report.Document) string {
	if d.Lang == report.EN {
		return fmt.Sprintf("[humas] Social media report %s – %s", d.PeriodLabel, d.Letterhead.UnitName)
	}
	return fmt.Sprintf("[humas] Laporan media sosial %s – %s", d.PeriodLabel, d.Letterhead.UnitName)
}

// body is the email's text: the summary and the findings, then what is
// attached and why the person gets it.
func body(d *report.Document, sub Subscription) string {
	var b strings.Builder
	who := sub.Name
	if who == "" {
		who = sub.Email
	}
	en := d.Lang == report.EN
	if en {
		fmt.Fprintf(&b, "Dear %s,\n\nAttached is the social media report of %s for %s (%s), as PDF and Excel.\n", who, d.Scope, d.PeriodLabel, d.RangeLabel)
	} else {
		fmt.Fprintf(&b, "Yth. %s,\n\nTerlampir laporan media sosial %s untuk %s (%s), dalam PDF dan Excel.\n", who, d.Scope, d.PeriodLabel, d.RangeLabel)
	}
	for _, n := range d.Notices {
		fmt.Fprintf(&b, "\n! %s\n", n)
	}
	fmt.Fprintf(&b, "\n%s (%s):\n", report.T(d.Lang, "summary"), d.CompareLabel)
	for _, c := range d.Cards {
		line := fmt.Sprintf("- %s: %s", c.Label, c.Value)
		if c.Change != "" {
			line += " (" + c.Change
			if c.Verdict != "" {
				line += "; " + c.Verdict
			}
			line += ")"
		}
		b.WriteString(line + "\n")
	}
	if len(d.Findings) > 0 {
		fmt.Fprintf(&b, "\n%s:\n", report.T(d.Lang, "findings"))
		for i, f := range d.Findings {
			fmt.Fprintf(&b, "%d. %s\n", i+1, f.Text)
		}
	}
	freq := map[string][2]string{Monthly: {"bulanan", "monthly"}, Weekly: {"mingguan", "weekly"}}[sub.Frequency]
	if en {
		fmt.Fprintf(&b, "\nYou receive this %s report because you were subscribed to it in humas. To stop, ask the humas admin of your office.\n", freq[1])
	} else {
		fmt.Fprintf(&b, "\nAnda menerima laporan %s ini karena didaftarkan di humas. Untuk berhenti, hubungi admin humas unit Anda.\n", freq[0])
	}
	return b.String()
}

// Start runs the job on its cron spec (the first run at the first tick).
func (s *Service) Start(ctx context.Context) error {
	ctx, s.stop = context.WithCancel(context.WithoutCancel(ctx))
	s.cron = cron.New(cron.WithParser(config.CronParser), cron.WithLocation(time.UTC),
		cron.WithChain(cron.SkipIfStillRunning(cron.DiscardLogger)))
	if _, err := s.cron.AddFunc(s.opt.Check, func() {
		if s.opt.Once != nil && !s.opt.Once() {
			return // another replica holds the lease of the once-only jobs
		}
		if _, err := s.Run(ctx); err != nil {
			s.opt.Logger.ErrorContext(ctx, "scheduled reports run failed", "err", err)
		}
	}); err != nil {
		return fmt.Errorf("reports.check %q: %w", s.opt.Check, err)
	}
	s.cron.Start()
	return nil
}

// Stop ends the job, waiting for a run in progress until ctx ends.
func (s *Service) Stop(ctx context.Context) error {
	if s.cron == nil {
		return nil
	}
	s.stop()
	select {
	case <-s.cron.Stop().Done():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
