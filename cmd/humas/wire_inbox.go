package main

import (
	"context"
	"time"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/inbox"
)

// wireInbox builds the comments inbox (the collector fills it), mounts
// its routes and returns the component that settles replies whose
// outcome was left unknown (a crash, a failed check) every minute.
func wireInbox(a *app) []named {
	a.inbox = inbox.New(a.st.sql, a.orgs, inbox.Options{Graph: a.graph, Logger: a.log.With("component", "inbox")})
	if a.cfg.API.Enabled && a.authed != nil {
		api.MountInbox(a.authed, api.InboxDeps{Inbox: a.inbox, Units: api.SchedulerDeps{Org: a.orgs, Auth: a.users, Calendar: a.sched}})
	}
	return []named{{name: "inbox-replies", c: &replyReconciler{a: a}}}
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
