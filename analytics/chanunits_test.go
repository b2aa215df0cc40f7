package analytics_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/store/storetest"
)

// TestChannelMovedUnits: a channel whose posts carry two units (it moved
// from one unit to another) keeps all its posts in reports filtered by
// channel, on every path, though the read model adds the units of its
// posts as a condition (chanunits.go), for the latest figures and a fixed
// age, in engagement and top posts.
func TestChannelMovedUnits(t *testing.T) {
	ctx := context.Background()
	ch := storetest.ClickHouse(t)
	insertUnits(t, ch,
		fxUnit{1, 0, "KPU RI", "Asia/Jakarta", []uint64{1}},
		fxUnit{2, 1, "KPU Jawa Tengah", "Asia/Jakarta", []uint64{2, 1}},
		fxUnit{3, 1, "KPU Papua", "Asia/Jayapura", []uint64{3, 1}})
	insertChannels(t, ch, [3]any{uint64(10), "facebook", uint64(3)}, [3]any{uint64(11), "facebook", uint64(2)})
	a, b, c := utc("2025-03-03 02:00"), utc("2025-03-20 10:00"), utc("2025-03-10 04:00")
	insertPosts(t, ch,
		fxPost{platform: "facebook", id: "A", contentType: "photo", channel: 10, unit: 2, published: a},
		fxPost{platform: "facebook", id: "B", contentType: "photo", channel: 10, unit: 3, published: b},
		fxPost{platform: "facebook", id: "C", contentType: "photo", channel: 11, unit: 2, published: c})
	snap := func(id string, channel uint64, pub time.Time, reach, inter uint64) fxSnap {
		return fxSnap{platform: "facebook", id: id, channel: channel, published: pub, slot: pub.Add(24 * time.Hour),
			reach: reach, views: reach, inter: inter, reactions: inter, insights: true}
	}
	insertSnaps(t, ch, snap("A", 10, a, 100, 10), snap("B", 10, b, 300, 3), snap("C", 11, c, 50, 50))
	// The read model adds both units of channel 10's posts; the live path
	// (no generation yet) adds none.
	ages := []string{"latest", "24h"}
	for _, age := range ages {
		q := query(t, "from=2025-03-01&to=2025-03-31&channel=10&age="+age)
		if units, err := newService(t, ch).ChannelUnitsOf(ctx, q); err != nil || units != nil {
			t.Errorf("%s, before a generation: units %v (%v), want none", age, units, err)
		}
	}
	svc := newService(t, ch)
	if err := svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for _, age := range ages {
		q := query(t, "from=2025-03-01&to=2025-03-31&channel=10&age="+age)
		if units, err := svc.ChannelUnitsOf(ctx, q); err != nil || !slices.Equal(units, []uint64{2, 3}) {
			t.Errorf("%s: units %v (%v), want [2 3]", age, units, err)
		}
	}
	for _, age := range ages {
		threePaths(t, ch, func(t *testing.T, svc *analytics.Service) {
			q := query(t, "from=2025-03-01&to=2025-03-31&channel=10&content_type=photo&group_by=content_type&age="+age)
			rep, err := svc.Engagement(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Rows) != 1 || rep.Rows[0].Posts != 2 || rep.Rows[0].Reach != 400 || rep.Rows[0].Interactions != 13 {
				t.Errorf("%s: rows %+v, want one row of channel 10's two posts (reach 400, interactions 13)", age, rep.Rows)
			}
			top, err := svc.TopPosts(ctx, query(t, "from=2025-03-01&to=2025-03-31&channel=10&sort=reach&age="+age))
			if err != nil {
				t.Fatal(err)
			}
			if len(top.Posts) != 2 || top.Posts[0].PostID != "B" || top.Posts[1].PostID != "A" {
				t.Errorf("%s: top posts %+v, want B then A", age, top.Posts)
			}
		})
	}
}
