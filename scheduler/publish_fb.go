package scheduler

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/humas-id/humas/meta"
)

// Publish paths, stored on the delivery (publish_path).
const (
	pathFeed       = "feed"
	pathPhoto      = "photo"
	pathPhotos     = "photos"
	pathVideo      = "video" // POST /{page}/videos
	pathReel       = "reel"  // POST /{page}/video_reels (start, upload, finish)
	pathIGImage    = "ig_image"
	pathIGReel     = "ig_reel"
	pathIGCarousel = "ig_carousel"
)

// Container id prefixes of Facebook videos: an uploaded Page video, a
// Reel upload whose publish has not been confirmed, a Reel asked to publish.
const (
	fbVideoPrefix    = "fbvideo:"
	fbReelPrefix     = "fbreel:"
	fbReelSentPrefix = "fbreel:sent:"
)

// reelMaxSeconds is the longest video Facebook takes as a Reel (3-90 s).
const reelMinSeconds, reelMaxSeconds = 3, 90

// isReel reports whether a video is vertical and 90 s or less: Facebook
// takes it as a Reel, and as an unpublished Reel draft through /videos.
func isReel(m Media) bool {
	return m.Type == "video" && m.Width > 0 && m.Height > m.Width && m.Duration >= reelMinSeconds && m.Duration <= reelMaxSeconds
}

// fbPath decides how a Facebook delivery is published: one video through
// the Reels flow (vertical, ≤ 90 s) or /videos; photos through /photos
// (one) or unpublished photos attached to a /feed post; else /feed.
func fbPath(j job) string {
	var images, videos int
	var video Media
	for _, m := range j.Media {
		if m.Type == "video" {
			videos++
			video = m
		} else {
			images++
		}
	}
	switch {
	case videos == 1 && isReel(video):
		return pathReel
	case videos == 1:
		return pathVideo
	case images == 1:
		return pathPhoto
	case images > 1:
		return pathPhotos
	}
	return pathFeed
}

func (p *Publisher) publishFB(ctx context.Context, j job, token string) outcome {
	switch {
	case strings.HasPrefix(j.ContainerID, fbReelPrefix):
		return p.continueReel(ctx, j, token)
	case strings.HasPrefix(j.ContainerID, fbVideoPrefix):
		return p.checkFBVideo(ctx, j, token)
	}
	var res meta.PostResult
	var err error
	var images []Media
	var video Media
	for _, m := range j.Media {
		if m.Type == "video" {
			video = m
		} else {
			images = append(images, m)
		}
	}
	path := fbPath(j)
	switch path {
	case pathReel:
		// Open the upload and keep its video id before anything can be
		// published: the finish names it, so it cannot publish twice.
		up, err := p.graph.StartPageReel(ctx, token, j.ExternalID)
		if err != nil {
			o := p.onError(ctx, j, err)
			o.path = path
			return o
		}
		c := fbReelPrefix + up.VideoID
		return outcome{setContainer: &c, retryAt: p.opt.Now(), path: path, note: "Reel upload opened"}
	case pathVideo:
		pv := meta.PageVideo{FileURL: video.URL, Description: j.Caption}
		if video.MediaID != 0 {
			if pv.Source, err = p.mediaFile(ctx, video); err != nil {
				return p.mediaOutcome(j, path, err)
			}
		}
		res, err = p.graph.PublishPageVideo(ctx, token, j.ExternalID, pv)
		if err == nil && res.VideoID != "" {
			if res.PostID != "" {
				return outcome{published: true, platformID: res.PostID, permalink: fbPermalink(res.PostID), path: path}
			}
			c := fbVideoPrefix + res.VideoID
			return outcome{setContainer: &c, retryAt: p.opt.Now().Add(p.opt.ReadyCheck), path: path, note: "video uploaded; waiting for processing"}
		}
	case pathPhoto:
		pp := meta.PagePhoto{URL: images[0].URL, Message: j.Caption}
		if images[0].MediaID != 0 {
			if pp.Source, err = p.mediaFile(ctx, images[0]); err != nil {
				return p.mediaOutcome(j, path, err)
			}
		}
		res, err = p.graph.PublishPagePhoto(ctx, token, j.ExternalID, pp)
	case pathPhotos:
		var o *outcome
		if res, o, err = p.publishFBPhotos(ctx, j, token, images); o != nil {
			return *o
		}
	default:
		res, err = p.graph.PublishPageFeed(ctx, token, j.ExternalID, meta.FeedPost{Message: j.Caption, Link: j.Link})
	}
	if err != nil {
		o := p.onError(ctx, j, err)
		o.path = path
		return o
	}
	id := res.PostID
	if id == "" {
		id = res.PhotoID
	}
	return outcome{published: true, platformID: id, permalink: fbPermalink(id), path: path}
}

func fbPermalink(id string) string {
	if id == "" {
		return ""
	}
	return "https://www.facebook.com/" + id
}

