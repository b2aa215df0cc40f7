package collector

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
)

// item is a post or media as read from the Graph API, normalised.
type item struct {
	id, mediaType, productType, statusType, caption, permalink string
	thumbnail                                                  string // an image of the post on Meta's CDN
	published                                                  time.Time
	// videoID is the video a Facebook post's attachment targets; reel
	// marks a Facebook Reel, whose figures are on video_insights.
	videoID string
	reel    bool
	// vals holds each figure with the Graph field or metric it came from.
	vals map[string]meta.Value
}

// Figure names, in the order metric_fields lists them.
var figureOrder = []string{"reach", "views", "reactions", "likes", "comments", "shares", "saves", "clicks", "video_views"}

// throttleError pauses a channel until its regain time.
type throttleError struct {
	until time.Time
	err   error
}

func (e *throttleError) Error() string {
	return fmt.Sprintf("throttled by Meta until %s: %v", e.until.UTC().Format(time.RFC3339), e.err)
}
func (e *throttleError) Unwrap() error { return e.err }

// asThrottle turns a throttled Graph answer into a *throttleError.
func (c *Collector) asThrottle(err error) error {
	if meta.ClassOf(err) != meta.ClassThrottled {
		return err
	}
	wait := meta.RetryAfterOf(err)
	if wait <= 0 {
		wait = time.Minute
	}
	return &throttleError{until: c.now().Add(wait), err: err}
}

// channelResult is what one channel's collection produced.
type channelResult struct {
	posts int
}

// collectChannel reads one channel and queues its rows for ClickHouse.
func (c *Collector) collectChannel(ctx context.Context, r *run, ch org.Channel) (channelResult, error) {
	token, err := c.chans.ChannelToken(ctx, ch.ID)
	if err != nil {
		return channelResult{}, fmt.Errorf("read token: %w", err)
	}
	now := c.now().UTC()
	ranges := c.rangesFor(ch, r.opts, now)
	if len(ranges) == 0 {
		return channelResult{}, nil
	}
	var items []item
	seen := map[string]bool{}
	for _, rg := range ranges {
		got, err := c.list(ctx, ch, token, rg, now)
		if err != nil {
			return channelResult{}, c.asThrottle(err)
		}
		for _, it := range got {
			if !seen[it.id] {
				seen[it.id] = true
				items = append(items, it)
			}
		}
	}
	if ch.Platform == org.Instagram && ranges[0].Lo == 0 {
		stories, err := c.listStories(ctx, ch, token)
		if err != nil {
			if te := c.asThrottle(err); errors.As(te, new(*throttleError)) {
				return channelResult{}, te
			}
			c.log.WarnContext(ctx, "instagram stories not collected", "channel_id", ch.ID, "err", err)
		}
		for _, it := range stories {
			if !seen[it.id] {
				seen[it.id] = true
				items = append(items, it)
			}
		}
	}
	if ch.Platform == org.Facebook {
		if err := c.reelFigures(ctx, ch, token, items); err != nil {
			return channelResult{}, err
		}
	}
	followers, err := c.followers(ctx, ch, token)
	if err != nil {
		return channelResult{}, c.asThrottle(err)
	}

	links, err := deliveryLinks(ctx, c.sql, ch.ID)
	if err != nil {
		return channelResult{}, err
	}
	ovr, err := overrides(ctx, c.sql, ch.Platform)
	if err != nil {
		return channelResult{}, err
	}
	// Sized once: the writer keeps these slices until they are written.
	b := Batch{Posts: make([]PostRow, 0, len(items)), Snapshots: make([]SnapshotRow, 0, len(items))}
	for _, it := range items {
		p, s := c.rows(ch, it, links, ovr, r, now)
		b.Posts = append(b.Posts, p)
		b.Snapshots = append(b.Snapshots, s)
	}
	local := now.In(c.loc)
	b.Accounts = append(b.Accounts, AccountRow{
		Day: time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC), CollectedAt: now,
		Platform: ch.Platform, ChannelID: uint64(ch.ID), AccountID: ch.ExternalID, UnitID: uint64(ch.UnitID),
		Followers: uint64(max(followers, 0)), MetricSource: "followers_count",
	})
	if err := c.w.Add(ctx, b); err != nil {
		return channelResult{}, err
	}
	c.collectComments(ctx, ch, token, items, now)
	c.m.posts.WithLabelValues(ch.Platform).Add(float64(len(items)))
	return channelResult{posts: len(items)}, nil
}

