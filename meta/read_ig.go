package meta

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
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

// ListIGMedia lists an account's feed media and reels (GET /{ig-user}/media),
// newest first, with like and comment counts and, with WithInsights, the
// media insights through field expansion (one call per page of 100).
// Stories are not listed here: see ListIGStories. o.OmitMetrics leaves
// metrics (e.g. retired ones) out of the request; those figures come back
// missing.
//
// One media can fail the expansion for its whole page: a media posted
// before the account's conversion to a business account (code 100,
// subcode 2108006) or a metric that does not suit its product type. Such a
// page is read again without insights and its media's insights are asked
// for one by one (igPageFallback): the failing media's figures are missing,
// the rest are read.
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
	fb := &igFallback{c: c, token: token, omit: o.OmitMetrics, withInsights: fields}
	fetch := func(req request) (pageOf[rawIGMedia], error) {
		if fb.converted {
			req = withParam(req, "fields", igMediaFields) // older than the conversion: no insights to ask for
		}
		var p pageOf[rawIGMedia]
		_, err := c.call(ctx, req, &p)
		if err != nil && o.WithInsights && !fb.converted && (IsConvertedBefore(err) || IsProductTypeMismatch(err)) {
			c.log.WarnContext(ctx, "ig media insights by expansion rejected for a page; asking media by media",
				"ig_user_id", igUserID, "err", err)
			return fb.page(ctx, req, err)
		}
		return p, err
	}
	err := listPages(ctx, c, request{endpoint: "ig_media_list", method: http.MethodGet, path: igUserID + "/media", params: v, token: token},
		fetch, func(r rawIGMedia) bool { out = append(out, c.toIGMedia(r)); return true })
	if err == nil {
		return out, nil
	}
	if o.WithInsights {
		c.nameRetiredMetric(ctx, token, err, func() (string, error) { return c.firstID(ctx, token, igUserID+"/media") }, feed)
	}
	return nil, err
}

// withParam returns req with one parameter replaced.
func withParam(req request, key, value string) request {
	p := url.Values{}
	for k, vs := range req.params {
		p[k] = vs
	}
	p.Set(key, value)
	req.params = p
	return req
}

// igFallback reads the insights of a page of media whose expansion failed.
type igFallback struct {
	c            *Client
	token        string
	omit         []string
	withInsights string // the fields of a listing with insights
	// converted is set once the account's conversion boundary is found:
	// every older media has no insights, so they are not asked for.
	converted bool
}

