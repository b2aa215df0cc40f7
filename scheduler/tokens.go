package scheduler

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/humas-id/humas/org"
)

// Permissions a channel's token needs to publish and be read.
var requiredPerms = map[string][]string{
	org.Facebook:  {"pages_manage_posts", "pages_read_engagement", "read_insights"},
	org.Instagram: {"instagram_basic", "instagram_content_publish", "instagram_manage_insights"},
}

// tokenWarn is how close to its expiry a token shows as expiring.
const tokenWarn = 7 * 24 * time.Hour

// CheckTokens asks Meta about every channel's token (debug_token): expiry
// and permissions are recorded on the channel, an invalid token marks it
// reconnect_needed, and the gauges count what needs attention.
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
		info, err := p.graph.DebugToken(ctx, tok)
		if err != nil {
			firstErr = cmpErr(firstErr, fmt.Errorf("debug_token for channel %d: %w", c.ID, err))
			continue
		}
		h := org.TokenHealth{CheckedAt: now, Scopes: info.Scopes, MissingPermissions: info.MissingPermissions(requiredPerms[c.Platform]...)}
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
		switch {
		case !info.Valid:
			reason := "the access token is no longer valid"
			if info.ErrorMessage != "" {
				reason += ": " + info.ErrorMessage
			}
			if err := p.org.MarkReconnect(ctx, c.ID, reason); err != nil {
				return err
			}
		case len(h.MissingPermissions) > 0:
			if err := p.org.MarkReconnect(ctx, c.ID, "missing permission "+strings.Join(h.MissingPermissions, ", ")); err != nil {
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
