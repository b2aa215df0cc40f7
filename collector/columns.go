package collector

import (
	"reflect"
	"time"
)

// snapshotColumnSlices is columnSlices for SnapshotRow written out by
// hand: the snapshot table takes nearly every row the collector writes,
// and building its columns through reflection was a fifth of the client's
// CPU per row (BenchmarkIngest's profile). TestSnapshotColumnSlices keeps
// it equal to columnSlices (fields, order and values), so a field added
// to SnapshotRow and not here fails the test.
func snapshotColumnSlices(rows []SnapshotRow) []any {
	n := len(rows)
	var (
		slot, collected, published                              = make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
		platform, postID, accountID, runID                      = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		channelID                                               = make([]uint64, n)
		reach, views, reactions, likes, comments, shares, saves = make([]uint64, n), make([]uint64, n), make([]uint64, n), make([]uint64, n), make([]uint64, n), make([]uint64, n), make([]uint64, n)
		clicks, videoViews, interactions                        = make([]uint64, n), make([]uint64, n), make([]uint64, n)
		hasInsights                                             = make([]uint8, n)
		fields, sources                                         = make([][]string, n), make([][]string, n)
	)
	for i := range rows {
		r := &rows[i]
		slot[i], collected[i], published[i] = r.Slot, r.CollectedAt, r.PublishedAt
		platform[i], postID[i], accountID[i], runID[i] = r.Platform, r.PostID, r.AccountID, r.RunID
		channelID[i] = r.ChannelID
		reach[i], views[i], reactions[i], likes[i], comments[i], shares[i], saves[i] = r.Reach, r.Views, r.Reactions, r.Likes, r.Comments, r.Shares, r.Saves
		clicks[i], videoViews[i], interactions[i] = r.Clicks, r.VideoViews, r.Interactions
		hasInsights[i] = r.HasInsights
		fields[i], sources[i] = r.MetricFields, r.MetricSources
	}
	return []any{slot, collected, platform, postID, channelID, accountID, published, reach, views, reactions, likes,
		comments, shares, saves, clicks, videoViews, interactions, hasInsights, fields, sources, runID}
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
