package api

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
)

// TestStreamJSONIsMarshal: streamJSON writes exactly json.Marshal's bytes
// for every report (rows streamed one by one, escaping, nil and empty
// slices, null pointers) and for values it does not stream.
func TestStreamJSONIsMarshal(t *testing.T) {
	rate, week, name := 0.0123, "2025-03-03", `Kanal <Jateng> & "Solo"`
	unit := uint64(7)
	growth := int64(-3)
	engagement := &analytics.EngagementReport{Method: "reach", Age: "latest", From: "2025-03-01", To: "2025-03-31",
		Timezone: "Asia/Jakarta", GroupBy: []string{"unit", "week"},
		Definition: analytics.Definition{EN: "interactions ÷ reach <b>", ID: "interaksi ÷ jangkauan"}}
	for i := range 3000 {
		r := analytics.EngagementRow{Unit: &unit, UnitName: &name, Week: &week}
		r.Posts, r.Reach, r.Interactions = uint64(i), uint64(i*100), uint64(i*3)
		if i%2 == 0 {
			r.EngagementRate = &rate
		}
		engagement.Rows = append(engagement.Rows, r)
	}
	engagement.Totals.EngagementRate = &rate
	cases := map[string]any{
		"engagement":       engagement,
		"engagement, none": &analytics.EngagementReport{Rows: []analytics.EngagementRow{}, GroupBy: nil},
		"posts": &analytics.PostsReport{Sort: "reach", Posts: []analytics.PostRow{
			{Platform: "facebook", PostID: "p1", PublishedAt: time.Date(2025, 3, 3, 2, 0, 0, 0, time.UTC), Caption: "Ayo <memilih> ✓",
				EngagementRate: &rate},
			{Platform: "instagram", PostID: "p2", Permalink: "https://ig.test/p2?a=1&b=2"}}},
		"followers": &analytics.FollowersReport{Channels: []analytics.FollowerChannel{
			{Channel: 10, ChannelName: name, Growth: &growth, Days: []analytics.FollowerDay{{Day: week, Followers: 5, Growth: &growth}, {Day: week}}},
			{Channel: 11, Days: nil}}},
		"best times":    &analytics.BestTimesReport{Cells: []analytics.BestTimeCell{{Weekday: 1, Hour: 9, Posts: 4, MedianEngagementRate: &rate}}},
		"hashtags":      &analytics.HashtagsReport{Rows: []analytics.HashtagRow{{Hashtag: "#kpu"}, {Hashtag: "#pemilu<2029>"}}},
		"not a pointer": analytics.HashtagsReport{Rows: []analytics.HashtagRow{{Hashtag: "#kpu"}}},
		"omitempty, marshalled whole": &struct {
			A []int `json:"a,omitempty"`
			B string
		}{B: "x"},
		"a map": map[string]int{"b": 2, "a": 1},
		"a nil": (*analytics.PostsReport)(nil),
		"bytes kept": &struct {
			B []byte `json:"b"`
		}{B: []byte("hi")},
	}
	for name, v := range cases {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := streamJSON(&got, v); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("streamed %d bytes differ from json.Marshal's %d:\n got %.300s\nwant %.300s", got.Len(), len(want), got.Bytes(), want)
			}
		})
	}
	if !streamable(reflectType(engagement)) {
		t.Error("the engagement report is not streamed: its rows would be marshalled whole")
	}
}

// TestStreamJSONError: a value json cannot encode (NaN) is an error, not
// a silently shortened answer.
func TestStreamJSONError(t *testing.T) {
	nan := math.NaN()
	rep := &analytics.PostsReport{Posts: []analytics.PostRow{{PostID: "p1"}, {PostID: "p2", EngagementRate: &nan}}}
	var out bytes.Buffer
	err := streamJSON(&out, rep)
	if err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("err %v, want one naming NaN (wrote %.200s)", err, out.Bytes())
	}
}

func reflectType(v any) reflect.Type { return reflect.TypeOf(v).Elem() }
