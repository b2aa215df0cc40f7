package graphsim

import (
	"sort"
	"strings"
	"time"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// fbPostMetrics maps each known Facebook post metric to its retirement date (zero: current).
var fbPostMetrics = map[string]time.Time{
	"post_media_view": {}, "post_total_media_view_unique": {}, "post_clicks": {}, "post_clicks_by_type": {},
	"post_reactions_by_type_total": {}, "post_reactions_like_total": {}, "post_reactions_love_total": {},
	"post_reactions_wow_total": {}, "post_reactions_haha_total": {}, "post_reactions_sorry_total": {},
	"post_reactions_anger_total": {}, "post_activity_by_action_type": {}, "post_video_views": {},
	"post_impressions": date(2025, 11, 15), "post_impressions_paid": date(2025, 11, 15),
	"post_impressions_organic": date(2025, 11, 15), "post_impressions_fan": date(2025, 11, 15),
	"post_impressions_viral": date(2025, 11, 15), "post_impressions_nonviral": date(2025, 11, 15),
	"post_impressions_unique": date(2026, 6, 15), "post_impressions_paid_unique": date(2026, 6, 15),
	"post_impressions_fan_unique": date(2026, 6, 15), "post_impressions_organic_unique": date(2026, 6, 15),
	"post_impressions_viral_unique": date(2026, 6, 15), "post_impressions_nonviral_unique": date(2026, 6, 15),
	"post_engaged_users": date(2024, 3, 14),
}

// igMediaMetrics maps each current Instagram media metric to the product types it supports.
var igMediaMetrics = map[string][]string{
	"comments": {"FEED", "REELS"}, "likes": {"FEED", "REELS"}, "saved": {"FEED", "REELS"},
	"shares": {"FEED", "REELS", "STORY"}, "total_interactions": {"FEED", "REELS", "STORY"},
	"views": {"FEED", "REELS", "STORY"}, "reach": {"FEED", "REELS", "STORY"},
	"follows": {"FEED", "STORY"}, "profile_visits": {"FEED", "STORY"}, "profile_activity": {"FEED", "STORY"},
	"replies": {"STORY"}, "navigation": {"STORY"},
	"ig_reels_avg_watch_time": {"REELS"}, "ig_reels_video_view_total_time": {"REELS"},
	"total_likes": {"FEED", "REELS"}, "total_comments": {"FEED", "REELS"}, "total_views": {"FEED", "REELS"},
}

var metricTitles = map[string]string{
	"post_media_view": "Media views", "post_total_media_view_unique": "Media viewers", "post_clicks": "Post clicks",
	"post_reactions_by_type_total": "Daily total post reactions by type", "reach": "Accounts reached", "views": "Views",
	"likes": "Likes", "comments": "Comments", "shares": "Shares", "saved": "Saved", "total_interactions": "Interactions",
}

func metricList(raw string) ([]string, *gErr) {
	ms := splitList(raw)
	if len(ms) == 0 {
		return nil, &gErr{status: 400, code: 3001, subcode: 1504028, typ: "OAuthException", msg: "(#3001) No metric was specified"}
	}
	return ms, nil
}

func (s *Sim) fbMetricValid(name string, now time.Time) bool {
	ret, ok := fbPostMetrics[name]
	return ok && !s.retired[name] && (ret.IsZero() || now.Before(ret))
}

func insightEntry(objID, name string, value any) map[string]any {
	title := metricTitles[name]
	if title == "" {
		title = name
	}
	return map[string]any{
		"name": name, "period": "lifetime", "values": []any{map[string]any{"value": value}},
		"title": title, "description": "Lifetime: " + title, "id": objID + "/insights/" + name + "/lifetime",
	}
}

// fbInsights renders a post's insights. One invalid name fails the whole call.
func (s *Sim) fbInsights(p *post, raw string, now time.Time) ([]any, *gErr) {
	ms, e := metricList(raw)
	if e != nil {
		return nil, e
	}
	for _, m := range ms {
		if !s.fbMetricValid(m, now) {
			return nil, errInvalidMetric
		}
	}
	data := []any{}
	if now.Sub(p.created) < s.opt.InsightsDelay {
		return data, nil
	}
	f := s.audience(p.id, p.kind, p.created, p.followers, now)
	if p.reel && s.opt.Quirks.ReelsInsightsOnVideo {
		// A Reel's post insights stay at zero: its figures are on
		// /{video-id}/video_insights.
		f = figures{reactions: map[string]int64{}}
	}
	for _, m := range ms {
		var v any
		switch m {
		case "post_media_view", "post_impressions":
			v = f.views
		case "post_total_media_view_unique", "post_impressions_unique":
			v = f.reach
		case "post_clicks":
			v = f.clicks
		case "post_clicks_by_type":
			v = map[string]int64{"other clicks": f.clicks * 6 / 10, "link clicks": f.clicks * 3 / 10, "photo view": f.clicks - f.clicks*9/10}
		case "post_reactions_by_type_total":
			r := map[string]int64{}
			for k, n := range f.reactions {
				if n > 0 {
					r[k] = n
				}
			}
			v = r
		case "post_activity_by_action_type":
			v = map[string]int64{"like": f.reactionTotal(), "comment": f.comments, "share": f.shares}
		case "post_video_views":
			if p.kind == fbVideo {
				v = f.views / 2
			} else {
				v = 0
			}
		default:
			if strings.HasPrefix(m, "post_reactions_") && strings.HasSuffix(m, "_total") {
				v = f.reactions[strings.TrimSuffix(strings.TrimPrefix(m, "post_reactions_"), "_total")]
			} else {
				v = 0
			}
		}
		data = append(data, insightEntry(p.id, m, v))
	}
	return data, nil
}

// igV22Removed are Instagram media metrics removed from v22 on.
var igV22Removed = map[string]bool{"impressions": true, "plays": true, "clips_replays_count": true,
	"ig_reels_aggregated_all_plays_count": true, "video_views": true}

// igMetricsValid fails on the first unknown or retired name, in Facebook's
// words or (Quirks.InstagramMetricWording) Instagram's. Lock held.
func (s *Sim) igMetricsValid(ms []string) *gErr {
	for i, name := range ms {
		if _, ok := igMediaMetrics[name]; ok && !s.retired[name] {
			continue
		}
		if !s.opt.Quirks.InstagramMetricWording {
			return errInvalidMetric
		}
		if igV22Removed[name] {
			return errInvalidParam("Starting from version 22 and above, the %s metric is no longer supported for this media. "+
				"Please refer to the documentation for the list of supported metrics.", name)
		}
		var valid []string
		for v := range igMediaMetrics {
			if !s.retired[v] {
				valid = append(valid, v)
			}
		}
		sort.Strings(valid)
		return errInvalidParam("metric[%d] must be one of the following values: %s", i, strings.Join(valid, ", "))
	}
	return nil
}

// errProductType rejects metrics unsuited to a media's product type, in
// one of Meta's two wordings (Quirks.ProductTypeWordings alternates by media).
func (s *Sim) errProductType(m *media, unsupported []string) *gErr {
	sort.Strings(unsupported)
	if s.opt.Quirks.ProductTypeWordings && s.unit(m.id, 11) < 0.5 {
		return errInvalidParam("The '%s' metric is not supported for this media product type.", unsupported[0])
	}
	return errInvalidParam("The Media Insights API does not support the %s metric for this media product type.", strings.Join(unsupported, ", "))
}

// igInsights renders a media's insights: an unknown or retired metric fails
// the whole call, and so does a metric the product type does not support,
// or a media posted before the account's conversion.
func (s *Sim) igInsights(m *media, raw string, now time.Time) ([]any, *gErr) {
	ms, e := metricList(raw)
	if e != nil {
		return nil, e
	}
	if e := s.igMetricsValid(ms); e != nil {
		return nil, e
	}
	var unsupported []string
	for _, name := range ms {
		if !contains(igMediaMetrics[name], m.productType) {
			unsupported = append(unsupported, name)
		}
	}
	if len(unsupported) > 0 {
		return nil, s.errProductType(m, unsupported)
	}
	if ig := s.igs[m.igID]; ig != nil && m.created.Before(ig.convertedAt) {
		return nil, errConvertedBefore()
	}
	data := []any{}
	if now.Sub(m.created) < s.opt.InsightsDelay {
		return data, nil
	}
	f := s.audience(m.id, m.kind, m.created, m.followers, now)
	for _, name := range ms {
		var v int64
		switch name {
		case "reach":
			v = f.reach
		case "views", "total_views":
			v = f.views
		case "likes", "total_likes":
			v = f.likes
		case "comments", "total_comments":
			v = f.comments
		case "shares":
			v = f.shares
		case "saved":
			v = f.saved
		case "replies":
			v = f.replies
		case "total_interactions":
			v = f.likes + f.comments + f.shares + f.saved + f.replies
		case "follows":
			v = f.reach / 500
		case "profile_visits":
			v = f.reach / 100
		case "profile_activity":
			v = f.reach / 80
		case "navigation":
			v = f.reach * 8 / 10
		case "ig_reels_avg_watch_time":
			v = 4000 + int64(s.unit(m.id, 7)*9000)
		case "ig_reels_video_view_total_time":
			v = f.views * 6000
		}
		data = append(data, insightEntry(m.id, name, v))
	}
	return data, nil
}

func (s *Sim) postInsights(q *rq, _ *token, id string) (any, *gErr) {
	data, e := s.fbInsights(s.posts[id], q.params.Get("metric"), s.now())
	if e != nil {
		return nil, e
	}
	return map[string]any{"data": data, "paging": map[string]any{}}, nil
}

func (s *Sim) mediaInsights(q *rq, _ *token, id string) (any, *gErr) {
	m := s.media[id]
	if m.kind == igItem {
		return nil, errInvalidParam("Insights are not available for carousel album children")
	}
	data, e := s.igInsights(m, q.params.Get("metric"), s.now())
	if e != nil {
		return nil, e
	}
	return map[string]any{"data": data}, nil
}

// RetireMetric makes an insights metric name invalid from now on, as Meta does.
func (s *Sim) RetireMetric(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retired[name] = true
}

// checkInsightsFields fails a listing whose insights expansion names an
// invalid metric, even when no item would be rendered. Lock held.
func (s *Sim) checkInsightsFields(fs []field, valid func(string, time.Time) bool) *gErr {
	now := s.now()
	for _, f := range fs {
		if f.name != "insights" {
			continue
		}
		ms, e := metricList(f.mods["metric"])
		if e != nil {
			return e
		}
		for _, m := range ms {
			if !valid(m, now) {
				return errInvalidMetric
			}
		}
	}
	return nil
}
