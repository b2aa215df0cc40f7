package collector

import "time"

// PostRow is one version of a platform post (ClickHouse posts).
type PostRow struct {
	Platform          string    `json:"platform"`
	PostID            string    `json:"post_id"`
	ChannelID         uint64    `json:"channel_id"`
	AccountID         string    `json:"account_id"`
	UnitID            uint64    `json:"unit_id"`
	ContentType       string    `json:"content_type"`
	ContentTypeSource string    `json:"content_type_source"`
	MediaType         string    `json:"media_type"`
	MediaProductType  string    `json:"media_product_type"`
	Caption           string    `json:"caption"`
	Hashtags          []string  `json:"hashtags"`
	Campaign          string    `json:"campaign"`
	PublishedAt       time.Time `json:"published_at"`
	Permalink         string    `json:"permalink"`
	ThumbnailURL      string    `json:"thumbnail_url,omitempty"`
	HumasPostID       uint64    `json:"humas_post_id"`
	DeliveryID        uint64    `json:"delivery_id"`
	UpdatedAt         time.Time `json:"updated_at"`
	Version           uint64    `json:"version"`
}

// SnapshotRow is one post's figures in one collection slot (ClickHouse
// post_metrics). MetricFields[i] was read from Graph metric MetricSources[i].
type SnapshotRow struct {
	Slot          time.Time `json:"slot"`
	CollectedAt   time.Time `json:"collected_at"`
	Platform      string    `json:"platform"`
	PostID        string    `json:"post_id"`
	ChannelID     uint64    `json:"channel_id"`
	AccountID     string    `json:"account_id"`
	PublishedAt   time.Time `json:"published_at"`
	Reach         uint64    `json:"reach"`
	Views         uint64    `json:"views"`
	Reactions     uint64    `json:"reactions"`
	Likes         uint64    `json:"likes"`
	Comments      uint64    `json:"comments"`
	Shares        uint64    `json:"shares"`
	Saves         uint64    `json:"saves"`
	Clicks        uint64    `json:"clicks"`
	VideoViews    uint64    `json:"video_views"`
	Interactions  uint64    `json:"interactions"`
	HasInsights   uint8     `json:"has_insights"`
	MetricFields  []string  `json:"metric_fields"`
	MetricSources []string  `json:"metric_sources"`
	RunID         string    `json:"run_id"`
}

// AccountRow is a channel's follower count on a day (ClickHouse
// account_metrics).
type AccountRow struct {
	Day          time.Time `json:"day"`
	CollectedAt  time.Time `json:"collected_at"`
	Platform     string    `json:"platform"`
	ChannelID    uint64    `json:"channel_id"`
	AccountID    string    `json:"account_id"`
	UnitID       uint64    `json:"unit_id"`
	Followers    uint64    `json:"followers"`
	MetricSource string    `json:"metric_source"`
}

// Batch is a set of rows written together, and the unit the on-disk buffer
// keeps while ClickHouse is away.
type Batch struct {
	Posts     []PostRow     `json:"posts,omitempty"`
	Snapshots []SnapshotRow `json:"snapshots,omitempty"`
	Accounts  []AccountRow  `json:"accounts,omitempty"`
}

// Rows is the number of rows in b.
func (b Batch) Rows() int { return len(b.Posts) + len(b.Snapshots) + len(b.Accounts) }

func (b *Batch) add(o Batch) {
	b.Posts = append(b.Posts, o.Posts...)
	b.Snapshots = append(b.Snapshots, o.Snapshots...)
	b.Accounts = append(b.Accounts, o.Accounts...)
}

// ClickHouse statements; inserts list their columns (18.16 needs it).
const (
	qInsertPosts = `INSERT INTO posts (platform, post_id, channel_id, account_id, unit_id, content_type,
 content_type_source, media_type, media_product_type, caption, hashtags, campaign, published_at, permalink,
 humas_post_id, delivery_id, updated_at, version, thumbnail_url)`
	qInsertSnapshots = `INSERT INTO post_metrics (slot, collected_at, platform, post_id, channel_id, account_id,
 published_at, reach, views, reactions, likes, comments, shares, saves, clicks, video_views, interactions,
 has_insights, metric_fields, metric_sources, run_id)`
	qInsertAccounts = `INSERT INTO account_metrics (day, collected_at, platform, channel_id, account_id, unit_id,
 followers, metric_source)`
	qSelectPost = `SELECT platform, post_id, channel_id, account_id, unit_id, content_type, content_type_source,
 media_type, media_product_type, caption, hashtags, campaign, published_at, permalink, humas_post_id,
 delivery_id, updated_at, version, thumbnail_url
FROM posts FINAL
WHERE platform = ? AND post_id = ?`
)
