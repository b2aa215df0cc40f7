package meta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// IGKind is the kind of Instagram container.
type IGKind int

// Container kinds.
const (
	IGImage        IGKind = iota + 1 // feed image (JPEG)
	IGReel                           // media_type=REELS
	IGCarousel                       // media_type=CAROUSEL with 2-10 children
	IGStory                          // media_type=STORIES (image or video)
	IGCarouselItem                   // is_carousel_item=true (image, or video with VideoURL)
)

// IGContainer describes a media container to create.
type IGContainer struct {
	Kind     IGKind
	ImageURL string // JPEG only
	VideoURL string
	// Caption is sent for images, reels and carousels only: Instagram
	// takes none on stories (left out) nor on carousel items (an error).
	Caption string
	// Children are carousel item container ids (IGCarousel, 2-10).
	Children []string
	// AltText is sent for images (single or carousel items) only; Meta
	// rejects it on reels, stories and videos, so it is left out there.
	AltText  string
	CoverURL string // reels
	// ShareToFeed for reels; nil leaves Meta's default.
	ShareToFeed *bool
}

// IGStatus is a container's status_code.
type IGStatus string

// Container status codes.
const (
	IGInProgress IGStatus = "IN_PROGRESS"
	IGFinished   IGStatus = "FINISHED"
	IGError      IGStatus = "ERROR"
	IGExpired    IGStatus = "EXPIRED"
	IGPublished  IGStatus = "PUBLISHED"
)

// IGContainerState is the answer of IGContainerStatus.
type IGContainerState struct {
	Code   IGStatus
	Status string // free text, e.g. "Error: Media upload has failed with error code 2207026"
}

// Caption limits Meta enforces on Instagram.
const (
	IGCaptionMaxRunes    = 2200
	IGCaptionMaxHashtags = 30
	IGCaptionMaxMentions = 20
)

// ValidateIGCaption checks a caption against Instagram's limits before any call.
func ValidateIGCaption(caption string) error {
	var errs []error
	if n := utf8.RuneCountInString(caption); n > IGCaptionMaxRunes {
		errs = append(errs, fmt.Errorf("caption has %d characters, at most %d allowed", n, IGCaptionMaxRunes))
	}
	if n := countTags(caption, '#'); n > IGCaptionMaxHashtags {
		errs = append(errs, fmt.Errorf("caption has %d hashtags, at most %d allowed", n, IGCaptionMaxHashtags))
	}
	if n := countTags(caption, '@'); n > IGCaptionMaxMentions {
		errs = append(errs, fmt.Errorf("caption has %d @-mentions, at most %d allowed", n, IGCaptionMaxMentions))
	}
	return errors.Join(errs...)
}

func countTags(s string, mark rune) int {
	n := 0
	prev := ' '
	rs := []rune(s)
	for i, r := range rs {
		if r == mark && (i == 0 || !isWord(prev)) && i+1 < len(rs) && isWord(rs[i+1]) {
			n++
		}
		prev = r
	}
	return n
}

func isWord(r rune) bool {
	return r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127 && r != 0x3000
}

// CreateIGContainer creates a media container (POST /{ig-user}/media) and returns its id.
func (c *Client) CreateIGContainer(ctx context.Context, token, igUserID string, m IGContainer) (string, error) {
	v := url.Values{}
	switch m.Kind {
	case IGImage:
		v.Set("image_url", m.ImageURL)
	case IGReel:
		v.Set("media_type", "REELS")
		v.Set("video_url", m.VideoURL)
		if m.CoverURL != "" {
			v.Set("cover_url", m.CoverURL)
		}
		if m.ShareToFeed != nil {
			v.Set("share_to_feed", fmt.Sprint(*m.ShareToFeed))
		}
	case IGStory:
		v.Set("media_type", "STORIES")
		if m.VideoURL != "" {
			v.Set("video_url", m.VideoURL)
		} else {
			v.Set("image_url", m.ImageURL)
		}
	case IGCarousel:
		if len(m.Children) < 2 || len(m.Children) > 10 {
			return "", fmt.Errorf("meta: ig_media_create: a carousel needs 2-10 items, got %d", len(m.Children))
		}
		v.Set("media_type", "CAROUSEL")
		v.Set("children", strings.Join(m.Children, ","))
	case IGCarouselItem:
		v.Set("is_carousel_item", "true")
		if m.VideoURL != "" {
			v.Set("media_type", "VIDEO")
			v.Set("video_url", m.VideoURL)
		} else {
			v.Set("image_url", m.ImageURL)
		}
		if m.Caption != "" {
			return "", errors.New("meta: ig_media_create: carousel items cannot have a caption")
		}
	default:
		return "", fmt.Errorf("meta: ig_media_create: unknown container kind %d", m.Kind)
	}
	if m.Caption != "" && m.Kind != IGStory {
		if err := ValidateIGCaption(m.Caption); err != nil {
			return "", fmt.Errorf("meta: ig_media_create: %w", err)
		}
		v.Set("caption", m.Caption)
	}
	if m.AltText != "" && acceptsAltText(m) {
		v.Set("alt_text", m.AltText)
	}
	if (m.Caption != "" && m.Kind == IGStory) || (m.AltText != "" && !acceptsAltText(m)) {
		c.log.DebugContext(ctx, "ig container: caption or alt text left out (not accepted for this kind)", "kind", int(m.Kind))
	}
	var a idAnswer
	if _, err := c.call(ctx, request{endpoint: "ig_media_create", method: http.MethodPost, path: igUserID + "/media", params: v, token: token}, &a); err != nil {
		return "", err
	}
	if a.ID == "" {
		return "", errors.New("meta: ig_media_create: answer without id")
	}
	return a.ID, nil
}

