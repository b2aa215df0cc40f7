package meta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// IGMedia is an Instagram media (or story) with counts and insights.
type IGMedia struct {
	ID               string
	Caption          string
	MediaType        string // IMAGE, VIDEO, CAROUSEL_ALBUM
	MediaProductType string // FEED, REELS, STORY, AD
	Timestamp        time.Time
	Permalink        string
	Shortcode        string
	// MediaURL is the image (or video) on Meta's CDN; ThumbnailURL a
	// video's poster image.
	MediaURL     string
	ThumbnailURL string
	// LikeCount is not OK when the owner hides like counts.
	LikeCount     Value
	CommentsCount Value
	Insights      IGInsights
}

type rawIGMedia struct {
	ID               string           `json:"id"`
	Caption          string           `json:"caption"`
	MediaType        string           `json:"media_type"`
	MediaProductType string           `json:"media_product_type"`
	Timestamp        string           `json:"timestamp"`
	Permalink        string           `json:"permalink"`
	Shortcode        string           `json:"shortcode"`
	MediaURL         string           `json:"media_url"`
	ThumbnailURL     string           `json:"thumbnail_url"`
	LikeCount        *int64           `json:"like_count"`
	CommentsCount    *int64           `json:"comments_count"`
	Insights         InsightsResponse `json:"insights"`
}

const igMediaFields = "id,caption,media_type,media_product_type,timestamp,permalink,shortcode,media_url,thumbnail_url,like_count,comments_count"

func (c *Client) toIGMedia(r rawIGMedia) IGMedia {
	m := IGMedia{
		ID: r.ID, Caption: r.Caption, MediaType: r.MediaType, MediaProductType: r.MediaProductType,
		Timestamp: graphTime(r.Timestamp), Permalink: r.Permalink, Shortcode: r.Shortcode, MediaURL: r.MediaURL, ThumbnailURL: r.ThumbnailURL,
		LikeCount: Value{Metric: "like_count"}, CommentsCount: Value{Metric: "comments_count"},
		Insights: c.metrics.igInsights(r.Insights),
	}
	if r.LikeCount != nil {
		m.LikeCount.Value, m.LikeCount.OK = *r.LikeCount, true
	}
	if r.CommentsCount != nil {
		m.CommentsCount.Value, m.CommentsCount.OK = *r.CommentsCount, true
	}
	return m
}

// isProductTypeMismatch recognises "(#100) The Media Insights API does not
// support the X metric for this media product type."
func isProductTypeMismatch(err error) bool {
	var me *Error
	return errors.As(err, &me) && me.Code == 100 && strings.Contains(me.Message, "does not support") &&
		strings.Contains(me.Message, "product type")
}

// ListIGMedia lists an account's feed media and reels (GET /{ig-user}/media),
// newest first, with like and comment counts and, with WithInsights, the
// media insights through field expansion (one call per page of 100). If Meta
// rejects a metric for one of the product types returned, it falls back to
// per-media insights in batches, with metrics suited to each type.
// Stories are not listed here: see ListIGStories. o.OmitMetrics leaves
// metrics (e.g. retired ones) out of the request; those figures come back
// missing.
func (c *Client) ListIGMedia(ctx context.Context, token, igUserID string, o ListOptions) ([]IGMedia, error) {
	fields := igMediaFields
	feed := without(c.metrics.IG(igFeed), o.OmitMetrics)
	if len(feed) == 0 {
		o.WithInsights = false
	}
	if o.WithInsights {
		fields += ",insights.metric(" + strings.Join(feed, ",") + ")"
	}
	v := url.Values{"fields": {fields}}
	timeParams(v, o)
	var out []IGMedia
	err := listAll(ctx, c, request{endpoint: "ig_media_list", method: http.MethodGet, path: igUserID + "/media", params: v, token: token},
		func(r rawIGMedia) { out = append(out, c.toIGMedia(r)) })
	if err == nil {
		return out, nil
	}
	if !o.WithInsights {
		return nil, err
	}
	if isProductTypeMismatch(err) {
		c.log.WarnContext(ctx, "ig media insights by expansion rejected; falling back to batch", "ig_user_id", igUserID)
		o.WithInsights = false
		media, lerr := c.ListIGMedia(ctx, token, igUserID, o)
		if lerr != nil {
			return nil, lerr
		}
		if ierr := c.fillIGInsights(ctx, token, media, o.OmitMetrics); ierr != nil {
			return nil, ierr
		}
		return media, nil
	}
	c.nameRetiredMetric(ctx, token, err, func() (string, error) { return c.firstID(ctx, token, igUserID+"/media") }, feed)
	return nil, err
}

