package seed_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics/seed"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// The tables a seed writes, each read whole in one order, as their
// readers see them (FINAL: the row each ReplacingMergeTree keeps per key),
// which is what the bulk load must match. post_latest and post_at_age are
// read with their versions, so a fill that kept another snapshot differs.
var seededTables = []struct{ name, query string }{
	{"post_metrics", `SELECT slot, collected_at, platform, post_id, channel_id, account_id, published_at, reach, views, reactions,
    likes, comments, shares, saves, clicks, video_views, interactions, has_insights, metric_fields, metric_sources, run_id
FROM post_metrics FINAL ORDER BY platform, post_id, slot`},
	{"post_latest", `SELECT post_key, platform, post_id, published_at, snap_ver, channel_id, reach, views, reactions, likes, comments,
    shares, saves, clicks, video_views, interactions, has_insights
FROM post_latest FINAL ORDER BY post_key, platform, post_id`},
	{"post_at_age", `SELECT age, post_key, ver, reach, views, reactions, likes, comments, shares, saves, clicks, video_views,
    interactions, has_insights
FROM post_at_age FINAL ORDER BY age, post_key`},
	{"posts", `SELECT platform, post_id, channel_id, unit_id, content_type, campaign, published_at, caption FROM posts FINAL ORDER BY platform, post_id`},
	{"account_metrics", `SELECT day, channel_id, followers FROM account_metrics FINAL ORDER BY channel_id, day`},
}

// TestBulkMatchesViews seeds the same data set twice, through the views
// (as the collector writes) and by the bulk load (the default), and reads
// every table the seed writes from both: the bulk load leaves them as the
// views do. A second seed on top (humas seed --append) of the same posts
// with fewer snapshots each (so the staged latest snapshot is older than
// the one the tables hold) still matches.
func TestBulkMatchesViews(t *testing.T) {
	end := time.Date(2025, 6, 30, 23, 0, 0, 0, time.UTC)
	o := seed.Options{Posts: 700, Snapshots: 700 * 45, End: end, Days: 75, Batch: 5000, Seed: 11}

	viaViews, bulk := storetest.ClickHouse(t), storetest.ClickHouse(t)
	sv, sb := seedBoth(t, viaViews, bulk, o)
	if sv.Snapshots != 700*45 || sb.Snapshots != sv.Snapshots || sb.Posts != sv.Posts {
		t.Fatalf("seeded %+v through the views, %+v in bulk; want 31,500 snapshots and 700 posts each", sv, sb)
	}
	compareSeeded(t, viaViews, bulk)
	assertNoStaging(t, bulk)

	o.Snapshots = 700 * 20
	seedBoth(t, viaViews, bulk, o)
	compareSeeded(t, viaViews, bulk)
	assertNoStaging(t, bulk)
}

