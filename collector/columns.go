package collector

import (
	"reflect"
	"time"
)

// insertChunk is how many rows insertRows turns into column slices at a
// time: each chunk is appended to the batch's columns (which copy it),
// so the slices of one chunk serve the next and an insert holds its rows
// twice (the rows and the driver's columns), not three times.
const insertChunk = 8192

// snapshotColumnBuilder builds SnapshotRow's column slices by hand, reusing
// them from one chunk to the next: the snapshot table takes nearly every
// row the collector writes, and building its columns through reflection
// was a fifth of the client's CPU per row (BenchmarkIngest's profile).
// TestSnapshotColumnSlices keeps it equal to columnSlices (fields, order
// and values), so a field added to SnapshotRow and not here fails it.
type snapshotColumnBuilder struct {
	slot, collected, published                              []time.Time
	platform, postID, accountID, runID                      []string
	channelID                                               []uint64
	reach, views, reactions, likes, comments, shares, saves []uint64
	clicks, videoViews, interactions                        []uint64
	hasInsights                                             []uint8
	fields, sources                                         [][]string
}

// columns returns the column slices of rows, in the order of
// Columns[SnapshotRow]; they are valid until the next call.
func (c *snapshotColumnBuilder) columns(rows []SnapshotRow) []any {
	return c.fill(len(rows), func(i int) *SnapshotRow { return &rows[i] })
}

// refs is columns of *rows[0], *rows[1], …
func (c *snapshotColumnBuilder) refs(rows []*SnapshotRow) []any {
	return c.fill(len(rows), func(i int) *SnapshotRow { return rows[i] })
}

func (c *snapshotColumnBuilder) fill(n int, row func(int) *SnapshotRow) []any {
	c.slot, c.collected, c.published = resize(c.slot, n), resize(c.collected, n), resize(c.published, n)
	c.platform, c.postID, c.accountID, c.runID = resize(c.platform, n), resize(c.postID, n), resize(c.accountID, n), resize(c.runID, n)
	c.channelID = resize(c.channelID, n)
	c.reach, c.views, c.reactions, c.likes = resize(c.reach, n), resize(c.views, n), resize(c.reactions, n), resize(c.likes, n)
	c.comments, c.shares, c.saves = resize(c.comments, n), resize(c.shares, n), resize(c.saves, n)
	c.clicks, c.videoViews, c.interactions = resize(c.clicks, n), resize(c.videoViews, n), resize(c.interactions, n)
	c.hasInsights = resize(c.hasInsights, n)
	c.fields, c.sources = resize(c.fields, n), resize(c.sources, n)
	for i := range n {
		r := row(i)
		c.slot[i], c.collected[i], c.published[i] = r.Slot, r.CollectedAt, r.PublishedAt
		c.platform[i], c.postID[i], c.accountID[i], c.runID[i] = r.Platform, r.PostID, r.AccountID, r.RunID
		c.channelID[i] = r.ChannelID
		c.reach[i], c.views[i], c.reactions[i], c.likes[i] = r.Reach, r.Views, r.Reactions, r.Likes
		c.comments[i], c.shares[i], c.saves[i] = r.Comments, r.Shares, r.Saves
		c.clicks[i], c.videoViews[i], c.interactions[i] = r.Clicks, r.VideoViews, r.Interactions
		c.hasInsights[i] = r.HasInsights
		c.fields[i], c.sources[i] = r.MetricFields, r.MetricSources
	}
	return []any{c.slot, c.collected, c.platform, c.postID, c.channelID, c.accountID, c.published, c.reach, c.views,
		c.reactions, c.likes, c.comments, c.shares, c.saves, c.clicks, c.videoViews, c.interactions, c.hasInsights,
		c.fields, c.sources, c.runID}
}

// sliceColumns is the insertRows column source of rows, built by cols.
func sliceColumns[T any](rows []T, cols func([]T) []any) func(lo, hi int) []any {
	return func(lo, hi int) []any { return cols(rows[lo:hi]) }
}

// snapshotSource is the insertRows column source of rows (a builder
// of its own: sources run at once).
func snapshotSource(rows []SnapshotRow) func(lo, hi int) []any {
	return sliceColumns(rows, new(snapshotColumnBuilder).columns)
}

// snapshotRefSource is the insertRows column source of *rows[0],
// *rows[1], … (the writer's pending rows, or a part of them split by post).
func snapshotRefSource(rows []*SnapshotRow) func(lo, hi int) []any {
	c := new(snapshotColumnBuilder)
	return func(lo, hi int) []any { return c.refs(rows[lo:hi]) }
}

// resize is s with length n, reusing its array when it is large enough.
func resize[E any](s []E, n int) []E {
	if cap(s) < n {
		return make([]E, n)
	}
	return s[:n]
}

// columnSlices turns rows into one slice per ch-tagged field ([]time.Time,
// []uint64, [][]string, …), in the order of Columns[T].
func columnSlices[T any](rows []T) []any {
	t := reflect.TypeFor[T]()
	v := reflect.ValueOf(rows)
	var out []any
	for f := range t.NumField() {
		if c := t.Field(f).Tag.Get("ch"); c == "" || c == "-" {
			continue
		}
		col := reflect.MakeSlice(reflect.SliceOf(t.Field(f).Type), len(rows), len(rows))
		for r := range rows {
			col.Index(r).Set(v.Index(r).Field(f))
		}
		out = append(out, col.Interface())
	}
	return out
}
