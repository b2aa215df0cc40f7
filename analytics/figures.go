package analytics

// Figures are the sums and rates of a group of posts.
type Figures struct {
	Posts        uint64 `json:"posts"`
	Reach        uint64 `json:"reach"`
	Views        uint64 `json:"views"`
	Interactions uint64 `json:"interactions"`
	Reactions    uint64 `json:"reactions"`
	Likes        uint64 `json:"likes"`
	Comments     uint64 `json:"comments"`
	Shares       uint64 `json:"shares"`
	Saves        uint64 `json:"saves"`
	Clicks       uint64 `json:"clicks"`
	VideoViews   uint64 `json:"video_views"`
	// RatedPosts have a non-zero denominator (reach, views or followers).
	RatedPosts uint64 `json:"rated_posts"`
	// EngagementRate is a fraction (0.0123 is 1.23%); null without a
	// rated post.
	EngagementRate *float64 `json:"engagement_rate"`
	// AvgPostEngagementRate is the mean of per-post rates over rated posts.
	AvgPostEngagementRate *float64 `json:"avg_post_engagement_rate"`

	ratedInteractions uint64
	denominator       uint64
	rateSum           float64
}

// figureRow is how ClickHouse returns qFigures.
type figureRow struct {
	Posts             uint64
	Reach             uint64
	Views             uint64
	Interactions      uint64
	Reactions         uint64
	Likes             uint64
	Comments          uint64
	Shares            uint64
	Saves             uint64
	Clicks            uint64
	VideoViews        uint64
	Rated             uint64
	RatedInteractions uint64
	Den               uint64
	RateSum           float64
}

func (r *figureRow) dest() []any {
	return []any{&r.Posts, &r.Reach, &r.Views, &r.Interactions, &r.Reactions, &r.Likes, &r.Comments, &r.Shares,
		&r.Saves, &r.Clicks, &r.VideoViews, &r.Rated, &r.RatedInteractions, &r.Den, &r.RateSum}
}

func (r figureRow) figures() Figures {
	return Figures{Posts: r.Posts, Reach: r.Reach, Views: r.Views, Interactions: r.Interactions, Reactions: r.Reactions,
		Likes: r.Likes, Comments: r.Comments, Shares: r.Shares, Saves: r.Saves, Clicks: r.Clicks, VideoViews: r.VideoViews,
		RatedPosts: r.Rated, ratedInteractions: r.RatedInteractions, denominator: r.Den, rateSum: r.RateSum}
}

// add accumulates o into f (rates are recomputed by finish).
func (f *Figures) add(o Figures) {
	f.Posts += o.Posts
	f.Reach += o.Reach
	f.Views += o.Views
	f.Interactions += o.Interactions
	f.Reactions += o.Reactions
	f.Likes += o.Likes
	f.Comments += o.Comments
	f.Shares += o.Shares
	f.Saves += o.Saves
	f.Clicks += o.Clicks
	f.VideoViews += o.VideoViews
	f.RatedPosts += o.RatedPosts
	f.ratedInteractions += o.ratedInteractions
	f.denominator += o.denominator
	f.rateSum += o.rateSum
}

// finish sets the rates: by reach or views, Σ interactions ÷ Σ
// denominator over rated posts; by followers, the mean of per-post rates.
func (f *Figures) finish(method string) {
	f.EngagementRate, f.AvgPostEngagementRate = nil, nil
	if f.RatedPosts == 0 {
		return
	}
	avg := f.rateSum / float64(f.RatedPosts)
	f.AvgPostEngagementRate = &avg
	if method == "followers" {
		er := avg
		f.EngagementRate = &er
		return
	}
	if f.denominator > 0 {
		er := float64(f.ratedInteractions) / float64(f.denominator)
		f.EngagementRate = &er
	}
}

// Change compares a period with the one before it.
type Change struct {
	// Relative changes ((now - before) ÷ before); null when before is 0.
	Posts        *float64 `json:"posts"`
	Reach        *float64 `json:"reach"`
	Views        *float64 `json:"views"`
	Interactions *float64 `json:"interactions"`
	// EngagementRate is the difference in rate (now - before), a fraction
	// of one: 0.002 means 0.2 percentage points.
	EngagementRate *float64 `json:"engagement_rate"`
	// EngagementRateRelative is (now - before) ÷ before.
	EngagementRateRelative *float64 `json:"engagement_rate_relative"`
}

func relative(now, before float64) *float64 {
	if before == 0 {
		return nil
	}
	v := (now - before) / before
	return &v
}

func change(now, before Figures) Change {
	c := Change{
		Posts:        relative(float64(now.Posts), float64(before.Posts)),
		Reach:        relative(float64(now.Reach), float64(before.Reach)),
		Views:        relative(float64(now.Views), float64(before.Views)),
		Interactions: relative(float64(now.Interactions), float64(before.Interactions)),
	}
	if now.EngagementRate != nil && before.EngagementRate != nil {
		d := *now.EngagementRate - *before.EngagementRate
		c.EngagementRate = &d
		c.EngagementRateRelative = relative(*now.EngagementRate, *before.EngagementRate)
	}
	return c
}
