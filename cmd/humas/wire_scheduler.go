package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
)

// wireScheduler builds the org and auth stores, mounts the calendar API
// on authed (a group already behind api.RequireAuth) and returns the
// publisher and the ClickHouse dimension mirror as components.
func wireScheduler(ctx context.Context, a *app, orgs *org.Store, users *auth.Store, graph *meta.Client, authed *gin.RouterGroup) (*scheduler.Service, []named, error) {
	svc := scheduler.NewService(a.st.sql, orgs, scheduler.ServiceOptions{Logger: a.log})
	if a.notes != nil {
		svc.UseNotifier(a.notes, users)
	}
	if err := scheduler.ConfigureInstagramHashtags(a.cfg.Scheduler.InstagramHashtagsWarn, a.cfg.Scheduler.InstagramHashtagsMax); err != nil {
		return nil, nil, fmt.Errorf("scheduler.instagram_hashtags_*: %w", err)
	}
	if a.cfg.API.Enabled && authed != nil {
		deps := api.SchedulerDeps{Org: orgs, Auth: users, Calendar: svc, Tokens: scheduler.NewTokenChecker(graph),
			PublicURL: a.cfg.BaseURL(), LinkTTL: a.cfg.Auth.SetupLinkTTL.D()}
		if a.notes != nil && a.mail != nil {
			deps.Links = a.notes // invitations and resets are emailed
		}
		api.MountScheduler(authed, deps)
	}
	out := []named{{name: "org-mirror", c: &orgMirror{a: a, orgs: orgs}}}
	if !a.cfg.Scheduler.Enabled {
		return svc, out, nil
	}
	po := scheduler.OptionsFromConfig(a.cfg.Scheduler, a.log)
	po.ClaimLease, po.Once = a.cfg.State.Lease.D(), a.once
	pub, err := scheduler.NewPublisher(svc, graph, a.reg, po)
	if err != nil {
		return nil, nil, err
	}
	return svc, append(out, named{name: "scheduler", c: pub}), nil
}

// requireKeyForStoredTokens refuses to start when channel tokens are
// stored but no key is set to read them.
func requireKeyForStoredTokens(ctx context.Context, orgs *org.Store) error {
	if orgs.HasKey() {
		return nil
	}
	chans, err := orgs.Channels(ctx)
	if err != nil {
		return err
	}
	for _, c := range chans {
		if c.HasToken {
			return errors.New("channel tokens are stored but no secret key is set: set HUMAS_SECRET_KEY " +
				"(the key they were stored with; a new one is made with `openssl rand -hex 32`)")
		}
	}
	return nil
}

// newOrgStores builds the shared org (with the token key) and auth stores.
func newOrgStores(a *app) (*org.Store, *auth.Store, error) {
	var key []byte
	if s := a.cfg.SecretKey.Reveal(); s != "" {
		k, err := config.DecodeKey(s)
		if err != nil {
			return nil, nil, fmt.Errorf("secret_key: %w", err)
		}
		key = k
	}
	return org.NewStore(a.st.sql, key).WithDefaultTimezone(a.cfg.Timezone), newAuthStore(a.cfg, a.st.sql, key), nil
}

// orgMirror copies units and channels (and the inbox's comment facts)
// into ClickHouse at start and every minute, so reports name and roll up
// units and Grafana shows responses to comments. A failed copy is retried at
// the next minute (it recovers by itself: no Failed).
type orgMirror struct {
	a      *app
	orgs   *org.Store
	cancel context.CancelFunc
	done   chan struct{}
}

func (m *orgMirror) Start(ctx context.Context) error {
	if err := m.orgs.MirrorToClickHouse(ctx, m.a.st.ch); err != nil {
		m.a.log.WarnContext(ctx, "mirror units and channels to clickhouse", "err", err)
	}
	m.comments(ctx)
	ctx, m.cancel = context.WithCancel(context.WithoutCancel(ctx))
	m.done = make(chan struct{})
	go func() {
		defer close(m.done)
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				c, cancel := context.WithTimeout(ctx, 30*time.Second)
				if err := m.orgs.MirrorToClickHouse(c, m.a.st.ch); err != nil && ctx.Err() == nil {
					m.a.log.Warn("mirror units and channels to clickhouse", "err", err)
				}
				m.comments(c)
				cancel()
			}
		}
	}()
	return nil
}

// comments copies the inbox's last 120 days of public comments (with
// their answers) and the last year's information requests (with their
// outcomes) into ClickHouse for Grafana's panels.
func (m *orgMirror) comments(ctx context.Context) {
	if m.a.inbox == nil {
		return
	}
	if _, err := m.a.inbox.MirrorToClickHouse(ctx, m.a.st.ch, time.Now().AddDate(0, 0, -120)); err != nil && ctx.Err() == nil {
		m.a.log.WarnContext(ctx, "mirror comment facts to clickhouse", "err", err)
	}
	if m.a.ppid == nil {
		return
	}
	if _, err := m.a.ppid.MirrorToClickHouse(ctx, m.a.st.ch, time.Now().AddDate(-1, 0, 0)); err != nil && ctx.Err() == nil {
		m.a.log.WarnContext(ctx, "mirror information requests to clickhouse", "err", err)
	}
}

// Stop ends the loop, cancelling a copy in progress, and waits for it.
func (m *orgMirror) Stop(ctx context.Context) error {
	if m.cancel == nil {
		return nil
	}
	m.cancel()
	select {
	case <-m.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
