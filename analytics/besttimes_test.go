package analytics_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/store/storetest"
)

// TestBestTimesMedian: each cell's median engagement rate, taken in
// ClickHouse, is the middle rate of the sorted rates or the mean of the
// two middle ones, over the posts with a non-zero denominator only; on
// the live path and the read model.
func TestBestTimesMedian(t *testing.T) {
	ch := storetest.ClickHouse(t)
	// Mondays 3, 10, 17, 24 and 31 March 2025; hour h WIB is h-7 UTC.
	cases := []struct {
		hour  int
		rates [][2]uint64 // interactions, reach
		want  *float64
		rated int
	}{
		{9, [][2]uint64{{5, 100}}, ptr(0.05), 1},
		{10, [][2]uint64{{30, 100}, {10, 100}}, ptr(0.2), 2},                                 // (0.1 + 0.3) / 2
		{11, [][2]uint64{{7, 100}, {1, 100}, {3, 100}}, ptr(0.03), 3},                        // 0.01 0.03 0.07
		{12, [][2]uint64{{4, 100}, {1, 100}, {2, 100}, {8, 100}}, ptr((0.02 + 0.04) / 2), 4}, // 0.01 0.02 0.04 0.08
		{13, [][2]uint64{{9, 100}, {5, 0}, {1, 100}}, ptr((0.01 + 0.09) / 2), 2},             // zero reach: not rated
		{14, [][2]uint64{{5, 0}, {6, 0}}, nil, 0},
		{15, [][2]uint64{{3, 300}, {1, 50}, {2, 40}, {3, 30}, {1, 1000}}, ptr(0.02), 5}, // 0.001 0.01 0.02 0.05 0.1
		{16, [][2]uint64{{0, 100}, {0, 50}, {7, 0}}, ptr(0), 2},                         // zero rates: +0, never -0
		{17, [][2]uint64{{1, 3}, {2, 3}, {1, 7}, {2, 9}}, ptr((2.0/9 + 1.0/3) / 2), 4},  // rates without an exact sum (five Mondays: at most five posts)
	}
	var posts []fxPost
	var snaps []fxSnap
	for _, c := range cases {
		for i, r := range c.rates {
			id := fmt.Sprintf("h%d_%d", c.hour, i)
			pub := time.Date(2025, 3, 3+7*i, c.hour-7, 15, 0, 0, time.UTC)
			posts = append(posts, fxPost{platform: "facebook", id: id, contentType: "photo", channel: 1, unit: 1, published: pub})
			snaps = append(snaps, fxSnap{platform: "facebook", id: id, channel: 1, published: pub, slot: pub.Add(48 * time.Hour),
				reach: r[1], views: r[1], inter: r[0], insights: true})
		}
	}
	insertPosts(t, ch, posts...)
	insertSnaps(t, ch, snaps...)
	live := newService(t, ch)
	model := newService(t, ch)
	if err := model.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	for name, svc := range map[string]*analytics.Service{"live": live, "read model": model} {
		t.Run(name, func(t *testing.T) {
			rep, err := svc.BestTimes(context.Background(), query(t, "from=2025-03-01&to=2025-03-31"))
			if err != nil {
				t.Fatal(err)
			}
			got := map[int]analytics.BestTimeCell{}
			for _, c := range rep.Cells {
				if c.Weekday != 1 {
					t.Errorf("cell on weekday %d, want Monday only: %+v", c.Weekday, c)
				}
				got[c.Hour] = c
			}
			if len(got) != len(cases) {
				t.Fatalf("%d cells, want %d: %+v", len(got), len(cases), rep.Cells)
			}
			for _, c := range cases {
				g := got[c.hour]
				if g.Posts != len(c.rates) || g.RatedPosts != c.rated || g.TooFew != (len(c.rates) < analytics.MinPostsPerCell) {
					t.Errorf("%02d:00: %+v, want %d posts, %d rated", c.hour, g, len(c.rates), c.rated)
				}
				checkRate(t, fmt.Sprintf("%02d:00 median", c.hour), g.MedianEngagementRate, c.want)
				// Bit for bit the float64 median: the middle rate, or
				// (lower + upper) / 2 of the two middle ones.
				var rates []float64
				for _, r := range c.rates {
					if r[1] > 0 {
						rates = append(rates, float64(r[0])/float64(r[1]))
					}
				}
				slices.Sort(rates)
				if n := len(rates); n > 0 {
					exact := (rates[(n-1)/2] + rates[n/2]) / 2
					if m := g.MedianEngagementRate; m == nil || math.Float64bits(*m) != math.Float64bits(exact) {
						t.Errorf("%02d:00 median %v, want exactly %v", c.hour, fmtp(m), exact)
					}
				}
			}
		})
	}
}
