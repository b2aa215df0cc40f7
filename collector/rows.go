package collector

import (
	"reflect"
	"strings"
	"time"
)

// PostRow is one version of a platform post (ClickHouse posts).
type PostRow struct {
	Platform          string    `json:"platform" ch:"platform"`
	PostID            string    `json:"post_id" ch:"post_id"`
	ChannelID         uint64    `json:"channel_id" ch:"channel_id"`
	AccountID         string    `json:"account_id" ch:"account_id"`
	UnitID            uint64    `json:"unit_id" ch:"unit_id"`
	ContentType       string    `json:"content_type" ch:"content_type"`
	ContentTypeSource string    `json:"content_type_source" ch:"content_type_source"`
	MediaType         string    `json:"media_type" ch:"media_type"`
	MediaProductType  string    `json:"media_product_type" ch:"media_product_type"`
	Caption           string    `json:"caption" ch:"caption"`
	Hashtags          []string  `json:"hashtags" ch:"hashtags"`
	Campaign          string    `json:"campaign" ch:"campaign"`
	PublishedAt       time.Time `json:"published_at" ch:"published_at"`
	Permalink         string    `json:"permalink" ch:"permalink"`
	ThumbnailURL      string    `json:"thumbnail_url,omitempty" ch:"thumbnail_url"`
	HumasPostID       uint64    `json:"humas_post_id" ch:"humas_post_id"`
	DeliveryID        uint64    `json:"delivery_id" ch:"delivery_id"`
	UpdatedAt         time.Time `json:"updated_at" ch:"updated_at"`
	Version           uint64    `json:"version" ch:"version"`
}

// SnapshotRow is one post's figures in one collection slot (ClickHouse
// post_metrics). MetricFields[i] was read from Graph metric MetricSources[i].
type SnapshotRow struct {
	Slot          time.Time `json:"slot" ch:"slot"`
	CollectedAt   time.Time `json:"collected_at" ch:"collected_at"`
	Platform      string    `json:"platform" ch:"platform"`
	PostID        string    `json:"post_id" ch:"post_id"`
	ChannelID     uint64    `json:"channel_id" ch:"channel_id"`
	AccountID     string    `json:"account_id" ch:"account_id"`
	PublishedAt   time.Time `json:"published_at" ch:"published_at"`
	Reach         uint64    `json:"reach" ch:"reach" metric:"true"`
	Views         uint64    `json:"views" ch:"views" metric:"true"`
	Reactions     uint64    `json:"reactions" ch:"reactions" metric:"true"`
	Likes         uint64    `json:"likes" ch:"likes" metric:"true"`
	Comments      uint64    `json:"comments" ch:"comments" metric:"true"`
	Shares        uint64    `json:"shares" ch:"shares" metric:"true"`
	Saves         uint64    `json:"saves" ch:"saves" metric:"true"`
	Clicks        uint64    `json:"clicks" ch:"clicks" metric:"true"`
	VideoViews    uint64    `json:"video_views" ch:"video_views" metric:"true"`
	Interactions  uint64    `json:"interactions" ch:"interactions" metric:"true"`
	HasInsights   uint8     `json:"has_insights" ch:"has_insights" metric:"true"`
	MetricFields  []string  `json:"metric_fields" ch:"metric_fields"`
	MetricSources []string  `json:"metric_sources" ch:"metric_sources"`
	RunID         string    `json:"run_id" ch:"run_id"`
}

// AccountRow is a channel's follower count on a day (ClickHouse
// account_metrics).
type AccountRow struct {
	Day          time.Time `json:"day" ch:"day"`
	CollectedAt  time.Time `json:"collected_at" ch:"collected_at"`
	Platform     string    `json:"platform" ch:"platform"`
	ChannelID    uint64    `json:"channel_id" ch:"channel_id"`
	AccountID    string    `json:"account_id" ch:"account_id"`
	UnitID       uint64    `json:"unit_id" ch:"unit_id"`
	Followers    uint64    `json:"followers" ch:"followers"`
	MetricSource string    `json:"metric_source" ch:"metric_source"`
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

// The Go structs above are the one description of the collector's
// ClickHouse tables: their ch tags name the columns, the writer appends
// them column by column, the INSERT column lists below are derived from
// them, and TestRowStructsMatchTables compares them with the migrated
// tables (system.columns). A new metric is a field here, a column in a
// migration, and the read models that carry it (analytics' test lists
// where it is missing).
var (
	postColumns     = Columns[PostRow]()
	snapshotColumns = Columns[SnapshotRow]()
	accountColumns  = Columns[AccountRow]()
)

// ClickHouse statements; inserts list their columns (18.16 needs it).
var (
	qInsertPosts     = insertInto(TablePosts, postColumns)
	qInsertSnapshots = insertInto(TableSnapshots, snapshotColumns)
	qInsertAccounts  = insertInto(TableAccounts, accountColumns)
	qSelectPost      = `SELECT ` + strings.Join(postColumns, ", ") + `
FROM posts FINAL
WHERE platform = ? AND post_id = ?`
)

// The collector's ClickHouse tables.
const (
	TablePosts     = "posts"
	TableSnapshots = "post_metrics"
	TableAccounts  = "account_metrics"
)

// Columns lists the ClickHouse columns of a row struct: its fields' ch
// tags, in field order.
func Columns[T any]() []string {
	t := reflect.TypeFor[T]()
	var out []string
	for i := range t.NumField() {
		if c := t.Field(i).Tag.Get("ch"); c != "" && c != "-" {
			out = append(out, c)
		}
	}
	return out
}

// MetricColumns are the snapshot's figures (the fields tagged
// metric:"true"): what the read models carry and reports sum.
func MetricColumns() []string {
	t := reflect.TypeFor[SnapshotRow]()
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Tag.Get("metric") == "true" {
			out = append(out, f.Tag.Get("ch"))
		}
	}
	return out
}

func insertInto(table string, cols []string) string {
	return "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ")"
}
