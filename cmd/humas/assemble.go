package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/agenda"
	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/auth/throttle"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/inbox"
	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/notify"
	"github.com/humas-id/humas/notify/mail"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/ppid"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store"
)

// app is what every wire_<area>.go function receives: configuration and
// the shared parts built once.
type app struct {
	cfg     config.Config
	log     *slog.Logger
	reg     *prometheus.Registry
	st      *stores
	srv     *api.Server
	orgs    *org.Store
	users   *auth.Store
	graph   *meta.Client
	gm      *graphMetrics
	sandbox *sandbox // nil unless sandbox mode
	// authed is /api/v1 behind a valid API token.
	authed *gin.RouterGroup
	// sched is the calendar service (wireScheduler); it also decides which
	// units a user sees (reports, channels, content type corrections).
	sched *scheduler.Service
	// media is the media library (wireMedia).
	media *media.Library
	// inbox is the comments inbox (wireInbox).
	inbox *inbox.Service
	// ppid keeps the information requests, agenda the units' events (wireInbox).
	ppid   *ppid.Service
	agenda *agenda.Service
	// signins throttles failed sign-ins (web tokens and API bearer
	// tokens) per client address.
	signins *throttle.Limiter
	// mail is the SMTP client (nil: none configured); notes the
	// notifications (wireNotices).
	mail  mail.Sender
	notes *notify.Service
	// once gates the jobs that must run on one replica at a time: with
	// the state in PostgreSQL (several serve replicas), the holder of the
	// "jobs" lease runs them; nil (SQLite: one process) runs them here.
	once func() bool
}

// assemble builds the sandbox, scheduler, collector and routes that serve
// runs, in start order.
func assemble(ctx context.Context, cfg config.Config, log *slog.Logger, reg *prometheus.Registry, st *stores, srv *api.Server) ([]named, error) {
	a := &app{cfg: cfg, log: log, reg: reg, st: st, srv: srv}
	var parts []named
	if cfg.Sandbox {
		sb, err := startSandbox(ctx, &a.cfg, filepath.Dir(cfg.State.Path))
		if err != nil {
			return nil, err
		}
		a.sandbox = sb
		parts = append(parts, named{"sandbox", sb})
		log.Warn("sandbox mode: Graph API calls go to the in-process simulator, not Meta", "graph_url", a.cfg.Graph.URL)
	}
	if st.sql.Postgres() {
		el := store.NewElector(st.sql, "jobs", store.ReplicaID(), cfg.State.Lease.D(), nil, log.With("component", "lease"))
		a.once = el.Held
		parts = append(parts, named{"jobs-lease", el})
	}
	var err error
	if a.orgs, a.users, err = newOrgStores(a); err != nil {
		return nil, err
	}
	if a.gm, err = newGraphMetrics(reg); err != nil {
		return nil, err
	}
	gopts := graphOptions(a.cfg.Graph, log, a.gm)
	if a.sandbox != nil {
		gopts.DialogURL = a.cfg.Graph.URL // the simulator serves Facebook Login's dialog too
	}
	if a.graph, err = meta.New(gopts); err != nil {
		return nil, fmt.Errorf("graph client: %w", err)
	}
	if a.sandbox != nil {
		path := filepath.Join(filepath.Dir(cfg.State.Path), "sandbox-users.txt")
		created, err := seedSandbox(ctx, a.orgs, a.users, path)
		if err != nil {
			return nil, err
		}
		if len(created) > 0 {
			log.Warn("sandbox users created; their passwords and API tokens are in the file (shown once)", "file", path, "users", len(created))
		} else {
			log.Info("sandbox users exist; their tokens are in the file written at first start", "file", path)
		}
	}
	if err := requireKeyForStoredTokens(ctx, a.orgs); err != nil {
		return nil, err
	}
	notes, nparts, err := wireNotices(a)
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	a.notes = notes
	parts = append(parts, nparts...)
	a.signins = throttle.New(throttle.Policy{Logger: log.With("component", "signin")})
	a.authed = srv.V1().Group("", api.RequireAuth(a.users, api.WithThrottle(a.signins)))

	sched, sparts, err := wireScheduler(ctx, a, a.orgs, a.users, a.graph, a.authed)
	if err != nil {
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	parts = append(parts, sparts...)
	a.sched = sched

	lib, mparts, err := wireMedia(ctx, a, sched)
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	parts = append(parts, mparts...)
	a.media = lib

	iparts, err := wireInbox(a)
	if err != nil {
		return nil, err
	}
	parts = append(parts, iparts...)

	col, cparts, err := wireCollector(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("collector: %w", err)
	}
	parts = append(parts, cparts...)

	reports, aparts, err := wireAnalytics(ctx, a)
	if err != nil {
		return nil, err
	}
	parts = append(parts, aparts...)
	// Reports read a per-post table rebuilt from the snapshots: rebuild it
	// as soon as a collection, a buffer replay or a content type correction
	// lands (in the analytics refresh loop, which Stop ends). Changes made
	// by other processes reach it through the change marker.
	col.OnChange(func(context.Context) { reports.Changed() })
	bparts, err := wireBackup(a)
	if err != nil {
		return nil, err
	}
	parts = append(parts, bparts...)
	docs, subs, rparts, err := wireReports(ctx, a, reports)
	if err != nil {
		return nil, err
	}
	parts = append(parts, rparts...)
	wparts, err := wireWeb(ctx, a, sched, reports, docs, subs)
	if err != nil {
		return nil, err
	}
	parts = append(parts, wparts...)
	if a.sandbox != nil {
		parts = append(parts, named{"sandbox-demo", newDemoHistory(col, sandboxHistory, log)})
	}
	return parts, nil
}
