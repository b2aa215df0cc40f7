package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/humas-id/humas/agenda"
	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/inbox"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/notify"
	"github.com/humas-id/humas/ppid"
)

// wireInbox builds the comments inbox (the collector fills it) and the
// PPID's information requests (deadlines on the working-day calendar of
// ppid.holidays_file), mounts their routes and returns the component that
// settles replies whose outcome was left unknown (a crash, a failed
// check) every minute.
func wireInbox(a *app) ([]named, error) {
	a.inbox = inbox.New(a.st.sql, a.orgs, inbox.Options{Graph: a.graph, Logger: a.log.With("component", "inbox")})
	loc, err := time.LoadLocation(a.cfg.Timezone)
	if err != nil {
		return nil, fmt.Errorf("timezone %s: %w", a.cfg.Timezone, err)
	}
	holidays, err := ppid.LoadHolidays(a.cfg.PPID.HolidaysFile)
	if err != nil {
		return nil, fmt.Errorf("ppid.holidays_file: %w", err)
	}
	cal := ppid.NewCalendar(loc, holidays, a.cfg.PPID.OfficeClosesAfter())
	a.ppid = ppid.New(a.st.sql, a.orgs, a.inbox, ppid.Options{Calendar: cal, Logger: a.log.With("component", "ppid")})
	a.agenda = agenda.New(a.st.sql, a.orgs, loc, nil)
	if a.cfg.API.Enabled && a.authed != nil {
		units := api.SchedulerDeps{Org: a.orgs, Auth: a.users, Calendar: a.sched}
		api.MountInbox(a.authed, api.InboxDeps{Inbox: a.inbox, Units: units})
		api.MountPPID(a.authed, api.PPIDDeps{Requests: a.ppid, Units: units})
		api.MountAgenda(a.authed, api.AgendaDeps{Agenda: a.agenda, Units: units})
	}
	if a.sandbox != nil {
		if err := seedSandboxAgenda(context.Background(), a, loc); err != nil {
			return nil, err
		}
	}
	parts := []named{{name: "inbox-replies", c: &replyReconciler{a: a}}}
	// Overdue requests are told to the PPID officers and the unit head
	// through the notifications outbox (in the app, and by email to those
	// who want it); the PPID page shows them as overdue either way.
	if send := wireOverdue(a); send != nil {
		parts = append(parts, named{name: "ppid-overdue", c: &overdueCheck{a: a,
			n: ppid.OverdueNotifier{Users: a.users, Org: a.orgs, Cal: cal, Send: send}}})
	}
	return parts, nil
}

// wireOverdue sends overdue-request notices through the notifications
// outbox (kind ppid_overdue; the key makes each land once per person);
// nil without one.
func wireOverdue(a *app) func(context.Context, ppid.Notice) error {
	if a.notes == nil {
		return nil
	}
	return func(ctx context.Context, n ppid.Notice) error {
		return a.notes.Notify(ctx, notify.Message{Kind: notify.KindPPID, To: n.To, TitleID: n.TitleID, TitleEN: n.TitleEN,
			BodyID: n.BodyID, BodyEN: n.BodyEN, Link: n.Link, Key: n.Key})
	}
}

// seedSandboxAgenda imports the sandbox's election-stage schedule (dated
// around today) into the province office's agenda, which its city
// inherits; a restart updates it.
func seedSandboxAgenda(ctx context.Context, a *app, loc *time.Location) error {
	for _, acct := range graphsim.DemoAccounts() {
		if !strings.Contains(acct.Unit, "Provinsi") {
			continue
		}
		u, err := a.orgs.UnitBySlug(ctx, slugify(acct.Unit))
		if err != nil {
			return fmt.Errorf("sandbox agenda: %w", err)
		}
		_, err = a.agenda.Import(ctx, auth.Principal{Name: "sandbox", Role: auth.RoleAdmin}, u.ID,
			strings.NewReader(agenda.SandboxICS(time.Now(), loc)), "")
		return err
	}
	return nil
}

// replyReconciler runs inbox.ReconcilePending every minute.
type replyReconciler struct {
	a      *app
	cancel context.CancelFunc
	done   chan struct{}
}

func (r *replyReconciler) Start(ctx context.Context) error {
	ctx, r.cancel = context.WithCancel(context.WithoutCancel(ctx))
	r.done = make(chan struct{})
	go func() {
		defer close(r.done)
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if r.a.once != nil && !r.a.once() {
					continue // another replica holds the jobs lease and settles replies
				}
				c, cancel := context.WithTimeout(ctx, 30*time.Second)
				if n, err := r.a.inbox.ReconcilePending(c, 2*time.Minute); err != nil && ctx.Err() == nil {
					r.a.log.Warn("settle inbox replies", "err", err)
				} else if n > 0 {
					r.a.log.Info("inbox replies settled", "replies", n)
				}
				cancel()
			}
		}
	}()
	return nil
}

// Stop ends the loop and waits for a pass in progress.
func (r *replyReconciler) Stop(ctx context.Context) error {
	if r.cancel == nil {
		return nil
	}
	r.cancel()
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// overdueCheck tells people about overdue information requests on the
// ppid.overdue_check schedule (each request once).
type overdueCheck struct {
	a      *app
	n      ppid.Notifier
	cancel context.CancelFunc
	done   chan struct{}
}

func (o *overdueCheck) Start(ctx context.Context) error {
	sched, err := config.CronParser.Parse(o.a.cfg.PPID.OverdueCheck)
	if err != nil {
		return fmt.Errorf("ppid.overdue_check: %w", err)
	}
	ctx, o.cancel = context.WithCancel(context.WithoutCancel(ctx))
	o.done = make(chan struct{})
	go func() {
		defer close(o.done)
		for {
			t := time.NewTimer(time.Until(sched.Next(time.Now())))
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			if o.a.once != nil && !o.a.once() {
				continue // another replica holds the jobs lease
			}
			c, cancel := context.WithTimeout(ctx, time.Minute)
			if n, err := o.a.ppid.NotifyOverdue(c, o.n); err != nil && ctx.Err() == nil {
				o.a.log.Warn("overdue information requests", "err", err)
			} else if n > 0 {
				o.a.log.Info("overdue information requests notified", "requests", n)
			}
			cancel()
		}
	}()
	return nil
}

// Stop ends the loop and waits for a pass in progress.
func (o *overdueCheck) Stop(ctx context.Context) error {
	if o.cancel == nil {
		return nil
	}
	o.cancel()
	select {
	case <-o.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
