package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/org"
)

// tokenWarn is how close to its expiry a token shows as expiring.
const tokenWarn = org.ExpiryWarning

// TokenChecks asks Meta about stored channel tokens (debug_token) and
// records what it finds on each channel: the daily check, "periksa
// sekarang" on the channels page, and the check right after a channel is
// connected. A change into a state that needs the unit's admins is told
// to them once (Service.NoticeChannel).
type TokenChecks struct {
	svc   *Service
	graph *meta.Client
	now   func() time.Time
}

// NewTokenChecks checks tokens through graph for svc's channels.
func NewTokenChecks(svc *Service, graph *meta.Client) *TokenChecks {
	return &TokenChecks{svc: svc, graph: graph, now: svc.now}
}

// tokenOutcome is what one check found.
type tokenOutcome struct {
	expiring, missing bool
}

// Check checks one channel's token now and returns the channel as
// recorded. A token Meta cannot serve the channel with marks it
// reconnect_needed with the reason; a token found valid and complete again
// makes a channel that needed reconnecting active. Failing to reach Meta
// is an error and records nothing.
func (t *TokenChecks) Check(ctx context.Context, id int64) (org.Channel, error) {
	c, err := t.svc.org.Channel(ctx, id)
	if err != nil {
		return org.Channel{}, err
	}
	if _, err := t.check(ctx, c, t.now()); err != nil {
		return c, err
	}
	return t.svc.org.Channel(ctx, id)
}

// check asks Meta about c's token and records the health (expiry, scopes,
// missing permissions; reconnect_needed with the reason when it cannot
// serve the channel).
func (t *TokenChecks) check(ctx context.Context, c org.Channel, now time.Time) (tokenOutcome, error) {
	var out tokenOutcome
	orgs := t.svc.org
	if !c.HasToken {
		t.svc.NoticeChannel(ctx, c, now)
		return out, nil
	}
	tok, err := orgs.ChannelToken(ctx, c.ID)
	if err != nil {
		return out, fmt.Errorf("channel %d: %w", c.ID, err)
	}
	ct, err := t.graph.CheckChannelToken(ctx, tok, c.Platform, c.ExternalID)
	var tp *meta.TokenProblem
	if err != nil && !errors.As(err, &tp) {
		return out, fmt.Errorf("debug_token for channel %d: %w", c.ID, err)
	}
	info := ct.PageInfo
	h := org.TokenHealth{CheckedAt: now, Scopes: info.Scopes}
	// Missing permissions are named only for a token that is otherwise
	// fine: an invalid or foreign token "lacks" everything, and what it
	// needs is a reconnect.
	if info.Valid && (tp == nil || tp.Kind == meta.TokenMissingPerms) {
		// Publishing and insights, then the inbox's comment functions: a
		// token without them still publishes, and the health says which
		// permission the inbox lacks.
		for _, f := range append(meta.FunctionsOf(c.Platform), meta.CommentFunctionsOf(c.Platform)...) {
			for _, m := range info.MissingPermissions(meta.RequiredPermissions(f, ct.BusinessManager)...) {
				if !slices.Contains(h.MissingPermissions, m) {
					h.MissingPermissions = append(h.MissingPermissions, m)
				}
			}
		}
	}
	if !info.ExpiresAt.IsZero() {
		x := info.ExpiresAt
		h.ExpiresAt = &x
	}
	if err := orgs.SetTokenHealth(ctx, c.ID, h); err != nil {
		return out, err
	}
	out.expiring = !info.Valid || info.ExpiresWithin(now, tokenWarn)
	out.missing = len(h.MissingPermissions) > 0
	if tp != nil {
		reason, _ := TokenProblemText(tp, t.graph.AppID())
		if err := orgs.MarkReconnect(ctx, c.ID, reason); err != nil {
			return out, err
		}
	} else if c.Status == org.StatusReconnectNeeded {
		if err := orgs.MarkUsable(ctx, c.ID); err != nil {
			return out, err
		}
	}
	if after, err := orgs.Channel(ctx, c.ID); err == nil {
		t.svc.NoticeChannel(ctx, after, now)
	}
	return out, nil
}

// CheckTokens asks Meta about every channel's token (debug_token): expiry
// and permissions are recorded on the channel; a token that cannot serve
// the channel (invalid, another app's, another Page's, lacking a
// permission a function needs: meta.CheckChannelToken) marks it
// reconnect_needed with the reason, and the gauges count what needs
// attention.
func (p *Publisher) CheckTokens(ctx context.Context) error {
	channels, err := p.org.Channels(ctx)
	if err != nil {
		return err
	}
	checks := &TokenChecks{svc: p.svc, graph: p.graph, now: p.opt.Now}
	now := p.opt.Now()
	var expiring, missing int
	var firstErr error
	for _, c := range channels {
		if c.Status == org.StatusDisabled {
			continue
		}
		o, err := checks.check(ctx, c, now)
		if err != nil {
			firstErr = cmpErr(firstErr, err)
			continue
		}
		if o.expiring {
			expiring++
		}
		if o.missing {
			missing++
		}
	}
	p.m.tokenExpiring.Set(float64(expiring))
	p.m.missingPerms.Set(float64(missing))
	if err := p.failBlocked(ctx, 0); err != nil {
		return err
	}
	p.updateGauges(ctx)
	return firstErr
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
