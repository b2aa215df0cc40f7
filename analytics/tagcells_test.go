package analytics_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/analytics/seed"
)

// TestTagCellsMatchPosts: over a generated data set, hashtag reports read
// from the hashtag cells (post_tag_cells) give the figures, order and
// limit of the same reports read post by post, for random periods
// (fragment edges, periods of a few days), methods, ages, platforms and
// limits; reports filtered by unit, channel, content type or campaign read
// the generation's post_tags (cells) or the posts table (posts) and agree
// too.
func TestTagCellsMatchPosts(t *testing.T) {
	ctx := context.Background()
	cells, posts, end := cellsAndPosts(t, 4)
	r := rand.New(rand.NewPCG(7, 8))
	first := end.AddDate(0, 0, -120).Truncate(24 * time.Hour)
	const n = 120
	read, nonEmpty, unitRows := 0, 0, 0
	for range n {
		raw := randomTagQuery(r, first, 125)
		q := query(t, raw)
		lvl, ok, err := cells.TagCellLevelOf(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			read++
		}
		want, err := posts.Hashtags(ctx, q)
		if err != nil {
			t.Fatalf("%s: posts: %v", raw, err)
		}
		got, err := cells.Hashtags(ctx, q)
		if err != nil {
			t.Fatalf("%s: cells (level %d): %v", raw, lvl, err)
		}
		if len(want.Rows) > 0 {
			nonEmpty++
			if q.Unit != 0 || q.Channel != 0 {
				unitRows++ // post_tags read by unit (0044)
			}
		}
		sameJSON(t, fmt.Sprintf("hashtags %s (cells %v, level %d)", raw, ok, lvl), got, want)
	}
	if read < n/2 {
		t.Errorf("only %d of %d hashtag reports read hashtag cells", read, n)
	}
	if nonEmpty < n/2 {
		t.Errorf("only %d of %d hashtag reports have rows: the comparison proves little", nonEmpty, n)
	}
	if unitRows < 5 {
		t.Errorf("only %d hashtag reports filtered by a unit or channel have rows", unitRows)
	}
	// The common hashtag reports read the cells; filtered ones the posts.
	for raw, wantOK := range map[string]bool{"": true, "platform=instagram&method=views": true, "age=7d&method=followers": true,
		"unit=3": false, "content_type=video": false, "campaign=" + seed.Campaigns[0]: false} {
		if _, ok, err := cells.TagCellLevelOf(ctx, query(t, raw+"&from=2025-01-01&to=2025-04-30")); err != nil || ok != wantOK {
			t.Errorf("%s: reads hashtag cells %v (%v), want %v", raw, ok, err, wantOK)
		}
	}
}

// randomTagQuery is a hashtag query over days days from first.
func randomTagQuery(r *rand.Rand, first time.Time, days int) string {
	v := url.Values{}
	n := 1 + r.IntN(days)
	if r.IntN(3) == 0 {
		n = 1 + r.IntN(20)
	}
	from := first.AddDate(0, 0, r.IntN(days-n+1))
	v.Set("from", from.Format(analytics.DateLayout))
	v.Set("to", from.AddDate(0, 0, n-1).Format(analytics.DateLayout))
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	v.Set("method", pick(analytics.Methods))
	v.Set("age", pick(analytics.Ages))
	v.Set("limit", strconv.Itoa(1+r.IntN(12)))
	if r.IntN(3) == 0 {
		v.Set("platform", pick(analytics.Platforms))
	}
	switch r.IntN(10) {
	case 0:
		v.Set("unit", strconv.Itoa(1+r.IntN(seed.Units)))
	case 1:
		v.Set("content_type", pick(seed.ContentTypes))
	case 2:
		v.Set("campaign", pick(seed.Campaigns))
	case 3: // a channel of any unit (seed: unit u has channels 10u and 10u+1)
		v.Set("channel", strconv.Itoa(10*(1+r.IntN(seed.Units))+r.IntN(2)))
	}
	return v.Encode()
}
