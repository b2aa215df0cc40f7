package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/org"
)

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// outcome is what one attempt found; save writes it in one transaction.
type outcome struct {
	published       bool
	reconciled      bool
	platformID      string
	permalink       string
	retryAt         time.Time // back to scheduled at this time
	reconcile       bool      // the next attempt reads the platform first
	setContainer    *string
	fail            *DeliveryError
	class           meta.Class
	onlyIfScheduled bool // failBlocked: do not touch a claimed delivery
	note            string
	// path is the Graph API path used (stored on the delivery).
	path string
	// hold keeps the delivery scheduled with this reason shown (e.g.
	// Instagram's publishing limit), without counting towards failure.
	hold *DeliveryError
	// newContainer counts one more Instagram container for the delivery.
	newContainer bool
	// abandon: another replica holds the claim now (found before a
	// write: nothing was sent); nothing is saved.
	abandon error
}

// publish runs one attempt of a claimed delivery in ctx (over PostgreSQL
// it ends when the claim is about to expire) in worker slot w, and saves
// its outcome in saveCtx, from a save slot (w.saving).
func (p *Publisher) publish(ctx, saveCtx context.Context, id int64, w *worker) {
	j, err := p.loadJob(ctx, id)
	if err != nil {
		p.log.ErrorContext(ctx, "load delivery", "delivery_id", id, "err", err)
		return
	}
	o := p.attempt(ctx, j)
	if o.abandon != nil {
		p.log.WarnContext(ctx, "nothing sent: the claim on the delivery was not confirmed; the replica that takes it over reads the channel first",
			"delivery_id", id, "replica", p.opt.Replica, "err", o.abandon)
		return
	}
	if !p.db.Postgres() {
		// Over PostgreSQL the worker keeps its slot until the outcome is
		// saved: the deliveries a replica holds ('publishing') stay within
		// its workers, as many as another replica may have to take over
		// (reading the channel first) if it dies.
		w.saving()
	}
	if err := p.saveGrouped(saveCtx, j, o); err != nil {
		// The delivery stays 'publishing': the next start reconciles it.
		p.log.ErrorContext(ctx, "save delivery outcome", "delivery_id", id, "err", err)
	}
}

func (p *Publisher) attempt(ctx context.Context, j job) outcome {
	if j.Classification != Public {
		return outcome{fail: &DeliveryError{Class: "exempt", Message: "exempt content is never published", Action: ActionNeverPublic}}
	}
	// A throttle met by another worker since the claim: wait, do not call.
	if j.PausedUntil.After(p.opt.Now()) {
		return outcome{retryAt: j.PausedUntil, reconcile: j.Reconcile}
	}
	token, err := p.token(ctx, j.ChannelID)
	if err != nil && !org.TokenUnusable(err) {
		// The database did not answer (or the claim ran out while it was
		// asked): nothing was sent, so this is no reason to fail the
		// delivery. A claim that ran out is left to whoever takes it over;
		// otherwise the delivery goes back to the queue.
		if ctx.Err() != nil {
			return outcome{abandon: fmt.Errorf("read the channel's access token: %w", err)}
		}
		return outcome{class: meta.ClassTransient, retryAt: p.opt.Now().Add(p.backoff(j.Attempts)), reconcile: j.Reconcile,
			note: "the channel's access token could not be read from the database; trying again"}
	}
	if err != nil {
		msg := "the channel's access token cannot be read"
		if errors.Is(err, org.ErrNoKey) {
			msg = "no secret key is configured to read the channel's token (HUMAS_SECRET_KEY)"
		}
		return outcome{fail: &DeliveryError{Class: "token", Message: msg, Action: ActionReconnect}}
	}
	if j.Reconcile && (strings.HasPrefix(j.ContainerID, fbVideoPrefix) || strings.HasPrefix(j.ContainerID, fbReelPrefix)) {
		// The upload's answer arrived (it named the video): nothing to
		// look for, only the video's status to follow (a Reel's publish
		// names its video, so it cannot happen twice).
		j.Reconcile = false
	}
	if j.Reconcile {
		o, found := p.reconcile(ctx, j, token)
		if found || o.fail != nil || !o.retryAt.IsZero() {
			return o
		}
		j.Reconcile = false // read and not found: safe to send
	}
	if j.Platform == org.Instagram {
		return p.publishIG(ctx, j, token)
	}
	return p.publishFB(ctx, j, token)
}