// page reads the failed page again without insights, then its media's
// insights: after a conversion error (2108006) by locating the newest
// media posted before the conversion (a binary search, one media per
// call) and listing the newer ones in one call; otherwise (a product-type
// mismatch) media by media with the metrics suited to each, in batches.
func (f *igFallback) page(ctx context.Context, req request, cause error) (pageOf[rawIGMedia], error) {
	var p pageOf[rawIGMedia]
	if _, err := f.c.call(ctx, withParam(req, "fields", igMediaFields), &p); err != nil {
		return p, err
	}
	media := p.Data
	if len(media) == 0 {
		return p, nil
	}
	missing := 0
	if IsConvertedBefore(cause) {
		ins := map[int]InsightsResponse{}
		fails := func(i int) (bool, error) {
			r, err := f.c.igMediaInsights(ctx, f.token, media[i].ID, media[i].MediaProductType, f.omit)
			if err == nil {
				ins[i] = r
				return false, nil
			}
			if IsConvertedBefore(err) {
				return true, nil
			}
			return false, err
		}
		lo, hi := 0, len(media)
		for lo < hi {
			mid := (lo + hi) / 2
			bad, err := fails(mid)
			if err != nil {
				return p, err
			}
			if bad {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		if lo < len(media) {
			f.converted = true // media[lo] and older were posted before the conversion
			missing = len(media) - lo
		}
		if err := f.fillNewer(ctx, req, media[:lo], ins); err != nil {
			return p, err
		}
	} else {
		missing = f.fillEach(ctx, media)
	}
	f.c.log.WarnContext(ctx, "ig media without insights (posted before the business-account conversion, or unsupported)",
		"media", missing, "of", len(media))
	return p, nil
}

// fillNewer gives media (newest first, all posted after the conversion)
// their insights: those already read, the rest with one listing of their
// time window, or media by media if that fails.
func (f *igFallback) fillNewer(ctx context.Context, req request, media []rawIGMedia, got map[int]InsightsResponse) error {
	need := 0
	for i := range media {
		if r, ok := got[i]; ok {
			media[i].Insights = r
		} else {
			need++
		}
	}
	if need == 0 {
		return nil
	}
	since, until := graphTime(media[len(media)-1].Timestamp), graphTime(media[0].Timestamp)
	win := request{endpoint: req.endpoint, method: http.MethodGet, path: req.path, token: f.token,
		params: url.Values{"fields": {f.withInsights}, "limit": {strconv.Itoa(maxLimit)},
			"since": {strconv.FormatInt(since.Unix(), 10)}, "until": {strconv.FormatInt(until.Unix(), 10)}}}
	if req.path == "" { // a paging URL: the listing's path is in it
		if u, err := url.Parse(req.rawURL); err == nil {
			win.path = strings.TrimPrefix(strings.TrimPrefix(u.Path, "/"+f.c.version), "/")
		}
	}
	var w pageOf[rawIGMedia]
	if _, err := f.c.call(ctx, win, &w); err == nil {
		byID := map[string]InsightsResponse{}
		for _, m := range w.Data {
			byID[m.ID] = m.Insights
		}
		for i := range media {
			if r, ok := byID[media[i].ID]; ok {
				media[i].Insights = r
			}
		}
		return nil
	} else if ClassOf(err) == ClassThrottled || isCtxErr(err) {
		return err
	}
	f.fillEach(ctx, media)
	return nil
}

// fillEach reads each media's insights (in batches), with the metrics
// suited to its product type, and returns how many failed (their figures
// stay missing). A metric Meta says does not suit a media's product type
// is left out for that type, and those media are asked once more.
func (f *igFallback) fillEach(ctx context.Context, media []rawIGMedia) int {
	unsuited := map[string][]string{} // product type → metrics Meta refused for it
	todo := make([]int, len(media))
	for i := range media {
		todo[i] = i
	}
	failed := 0
	for round := 0; round < 2 && len(todo) > 0; round++ {
		reqs := make([]BatchRequest, 0, len(todo))
		idx := make([]int, 0, len(todo))
		for _, i := range todo {
			pt := media[i].MediaProductType
			ms := without(without(f.c.metrics.IG(pt), f.omit), unsuited[pt])
			if len(ms) == 0 {
				continue
			}
			reqs = append(reqs, BatchRequest{Method: http.MethodGet, RelativeURL: media[i].ID + "/insights?metric=" + url.QueryEscape(strings.Join(ms, ","))})
			idx = append(idx, i)
		}
		todo = nil
		if len(reqs) == 0 {
			break
		}
		res, err := f.c.Batch(ctx, f.token, reqs)
		if err != nil {
			return failed + len(reqs)
		}
		for k, r := range res {
			i := idx[k]
			var ir InsightsResponse
			err := r.Decode(&ir)
			if err == nil {
				media[i].Insights = ir
				continue
			}
			if names := unsupportedMetrics(err); round == 0 && len(names) > 0 {
				pt := media[i].MediaProductType
				unsuited[pt] = append(unsuited[pt], names...)
				todo = append(todo, i)
				continue
			}
			failed++
		}
	}
	return failed + len(todo)
}

var (
	unsupportedA = regexp.MustCompile(`does not support the (.+?) metrics? for this media product type`)
	unsupportedB = regexp.MustCompile(`The '([a-z0-9_]+)' metric is not supported for this media product type`)
)

// unsupportedMetrics names the metrics a product-type mismatch rejects.
func unsupportedMetrics(err error) []string {
	if !IsProductTypeMismatch(err) {
		return nil
	}
	var me *Error
	errors.As(err, &me)
	if m := unsupportedB.FindStringSubmatch(me.Message); m != nil {
		return []string{m[1]}
	}
	if m := unsupportedA.FindStringSubmatch(me.Message); m != nil {
		var out []string
		for _, n := range strings.Split(m[1], ",") {
			out = append(out, strings.TrimSpace(n))
		}
		return out
	}
	return nil
}

// igMediaInsights reads one media's insights with the metrics suited to
// its product type, leaving out omit.
func (c *Client) igMediaInsights(ctx context.Context, token, mediaID, productType string, omit []string) (InsightsResponse, error) {
	var r InsightsResponse
	v := url.Values{"metric": {strings.Join(without(c.metrics.IG(productType), omit), ",")}}
	_, err := c.call(ctx, request{endpoint: "ig_media_insights", method: http.MethodGet, path: mediaID + "/insights", params: v, token: token}, &r)
	return r, err
}

// ListIGStories lists the account's live stories (GET /{ig-user}/stories),
// with story-compatible insights when withInsights, leaving out the metrics
// named in omitMetrics (e.g. retired ones; those figures come back missing).
func (c *Client) ListIGStories(ctx context.Context, token, igUserID string, withInsights bool, omitMetrics ...string) ([]IGMedia, error) {
	fields := "id,caption,media_type,media_product_type,timestamp,permalink"
	ms := without(c.metrics.IG(igStory), omitMetrics)
	if withInsights && len(ms) > 0 {
		fields += ",insights.metric(" + strings.Join(ms, ",") + ")"
	}
	v := url.Values{"fields": {fields}, "limit": {"100"}}
	var out []IGMedia
	err := listAll(ctx, c, request{endpoint: "ig_stories_list", method: http.MethodGet, path: igUserID + "/stories", params: v, token: token},
		func(r rawIGMedia) { out = append(out, c.toIGMedia(r)) })
	if err != nil {
		if withInsights {
			c.nameRetiredMetric(ctx, token, err, func() (string, error) { return c.firstID(ctx, token, igUserID+"/stories") }, ms)
		}
		return nil, err
	}
	return out, nil
}

// IGMediaInsights reads one media's insights (GET /{media}/insights) with
// the metrics suited to its product type.
func (c *Client) IGMediaInsights(ctx context.Context, token, mediaID, productType string) (IGInsights, error) {
	r, err := c.igMediaInsights(ctx, token, mediaID, productType, nil)
	if err != nil {
		return IGInsights{}, err
	}
	return c.metrics.igInsights(r), nil
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
