package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/humas-id/humas/meta"
)

// containerTTL is how long a prepared Instagram container is trusted
// (Meta expires them after 24 h).
const containerTTL = 23 * time.Hour

// igPath is the kind of Instagram container a delivery makes.
func igPath(j job) string {
	switch {
	case len(j.Media) > 1:
		return pathIGCarousel
	case len(j.Media) == 1 && j.Media[0].Type == "video":
		return pathIGReel
	}
	return pathIGImage
}

// publishIG makes the delivery's container (after checking the account's
// publishing limit), follows its status on the poll interval until it is
// ready (or the deadline passes), and publishes it at its time.
func (p *Publisher) publishIG(ctx context.Context, j job, token string) outcome {
	now := p.opt.Now()
	path := igPath(j)
	if j.ContainerID != "" && now.Sub(j.ContainerCreated) > containerTTL {
		j.ContainerID = "" // expired by now
	}
	if j.ContainerID == "" {
		if j.containers >= p.opt.MaxContainers {
			return outcome{path: path, fail: &DeliveryError{Class: "media", Action: ActionCheckMedia,
				Message: fmt.Sprintf("Instagram prepared this post %d times without it being published (the containers expired); create the post again", j.containers)}}
		}
		if o, held := p.overPublishingLimit(ctx, j, token); held {
			o.path = path
			return o
		}
		id, err := p.createIGContainer(ctx, j, token)
		var mu *mediaURLError
		if errors.As(err, &mu) {
			return p.mediaOutcome(j, path, mu.err)
		}
		if err != nil {
			o := p.onError(ctx, j, err)
			o.path = path
			return o
		}
		return outcome{setContainer: &id, retryAt: now.Add(p.opt.ReadyCheck), path: path, newContainer: true,
			note: "Instagram container created"}
	}
	st, err := p.graph.IGContainerStatus(ctx, token, j.ContainerID)
	if err != nil {
		o := p.onError(ctx, j, err)
		o.path = path
		return o
	}
	switch st.Code {
	case meta.IGFinished:
		if now.Before(j.ScheduledAt) {
			return outcome{retryAt: j.ScheduledAt, path: path}
		}
	case meta.IGInProgress:
		what := "image"
		if path != pathIGImage {
			what = "media"
			for _, m := range j.Media {
				if m.Type == "video" {
					what = "video"
				}
			}
		}
		if o, late := p.pastDeadline(j, now, "Instagram", what); late {
			o.path = path
			return o
		}
		return outcome{retryAt: now.Add(p.opt.ReadyCheck), path: path}
	case meta.IGExpired:
		empty := ""
		return outcome{setContainer: &empty, retryAt: now, path: path}
	case meta.IGPublished:
		// Published by an earlier attempt whose answer was lost.
		return outcome{reconcile: true, retryAt: now, path: path}
	default: // ERROR
		return outcome{path: path, fail: &DeliveryError{Class: "media", Message: "Instagram could not process the media: " + st.Status, Action: ActionCheckMedia}}
	}
	mediaID, err := p.graph.IGPublish(ctx, token, j.ExternalID, j.ContainerID)
	if err != nil {
		o := p.onError(ctx, j, err)
		o.path = path
		return o
	}
	return outcome{published: true, platformID: mediaID, path: path}
}

// overPublishingLimit reads the account's content_publishing_limit before a
// container is made: over the limit, the delivery is held, with the
// reason, and asks again later (the 24 h window moves).
func (p *Publisher) overPublishingLimit(ctx context.Context, j job, token string) (outcome, bool) {
	lim, err := p.graph.IGPublishingLimit(ctx, token, j.ExternalID)
	if err != nil {
		switch meta.ClassOf(err) {
		case meta.ClassThrottled, meta.ClassAuth, meta.ClassPermission, meta.ClassTransient:
			return p.onError(ctx, j, err), true
		}
		// The limit could not be read: publish, Meta enforces it anyway.
		p.log.WarnContext(ctx, "instagram publishing limit not read", "delivery_id", j.ID, "err", err)
		return outcome{}, false
	}
	if lim.Total <= 0 || lim.Used < lim.Total {
		return outcome{}, false
	}
	window := lim.Duration
	if window <= 0 {
		window = 24 * time.Hour
	}
	return outcome{retryAt: p.opt.Now().Add(p.opt.QuotaRecheck), hold: &DeliveryError{Class: "quota", Action: ActionHeldLimit,
		Message: fmt.Sprintf("Instagram's publishing limit is reached: %d of %d posts in the last %s; the post is held and sent once the limit resets (checked every %s)",
			lim.Used, lim.Total, fmtWindow(window), fmtMinutes(p.opt.QuotaRecheck))}}, true
}

func fmtWindow(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	}
	return d.String()
}

// mediaURLError is a library item whose public URL could not be made.
type mediaURLError struct{ err error }

func (e *mediaURLError) Error() string { return e.err.Error() }

func (p *Publisher) createIGContainer(ctx context.Context, j job, token string) (string, error) {
	urlOf := func(m Media) (string, error) {
		u, err := p.mediaURL(ctx, m)
		if err != nil {
			return "", &mediaURLError{err}
		}
		return u, nil
	}
	if len(j.Media) == 1 {
		m := j.Media[0]
		u, err := urlOf(m)
		if err != nil {
			return "", err
		}
		c := meta.IGContainer{Kind: meta.IGImage, ImageURL: u, Caption: j.Caption}
		if m.Type == "video" {
			c = meta.IGContainer{Kind: meta.IGReel, VideoURL: u, Caption: j.Caption}
		}
		return p.createContainer(ctx, j, token, c)
	}
	children := make([]string, 0, len(j.Media))
	for _, m := range j.Media {
		u, err := urlOf(m)
		if err != nil {
			return "", err
		}
		c := meta.IGContainer{Kind: meta.IGCarouselItem, ImageURL: u}
		if m.Type == "video" {
			c = meta.IGContainer{Kind: meta.IGCarouselItem, VideoURL: u}
		}
		id, err := p.createContainer(ctx, j, token, c)
		if err != nil {
			return "", err
		}
		children = append(children, id)
	}
	return p.createContainer(ctx, j, token, meta.IGContainer{Kind: meta.IGCarousel, Children: children, Caption: j.Caption})
}

// createContainer makes one container, trying again (FetchRetries times,
// FetchBackoff apart, doubling) when Meta could not fetch the media
// (9004/2207052), which is often intermittent.
func (p *Publisher) createContainer(ctx context.Context, j job, token string, c meta.IGContainer) (string, error) {
	delay := p.opt.FetchBackoff
	for i := 0; ; i++ {
		id, err := p.graph.CreateIGContainer(ctx, token, j.ExternalID, c)
		if err == nil || !meta.IsMediaFetchFailure(err) || i >= p.opt.FetchRetries {
			return id, err
		}
		p.log.WarnContext(ctx, "instagram could not fetch the media; creating the container again", "delivery_id", j.ID,
			"try", i+2, "in", delay)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", ctx.Err()
		case <-t.C:
		}
		delay *= 2
	}
}