// continueReel takes a Reel on from its opened upload: Meta fetches the
// file, the finish publishes it, and its status is followed until the post
// is on the Page. Every step first reads the video's status, so a step
// whose answer was lost is not repeated blindly; a finish sent twice names
// the same video and cannot publish it twice.
func (p *Publisher) continueReel(ctx context.Context, j job, token string) outcome {
	now := p.opt.Now()
	sent := strings.HasPrefix(j.ContainerID, fbReelSentPrefix)
	videoID := strings.TrimPrefix(strings.TrimPrefix(j.ContainerID, fbReelSentPrefix), fbReelPrefix)
	st, err := p.graph.PageVideoStatus(ctx, token, videoID)
	if err != nil {
		o := p.onError(ctx, j, err)
		o.path = pathReel
		return o
	}
	if st.Failed() || st.VideoStatus == "ready" {
		return p.settleVideoOrWait(ctx, j, token, videoID, st, pathReel)
	}
	if !sent {
		started := (st.ProcessingPhase != "" && st.ProcessingPhase != "not_started") ||
			(st.PublishingPhase != "" && st.PublishingPhase != "not_started")
		if !started {
			var video Media
			for _, m := range j.Media {
				if m.Type == "video" {
					video = m
				}
			}
			if st.UploadingPhase != "complete" {
				up := meta.ReelUpload{VideoID: videoID, UploadURL: p.graph.ReelUploadURL(videoID)}
				var err error
				if video.MediaID != 0 {
					// The bytes themselves: Facebook needs no public URL.
					f, ferr := p.mediaFile(ctx, video)
					if ferr != nil {
						return p.mediaOutcome(j, pathReel, ferr)
					}
					err = p.graph.UploadReelFile(ctx, token, up, f)
				} else {
					err = p.graph.UploadReelFromURL(ctx, token, up, video.URL)
				}
				if err != nil {
					o := p.onError(ctx, j, err)
					o.path = pathReel
					return o
				}
			}
			if err := p.graph.FinishPageReel(ctx, token, j.ExternalID, videoID, j.Caption); err != nil {
				o := p.onError(ctx, j, err)
				o.path = pathReel
				return o
			}
		}
		c := fbReelSentPrefix + videoID
		return outcome{setContainer: &c, retryAt: now.Add(p.opt.ReadyCheck), path: pathReel, note: "Reel sent for publishing; waiting for processing"}
	}
	if o, late := p.pastDeadline(j, now, "Facebook", "Reel"); late {
		return o
	}
	return outcome{retryAt: now.Add(p.opt.ReadyCheck), path: pathReel}
}

func (p *Publisher) checkFBVideo(ctx context.Context, j job, token string) outcome {
	videoID := strings.TrimPrefix(j.ContainerID, fbVideoPrefix)
	st, err := p.graph.PageVideoStatus(ctx, token, videoID)
	if err != nil {
		o := p.onError(ctx, j, err)
		o.path = pathVideo
		return o
	}
	return p.settleVideoOrWait(ctx, j, token, videoID, st, pathVideo)
}

// settleVideoOrWait settles a video by its status, or waits for it until
// the video deadline.
func (p *Publisher) settleVideoOrWait(ctx context.Context, j job, token, videoID string, st meta.VideoStatus, path string) outcome {
	if o, done := p.settleVideo(ctx, j, token, videoID, st, path); done {
		return o
	}
	now := p.opt.Now()
	what := "video"
	if path == pathReel {
		what = "Reel"
	}
	if o, late := p.pastDeadline(j, now, "Facebook", what); late {
		if st.VideoStatus == "ready" {
			// Processed, yet no post on the Page: Meta kept it unpublished.
			o.fail.Message = fmt.Sprintf("Facebook processed the %s but no post appeared on the Page within %s (it may be an "+
				"unpublished Reel draft: a vertical video of 90 s or less needs its width, height and duration to be sent as a Reel)",
				what, p.opt.VideoDeadline)
		}
		return o
	}
	return outcome{retryAt: now.Add(p.opt.ReadyCheck), path: path}
}

// settleVideo settles a delivery by its uploaded video's status: done
// when the video failed (error, expired: final) or is ready with its post
// found (the post id Meta reports, else the post whose attachment is the
// video: never one made up from the video id).
func (p *Publisher) settleVideo(ctx context.Context, j job, token, videoID string, st meta.VideoStatus, path string) (outcome, bool) {
	switch {
	case st.Failed():
		return outcome{path: path, fail: &DeliveryError{Class: "media", Action: ActionCheckMedia,
			Message: fmt.Sprintf("Facebook could not process the video (status %q): it will not be published", st.VideoStatus)}}, true
	case st.VideoStatus != "ready":
		return outcome{}, false
	}
	id := st.PostID
	if id == "" {
		since := j.FirstAttempt.Add(-time.Hour)
		if j.FirstAttempt.IsZero() {
			since = j.ScheduledAt.Add(-24 * time.Hour)
		}
		post, found, err := p.graph.FindVideoPost(ctx, token, j.ExternalID, videoID, since)
		if err != nil {
			o := p.onError(ctx, j, err)
			o.path = path
			return o, true
		}
		if !found {
			return outcome{}, false // not on the Page (yet)
		}
		id = post.ID
	}
	return outcome{published: true, platformID: id, permalink: fbPermalink(id), path: path}, true
}

// pastDeadline fails a delivery whose media is still processing past the
// deadline (video or image), counted from the container's creation.
func (p *Publisher) pastDeadline(j job, now time.Time, platform, what string) (outcome, bool) {
	limit := p.opt.ImageDeadline
	for _, m := range j.Media {
		if m.Type == "video" {
			limit = p.opt.VideoDeadline
		}
	}
	if j.ContainerCreated.IsZero() || now.Sub(j.ContainerCreated) <= limit {
		return outcome{}, false
	}
	return outcome{path: j.path, fail: &DeliveryError{Class: "processing_timeout", Action: ActionCheckMedia,
		Message: fmt.Sprintf("%s did not finish processing the %s within %s; check the media (format, size, length), then schedule the post again",
			platform, what, fmtMinutes(limit))}}, true
}

// fmtMinutes writes a deadline like "5 min" or "90 s".
func fmtMinutes(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		return fmt.Sprintf("%d min", int(d/time.Minute))
	}
	return d.String()
}
