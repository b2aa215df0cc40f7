package analytics_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/humas-id/humas/analytics"
)

func TestOtherReports(t *testing.T) { bothModes(t, testOtherReports) }

func testOtherReports(t *testing.T, svc *analytics.Service) {
	ctx := context.Background()
	march := "from=2025-03-01&to=2025-03-31"

	t.Run("top posts by engagement rate", func(t *testing.T) {
		rep, err := svc.TopPosts(ctx, query(t, march))
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range rep.Posts {
			ids = append(ids, p.PostID)
		}
		// C 0.1, A 0.05, E 0.02; B and D have no reach and are left out.
		if strings.Join(ids, ",") != "C,A,E" {
			t.Fatalf("order %v, want C,A,E", ids)
		}
		c := rep.Posts[0]
		if c.ContentType != "interactive" || c.Permalink != "https://example.test/C" || c.Caption != "caption of C" ||
			c.ChannelName != "channel instagram" || *c.EngagementRate != 0.1 {
			t.Errorf("post C = %+v", c)
		}
	})
	t.Run("bottom posts by reach", func(t *testing.T) {
		rep, err := svc.TopPosts(ctx, query(t, march+"&sort=reach&order=asc&limit=2"))
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Posts) != 2 || rep.Posts[0].Reach != 0 || rep.Posts[1].Reach != 0 || rep.Posts[0].EngagementRate != nil {
			t.Fatalf("posts %+v", rep.Posts)
		}
	})
	t.Run("best times", func(t *testing.T) {
		rep, err := svc.BestTimes(ctx, query(t, march))
		if err != nil {
			t.Fatal(err)
		}
		// A: Monday 09:00 WIB; E: Saturday 03:00; C: Saturday 12:00;
		// B: Monday 17:00; D: Thursday 08:00.
		got := map[[2]int]analytics.BestTimeCell{}
		for _, c := range rep.Cells {
			got[[2]int{c.Weekday, c.Hour}] = c
		}
		if len(got) != 5 {
			t.Fatalf("cells %+v", rep.Cells)
		}
		a := got[[2]int{1, 9}]
		if a.Posts != 1 || !a.TooFew || a.MedianEngagementRate == nil || *a.MedianEngagementRate != 0.05 {
			t.Errorf("Monday 09 = %+v", a)
		}
		if b := got[[2]int{1, 17}]; b.Posts != 1 || b.MedianEngagementRate != nil {
			t.Errorf("Monday 17 = %+v", b)
		}
	})
	t.Run("hashtags", func(t *testing.T) {
		rep, err := svc.Hashtags(ctx, query(t, march))
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Rows) != 2 || rep.Rows[0].Hashtag != "#pemilu" || rep.Rows[0].Posts != 2 {
			t.Fatalf("rows %+v", rep.Rows)
		}
		checkFigures(t, "#pemilu", rep.Rows[0].Figures, want{2, 250, 15, 2, 15.0 / 250, (0.05 + 0.1) / 2})
	})
	t.Run("campaigns", func(t *testing.T) {
		rep, err := svc.Campaigns(ctx, query(t, march))
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Rows) != 2 {
			t.Fatalf("rows %+v", rep.Rows)
		}
		checkFigures(t, "pemilu", rep.Rows[1].Figures, want{2, 300, 12, 2, 0.04, 0.035})
	})
	t.Run("at 24 hours", func(t *testing.T) {
		// A +24h 5/100, C 5/50, E +20h 2/100 (see TestEngagementMaths).
		at24 := march + "&age=24h"
		top, err := svc.TopPosts(ctx, query(t, at24))
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range top.Posts {
			ids = append(ids, p.PostID)
		}
		if strings.Join(ids, ",") != "C,A,E" || top.Age != "24h" {
			t.Fatalf("order %v (age %s), want C,A,E", ids, top.Age)
		}
		if a := top.Posts[1]; a.Reach != 100 || a.Views != 150 || a.Interactions != 5 || a.Reactions != 5 ||
			a.ContentType != "photo" || a.Campaign != "pemilu" || *a.EngagementRate != 0.05 {
			t.Errorf("post A at 24h = %+v", a)
		}
		tags, err := svc.Hashtags(ctx, query(t, at24))
		if err != nil {
			t.Fatal(err)
		}
		if len(tags.Rows) != 2 || tags.Rows[0].Hashtag != "#pemilu" {
			t.Fatalf("hashtag rows %+v", tags.Rows)
		}
		checkFigures(t, "#pemilu at 24h", tags.Rows[0].Figures, want{2, 150, 10, 2, 10.0 / 150, (0.05 + 0.1) / 2})
		camps, err := svc.Campaigns(ctx, query(t, at24))
		if err != nil {
			t.Fatal(err)
		}
		if len(camps.Rows) != 2 {
			t.Fatalf("campaign rows %+v", camps.Rows)
		}
		checkFigures(t, "pemilu at 24h", camps.Rows[1].Figures, want{2, 200, 7, 2, 7.0 / 200, (0.05 + 0.02) / 2})
		best, err := svc.BestTimes(ctx, query(t, at24+"&method=views"))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range best.Cells {
			if c.Weekday == 1 && c.Hour == 9 && (c.MedianEngagementRate == nil || *c.MedianEngagementRate != 5.0/150) {
				t.Errorf("Monday 09 at 24h by views = %+v, want A's 5/150", c)
			}
		}
		if len(best.Cells) != 5 {
			t.Errorf("cells %+v", best.Cells)
		}
	})
	t.Run("followers", func(t *testing.T) {
		rep, err := svc.Followers(ctx, query(t, march))
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Channels) != 1 {
			t.Fatalf("channels %+v", rep.Channels)
		}
		c := rep.Channels[0]
		if c.Channel != 10 || len(c.Days) != 2 || *c.Days[0].Growth != 10 || *c.Days[1].Growth != 500 || *c.Growth != 510 {
			t.Errorf("channel %+v days %+v", c, c.Days)
		}
	})
	t.Run("unknown unit", func(t *testing.T) {
		_, err := svc.Engagement(ctx, query(t, march+"&unit=99"))
		var pe *analytics.ParamError
		if !errors.As(err, &pe) || pe.Param != "unit" {
			t.Fatalf("err = %v, want a unit ParamError", err)
		}
	})
}

