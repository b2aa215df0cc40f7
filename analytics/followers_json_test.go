package analytics_test

import (
	"encoding/json"
	"testing"

	"github.com/humas-id/humas/analytics"
)

// TestFollowerChannelAppendJSON: AppendJSON writes the bytes json.Marshal
// writes, for names that need escaping, missing figures, floats in
// exponent form, no days and odd day texts.
func TestFollowerChannelAppendJSON(t *testing.T) {
	u := func(v uint64) *uint64 { return &v }
	i := func(v int64) *int64 { return &v }
	f := func(v float64) *float64 { return &v }
	cases := []analytics.FollowerChannel{
		{Channel: 10, ChannelName: "KPU <Jawa> & \"Barat\"\u2028", Platform: "facebook", Unit: 2, Start: u(100), End: u(90),
			Growth: i(-10), GrowthRate: f(-0.1), Days: []analytics.FollowerDay{
				{Day: "2025-03-01", Followers: 100}, {Day: "2025-03-02", Followers: 90, Growth: i(-10)},
				{Day: "2025-03-03", Followers: 1<<64 - 1, Growth: i(-1 << 63)}}},
		{Channel: 11, ChannelName: "bad \xff utf-8", GrowthRate: f(1e-7), Days: []analytics.FollowerDay{}},
		{Channel: 12, GrowthRate: f(3e21)},
		{Channel: 13, Days: []analytics.FollowerDay{{Day: "2025-01-01<\"x\">", Followers: 1, Growth: i(0)}}},
		{},
	}
	for _, c := range cases {
		want, err := json.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.AppendJSON([]byte("prefix"))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != "prefix"+string(want) {
			t.Errorf("channel %d:\n got %s\nwant prefix%s", c.Channel, got, want)
		}
	}
}

// TestFollowersJSONSize: the size the answer cache counts for a followers
// report is within a tenth of its JSON's.
func TestFollowersJSONSize(t *testing.T) {
	g := int64(-12)
	rep := &analytics.FollowersReport{From: "2025-01-01", To: "2025-12-31", Timezone: "Asia/Jakarta",
		Definition: analytics.Definition{EN: "followers per day", ID: "pengikut per hari"}}
	for c := range 50 {
		ch := analytics.FollowerChannel{Channel: uint64(1000 + c), ChannelName: "KPU Kabupaten Contoh", Platform: "instagram"}
		for d := range 365 {
			day := analytics.FollowerDay{Day: "2025-03-04", Followers: uint64(1000 * (d + 1))}
			if d > 0 {
				day.Growth = &g
			}
			ch.Days = append(ch.Days, day)
		}
		rep.Channels = append(rep.Channels, ch)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	got, want := analytics.FollowersJSONSize(rep), int64(len(b))
	if got < want*9/10 || got > want*11/10 {
		t.Errorf("counted size %d, JSON %d bytes", got, want)
	}
}
