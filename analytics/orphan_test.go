package analytics_test

import (
	"context"
	"math"
	"testing"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/store/storetest"
)

// TestSnapshotWithoutPostRow: a post the collector has snapshots of but
// no posts row (its attributes not written, or lost) counts on every path
// under its snapshot's channel, with no unit, content type or campaign
// (post_latest has no attributes since store/chmigrations/0043; readers
// join them from posts and fall back to the snapshot's channel).
func TestSnapshotWithoutPostRow(t *testing.T) {
	ch := storetest.ClickHouse(t)
	seedHand(t, ch)
	pub := utc("2025-03-10 02:00")
	insertSnaps(t, ch,
		fxSnap{platform: "instagram", id: "orphan", channel: 77, published: pub, slot: utc("2025-03-11 02:00"),
			collected: utc("2025-03-11 02:05"), reach: 50, inter: 5, insights: true},
		fxSnap{platform: "instagram", id: "orphan", channel: 77, published: pub, slot: utc("2025-03-17 02:00"),
			collected: utc("2025-03-17 02:05"), reach: 100, inter: 10, insights: true},
	)
	threePaths(t, ch, func(t *testing.T, svc *analytics.Service) {
		ctx := context.Background()
		for _, tc := range []struct {
			q string
			w want
		}{
			{"from=2025-03-01&to=2025-03-31&channel=77", want{1, 100, 10, 1, 0.1, 0.1}},
			{"from=2025-03-01&to=2025-03-31&channel=77&age=24h", want{1, 50, 5, 1, 0.1, 0.1}},
			{"from=2025-03-01&to=2025-03-31&channel=77&content_type=photo", want{0, 0, 0, 0, math.NaN(), math.NaN()}},
		} {
			rep, err := svc.Engagement(ctx, query(t, tc.q))
			if err != nil {
				t.Fatalf("%s: %v", tc.q, err)
			}
			checkFigures(t, tc.q, rep.Totals, tc.w)
		}
		rep, err := svc.Engagement(ctx, query(t, "from=2025-03-01&to=2025-03-31&group_by=channel"))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range rep.Rows {
			if r.Channel != nil && *r.Channel == 77 {
				found = true
				checkFigures(t, "group channel 77", r.Figures, want{1, 100, 10, 1, 0.1, 0.1})
			}
		}
		if !found {
			t.Errorf("group_by=channel has no row for channel 77: %+v", rep.Rows)
		}
	})
}
