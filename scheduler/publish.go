package scheduler

import (
	"context"
	"encoding/json"
	"errors"
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
}

// publish runs one attempt of a claimed delivery and saves its outcome.
func (p *Publisher) publish(ctx context.Context, id int64) {
	j, err := p.loadJob(ctx, id)
	if err != nil {
		p.log.ErrorContext(ctx, "load delivery", "delivery_id", id, "err", err)
		return
	}
	o := p.attempt(ctx, j)
	if err := p.save(ctx, j, o); err != nil {
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
	if err != nil {
		msg := "the channel's access token cannot be read"
		if errors.Is(err, org.ErrNoKey) {
			msg = "no secret key is configured to read the channel's token (HUMAS_SECRET_KEY)"
		}
		return outcome{fail: &DeliveryError{Class: "token", Message: msg, Action: ActionReconnect}}
	}
	if j.Reconcile && strings.HasPrefix(j.ContainerID, fbVideoPrefix) {
		// The upload's answer arrived (it named the video): nothing to
		// look for, only the video's status to follow.
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
	if j.Platform == org.Facebook && isFBVideo(j) {
		return p.reconcileFBVideo(ctx, j, token, since, want)
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
	if o, done := fbVideoOutcome(j, v.ID, v.Status); done {
		o.reconciled = o.published
		return o, true
	}
	c := fbVideoPrefix + v.ID
	return outcome{setContainer: &c, reconciled: true, retryAt: p.opt.Now().Add(p.opt.ReadyCheck),
		note: "video found on the channel after an uncertain attempt, still processing; not sent again"}, true
}

// fbVideoPrefix marks a delivery's container_id as an uploaded Page video.
const fbVideoPrefix = "fbvideo:"

// isFBVideo reports whether a Facebook delivery publishes through
// POST /{page}/videos (exactly one video), as publishFB decides.
func isFBVideo(j job) bool {
	n := 0
	for _, m := range j.Media {
		if m.Type == "video" {
			n++
		}
	}
	return n == 1
}

func (p *Publisher) publishFB(ctx context.Context, j job, token string) outcome {
	if strings.HasPrefix(j.ContainerID, fbVideoPrefix) {
		return p.checkFBVideo(ctx, j, token)
	}
	var res meta.PostResult
	var err error
	var images, videos []string
	for _, m := range j.Media {
		if m.Type == "video" {
			videos = append(videos, m.URL)
		} else {
			images = append(images, m.URL)
		}
	}
	switch {
	case len(videos) == 1:
		res, err = p.graph.PublishPageVideo(ctx, token, j.ExternalID, meta.PageVideo{FileURL: videos[0], Description: j.Caption})
		if err == nil && res.PostID == "" && res.VideoID != "" {
			c := fbVideoPrefix + res.VideoID
			return outcome{setContainer: &c, retryAt: p.opt.Now().Add(p.opt.ReadyCheck), note: "video uploaded; waiting for processing"}
		}
	case len(images) == 1:
		res, err = p.graph.PublishPagePhoto(ctx, token, j.ExternalID, meta.PagePhoto{URL: images[0], Message: j.Caption})
	case len(images) > 1:
		res, err = p.graph.PublishPagePhotos(ctx, token, j.ExternalID, meta.PagePhotos{URLs: images, Message: j.Caption})
	default:
		res, err = p.graph.PublishPageFeed(ctx, token, j.ExternalID, meta.FeedPost{Message: j.Caption, Link: j.Link})
	}
	if err != nil {
		return p.onError(ctx, j, err)
	}
	id := res.PostID
	if id == "" {
		id = res.PhotoID
	}
	return outcome{published: true, platformID: id, permalink: fbPermalink(id)}
}

func fbPermalink(id string) string {
	if id == "" {
		return ""
	}
	return "https://www.facebook.com/" + id
}

func (p *Publisher) checkFBVideo(ctx context.Context, j job, token string) outcome {
	videoID := strings.TrimPrefix(j.ContainerID, fbVideoPrefix)
	st, err := p.graph.PageVideoStatus(ctx, token, videoID)
	if err != nil {
		return p.onError(ctx, j, err)
	}
	if o, done := fbVideoOutcome(j, videoID, st); done {
		return o
	}
	return outcome{retryAt: p.opt.Now().Add(p.opt.ReadyCheck)}
}

// fbVideoOutcome settles a delivery by its uploaded video's status: done
// when the video is ready (published, with the post id Meta reports) or
// failed processing; not done while it is processing.
func fbVideoOutcome(j job, videoID string, st meta.VideoStatus) (outcome, bool) {
	switch st.VideoStatus {
	case "error":
		return outcome{fail: &DeliveryError{Class: "media", Message: "Facebook could not process the video", Action: ActionCheckMedia}}, true
	case "ready":
		id := st.PostID
		if id == "" {
			id = j.ExternalID + "_" + videoID
		}
		return outcome{published: true, platformID: id, permalink: fbPermalink(id)}, true
	}
	return outcome{}, false
}

// containerTTL is how long a prepared Instagram container is trusted
// (Meta expires them after 24 h).
const containerTTL = 23 * time.Hour

func (p *Publisher) publishIG(ctx context.Context, j job, token string) outcome {
	now := p.opt.Now()
	if j.ContainerID != "" && now.Sub(j.ContainerCreated) > containerTTL {
		j.ContainerID = ""
	}
	if j.ContainerID == "" {
		id, err := p.createIGContainer(ctx, j, token)
		if err != nil {
			return p.onError(ctx, j, err)
		}
		return outcome{setContainer: &id, retryAt: p.nextCheck(j, now)}
	}
	st, err := p.graph.IGContainerStatus(ctx, token, j.ContainerID)
	if err != nil {
		return p.onError(ctx, j, err)
	}
	switch st.Code {
	case meta.IGFinished:
		if now.Before(j.ScheduledAt) {
			return outcome{retryAt: j.ScheduledAt}
		}
	case meta.IGInProgress:
		return outcome{retryAt: p.nextCheck(j, now)}
	case meta.IGExpired:
		empty := ""
		return outcome{setContainer: &empty, retryAt: now}
	case meta.IGPublished:
		// Published by an earlier attempt whose answer was lost.
		return outcome{reconcile: true, retryAt: now}
	default: // ERROR
		return outcome{fail: &DeliveryError{Class: "media", Message: "Instagram could not process the media: " + st.Status, Action: ActionCheckMedia}}
	}
	mediaID, err := p.graph.IGPublish(ctx, token, j.ExternalID, j.ContainerID)
	if err != nil {
		return p.onError(ctx, j, err)
	}
	return outcome{published: true, platformID: mediaID}
}

func (p *Publisher) nextCheck(j job, now time.Time) time.Time {
	next := now.Add(p.opt.ReadyCheck)
	return next
}

func (p *Publisher) createIGContainer(ctx context.Context, j job, token string) (string, error) {
	if len(j.Media) == 1 {
		m := j.Media[0]
		c := meta.IGContainer{Kind: meta.IGImage, ImageURL: m.URL, Caption: j.Caption}
		if m.Type == "video" {
			c = meta.IGContainer{Kind: meta.IGReel, VideoURL: m.URL, Caption: j.Caption}
		}
		return p.graph.CreateIGContainer(ctx, token, j.ExternalID, c)
	}
	children := make([]string, 0, len(j.Media))
	for _, m := range j.Media {
		c := meta.IGContainer{Kind: meta.IGCarouselItem, ImageURL: m.URL}
		if m.Type == "video" {
			c = meta.IGContainer{Kind: meta.IGCarouselItem, VideoURL: m.URL}
		}
		id, err := p.graph.CreateIGContainer(ctx, token, j.ExternalID, c)
		if err != nil {
			return "", err
		}
		children = append(children, id)
	}
	return p.graph.CreateIGContainer(ctx, token, j.ExternalID, meta.IGContainer{Kind: meta.IGCarousel, Children: children, Caption: j.Caption})
}

// onError turns a failed call into an outcome by its class.
func (p *Publisher) onError(ctx context.Context, j job, err error) outcome {
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
		p.forgetToken(j.ChannelID)
		if err := p.org.MarkReconnect(ctx, j.ChannelID, reason); err != nil {
			p.log.ErrorContext(ctx, "mark channel reconnect needed", "channel_id", j.ChannelID, "err", err)
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
		wait := meta.RetryAfterOf(err)
		if wait <= 0 {
			wait = time.Hour
		}
		if now.Add(wait).After(deadline) {
			de.Action = ActionWaitLimit
			o.fail = de
			return o
		}
		o.retryAt = now.Add(wait)
		return o
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
