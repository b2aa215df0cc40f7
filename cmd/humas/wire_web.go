package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/collector"
	"github.com/humas-id/humas/connect"
	"github.com/humas-id/humas/report"
	"github.com/humas-id/humas/reportmail"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/web"
)

// wireWeb mounts the pages (sign-in, calendar, compose, approvals, channel
// health, report) on the HTTP server. sched is the calendar service the
// API uses (when nil, the pages get their own over the same state
// database: the service keeps no state of its own); reports may be nil,
// and the report page then says it is not available.
func wireWeb(_ context.Context, a *app, sched *scheduler.Service, reports *analytics.Service, docs *report.Builder,
	subs *reportmail.Service) ([]named, error) {
	loc, err := time.LoadLocation(a.cfg.Timezone)
	if err != nil {
		return nil, fmt.Errorf("web: timezone %q: %w", a.cfg.Timezone, err)
	}
	if sched == nil {
		sched = scheduler.NewService(a.st.sql, a.orgs, scheduler.ServiceOptions{Logger: a.log})
	}
	d := web.Deps{
		SQL:      a.st.sql,
		Auth:     a.users,
		Org:      a.orgs,
		Posts:    web.NewSchedulerPosts(sched, a.users),
		Scope:    sched,
		Logger:   a.log.With("component", "web"),
		Location: loc,
		// Secure cookies only reach the server over HTTPS.
		SecureCookies: a.cfg.Web.SecureCookies,
		SessionTTL:    a.cfg.Web.SessionTTL.D(),
		SessionMaxAge: a.cfg.Web.SessionMaxAge.D(),
		PublicURL:     a.cfg.BaseURL(),
		LinkTTL:       a.cfg.Auth.SetupLinkTTL.D(),
		SSO:           newSSO(a.cfg, a.st.sql),
		SSOCoversTOTP: a.cfg.OIDC.MFAByProvider,
		Usage:         web.RegistryUsage{G: a.reg},
		Throttle:      a.signins,
		Media:         a.media,
		Users:         a.users,
		UploadTimeout: a.cfg.Media.UploadTimeout.D(),
		SetBodyLimit:  a.srv.SetBodyLimit,
		Inbox:         a.inbox,
		PPID:          a.ppid,
		Agenda:        a.agenda,
	}
	if reports != nil {
		d.Platform = reports
	}
	if docs != nil {
		d.Reports = docs
	}
	d.Subscriptions = subs
	checks := scheduler.NewTokenChecks(sched, a.graph)
	d.Checks = checks
	d.Connect = connect.New(a.graph, a.orgs, checks, connect.Options{RedirectURL: a.cfg.FacebookRedirectURL(),
		Logger: a.log.With("component", "connect")})
	if a.notes != nil {
		d.Notices = a.notes
		if a.mail != nil {
			d.Links = a.notes // invitations and resets are emailed
		}
	}
	if _, err := web.Mount(a.srv.Engine(), d); err != nil {
		return nil, err
	}
	return []named{{"first-run", newFirstRun(a)}}, nil
}

// demoHistory is a sandbox component: at start it collects the simulated
// accounts' history through the normal collector path (the collector's
// change hook then rebuilds the report read model), so a new user sees a
// full report within a minute instead of after the next scheduled run.
type demoHistory struct {
	col    *collector.Collector
	days   int
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}
}

func newDemoHistory(col *collector.Collector, days int, log *slog.Logger) *demoHistory {
	return &demoHistory{col: col, days: days, log: log}
}

// Start runs the collection in the background and returns at once.
func (d *demoHistory) Start(ctx context.Context) error {
	ctx, d.cancel = context.WithCancel(context.WithoutCancel(ctx))
	d.done = make(chan struct{})
	go func() {
		defer close(d.done)
		start := time.Now()
		st, err := d.col.Run(ctx, collector.RunOptions{Since: time.Now().AddDate(0, 0, -d.days-1),
			Trigger: collector.TriggerCLI, RequestedBy: "sandbox demo"})
		if err != nil {
			d.log.WarnContext(ctx, "sandbox demo history not collected; the next scheduled collection will", "err", err)
			return
		}
		d.log.InfoContext(ctx, "sandbox demo history collected", "posts", st.Posts, "rows", st.RowsWritten,
			"graph_calls", st.GraphCalls, "took_ms", time.Since(start).Milliseconds())
	}()
	return nil
}

// Stop cancels a collection in progress and waits for it until ctx ends.
func (d *demoHistory) Stop(ctx context.Context) error {
	if d.cancel == nil {
		return nil
	}
	d.cancel()
	select {
	case <-d.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
