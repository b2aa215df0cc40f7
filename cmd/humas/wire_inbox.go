package main

import (
	"context"
	"fmt"
	"time"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/inbox"
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
	if a.cfg.API.Enabled && a.authed != nil {
		units := api.SchedulerDeps{Org: a.orgs, Auth: a.users, Calendar: a.sched}
		api.MountInbox(a.authed, api.InboxDeps{Inbox: a.inbox, Units: units})
		api.MountPPID(a.authed, api.PPIDDeps{Requests: a.ppid, Units: units})
	}
	return []named{{name: "inbox-replies", c: &replyReconciler{a: a}}}, nil
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
