package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/humas-id/humas/meta"
)

// policyBlocked fails a delivery Meta refused by policy, without retries:
// a spam restriction (4/2207051) or a posting-rate block (368), after
// which the channel pauses for PolicyPause so its other deliveries wait
// instead of hammering Meta.
func (p *Publisher) policyBlocked(ctx context.Context, j job, err error, de *DeliveryError) outcome {
	_, postingRate := meta.IsPolicyBlock(err)
	de.Class = meta.ClassPolicyBlock.String()
	if !postingRate {
		de.Action = ActionPolicyBlock
		de.Message = "Meta restricts this account's activity (spam protection): " + de.Message
		return outcome{class: meta.ClassPolicyBlock, fail: de}
	}
	until := p.opt.Now().Add(p.opt.PolicyPause)
	if perr := p.org.SetPausedUntil(ctx, j.ChannelID, until); perr != nil {
		p.log.ErrorContext(ctx, "pause channel after a posting block", "channel_id", j.ChannelID, "err", perr)
	}
	p.log.WarnContext(ctx, "channel blocked by Meta for posting too fast; paused", "channel_id", j.ChannelID, "until", until)
	de.Action = ActionPostingBlocked
	de.Message = fmt.Sprintf("Meta blocked this channel for posting too fast; humas pauses it until %s: %s",
		until.UTC().Format(time.RFC3339), de.Message)
	return outcome{class: meta.ClassPolicyBlock, fail: de}
}

// diagnoseToken asks Meta (debug_token) what is wrong with the channel's
// token after an auth-class error: the reason and action to show, or
// false when debug_token finds nothing wrong (the platform's message then
// stands).
func (p *Publisher) diagnoseToken(ctx context.Context, j job) (reason, action string, ok bool) {
	token, err := p.org.ChannelToken(ctx, j.ChannelID)
	if err != nil {
		return "", "", false
	}
	_, err = p.graph.CheckChannelToken(ctx, token, j.Platform, j.ExternalID)
	var tp *meta.TokenProblem
	if !errors.As(err, &tp) {
		if err != nil {
			p.log.WarnContext(ctx, "debug_token after an auth error failed", "channel_id", j.ChannelID, "err", err)
		}
		return "", "", false
	}
	en, _ := TokenProblemText(tp, p.graph.AppID())
	return en, actionForToken(tp), true
}

func actionForToken(tp *meta.TokenProblem) string {
	if tp.Kind == meta.TokenMissingPerms {
		return ActionPermission
	}
	return ActionReconnect
}
