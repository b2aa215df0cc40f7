package analytics_test

import (
	"context"
	"math"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// seedHand writes the hand-computed fixture (see the table in
// TestEngagementMaths for the expected figures). Times are UTC; reports
// are in Asia/Jakarta (UTC+7).
func seedHand(t *testing.T, ch *store.ClickHouse) {
	insertUnits(t, ch,
		fxUnit{1, 0, "KPU RI", "Asia/Jakarta", []uint64{1}},
		fxUnit{2, 1, "KPU Jawa Tengah", "Asia/Jakarta", []uint64{2, 1}},
		fxUnit{3, 2, "KPU Kota Salatiga", "Asia/Jakarta", []uint64{3, 2, 1}},
		fxUnit{4, 1, "KPU Papua", "Asia/Jayapura", []uint64{4, 1}},
	)
	insertChannels(t, ch, [3]any{uint64(10), "facebook", uint64(2)}, [3]any{uint64(11), "instagram", uint64(3)},
		[3]any{uint64(12), "facebook", uint64(4)})
	a, b, c, d := utc("2025-03-03 02:00"), utc("2025-03-10 10:00"), utc("2025-03-15 05:00"), utc("2025-03-20 01:00")
	e, f, g := utc("2025-02-28 20:00"), utc("2025-03-31 18:00"), utc("2025-02-10 03:00")
	insertPosts(t, ch,
		fxPost{platform: "facebook", id: "A", contentType: "photo", campaign: "pemilu", channel: 10, unit: 2, published: a, hashtags: []string{"#Pemilu", "#KPU"}},
		fxPost{platform: "instagram", id: "B", contentType: "video", channel: 11, unit: 3, published: b},
		fxPost{platform: "instagram", id: "C", contentType: "photo", channel: 11, unit: 3, published: c, hashtags: []string{"#pemilu"}, version: 1},
		fxPost{platform: "facebook", id: "D", contentType: "photo", channel: 12, unit: 4, published: d},
		fxPost{platform: "facebook", id: "E", contentType: "photo", campaign: "pemilu", channel: 10, unit: 2, published: e},
		fxPost{platform: "facebook", id: "F", contentType: "photo", channel: 10, unit: 2, published: f},
		fxPost{platform: "facebook", id: "G", contentType: "photo", channel: 10, unit: 2, published: g},
	)
	// C's content type is corrected later: reports use the new type.
	insertPosts(t, ch, fxPost{platform: "instagram", id: "C", contentType: "interactive", channel: 11, unit: 3, published: c,
		hashtags: []string{"#pemilu"}, version: 2})
	insertSnaps(t, ch,
		// A: three snapshots; slot +48h was collected twice, the later wins.
		fxSnap{platform: "facebook", id: "A", channel: 10, published: a, slot: a.Add(24 * time.Hour), reach: 100, views: 150, inter: 5, reactions: 5, insights: true},
		fxSnap{platform: "facebook", id: "A", channel: 10, published: a, slot: a.Add(48 * time.Hour), collected: a.Add(48*time.Hour + time.Minute), reach: 190, views: 300, inter: 9, insights: true},
		fxSnap{platform: "facebook", id: "A", channel: 10, published: a, slot: a.Add(48 * time.Hour), collected: a.Add(48*time.Hour + 5*time.Minute), reach: 200, views: 400, inter: 10, reactions: 6, comments: 3, shares: 1, clicks: 7, insights: true},
		fxSnap{platform: "facebook", id: "A", channel: 10, published: a, slot: a.Add(time.Hour), reach: 10, views: 10, inter: 1, insights: true},
		// B: zero reach.
		fxSnap{platform: "instagram", id: "B", channel: 11, published: b, slot: b.Add(24 * time.Hour), reach: 0, views: 20, inter: 4, likes: 4, insights: true},
		fxSnap{platform: "instagram", id: "C", channel: 11, published: c, slot: c.Add(24 * time.Hour), reach: 50, views: 100, inter: 5, likes: 3, saves: 2, insights: true},
		// D: no insights (counts only).
		fxSnap{platform: "facebook", id: "D", channel: 12, published: d, slot: d.Add(24 * time.Hour), reach: 0, inter: 3, reactions: 3},
		fxSnap{platform: "facebook", id: "E", channel: 10, published: e, slot: e.Add(20 * time.Hour), reach: 100, views: 100, inter: 2, reactions: 2, insights: true},
		fxSnap{platform: "facebook", id: "F", channel: 10, published: f, slot: f.Add(24 * time.Hour), reach: 1000, views: 1000, inter: 1000, insights: true},
		fxSnap{platform: "facebook", id: "G", channel: 10, published: g, slot: g.Add(24 * time.Hour), reach: 400, views: 400, inter: 8, insights: true},
	)
	// H (May, outside every other case's periods) tells the fixed ages
	// apart: at 24h, +23h and +25h are equally near and the later
	// collection (+25h) wins; +25h was collected twice and the later
	// collection wins; at 7d, +6d and +8d tie and +8d wins; at 28d, +27d
	// and +29d tie but +27d was re-collected last (a backfill), so it wins,
	// while latest is still the latest slot (+29d).
	h := utc("2025-05-05 02:00")
	insertPosts(t, ch, fxPost{platform: "facebook", id: "H", contentType: "photo", campaign: "pilkada", channel: 10, unit: 2,
		published: h, hashtags: []string{"#Pilkada"}})
	hs := func(slot, collected time.Duration, reach uint64) fxSnap {
		return fxSnap{platform: "facebook", id: "H", channel: 10, published: h, slot: h.Add(slot), collected: h.Add(collected),
			reach: reach, views: reach, inter: reach / 10, reactions: reach / 10, insights: true}
	}
	day := 24 * time.Hour
	insertSnaps(t, ch,
		hs(23*time.Hour, 23*time.Hour+time.Minute, 230),
		hs(25*time.Hour, 25*time.Hour+2*time.Minute, 250),
		hs(25*time.Hour, 25*time.Hour+time.Minute, 240),
		hs(6*day, 6*day+time.Minute, 600),
		hs(8*day, 8*day+time.Minute, 800),
		hs(27*day, 29*day+5*time.Minute, 2700),
		hs(29*day, 29*day+time.Minute, 2900),
	)
	insertFollowers(t, ch, 10, 2, "facebook", map[string]uint64{"2025-02-28": 490, "2025-03-01": 500, "2025-03-03": 1000})
}

func newService(t *testing.T, ch *store.ClickHouse) *analytics.Service {
	t.Helper()
	svc, err := analytics.New(ch, analytics.Options{CacheTTL: -1, RefreshEvery: -1,
		Now: func() time.Time { return utc("2025-04-10 00:00") }})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func query(t testing.TB, raw string) analytics.Query {
	t.Helper()
	v, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	q, err := analytics.ParseQuery(v)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

type want struct {
	posts, reach, inter, rated uint64
	er, avg                    float64 // NaN = null
}

func ptr(f float64) *float64 {
	if math.IsNaN(f) {
		return nil
	}
	return &f
}

func checkFigures(t *testing.T, label string, got analytics.Figures, w want) {
	t.Helper()
	if got.Posts != w.posts || got.Reach != w.reach || got.Interactions != w.inter || got.RatedPosts != w.rated {
		t.Errorf("%s: posts/reach/interactions/rated = %d/%d/%d/%d, want %d/%d/%d/%d", label, got.Posts, got.Reach,
			got.Interactions, got.RatedPosts, w.posts, w.reach, w.inter, w.rated)
	}
	checkRate(t, label+" engagement_rate", got.EngagementRate, ptr(w.er))
	checkRate(t, label+" avg_post_engagement_rate", got.AvgPostEngagementRate, ptr(w.avg))
}

func checkRate(t *testing.T, label string, got, want *float64) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s = %v, want %v", label, fmtp(got), fmtp(want))
	case math.Abs(*got-*want) > 1e-9:
		t.Errorf("%s = %v, want %v", label, *got, *want)
	}
}

func fmtp(p *float64) any {
	if p == nil {
		return "null"
	}
	return *p
}

// bothModes runs body against the live path (collapsing post_latest at
// read time), then against a refreshed read model read post by post
// (post_facts, post_age_facts) and through its cells (post_cells): all
// three must give the same hand-computed figures.
func bothModes(t *testing.T, body func(t *testing.T, svc *analytics.Service)) {
	ch := storetest.ClickHouse(t)
	seedHand(t, ch)
	threePaths(t, ch, body)
}

// threePaths runs body over ch's data on the live path, then on a
// refreshed read model post by post and through its cells.
func threePaths(t *testing.T, ch *store.ClickHouse, body func(t *testing.T, svc *analytics.Service)) {
	t.Helper()
	t.Run("live", func(t *testing.T) { body(t, newService(t, ch)) })
	svc := newService(t, ch)
	if err := svc.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	posts, err := analytics.New(ch, analytics.Options{CacheTTL: -1, RefreshEvery: -1, NoCells: true,
		Now: func() time.Time { return utc("2025-04-10 00:00") }})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("read model", func(t *testing.T) { body(t, posts) })
	t.Run("cells", func(t *testing.T) { body(t, svc) })
}

func TestEngagementMaths(t *testing.T) { bothModes(t, testEngagementMaths) }

func testEngagementMaths(t *testing.T, svc *analytics.Service) {
	ctx := context.Background()
	nan := math.NaN()

	// Hand computation (March 2025 in Asia/Jakarta; E is published 1 March
	// 03:00 WIB, F on 1 April 01:00 WIB):
	//   A photo    latest reach 200, interactions 10 (slot +48h, later collection)
	//   B video    reach 0, interactions 4          (zero reach: unrated)
	//   C interactive (corrected from photo) reach 50, interactions 5
	//   D photo    no insights: reach 0, interactions 3 (unrated)
	//   E photo    reach 100, interactions 2
	// photo: ER = (10+2)/(200+100) = 0.04; avg = (0.05+0.02)/2 = 0.035
	// totals: ER = 17/350; avg = (0.05+0.02+0.1)/3
	// previous (29 Jan – 28 Feb WIB): G reach 400, interactions 8: ER 0.02
	cases := []struct {
		name   string
		query  string
		rows   map[string]want // by the group key's text
		key    func(analytics.EngagementRow) string
		totals want
	}{
		{
			name:  "by content type",
			query: "from=2025-03-01&to=2025-03-31",
			key:   func(r analytics.EngagementRow) string { return *r.ContentType },
			rows: map[string]want{
				"photo":       {3, 300, 15, 2, 0.04, 0.035},
				"video":       {1, 0, 4, 0, nan, nan},
				"interactive": {1, 50, 5, 1, 0.1, 0.1},
			},
			totals: want{5, 350, 24, 3, 17.0 / 350, (0.05 + 0.02 + 0.1) / 3},
		},
		{
			name:  "unit includes sub-units",
			query: "from=2025-03-01&to=2025-03-31&unit=2&group_by=unit",
			key:   func(r analytics.EngagementRow) string { return *r.UnitName },
			rows: map[string]want{
				"KPU Jawa Tengah":   {2, 300, 12, 2, 0.04, 0.035},
				"KPU Kota Salatiga": {2, 50, 9, 1, 0.1, 0.1},
			},
			totals: want{4, 350, 21, 3, 17.0 / 350, (0.05 + 0.02 + 0.1) / 3},
		},
		{
			name:  "a leaf unit",
			query: "from=2025-03-01&to=2025-03-31&unit=3&group_by=platform",
			key:   func(r analytics.EngagementRow) string { return *r.Platform },
			rows: map[string]want{
				"instagram": {2, 50, 9, 1, 0.1, 0.1},
			},
			totals: want{2, 50, 9, 1, 0.1, 0.1},
		},
		{
			name:  "at 24 hours",
			query: "from=2025-03-01&to=2025-03-31&age=24h&content_type=photo",
			key:   func(r analytics.EngagementRow) string { return *r.ContentType },
			// A at +24h: reach 100, interactions 5; E nearest is +20h.
			rows:   map[string]want{"photo": {3, 200, 10, 2, 7.0 / 200, (0.05 + 0.02) / 2}},
			totals: want{3, 200, 10, 2, 7.0 / 200, (0.05 + 0.02) / 2},
		},
		{
			name:  "at 24 hours, every content type",
			query: "from=2025-03-01&to=2025-03-31&age=24h",
			key:   func(r analytics.EngagementRow) string { return *r.ContentType },
			// A +24h 5/100, B 4/0, C 5/50, D 3/0, E +20h 2/100.
			rows: map[string]want{
				"photo":       {3, 200, 10, 2, 7.0 / 200, (0.05 + 0.02) / 2},
				"video":       {1, 0, 4, 0, nan, nan},
				"interactive": {1, 50, 5, 1, 0.1, 0.1},
			},
			totals: want{5, 250, 19, 3, 12.0 / 250, (0.05 + 0.1 + 0.02) / 3},
		},
		{
			name:  "at 7 days",
			query: "from=2025-03-01&to=2025-03-31&age=7d&platform=facebook",
			key:   func(r analytics.EngagementRow) string { return *r.ContentType },
			// A nearest is +48h, collected twice: the later (200, 10) wins.
			rows:   map[string]want{"photo": {3, 300, 15, 2, 12.0 / 300, (0.05 + 0.02) / 2}},
			totals: want{3, 300, 15, 2, 12.0 / 300, (0.05 + 0.02) / 2},
		},
		{
			name:   "H latest",
			query:  "from=2025-05-01&to=2025-05-31",
			key:    func(r analytics.EngagementRow) string { return *r.ContentType },
			rows:   map[string]want{"photo": {1, 2900, 290, 1, 0.1, 0.1}},
			totals: want{1, 2900, 290, 1, 0.1, 0.1},
		},
		{
			name:   "H at 24 hours: equal distance, the later collection",
			query:  "from=2025-05-01&to=2025-05-31&age=24h",
			key:    func(r analytics.EngagementRow) string { return *r.ContentType },
			rows:   map[string]want{"photo": {1, 250, 25, 1, 0.1, 0.1}},
			totals: want{1, 250, 25, 1, 0.1, 0.1},
		},
		{
			name:   "H at 7 days",
			query:  "from=2025-05-01&to=2025-05-31&age=7d&group_by=campaign",
			key:    func(r analytics.EngagementRow) string { return *r.Campaign },
			rows:   map[string]want{"pilkada": {1, 800, 80, 1, 0.1, 0.1}},
			totals: want{1, 800, 80, 1, 0.1, 0.1},
		},
		{
			name:   "H at 28 days: a re-collected earlier slot",
			query:  "from=2025-05-01&to=2025-05-31&age=28d&unit=1&group_by=unit",
			key:    func(r analytics.EngagementRow) string { return *r.UnitName },
			rows:   map[string]want{"KPU Jawa Tengah": {1, 2700, 270, 1, 0.1, 0.1}},
			totals: want{1, 2700, 270, 1, 0.1, 0.1},
		},
		{
			name:  "by views",
			query: "from=2025-03-01&to=2025-03-31&method=views&platform=facebook",
			key:   func(r analytics.EngagementRow) string { return *r.ContentType },
			// A 10/400, D views 0 (unrated), E 2/100.
			rows:   map[string]want{"photo": {3, 300, 15, 2, 12.0 / 500, (0.025 + 0.02) / 2}},
			totals: want{3, 300, 15, 2, 12.0 / 500, (0.025 + 0.02) / 2},
		},
		{
			name:  "by followers",
			query: "from=2025-03-01&to=2025-03-31&method=followers&channel=10",
			key:   func(r analytics.EngagementRow) string { return *r.ContentType },
			// A: 10 ÷ 1000 followers on 3 March; E: 2 ÷ 500 on 1 March (local day).
			rows:   map[string]want{"photo": {2, 300, 12, 2, 0.007, 0.007}},
			totals: want{2, 300, 12, 2, 0.007, 0.007},
		},
		{
			name:   "a period with no posts",
			query:  "from=2024-01-01&to=2024-01-31",
			key:    func(r analytics.EngagementRow) string { return *r.ContentType },
			rows:   map[string]want{},
			totals: want{0, 0, 0, 0, nan, nan},
		},
		{
			name:  "by campaign and week",
			query: "from=2025-03-01&to=2025-03-31&group_by=campaign,week",
			key:   func(r analytics.EngagementRow) string { return *r.Campaign + "|" + *r.Week },
			rows: map[string]want{
				"pemilu|2025-02-24": {1, 100, 2, 1, 0.02, 0.02},
				"pemilu|2025-03-03": {1, 200, 10, 1, 0.05, 0.05},
				"|2025-03-10":       {1, 0, 4, 0, nan, nan},
				"|2025-03-10|":      {},
				"|2025-03-17":       {1, 0, 3, 0, nan, nan},
			},
			totals: want{5, 350, 24, 3, 17.0 / 350, (0.05 + 0.02 + 0.1) / 3},
		},
	}
	// C (15 March, a Saturday) is in the week of 10 March with B.
	for _, tc := range cases {
		if tc.name == "by campaign and week" {
			tc.rows["|2025-03-10"] = want{2, 50, 9, 1, 0.1, 0.1}
			delete(tc.rows, "|2025-03-10|")
		}
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := svc.Engagement(ctx, query(t, tc.query))
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Rows) != len(tc.rows) {
				t.Errorf("%d rows, want %d: %+v", len(rep.Rows), len(tc.rows), rep.Rows)
			}
			for _, r := range rep.Rows {
				k := tc.key(r)
				w, ok := tc.rows[k]
				if !ok {
					t.Errorf("unexpected row %q", k)
					continue
				}
				checkFigures(t, k, r.Figures, w)
			}
			checkFigures(t, "totals", rep.Totals, tc.totals)
			if rep.Definition.EN == "" || rep.Definition.ID == "" {
				t.Error("no definition")
			}
		})
	}

	t.Run("previous period and change", func(t *testing.T) {
		rep, err := svc.Engagement(ctx, query(t, "from=2025-03-01&to=2025-03-31"))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Previous.From != "2025-01-29" || rep.Previous.To != "2025-02-28" {
			t.Errorf("previous period %s..%s, want 2025-01-29..2025-02-28", rep.Previous.From, rep.Previous.To)
		}
		checkFigures(t, "previous", rep.Previous.Totals, want{1, 400, 8, 1, 0.02, 0.02})
		checkRate(t, "change in ER", rep.Previous.Change.EngagementRate, ptr(17.0/350-0.02))
		checkRate(t, "change in posts", rep.Previous.Change.Posts, ptr(4))
		if rep.Timezone != "Asia/Jakarta" {
			t.Errorf("timezone %q", rep.Timezone)
		}
	})
}