// ListIGStories lists the account's live stories (GET /{ig-user}/stories),
// with story-compatible insights when withInsights, leaving out the metrics
// named in omitMetrics (e.g. retired ones; those figures come back missing).
func (c *Client) ListIGStories(ctx context.Context, token, igUserID string, withInsights bool, omitMetrics ...string) ([]IGMedia, error) {
	fields := "id,caption,media_type,media_product_type,timestamp,permalink"
	if ms := without(c.metrics.IG(igStory), omitMetrics); withInsights && len(ms) > 0 {
		fields += ",insights.metric(" + strings.Join(ms, ",") + ")"
	}
	v := url.Values{"fields": {fields}, "limit": {"100"}}
	var out []IGMedia
	err := listAll(ctx, c, request{endpoint: "ig_stories_list", method: http.MethodGet, path: igUserID + "/stories", params: v, token: token},
		func(r rawIGMedia) { out = append(out, c.toIGMedia(r)) })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// IGMediaInsights reads one media's insights (GET /{media}/insights) with
// the metrics suited to its product type.
func (c *Client) IGMediaInsights(ctx context.Context, token, mediaID, productType string) (IGInsights, error) {
	var r InsightsResponse
	v := url.Values{"metric": {strings.Join(c.metrics.IG(productType), ",")}}
	if _, err := c.call(ctx, request{endpoint: "ig_media_insights", method: http.MethodGet, path: mediaID + "/insights", params: v, token: token}, &r); err != nil {
		return IGInsights{}, err
	}
	return c.metrics.igInsights(r), nil
}

// fillIGInsights reads insights for each media through batch requests,
// leaving out the metrics in omit.
func (c *Client) fillIGInsights(ctx context.Context, token string, media []IGMedia, omit []string) error {
	reqs := make([]BatchRequest, 0, len(media))
	idx := make([]int, 0, len(media))
	for i, m := range media {
		ms := without(c.metrics.IG(m.MediaProductType), omit)
		if len(ms) == 0 {
			continue
		}
		reqs = append(reqs, BatchRequest{Method: http.MethodGet,
			RelativeURL: m.ID + "/insights?metric=" + url.QueryEscape(strings.Join(ms, ","))})
		idx = append(idx, i)
	}
	if len(reqs) == 0 {
		return nil
	}
	res, err := c.Batch(ctx, token, reqs)
	if err != nil {
		return err
	}
	var errs []error
	for k, r := range res {
		i := idx[k]
		if r.Err != nil {
			errs = append(errs, fmt.Errorf("media %s: %w", media[i].ID, r.Err))
			continue
		}
		var ir InsightsResponse
		if err := r.Decode(&ir); err != nil {
			errs = append(errs, fmt.Errorf("media %s: %w", media[i].ID, err))
			continue
		}
		media[i].Insights = c.metrics.igInsights(ir)
	}
	return errors.Join(errs...)
}

// FindIGMedia returns the newest feed media or live story published since
// `since` for which match is true (reconciliation of an uncertain publish).
func (c *Client) FindIGMedia(ctx context.Context, token, igUserID string, since time.Time, match func(IGMedia) bool) (IGMedia, bool, error) {
	media, err := c.ListIGMedia(ctx, token, igUserID, ListOptions{Since: since})
	if err != nil {
		return IGMedia{}, false, err
	}
	for _, m := range media {
		if match(m) {
			return m, true, nil
		}
	}
	stories, err := c.ListIGStories(ctx, token, igUserID, false)
	if err != nil {
		return IGMedia{}, false, err
	}
	for _, m := range stories {
		if !m.Timestamp.Before(since) && match(m) {
			return m, true, nil
		}
	}
	return IGMedia{}, false, nil
}
