package analytics_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/store/storetest"
)

// TestReportParts covers what the division head's report reads besides
// the grouped figures: the posts behind the findings, the data coverage
// per channel, the posts as the Pages show them and a post over its age.
func TestReportParts(t *testing.T) { bothModes(t, testReportParts) }

func testReportParts(t *testing.T, svc *analytics.Service) {
	ctx := context.Background()
	pr, err := svc.Points(ctx, query(t, "from=2025-03-01&to=2025-03-31"))
	if err != nil {
		t.Fatal(err)
	}
	cur, prev := 0, 0
	for _, p := range pr.Points {
		if p.Current {
			cur++
		} else {
			prev++
		}
		if p.PostID == "A" && (p.Hour != 9 || p.Weekday != 1 || p.Interactions != 10 || p.Denominator != 200 || p.Unit != 2) {
			t.Errorf("post A as a point: %+v", p) // 2025-03-03 02:00 UTC is Monday 09.00 WIB
		}
	}
	if cur != 5 || prev != 1 || pr.PrevFrom != "2025-01-29" {
		t.Errorf("points: %d current, %d previous (from %s)", cur, prev, pr.PrevFrom)
	}

	cov, err := svc.Coverage(ctx, query(t, "from=2025-03-01&to=2025-03-31&unit=2"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[uint64]analytics.ChannelCoverage{}
	for _, c := range cov.Channels {
		got[c.Channel] = c
	}
	if _, ok := got[12]; ok || len(got) != 2 {
		t.Errorf("coverage of Jawa Tengah lists %v (Papua's channel 12 is outside)", cov.Channels)
	}
	fb := got[10]
	if fb.FirstPost == nil || !fb.FirstPost.Equal(utc("2025-02-10 03:00")) || fb.FirstFollower == nil ||
		fb.FirstFollower.Format("2006-01-02") != "2025-02-28" || fb.ChannelName != "channel facebook" || fb.Platform != "facebook" {
		t.Errorf("channel 10 coverage %+v", fb)
	}
	if from, ok := got[11].DataFrom(time.UTC); !ok || from.Format("2006-01-02") != "2025-03-10" {
		t.Errorf("channel 11 data from %v %v", from, ok)
	}

	posts, err := svc.PlatformPosts(ctx, analytics.PlatformPostsQuery{From: utc("2025-02-28 17:00"), To: utc("2025-03-31 17:00"), Unit: 2})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range posts {
		ids = append(ids, p.PostID)
	}
	if len(ids) != 4 || ids[0] != "E" || ids[1] != "A" || ids[2] != "B" || ids[3] != "C" {
		t.Errorf("posts of Jawa Tengah and below in March (WIB): %v, want E A B C", ids)
	}
	if c := posts[3]; c.ContentType != "interactive" || c.Permalink != "https://example.test/C" || c.ChannelName != "channel instagram" {
		t.Errorf("post C: %+v (its corrected type, link and channel)", c)
	}

	ages, err := svc.PostAges(ctx, "facebook", "H")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint64{"24h": 250, "7d": 800, "28d": 2700, "latest": 2900}
	for _, a := range ages.Ages {
		if !a.Reached || a.Reach != want[a.Age] || a.EngagementRate == nil {
			t.Errorf("H at %s: %+v, want reach %d", a.Age, a, want[a.Age])
		}
	}
	if ages.Ages[0].SnapshotAge != 25*time.Hour || ages.Ages[3].SnapshotAge != 29*24*time.Hour+time.Minute {
		t.Errorf("snapshot ages %s, %s", ages.Ages[0].SnapshotAge, ages.Ages[3].SnapshotAge)
	}
	// B was collected once, at 24 h: older ages are not reached yet.
	b, err := svc.PostAges(ctx, "instagram", "B")
	if err != nil {
		t.Fatal(err)
	}
	if !b.Ages[0].Reached || b.Ages[1].Reached || b.Ages[2].Reached || b.Ages[1].Reach != 0 {
		t.Errorf("B over age: %+v", b.Ages)
	}
	if _, err := svc.PostAges(ctx, "facebook", "nope"); !errors.Is(err, analytics.ErrNoFigures) {
		t.Errorf("unknown post: %v", err)
	}
}

func TestPlatformPostsExternal(t *testing.T) {
	ch := storetest.ClickHouse(t)
	svc := newService(t, ch)
	at := utc("2026-11-10 03:00")
	insertPosts(t, ch, fxPost{platform: "facebook", id: "ext", contentType: "photo", channel: 10, unit: 2, published: at})
	// Published by humas post 42: inserted so, not changed by an ALTER
	// UPDATE afterwards (a mutation is asynchronous on 18.16, so a read
	// could see it or not, and the differential test's replay disagreed).
	insertPosts(t, ch, fxPost{platform: "facebook", id: "mine", contentType: "photo", channel: 10, unit: 2, published: at.Add(time.Hour),
		humasPostID: 42})
	all, err := svc.PlatformPosts(context.Background(), analytics.PlatformPostsQuery{From: at.Add(-time.Hour), To: at.Add(3 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[1].HumasPostID != 42 {
		t.Fatalf("all %+v, want ext and mine (humas post 42)", all)
	}
	ext, err := svc.PlatformPosts(context.Background(), analytics.PlatformPostsQuery{From: at.Add(-time.Hour), To: at.Add(3 * time.Hour), ExternalOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(ext) != 1 || ext[0].PostID != "ext" {
		t.Errorf("outside humas %+v, want ext only", ext)
	}
}