// TestAgeReadModel checks that fixed-age reports read the refreshed
// generation (post_age_facts), not post_metrics: a nearer snapshot
// collected after a refresh shows only after the next one.
func TestAgeReadModel(t *testing.T) {
	ch := storetest.ClickHouse(t)
	seedHand(t, ch)
	var clock atomic.Int64
	clock.Store(utc("2025-04-10 00:00").Unix())
	svc, err := analytics.New(ch, analytics.Options{CacheTTL: -1, RefreshEvery: -1,
		Now: func() time.Time { return time.Unix(clock.Load(), 0) }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	var rows uint64
	if err := ch.QueryRow(ctx, "SELECT count() FROM post_age_facts").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 3*8 { // 3 ages × 8 posts with snapshots
		t.Fatalf("post_age_facts has %d rows, want 24", rows)
	}
	q := query(t, "from=2025-05-01&to=2025-05-31&age=7d")
	reach := func() uint64 {
		t.Helper()
		rep, err := svc.Engagement(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return rep.Totals.Reach
	}
	if got := reach(); got != 800 {
		t.Fatalf("H at 7d: reach %d, want 800", got)
	}
	h := utc("2025-05-05 02:00")
	insertSnaps(t, ch, fxSnap{platform: "facebook", id: "H", channel: 10, published: h, slot: h.Add(7 * 24 * time.Hour),
		reach: 700, views: 700, inter: 70, insights: true})
	if got := reach(); got != 800 {
		t.Errorf("before the next refresh: reach %d, want the generation's 800", got)
	}
	if err := svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := reach(); got != 700 {
		t.Errorf("after the refresh: reach %d, want 700 (the +7d snapshot)", got)
	}
	clock.Add(int64((3 * time.Minute).Seconds()))
	if err := svc.Refresh(ctx); err != nil { // a third generation drops the first, superseded 3 minutes ago
		t.Fatal(err)
	}
	var parts uint64
	if err := ch.QueryRow(ctx, "SELECT uniqExact(gen) FROM post_age_facts").Scan(&parts); err != nil {
		t.Fatal(err)
	}
	if parts != 2 {
		t.Errorf("post_age_facts keeps %d generations, want 2 (current and previous)", parts)
	}
}
