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
const tokenWarn = 7 * 24 * time.Hour

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
	now := p.opt.Now()
	var expiring, missing int
	var firstErr error
	for _, c := range channels {
		if c.Status == org.StatusDisabled || !c.HasToken {
			continue
		}
		tok, err := p.org.ChannelToken(ctx, c.ID)
		if err != nil {
			firstErr = cmpErr(firstErr, fmt.Errorf("channel %d: %w", c.ID, err))
			continue
		}
		ct, err := p.graph.CheckChannelToken(ctx, tok, c.Platform, c.ExternalID)
		var tp *meta.TokenProblem
		if err != nil && !errors.As(err, &tp) {
			firstErr = cmpErr(firstErr, fmt.Errorf("debug_token for channel %d: %w", c.ID, err))
			continue
		}
		info := ct.PageInfo
		h := org.TokenHealth{CheckedAt: now, Scopes: info.Scopes}
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
		if !info.ExpiresAt.IsZero() {
			t := info.ExpiresAt
			h.ExpiresAt = &t
		}
		if err := p.org.SetTokenHealth(ctx, c.ID, h); err != nil {
			return err
		}
		if !info.Valid || info.ExpiresWithin(now, tokenWarn) {
			expiring++
		}
		if len(h.MissingPermissions) > 0 {
			missing++
		}
		if tp != nil {
			reason, _ := TokenProblemText(tp, p.graph.AppID())
			if err := p.org.MarkReconnect(ctx, c.ID, reason); err != nil {
				return err
			}
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
