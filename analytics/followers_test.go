package analytics_test

import (
	"context"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// TestFollowersPerChannel: each channel's series has its own start, end,
// growth and day-to-day growth (the day before the period is a baseline
// only; a channel without it starts at its first day, with no growth).
func TestFollowersPerChannel(t *testing.T) {
	ch := storetest.ClickHouse(t)
	insertUnits(t, ch, fxUnit{1, 0, "KPU RI", "Asia/Jakarta", []uint64{1}})
	insertChannels(t, ch, [3]any{uint64(10), "facebook", uint64(1)}, [3]any{uint64(11), "instagram", uint64(1)},
		[3]any{uint64(12), "facebook", uint64(1)})
	insertFollowers(t, ch, 10, 1, "facebook", map[string]uint64{"2025-02-28": 100, "2025-03-01": 110, "2025-03-03": 150})
	insertFollowers(t, ch, 11, 1, "instagram", map[string]uint64{"2025-03-02": 40, "2025-03-03": 30})
	insertFollowers(t, ch, 12, 1, "facebook", map[string]uint64{"2025-02-28": 7})
	bookPaths(t, ch, func(t *testing.T, svc *analytics.Service) { testFollowersPerChannel(t, svc) })
}

func testFollowersPerChannel(t *testing.T, svc *analytics.Service) {
	rep, err := svc.Followers(context.Background(), query(t, "from=2025-03-01&to=2025-03-31"))
	if err != nil {
		t.Fatal(err)
	}
	type day struct {
		day    string
		n      uint64
		growth any // int64, or nil for none
	}
	want := []struct {
		channel       uint64
		start, end    any // uint64 or nil
		growth        any // int64 or nil
		days          []day
		rate          float64
		rateIsPresent bool
	}{
		{10, uint64(100), uint64(150), int64(50), []day{{"2025-03-01", 110, int64(10)}, {"2025-03-03", 150, int64(40)}}, 0.5, true},
		{11, uint64(40), uint64(30), int64(-10), []day{{"2025-03-02", 40, nil}, {"2025-03-03", 30, int64(-10)}}, -0.25, true},
		{12, uint64(7), nil, nil, []day{}, 0, false},
	}
	if len(rep.Channels) != len(want) {
		t.Fatalf("%d channels, want %d: %+v", len(rep.Channels), len(want), rep.Channels)
	}
	val := func(p any) any {
		switch v := p.(type) {
		case *uint64:
			if v == nil {
				return nil
			}
			return *v
		case *int64:
			if v == nil {
				return nil
			}
			return *v
		}
		return p
	}
	for i, w := range want {
		c := rep.Channels[i]
		if c.Channel != w.channel || val(c.Start) != w.start || val(c.End) != w.end || val(c.Growth) != w.growth {
			t.Errorf("channel %d: start %v end %v growth %v, want channel %d %v %v %v", c.Channel, val(c.Start), val(c.End),
				val(c.Growth), w.channel, w.start, w.end, w.growth)
		}
		if (c.GrowthRate != nil) != w.rateIsPresent || (c.GrowthRate != nil && *c.GrowthRate != w.rate) {
			t.Errorf("channel %d: growth rate %v, want %v", c.Channel, fmtp(c.GrowthRate), w.rate)
		}
		if len(c.Days) != len(w.days) {
			t.Errorf("channel %d: days %+v, want %+v", c.Channel, c.Days, w.days)
			continue
		}
		for j, d := range w.days {
			g := c.Days[j]
			if g.Day != d.day || g.Followers != d.n || val(g.Growth) != d.growth {
				t.Errorf("channel %d day %d: %s %d growth %v, want %+v", c.Channel, j, g.Day, g.Followers, val(g.Growth), d)
			}
		}
	}
}

// bookPaths runs body on a service answering followers from its follower
// book and on one reading account_metrics per request.
func bookPaths(t *testing.T, ch *store.ClickHouse, body func(t *testing.T, svc *analytics.Service)) {
	t.Helper()
	t.Run("book", func(t *testing.T) { body(t, newService(t, ch)) })
	live, err := analytics.New(ch, analytics.Options{CacheTTL: -1, RefreshEvery: -1, NoFollowerBook: true,
		Now: func() time.Time { return utc("2025-04-10 00:00") }})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("live", func(t *testing.T) { body(t, live) })
}