// reconcile looks for the post on the channel. found: it is live (o says
// published); otherwise o.retryAt set means the read itself failed.
func (p *Publisher) reconcile(ctx context.Context, j job, token string) (outcome, bool) {
	since := j.FirstAttempt.Add(-2 * time.Minute)
	if j.FirstAttempt.IsZero() {
		since = j.ScheduledAt.Add(-24 * time.Hour)
	}
	want := strings.TrimSpace(j.Caption)
	if j.Platform == org.Facebook {
		switch fbPath(j) {
		case pathReel:
			// Without a video id only the start can have been uncertain:
			// nothing is published before the finish, which names the video.
			return outcome{}, false
		case pathVideo:
			return p.reconcileFBVideo(ctx, j, token, since, want)
		}
	}
	var id, link string
	var found bool
	var err error
	if j.Platform == org.Instagram {
		var m meta.IGMedia
		m, found, err = p.graph.FindIGMedia(ctx, token, j.ExternalID, since, func(m meta.IGMedia) bool { return strings.TrimSpace(m.Caption) == want })
		id, link = m.ID, m.Permalink
	} else {
		var pp meta.PagePost
		pp, found, err = p.graph.FindPagePost(ctx, token, j.ExternalID, since, func(pp meta.PagePost) bool { return strings.TrimSpace(pp.Message) == want })
		id, link = pp.ID, pp.PermalinkURL
	}
	if err != nil {
		o := p.onError(ctx, j, err)
		o.reconcile = true // still unknown
		return o, false
	}
	if found {
		return outcome{published: true, reconciled: true, platformID: id, permalink: link}, true
	}
	return outcome{}, false
}

// reconcileFBVideo looks for an uncertain video upload among the Page's
// videos (GET /{page}/videos), which lists it while Meta still processes it;
// its post only reaches /{page}/posts once processed, so FindPagePost
// would miss it and the video would be sent twice. A video found ready
// settles the delivery; one still processing is followed by its status.
func (p *Publisher) reconcileFBVideo(ctx context.Context, j job, token string, since time.Time, want string) (outcome, bool) {
	v, found, err := p.graph.FindPageVideo(ctx, token, j.ExternalID, since, func(v meta.PageVideoInfo) bool {
		return strings.TrimSpace(v.Description) == want
	})
	if err != nil {
		o := p.onError(ctx, j, err)
		o.reconcile = true // still unknown
		return o, false
	}
	if !found {
		return outcome{}, false
	}
	if o, done := p.settleVideo(ctx, j, token, v.ID, v.Status, pathVideo); done && o.published {
		o.reconciled = true
		return o, true
	}
	c := fbVideoPrefix + v.ID
	return outcome{setContainer: &c, reconciled: true, retryAt: p.opt.Now().Add(p.opt.ReadyCheck), path: pathVideo,
		note: "video found on the channel after an uncertain attempt, still processing; not sent again"}, true
}

