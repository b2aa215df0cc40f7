package analytics_test

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/store/storetest"
)

// TestFollowersOnLocalDay: method=followers divides by the channel's
// followers on the post's publish day in the report's time zone, which
// can be the UTC day before (west of UTC), the day itself, or the day
// after (east). The read model keeps the three days per post
// (store/chmigrations/0042); the live path joins account_metrics. Each
// path must pick the same day.
func TestFollowersOnLocalDay(t *testing.T) {
	ch := storetest.ClickHouse(t)
	insertUnits(t, ch,
		fxUnit{5, 0, "Dinas Honolulu", "Pacific/Honolulu", []uint64{5}},     // UTC−10
		fxUnit{6, 0, "Dinas Kiritimati", "Pacific/Kiritimati", []uint64{6}}, // UTC+14
	)
	insertChannels(t, ch, [3]any{uint64(13), "facebook", uint64(5)}, [3]any{uint64(14), "facebook", uint64(6)})
	p1, p2, p3, p4 := utc("2025-03-03 05:00"), utc("2025-03-03 12:00"), utc("2025-03-10 12:00"), utc("2025-03-20 12:00")
	insertPosts(t, ch,
		fxPost{platform: "facebook", id: "P1", contentType: "photo", channel: 13, unit: 5, published: p1},
		fxPost{platform: "facebook", id: "P2", contentType: "photo", channel: 14, unit: 6, published: p2},
		fxPost{platform: "facebook", id: "P3", contentType: "video", channel: 13, unit: 5, published: p3},
		// P4's publish day has no follower count in any zone (the days
		// around it have): it is not rated.
		fxPost{platform: "facebook", id: "P4", contentType: "video", channel: 13, unit: 5, published: p4},
	)
	snap := func(id string, channel uint64, pub time.Time, inter uint64) fxSnap {
		return fxSnap{platform: "facebook", id: id, channel: channel, published: pub, slot: pub.Add(24 * time.Hour),
			reach: 100, views: 100, inter: inter, reactions: inter, insights: true}
	}
	insertSnaps(t, ch, snap("P1", 13, p1, 10), snap("P2", 14, p2, 10), snap("P3", 13, p3, 80), snap("P4", 13, p4, 5))
	insertFollowers(t, ch, 13, 5, "facebook", map[string]uint64{"2025-03-02": 1000, "2025-03-03": 2000,
		"2025-03-09": 3000, "2025-03-10": 4000, "2025-03-11": 8000, "2025-03-19": 100, "2025-03-21": 100})
	insertFollowers(t, ch, 14, 6, "facebook", map[string]uint64{"2025-03-03": 500, "2025-03-04": 250})
	// A later collection of the same day wins, on every path.
	insertFollowersAt(t, ch, 14, 6, "2025-03-04", utc("2025-03-04 23:00"), 200)

	cases := []struct {
		name, query  string
		posts, rated uint64
		rate         float64 // ER by followers: the mean of the per-post rates
	}{
		// Honolulu: P1 is 2 March 19:00 local (1,000 followers), P3 is
		// 10 March 02:00 (4,000).
		{"west of UTC: the UTC day before", "from=2025-03-01&to=2025-03-31&method=followers&unit=5", 3, 2,
			(10.0/1000 + 80.0/4000) / 2},
		// Kiritimati: P2 is 4 March 02:00 local (200, the later collection).
		{"east of UTC: the UTC day after", "from=2025-03-01&to=2025-03-31&method=followers&unit=6", 1, 1, 10.0 / 200},
		// Jakarta (the default zone, UTC+7): P1 3 March 12:00 (2,000), P3
		// 10 March 19:00 (4,000).
		{"the UTC day itself", "from=2025-03-01&to=2025-03-31&method=followers&channel=13", 3, 2,
			(10.0/2000 + 80.0/4000) / 2},
	}
	engagement := func(t *testing.T, svc *analytics.Service) {
		for _, c := range cases {
			rep, err := svc.Engagement(context.Background(), query(t, c.query+"&group_by=content_type"))
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if rep.Totals.Posts != c.posts || rep.Totals.RatedPosts != c.rated {
				t.Errorf("%s: %d posts, %d rated; want %d, %d", c.name, rep.Totals.Posts, rep.Totals.RatedPosts, c.posts, c.rated)
			}
			for _, r := range []struct {
				label string
				got   *float64
				want  float64
			}{{"engagement_rate", rep.Totals.EngagementRate, c.rate}, {"avg_post_engagement_rate", rep.Totals.AvgPostEngagementRate, c.rate}} {
				if r.got == nil || math.Abs(*r.got-r.want) > 1e-12 {
					t.Errorf("%s: %s = %v, want %v", c.name, r.label, fmtp(r.got), r.want)
				}
			}
		}
	}
	// Top posts by the same rates (two steps on the read model: keys,
	// then rows); P4 has no rate and is left out.
	tops := []struct{ query, want string }{
		{"unit=5&sort=engagement_rate", "P3 0.02,P1 0.01"},
		{"unit=5&sort=engagement_rate&order=asc&limit=1", "P1 0.01"},
		{"channel=13&sort=engagement_rate", "P3 0.02,P1 0.005"},
		{"unit=6&sort=reach", "P2 0.05"},
		{"channel=13&sort=interactions&order=asc", "P4 -,P1 0.005,P3 0.02"},
	}
	top := func(t *testing.T, svc *analytics.Service) {
		for _, c := range tops {
			rep, err := svc.TopPosts(context.Background(), query(t, "from=2025-03-01&to=2025-03-31&method=followers&"+c.query))
			if err != nil {
				t.Fatalf("%s: %v", c.query, err)
			}
			var got []string
			for _, p := range rep.Posts {
				r := "-"
				if p.EngagementRate != nil {
					r = strconv.FormatFloat(*p.EngagementRate, 'g', -1, 64)
				}
				got = append(got, p.PostID+" "+r)
			}
			if g := strings.Join(got, ","); g != c.want {
				t.Errorf("top posts %s: %s, want %s", c.query, g, c.want)
			}
		}
	}
	run := func(t *testing.T, svc *analytics.Service) { engagement(t, svc); top(t, svc) }
	threePaths(t, ch, run)
}