// rangesFor returns the post ages to list: on request everything within
// the cadence (or since opts.Since), on schedule the bands that are due.
func (c *Collector) rangesFor(ch org.Channel, opts RunOptions, now time.Time) []ageRange {
	switch {
	case !opts.Since.IsZero():
		return []ageRange{{Lo: 0, Hi: max(now.Sub(opts.Since), 0)}}
	case opts.Trigger != TriggerSchedule:
		return []ageRange{{Lo: 0, Hi: c.cad.maxAge()}}
	}
	return c.cad.due(now, ch.LastCollectedAt)
}

func listOptions(rg ageRange, now time.Time) meta.ListOptions {
	o := meta.ListOptions{Since: now.Add(-rg.Hi), Limit: 100, WithInsights: true}
	if rg.Lo > 0 {
		o.Until = now.Add(-rg.Lo)
	}
	return o
}

// list reads one age range of a channel's posts with counts and insights,
// through field expansion (one call per 100 posts). Metrics known retired
// are left out of the request (their figures stay missing, never 0 as if
// read); a listing that reveals a newly retired metric is noted (log,
// metric, /readyz) and read again without it, at the same cost.
func (c *Collector) list(ctx context.Context, ch org.Channel, token string, rg ageRange, now time.Time) ([]item, error) {
	o := listOptions(rg, now)
	var read func(meta.ListOptions) ([]item, error)
	var metrics []string
	switch ch.Platform {
	case org.Facebook:
		metrics = c.graph.Metrics().FB()
		read = func(o meta.ListOptions) ([]item, error) {
			posts, err := c.graph.ListPagePosts(ctx, token, ch.ExternalID, o)
			return fbItems(posts), err
		}
	case org.Instagram:
		metrics = c.graph.Metrics().IG("FEED")
		read = func(o meta.ListOptions) ([]item, error) {
			media, err := c.graph.ListIGMedia(ctx, token, ch.ExternalID, o)
			return igItems(media), err
		}
	default:
		return nil, fmt.Errorf("unknown platform %q", ch.Platform)
	}
	// Until a listing with insights has succeeded on this platform, one
	// channel lists at a time: a newly retired metric is then found (and
	// named, which costs a probe per metric) once, not by every channel.
	unlock := c.retired.gate(ch.Platform)
	defer unlock()
	// Each failed attempt names at least one more retired metric, so this
	// ends within len(metrics)+1 listings.
	for range len(metrics) + 1 {
		o.OmitMetrics = c.retired.names(ch.Platform)
		items, err := read(o)
		if err == nil {
			c.retired.confirm(ch.Platform)
		}
		if err == nil || meta.ClassOf(err) != meta.ClassRetiredMetric {
			return items, err
		}
		named := c.noteRetired(ctx, ch.Platform, err)
		if !slices.ContainsFunc(named, func(m string) bool { return !slices.Contains(o.OmitMetrics, m) }) {
			break // Meta did not say which metric: read the counts alone
		}
	}
	o.WithInsights = false
	return read(o)
}

func (c *Collector) listStories(ctx context.Context, ch org.Channel, token string) ([]item, error) {
	omit := c.retired.names(org.Instagram)
	media, err := c.graph.ListIGStories(ctx, token, ch.ExternalID, true, omit...)
	if err != nil && meta.ClassOf(err) == meta.ClassRetiredMetric {
		c.noteRetired(ctx, org.Instagram, err)
	}
	if err != nil && meta.ClassOf(err) != meta.ClassThrottled {
		// Stories with too few viewers have no insights; keep their counts.
		media, err = c.graph.ListIGStories(ctx, token, ch.ExternalID, false)
	}
	return igItems(media), err
}

func (c *Collector) followers(ctx context.Context, ch org.Channel, token string) (int64, error) {
	if ch.Platform == org.Instagram {
		return c.graph.IGFollowers(ctx, token, ch.ExternalID)
	}
	return c.graph.PageFollowers(ctx, token, ch.ExternalID)
}

