package meta

import (
	"errors"
	"fmt"
)

// MetricNames holds every insights metric name humas requests, in one place,
// so a rename by Meta is a configuration change. The zero value of a field
// means "use the default".
type MetricNames struct {
	FBReach           string `json:"fb_reach" yaml:"fb_reach"`                         // post_total_media_view_unique
	FBViews           string `json:"fb_views" yaml:"fb_views"`                         // post_media_view
	FBClicks          string `json:"fb_clicks" yaml:"fb_clicks"`                       // post_clicks
	FBReactionsByType string `json:"fb_reactions_by_type" yaml:"fb_reactions_by_type"` // post_reactions_by_type_total
	// FBActivity (post_activity_by_action_type: like, comment, share) is
	// asked only when the reaction and comment summaries are refused.
	FBActivity string `json:"fb_activity_by_type" yaml:"fb_activity_by_type"`
	// Facebook Reels report on /{video-id}/video_insights, not in post
	// insights: plays (blue_reels_play_count) and plays with replays
	// (fb_reels_total_plays).
	FBReelPlays      string `json:"fb_reel_plays" yaml:"fb_reel_plays"`
	FBReelTotalPlays string `json:"fb_reel_total_plays" yaml:"fb_reel_total_plays"`

	IGReach             string `json:"ig_reach" yaml:"ig_reach"`
	IGViews             string `json:"ig_views" yaml:"ig_views"`
	IGLikes             string `json:"ig_likes" yaml:"ig_likes"`
	IGComments          string `json:"ig_comments" yaml:"ig_comments"`
	IGShares            string `json:"ig_shares" yaml:"ig_shares"`
	IGSaved             string `json:"ig_saved" yaml:"ig_saved"`
	IGTotalInteractions string `json:"ig_total_interactions" yaml:"ig_total_interactions"`
}

// DefaultMetricNames returns the current Graph API metric names (v24/v25).
func DefaultMetricNames() MetricNames {
	return MetricNames{
		FBReach:             "post_total_media_view_unique",
		FBViews:             "post_media_view",
		FBClicks:            "post_clicks",
		FBReactionsByType:   "post_reactions_by_type_total",
		FBActivity:          "post_activity_by_action_type",
		FBReelPlays:         "blue_reels_play_count",
		FBReelTotalPlays:    "fb_reels_total_plays",
		IGReach:             "reach",
		IGViews:             "views",
		IGLikes:             "likes",
		IGComments:          "comments",
		IGShares:            "shares",
		IGSaved:             "saved",
		IGTotalInteractions: "total_interactions",
	}
}

// WithDefaults fills empty fields from DefaultMetricNames.
func (m MetricNames) WithDefaults() MetricNames {
	d := DefaultMetricNames()
	fill := func(dst *string, def string) {
		if *dst == "" {
			*dst = def
		}
	}
	fill(&m.FBReach, d.FBReach)
	fill(&m.FBViews, d.FBViews)
	fill(&m.FBClicks, d.FBClicks)
	fill(&m.FBReactionsByType, d.FBReactionsByType)
	fill(&m.FBActivity, d.FBActivity)
	fill(&m.FBReelPlays, d.FBReelPlays)
	fill(&m.FBReelTotalPlays, d.FBReelTotalPlays)
	fill(&m.IGReach, d.IGReach)
	fill(&m.IGViews, d.IGViews)
	fill(&m.IGLikes, d.IGLikes)
	fill(&m.IGComments, d.IGComments)
	fill(&m.IGShares, d.IGShares)
	fill(&m.IGSaved, d.IGSaved)
	fill(&m.IGTotalInteractions, d.IGTotalInteractions)
	return m
}

// Validate rejects names that would break a metric(...) list.
func (m MetricNames) Validate() error {
	var errs []error
	for _, n := range append(append(m.FB(), m.FBActivity, m.FBReelPlays, m.FBReelTotalPlays), m.IG(igFeed)...) {
		for _, r := range n {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
				errs = append(errs, fmt.Errorf("metric name %q: only a-z, 0-9 and _ allowed", n))
				break
			}
		}
	}
	return errors.Join(errs...)
}

// FB lists the Facebook post metrics in request order.
func (m MetricNames) FB() []string {
	return []string{m.FBViews, m.FBReach, m.FBClicks, m.FBReactionsByType}
}

// Instagram media product types, as media_product_type reports them.
const (
	igFeed  = "FEED"
	igReels = "REELS"
	igStory = "STORY"
	igAd    = "AD"
)

// IG lists the Instagram media metrics that suit a media_product_type
// (FEED, REELS or STORY): likes, comments and saved are not available for
// stories.
func (m MetricNames) IG(productType string) []string {
	if productType == igStory {
		return []string{m.IGReach, m.IGViews, m.IGShares, m.IGTotalInteractions}
	}
	return []string{m.IGReach, m.IGViews, m.IGLikes, m.IGComments, m.IGShares, m.IGSaved, m.IGTotalInteractions}
}