func TestParseQuery(t *testing.T) {
	cases := []struct {
		raw, param, contains string
	}{
		{"group_by=content_type,colour", "group_by", "content_type, platform, unit, channel, campaign, week, month"},
		{"method=likes", "method", "reach, views, followers"},
		{"age=1y", "age", "latest, 24h, 7d, 28d"},
		{"from=2025-03-10&to=2025-03-01", "from", "after"},
		{"from=2022-01-01&to=2025-01-01", "to", "two years"},
		{"from=2025-13-01", "from", "YYYY-MM-DD"},
		{"to=yesterday", "to", "YYYY-MM-DD"},
		{"unit=abc", "unit", "numeric id"},
		{"limit=0", "limit", "1 to 1000"},
		{"sort=random", "sort", "engagement_rate, reach, interactions"},
		{"platform=tiktok", "platform", "facebook, instagram"},
		{"from=9999-01-01&to=9999-01-31", "from", "outside the dates reports cover (2004-01-01 to 2099-12-31)"},
		{"to=9999-12-31", "to", "outside the dates reports cover"},
		{"from=2003-12-31", "from", "outside the dates reports cover"},
		{"from=0001-01-01&to=0001-01-02", "from", "outside the dates reports cover"},
	}
	for _, tc := range cases {
		t.Run(tc.raw, func(t *testing.T) {
			v, _ := url.ParseQuery(tc.raw)
			_, err := analytics.ParseQuery(v)
			var pe *analytics.ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a ParamError", err)
			}
			if pe.Param != tc.param || !strings.Contains(pe.Message, tc.contains) || pe.MessageID == "" {
				t.Errorf("got %+v, want param %s mentioning %q", pe, tc.param, tc.contains)
			}
		})
	}
	v, _ := url.ParseQuery("from=2023-01-01&to=2024-12-31&group_by=week,platform,week")
	q, err := analytics.ParseQuery(v)
	if err != nil || len(q.GroupBy) != 2 || q.Method != "reach" || q.Age != "latest" {
		t.Fatalf("q = %+v, err %v", q, err)
	}
}