func fbItems(posts []meta.PagePost) []item {
	out := make([]item, 0, len(posts))
	for _, p := range posts {
		if !p.IsPublished {
			continue // scheduled, not yet on the Page
		}
		rbt := p.Insights.ReactionsByType
		it := item{
			id: p.ID, mediaType: p.MediaType, statusType: p.StatusType, caption: p.Message, permalink: p.PermalinkURL,
			published: p.CreatedTime, thumbnail: p.Picture, videoID: p.TargetID, reel: isReelPost(p),
			vals: map[string]meta.Value{
				"reactions": p.Reactions, "comments": p.Comments, "shares": p.Shares,
				"reach": p.Insights.Reach, "views": p.Insights.Views, "clicks": p.Insights.Clicks,
				"likes": {Metric: rbt.Metric, Value: rbt.Values["like"], OK: rbt.OK},
			},
		}
		if it.reel {
			// A Reel's post insights stay at zero: its figures come from
			// video_insights (reelFigures); until then they are missing.
			for _, f := range []string{"reach", "views", "clicks", "likes"} {
				it.vals[f] = meta.Value{Metric: it.vals[f].Metric}
			}
		}
		out = append(out, it)
	}
	return out
}

func igItems(media []meta.IGMedia) []item {
	out := make([]item, 0, len(media))
	for _, m := range media {
		likes, comments := m.LikeCount, m.CommentsCount
		if !likes.OK {
			likes = m.Insights.Likes
		}
		if !comments.OK {
			comments = m.Insights.Comments
		}
		thumb := m.MediaURL
		if m.ThumbnailURL != "" || m.MediaType == "VIDEO" {
			thumb = m.ThumbnailURL // a video's media_url is the video itself
		}
		out = append(out, item{
			id: m.ID, mediaType: m.MediaType, productType: m.MediaProductType, caption: m.Caption, permalink: m.Permalink,
			published: m.Timestamp, thumbnail: thumb,
			vals: map[string]meta.Value{
				"likes": likes, "comments": comments, "shares": m.Insights.Shares, "saves": m.Insights.Saved,
				"reach": m.Insights.Reach, "views": m.Insights.Views,
			},
		})
	}
	return out
}

// rows builds the posts row and the snapshot of one item.
func (c *Collector) rows(ch org.Channel, it item, links map[string]scheduler.PublishedLink, ovr map[string]string, r *run, now time.Time) (PostRow, SnapshotRow) {
	p := PostRow{
		Platform: ch.Platform, PostID: it.id, ChannelID: uint64(ch.ID), AccountID: ch.ExternalID, UnitID: uint64(ch.UnitID),
		MediaType: it.mediaType, MediaProductType: it.productType, Caption: it.caption, Hashtags: hashtags(it.caption),
		PublishedAt: it.published.UTC(), Permalink: it.permalink, ThumbnailURL: it.thumbnail, UpdatedAt: now, Version: uint64(r.started.UnixNano()),
		ContentTypeSource: SourceInferred,
	}
	if ch.Platform == org.Facebook {
		p.ContentType = inferFacebook(it.mediaType, it.statusType, c.cfg.CarouselAs)
		if p.MediaType == "" {
			p.MediaType = it.statusType
		}
	} else {
		p.ContentType = inferInstagram(it.mediaType, it.productType, c.cfg.CarouselAs)
	}
	if l, ok := links[it.id]; ok {
		p.ContentType, p.ContentTypeSource, p.Campaign = l.ContentType, SourceHumas, l.Campaign
		p.HumasPostID, p.DeliveryID, p.UnitID = uint64(l.PostID), uint64(l.DeliveryID), uint64(l.UnitID)
	}
	if ct, ok := ovr[it.id]; ok {
		p.ContentType, p.ContentTypeSource = ct, SourceOverride
	}

	s := SnapshotRow{
		Slot: c.cad.slot(now, now.Sub(it.published)), CollectedAt: now, Platform: ch.Platform, PostID: it.id,
		ChannelID: uint64(ch.ID), AccountID: ch.ExternalID, PublishedAt: it.published.UTC(), RunID: r.id,
	}
	get := func(name string) uint64 {
		v := it.vals[name]
		if !v.OK || v.Value < 0 {
			return 0
		}
		return uint64(v.Value)
	}
	s.Reach, s.Views, s.Reactions, s.Likes = get("reach"), get("views"), get("reactions"), get("likes")
	s.Comments, s.Shares, s.Saves, s.Clicks = get("comments"), get("shares"), get("saves"), get("clicks")
	s.VideoViews = get("video_views")
	if ch.Platform == org.Facebook {
		s.Interactions = s.Reactions + s.Comments + s.Shares
	} else {
		s.Interactions = s.Likes + s.Comments + s.Shares + s.Saves
	}
	if it.vals["reach"].OK || it.vals["views"].OK {
		s.HasInsights = 1
	}
	for _, f := range figureOrder {
		if v, ok := it.vals[f]; ok && v.OK {
			s.MetricFields = append(s.MetricFields, f)
			s.MetricSources = append(s.MetricSources, v.Metric)
		}
	}
	return p, s
}