// TestBulkResume: a bulk load that fails after its fills keeps its staged
// snapshots and says where; post_metrics has none of them yet, and
// seed.Resume finishes the load as if it had not failed.
func TestBulkResume(t *testing.T) {
	ctx := context.Background()
	end := time.Date(2025, 6, 30, 23, 0, 0, 0, time.UTC)
	o := seed.Options{Posts: 400, Snapshots: 400 * 30, End: end, Days: 90, Batch: 5000, Seed: 5}
	viaViews, bulk := storetest.ClickHouse(t), storetest.ClickHouse(t)
	vo := o
	vo.Views = true
	if _, err := seed.Run(ctx, viaViews, vo); err != nil {
		t.Fatal(err)
	}

	restore := seed.SetFailAfterFill(func() error { return errors.New("the server went away") })
	_, err := seed.Run(ctx, bulk, o)
	restore()
	var se *seed.StagedError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), se.Table) || !strings.Contains(err.Error(), "the server went away") {
		t.Fatalf("a load failing after its fills: %v; want a StagedError naming its staging table and the cause", err)
	}
	if n := count(t, bulk, "SELECT count() FROM post_metrics"); n != 0 {
		t.Fatalf("post_metrics holds %d snapshots of the failed load, want none yet", n)
	}
	if n := count(t, bulk, "SELECT count() FROM "+se.Table); n != 400*30 {
		t.Fatalf("the staging table holds %d snapshots, want 12,000", n)
	}
	if err := seed.Resume(ctx, bulk, se.Table); err != nil {
		t.Fatal(err)
	}
	compareSeeded(t, viaViews, bulk)
	assertNoStaging(t, bulk)
	if n := count(t, bulk, "SELECT count() FROM post_metrics"); n != 400*30 {
		t.Fatalf("post_metrics holds %d rows after the resume, want 12,000 (each staged partition attached once)", n)
	}
	if err := seed.Resume(ctx, bulk, se.Table); err == nil || !strings.Contains(err.Error(), "no staging table") {
		t.Fatalf("resuming a finished load: %v, want an error saying the staging table is gone", err)
	}
	if err := seed.Resume(ctx, bulk, "posts; DROP TABLE posts"); err == nil || !strings.Contains(err.Error(), "not a staging table") {
		t.Fatalf("resuming with a name that is not a staging table's: %v", err)
	}
}

// seedBoth seeds o through the views into viaViews and in bulk into bulk.
func seedBoth(t *testing.T, viaViews, bulk *store.ClickHouse, o seed.Options) (seed.Stats, seed.Stats) {
	t.Helper()
	ctx := context.Background()
	vo := o
	vo.Views = true
	sv, err := seed.Run(ctx, viaViews, vo)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := seed.Run(ctx, bulk, o)
	if err != nil {
		t.Fatal(err)
	}
	if sv.Staged || !sb.Staged {
		t.Fatalf("staged: %v through the views, %v in bulk", sv.Staged, sb.Staged)
	}
	return sv, sb
}

func count(t *testing.T, ch *store.ClickHouse, q string) uint64 {
	t.Helper()
	var n uint64
	if err := ch.QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// compareSeeded reads every seeded table from a and b and fails on the
// first row that differs.
func compareSeeded(t *testing.T, a, b *store.ClickHouse) {
	t.Helper()
	for _, tb := range seededTables {
		ra, rb := readAll(t, a, tb.query), readAll(t, b, tb.query)
		if len(ra) == 0 {
			t.Fatalf("%s: no rows through the views", tb.name)
		}
		if len(ra) != len(rb) {
			t.Fatalf("%s: %d rows through the views, %d in bulk", tb.name, len(ra), len(rb))
		}
		for i := range ra {
			if ra[i] != rb[i] {
				t.Fatalf("%s row %d:\nviews %s\nbulk  %s", tb.name, i, ra[i], rb[i])
			}
		}
	}
}

// readAll reads query's rows, each as the text of its columns.
func readAll(t *testing.T, ch *store.ClickHouse, query string) []string {
	t.Helper()
	rows, err := ch.Query(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	types := rows.ColumnTypes()
	var out []string
	for rows.Next() {
		vals := make([]any, len(types))
		for i, ct := range types {
			vals[i] = newOf(ct.ScanType())
		}
		if err := rows.Scan(vals...); err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		for _, v := range vals {
			fmt.Fprintf(&sb, "%v|", deref(v))
		}
		out = append(out, sb.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// assertNoStaging fails when a staging table is left in ch's database.
func assertNoStaging(t *testing.T, ch *store.ClickHouse) {
	t.Helper()
	var n uint64
	if err := ch.QueryRow(context.Background(), `SELECT count() FROM system.tables WHERE database = ? AND name LIKE 'seed\_%'`,
		ch.Database()).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d staging tables left after the seed", n)
	}
}

func newOf(t reflect.Type) any { return reflect.New(t).Interface() }

func deref(v any) any { return reflect.ValueOf(v).Elem().Interface() }