// acceptsAltText: Instagram takes alt_text on images only.
func acceptsAltText(m IGContainer) bool {
	return m.VideoURL == "" && (m.Kind == IGImage || m.Kind == IGCarouselItem)
}

// IGContainerStatus reads a container's status once; it never waits or polls.
func (c *Client) IGContainerStatus(ctx context.Context, token, containerID string) (IGContainerState, error) {
	var a struct {
		StatusCode string `json:"status_code"`
		Status     string `json:"status"`
	}
	v := url.Values{"fields": {"status_code,status"}}
	if _, err := c.call(ctx, request{endpoint: "ig_container_status", method: http.MethodGet, path: containerID, params: v, token: token}, &a); err != nil {
		return IGContainerState{}, err
	}
	return IGContainerState{Code: IGStatus(a.StatusCode), Status: a.Status}, nil
}

// IGPublish publishes a FINISHED container (POST /{ig-user}/media_publish)
// and returns the media id. A not-ready container gives ClassNotReady; the
// daily limit gives ClassQuota.
func (c *Client) IGPublish(ctx context.Context, token, igUserID, containerID string) (string, error) {
	v := url.Values{"creation_id": {containerID}}
	var a idAnswer
	if _, err := c.call(ctx, request{endpoint: "ig_media_publish", method: http.MethodPost, path: igUserID + "/media_publish", params: v, token: token}, &a); err != nil {
		return "", err
	}
	if a.ID == "" {
		return "", errors.New("meta: ig_media_publish: answer without id")
	}
	return a.ID, nil
}

// PublishingLimit is an account's content publishing usage.
type PublishingLimit struct {
	Used     int
	Total    int           // config.quota_total
	Duration time.Duration // config.quota_duration
}

// Remaining is Total-Used (never negative).
func (p PublishingLimit) Remaining() int { return max(p.Total-p.Used, 0) }

// IGPublishingLimit reads GET /{ig-user}/content_publishing_limit.
func (c *Client) IGPublishingLimit(ctx context.Context, token, igUserID string) (PublishingLimit, error) {
	type cfg struct {
		QuotaTotal    int `json:"quota_total"`
		QuotaDuration int `json:"quota_duration"`
	}
	var a struct {
		Data []struct {
			QuotaUsage        int  `json:"quota_usage"`
			Config            *cfg `json:"config"`
			RateLimitSettings *cfg `json:"rate_limit_settings"`
		} `json:"data"`
	}
	v := url.Values{"fields": {"quota_usage,config"}}
	if _, err := c.call(ctx, request{endpoint: "ig_publishing_limit", method: http.MethodGet, path: igUserID + "/content_publishing_limit", params: v, token: token}, &a); err != nil {
		return PublishingLimit{}, err
	}
	if len(a.Data) == 0 {
		return PublishingLimit{}, errors.New("meta: ig_publishing_limit: empty answer")
	}
	d := a.Data[0]
	out := PublishingLimit{Used: d.QuotaUsage}
	conf := d.Config
	if conf == nil {
		conf = d.RateLimitSettings
	}
	if conf != nil {
		out.Total = conf.QuotaTotal
		out.Duration = time.Duration(conf.QuotaDuration) * time.Second
	}
	return out, nil
}
