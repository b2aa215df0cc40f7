package analytics_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/analytics/seed"
	"github.com/humas-id/humas/store/storetest"
)

// cellsAndPosts seeds 1,500 posts over the 120 days to end (seed n) and
// returns two services over them: one reading the cells (refreshed), one
// reading the posts.
func cellsAndPosts(t *testing.T, n uint64) (cells, posts *analytics.Service, end time.Time) {
	t.Helper()
	ctx := context.Background()
	ch := storetest.ClickHouse(t)
	end = time.Date(2025, 4, 30, 23, 0, 0, 0, time.UTC)
	if _, err := seed.Run(ctx, ch, seed.Options{Posts: 1500, Snapshots: 1500 * 12, End: end, Days: 120, Batch: 10000, Seed: n}); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return end }
	cells, err := analytics.New(ch, analytics.Options{CacheTTL: -1, RefreshEvery: -1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := cells.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	posts, err = analytics.New(ch, analytics.Options{CacheTTL: -1, RefreshEvery: -1, NoCells: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return cells, posts, end
}

// TestCellsMatchPosts: over a generated data set, grouped reports read
// from the cells (post_cells) give the figures of the same reports read
// post by post, for random periods (fragment edges, weeks and months
// split across the period's ends), methods, ages, group-bys and filters;
// most of them do read cells.
func TestCellsMatchPosts(t *testing.T) {
	ctx := context.Background()
	cells, posts, end := cellsAndPosts(t, 3)
	r := rand.New(rand.NewPCG(5, 6))
	first := end.AddDate(0, 0, -120).Truncate(24 * time.Hour)
	read := 0
	const n = 160
	for i := range n {
		raw := randomQuery(r, first, 125)
		q := query(t, raw)
		lvl, ok, err := cells.CellLevelOf(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			read++
		}
		want, err := posts.Engagement(ctx, q)
		if err != nil {
			t.Fatalf("%s: posts: %v", raw, err)
		}
		got, err := cells.Engagement(ctx, q)
		if err != nil {
			t.Fatalf("%s: cells (level %d): %v", raw, lvl, err)
		}
		if len(want.Rows) == 0 && want.Totals.Posts == 0 && want.Previous.Totals.Posts == 0 && i%4 != 0 {
			continue
		}
		sameJSON(t, fmt.Sprintf("engagement %s (cells %v, level %d)", raw, ok, lvl), got, want)
		if i%4 == 0 {
			wantR, err := posts.RollUp(ctx, q)
			if err != nil {
				t.Fatalf("%s: posts roll-up: %v", raw, err)
			}
			gotR, err := cells.RollUp(ctx, q)
			if err != nil {
				t.Fatalf("%s: cells roll-up: %v", raw, err)
			}
			sameJSON(t, "roll-up "+raw, gotR, wantR)
		}
	}
	if read < n/2 {
		t.Errorf("only %d of %d reports read cells", read, n)
	}
	// The common reports read cells: by content type and week, by unit,
	// by channel, by campaign, filtered by platform.
	for _, raw := range []string{"group_by=content_type,week", "group_by=unit&method=followers", "group_by=channel&age=7d",
		"group_by=campaign&platform=instagram&method=views", "group_by=month&content_type=video&platform=facebook"} {
		if _, ok, err := cells.CellLevelOf(ctx, query(t, raw+"&from=2025-01-01&to=2025-04-30")); err != nil || !ok {
			t.Errorf("%s: reads cells %v (%v), want true", raw, ok, err)
		}
	}
}

// randomQuery is an engagement query over days days from first.
func randomQuery(r *rand.Rand, first time.Time, days int) string {
	v := url.Values{}
	n := 1 + r.IntN(days)
	if r.IntN(3) == 0 {
		n = 1 + r.IntN(20) // short: mostly days and split fragments
	}
	from := first.AddDate(0, 0, r.IntN(days-n+1))
	v.Set("from", from.Format(analytics.DateLayout))
	v.Set("to", from.AddDate(0, 0, n-1).Format(analytics.DateLayout))
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	v.Set("method", pick(analytics.Methods))
	v.Set("age", pick(analytics.Ages))
	keys := r.Perm(len(analytics.GroupKeys))[:1+r.IntN(3)]
	var gb []string
	for _, k := range keys {
		gb = append(gb, analytics.GroupKeys[k])
	}
	v.Set("group_by", strings.Join(gb, ","))
	if r.IntN(4) == 0 {
		v.Set("platform", pick(analytics.Platforms))
	}
	if r.IntN(4) == 0 {
		v.Set("unit", strconv.Itoa(1+r.IntN(seed.Units)))
	}
	if r.IntN(8) == 0 {
		v.Set("channel", strconv.Itoa(10*(1+r.IntN(seed.Units))+r.IntN(2)))
	}
	if r.IntN(5) == 0 {
		v.Set("content_type", pick(seed.ContentTypes))
	}
	if r.IntN(6) == 0 {
		v.Set("campaign", pick(seed.Campaigns))
	}
	return v.Encode()
}

// sameJSON compares two answers as JSON, numbers within 1e-9 (relative
// for large ones): sums of per-post rates may add in another order.
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	var g, w any
	for _, x := range []struct {
		v   any
		dst *any
	}{{got, &g}, {want, &w}} {
		b, err := json.Marshal(x.v)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, x.dst); err != nil {
			t.Fatal(err)
		}
	}
	if path, ok := jsonEqual("", g, w); !ok {
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		t.Fatalf("%s: differs at %s\ncells: %.2000s\nposts: %.2000s", what, path, gb, wb)
	}
}

func jsonEqual(path string, a, b any) (string, bool) {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return path, false
		}
		for k, v := range x {
			if p, ok := jsonEqual(path+"."+k, v, y[k]); !ok {
				return p, false
			}
		}
		return "", true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return path, false
		}
		for i := range x {
			if p, ok := jsonEqual(path+"["+strconv.Itoa(i)+"]", x[i], y[i]); !ok {
				return p, false
			}
		}
		return "", true
	case float64:
		y, ok := b.(float64)
		return path, ok && math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(y))
	default:
		return path, a == b
	}
}