// onError turns a failed call into an outcome by its class.
func (p *Publisher) onError(ctx context.Context, j job, err error) outcome {
	if errors.Is(err, meta.ErrWriteRefused) {
		// The claim was not confirmed just before the write: nothing sent.
		// Another replica's now: nothing to save. Not confirmed in time (a
		// slow or unreachable database): back to the queue at once, the
		// channel read first, if the database takes it (else the claim
		// lapses and whoever takes it over reads first). A write its
		// claim's end cancelled in flight is uncertain, as any cut-off call.
		if errors.Is(err, errClaimLost) {
			return outcome{abandon: err}
		}
		return outcome{class: meta.ClassTransient, retryAt: p.opt.Now(), reconcile: true}
	}
	class := meta.ClassOf(err)
	now := p.opt.Now()
	deadline := j.ScheduledAt.Add(p.opt.RetryDeadline)
	de := &DeliveryError{Class: class.String(), Message: platformMessage(err)}
	var me *meta.Error
	if errors.As(err, &me) {
		de.Code, de.Subcode = me.Code, me.Subcode
	}
	o := outcome{class: class}
	switch class {
	case meta.ClassTransient:
		// A pending reconcile stays pending until a read settles it.
		o.reconcile = meta.IsUncertain(err) || j.Reconcile
		next := now.Add(p.backoff(j.Attempts))
		if next.After(deadline) {
			if o.reconcile && now.Before(deadline.Add(p.opt.BackoffMax)) {
				// One more look at the channel before failing: it may be live.
				o.retryAt = now.Add(p.opt.BackoffBase)
				return o
			}
			de.Action = ActionRetryLater
			o.fail = de
			return o
		}
		o.retryAt = next
		return o
	case meta.ClassThrottled:
		wait := meta.RetryAfterOf(err)
		if wait <= 0 {
			wait = time.Minute
		}
		until := now.Add(wait)
		if err := p.org.SetPausedUntil(ctx, j.ChannelID, until); err != nil {
			p.log.ErrorContext(ctx, "pause channel", "channel_id", j.ChannelID, "err", err)
		}
		p.log.WarnContext(ctx, "channel throttled; paused", "channel_id", j.ChannelID, "until", until)
		o.retryAt = until
		o.reconcile = meta.IsUncertain(err) || j.Reconcile
		return o
	case meta.ClassAuth, meta.ClassPermission:
		de.Action = ActionReconnect
		reason := "the access token is invalid or expired: " + de.Message
		if class == meta.ClassPermission {
			de.Action = ActionPermission
			reason = "a permission is missing: " + de.Message
			if me != nil && me.Permission != "" {
				reason = "missing permission " + me.Permission
			}
		}
		// Ask Meta (debug_token) what exactly is wrong with the token.
		if why, action, ok := p.diagnoseToken(ctx, j); ok {
			reason, de.Action = why, action
		}
		p.forgetToken(j.ChannelID)
		if err := p.org.MarkReconnect(ctx, j.ChannelID, reason); err != nil {
			p.log.ErrorContext(ctx, "mark channel reconnect needed", "channel_id", j.ChannelID, "err", err)
		} else if c, err := p.org.Channel(ctx, j.ChannelID); err == nil {
			p.svc.NoticeChannel(ctx, c, now)
		}
		de.Message = reason
		o.fail = de
		return o
	case meta.ClassDuplicate:
		token, terr := p.token(ctx, j.ChannelID)
		if terr == nil {
			j.FirstAttempt = time.Time{}
			j.ScheduledAt = now
			if r, found := p.reconcile(ctx, j, token); found {
				return r
			}
		}
		de.Action = ActionChangeText
		o.fail = de
		return o
	case meta.ClassQuota:
		// Instagram's publishing limit: hold until the window lets it
		// through (the 24 h window moves; ask again), never fail for it.
		o.class = 0
		o.retryAt = now.Add(p.opt.QuotaRecheck)
		o.hold = &DeliveryError{Class: "quota", Code: de.Code, Subcode: de.Subcode, Action: ActionHeldLimit,
			Message: "Instagram's publishing limit for this account is reached (" + de.Message + "); the post is held and sent once the limit resets"}
		return o
	case meta.ClassPolicyBlock:
		return p.policyBlocked(ctx, j, err, de)
	case meta.ClassNotReady:
		o.retryAt = now.Add(p.opt.ReadyCheck)
		return o
	case meta.ClassInvalid:
		de.Action = ActionFixContent
		if strings.Contains(strings.ToLower(de.Message), "media") || strings.Contains(strings.ToLower(de.Message), "image") {
			de.Action = ActionCheckMedia
		}
		o.fail = de
		return o
	default:
		de.Action = ActionContact
		o.fail = de
		return o
	}
}

// platformMessage is the text staff see: Meta's message (never a token).
func platformMessage(err error) string {
	var me *meta.Error
	if errors.As(err, &me) {
		if me.UserMsg != "" {
			return me.Message + " (" + me.UserMsg + ")"
		}
		return me.Message
	}
	var ne *meta.NetError
	if errors.As(err, &ne) {
		if ne.Timeout {
			return "Meta did not answer in time"
		}
		return "the connection to Meta failed"
	}
	return err.Error()
}