// isReelPost recognises a Facebook Reel among a Page's posts: its
// permalink is a /reel/ link.
func isReelPost(p meta.PagePost) bool {
	return strings.Contains(p.PermalinkURL, "/reel/")
}

// reelFigures reads the plays of the Reels among a Page's items from
// /{page}/video_reels with video_insights expanded (one call per 100
// Reels), as Meta reports Reels there and not in post insights. A failure
// other than a throttle leaves the Reels' views missing, not the channel.
func (c *Collector) reelFigures(ctx context.Context, ch org.Channel, token string, items []item) error {
	var since time.Time
	n := 0
	for _, it := range items {
		if it.reel {
			n++
			if since.IsZero() || it.published.Before(since) {
				since = it.published
			}
		}
	}
	if n == 0 {
		return nil
	}
	reels, err := c.graph.ListPageReels(ctx, token, ch.ExternalID, since.Add(-24*time.Hour))
	if err != nil {
		if te := c.asThrottle(err); errors.As(te, new(*throttleError)) {
			return te
		}
		c.log.WarnContext(ctx, "facebook reel plays not collected", "channel_id", ch.ID, "reels", n, "err", err)
		return nil
	}
	byVideo, byPost := map[string]meta.PageReel{}, map[string]meta.PageReel{}
	for _, r := range reels {
		byVideo[r.ID] = r
		if r.PostID != "" {
			byPost[r.PostID] = r
		}
	}
	for i := range items {
		it := &items[i]
		if !it.reel {
			continue
		}
		r, ok := byPost[it.id]
		if !ok {
			r, ok = byVideo[it.videoID]
		}
		if ok {
			it.vals["views"], it.vals["video_views"] = r.Plays, r.TotalPlays
		}
	}
	return nil
}

// noteRetired reports a retired metric: log, counter, /readyz detail. It
// returns the metric names Meta's answer gave (none when it did not name
// one).
func (c *Collector) noteRetired(ctx context.Context, platform string, err error) []string {
	var me *meta.Error
	name := ""
	if errors.As(err, &me) {
		name = me.Metric
	}
	if name == "" {
		name = "unknown"
	}
	for _, m := range strings.Split(name, ",") {
		c.m.retired.WithLabelValues(strings.TrimSpace(m)).Inc()
	}
	fix := func(m string) string { return c.fixFor(platform, m) }
	fresh := c.retired.note(platform, name, c.now(), fix)
	c.log.ErrorContext(ctx, "graph insights metric retired by Meta; collecting the other metrics",
		"platform", platform, "metric", name, "new", len(fresh) > 0, "fix", fix(name), "err", err)
	if name == "unknown" {
		return nil
	}
	var named []string
	for _, m := range strings.Split(name, ",") {
		named = append(named, strings.TrimSpace(m))
	}
	return named
}

// fixFor names the setting that takes a replacement for a platform's
// metric (the keys of config.GraphMetrics).
func (c *Collector) fixFor(platform, metric string) string {
	n := c.graph.Metrics()
	keys := map[string]string{
		n.FBReach: "fb_reach", n.FBViews: "fb_views", n.FBClicks: "fb_clicks", n.FBReactionsByType: "fb_reactions_by_type",
	}
	if platform == org.Instagram {
		keys = map[string]string{
			n.IGReach: "ig_reach", n.IGViews: "ig_views", n.IGLikes: "ig_likes", n.IGComments: "ig_comments",
			n.IGShares: "ig_shares", n.IGSaved: "ig_saved", n.IGTotalInteractions: "ig_total_interactions",
		}
	}
	if k, ok := keys[metric]; ok {
		return "set graph.metrics." + k + " to the name Meta gives as its replacement, then restart / " +
			"isi graph.metrics." + k + " dengan nama pengganti dari Meta, lalu mulai ulang"
	}
	return "set the replacement under graph.metrics, then restart / isi pengganti di graph.metrics, lalu mulai ulang"
}
