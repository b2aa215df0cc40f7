package analytics_test

import (
	"context"
	"testing"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/store/storetest"
)

// TestUpgradeDropsFixedAgeGenerations: the upgrade (migration 0025) drops
// the fixed-age generations an older humas built (with an ANY INNER JOIN
// that keeps one age per post on ClickHouse 20.1+); fixed-age reports then
// answer from post_metrics with the same figures until the next refresh
// builds a generation with every age of every post.
func TestUpgradeDropsFixedAgeGenerations(t *testing.T) {
	// An installation that has every migration but 0025: today's service
	// also reads later tables (e.g. the change marker of 0030).
	ch := storetest.ClickHouseWithout(t, 25)
	seedHand(t, ch)
	ctx := context.Background()
	svc := newService(t, ch)
	if err := svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	count := func(q string) uint64 {
		t.Helper()
		var n uint64
		if err := ch.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	reach := func() uint64 {
		t.Helper()
		rep, err := newService(t, ch).Engagement(ctx, query(t, "from=2025-05-01&to=2025-05-31&age=7d"))
		if err != nil {
			t.Fatal(err)
		}
		return rep.Totals.Reach
	}
	if got := reach(); got != 800 {
		t.Fatalf("before the upgrade H at 7d: reach %d, want 800", got)
	}

	ran, err := ch.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ran) == 0 || ran[0].Version != 25 {
		t.Fatalf("the upgrade applied %v, want 0025 first", ran)
	}
	if n := count("SELECT count() FROM post_age_facts_gens") + count("SELECT count() FROM post_age_facts"); n != 0 {
		t.Fatalf("%d fixed-age generation rows left after the upgrade, want none", n)
	}
	if got := reach(); got != 800 {
		t.Errorf("after the upgrade, before a refresh (post_metrics): reach %d, want 800", got)
	}
	if err := svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count("SELECT count() FROM post_age_facts"); n != 3*8 {
		t.Errorf("the first refresh after the upgrade built %d fixed-age rows, want 24 (3 ages × 8 posts)", n)
	}
	if got := reach(); got != 800 {
		t.Errorf("after the refresh: reach %d, want 800", got)
	}
}

// TestUpgradeRebuildsPerPostReadModel: the upgrade (migration 0042)
// replaces post_facts and post_age_facts (new sorting key, followers per
// post) and drops the generations an older humas built; reports answer
// from post_latest and post_metrics with the same figures until the next
// refresh builds a generation in the new form.
func TestUpgradeRebuildsPerPostReadModel(t *testing.T) {
	ch := storetest.ClickHouseWithout(t, 42, 43)
	seedHand(t, ch)
	ctx := context.Background()
	// A generation as the older humas built it (its columns, its key).
	oldGen := func(gen uint32, facts string) {
		t.Helper()
		for _, q := range []string{
			facts,
			`INSERT INTO post_facts_gens (gen, posts, built_at, took_ms) SELECT ?, 8, now(), 1`,
		} {
			if err := ch.Exec(ctx, q, gen); err != nil {
				t.Fatal(err)
			}
		}
	}
	// post_latest as 0024 made it (argMax states) …
	oldGen(7, `INSERT INTO post_facts (gen, post_key, platform, post_id, published_at, content_type, unit_id, channel_id,
            campaign, reach, views, reactions, likes, comments, shares, saves, clicks, video_views, interactions,
            has_insights)
        SELECT ?, post_key, any(platform), any(post_id), any(published_at), argMaxMerge(d_content_type),
            argMaxMerge(d_unit_id), argMaxMerge(d_channel_id), argMaxMerge(d_campaign), argMaxMerge(m_reach),
            argMaxMerge(m_views), argMaxMerge(m_reactions), argMaxMerge(m_likes), argMaxMerge(m_comments),
            argMaxMerge(m_shares), argMaxMerge(m_saves), argMaxMerge(m_clicks), argMaxMerge(m_video_views),
            argMaxMerge(m_interactions), argMaxMerge(m_has_insights)
        FROM post_latest GROUP BY post_key`)
	ran, err := ch.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ran) != 2 || ran[0].Version != 42 || ran[1].Version != 43 {
		t.Fatalf("the upgrade applied %v, want 0042 and 0043", ran)
	}
	for _, q := range []string{"SELECT count() FROM post_facts", "SELECT count() FROM post_facts_gens",
		"SELECT count() FROM post_age_facts", "SELECT count() FROM post_age_facts_gens"} {
		var n uint64
		if err := ch.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s = %d after the upgrade, want 0", q, n)
		}
	}
	// The hand fixture's figures by followers (TestEngagementMaths).
	followers := func(label string, svc *analytics.Service) {
		t.Helper()
		rep, err := svc.Engagement(ctx, query(t, "from=2025-03-01&to=2025-03-31&method=followers&channel=10&group_by=content_type"))
		if err != nil {
			t.Fatal(err)
		}
		checkFigures(t, label, rep.Totals, want{2, 300, 12, 2, 0.007, 0.007})
	}
	svc := newService(t, ch)
	followers("after the upgrade, before a refresh", svc)
	if err := svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	var n uint64
	if err := ch.QueryRow(ctx, "SELECT count() FROM post_facts WHERE fol_day > 0 OR fol_next > 0").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Error("the first refresh after the upgrade built no post with followers")
	}
	followers("after the refresh", newService(t, ch))
	// A humas from before 0042 still running (a rolling upgrade) writes a
	// newer generation in its form, without followers: reports keep
	// the current one.
	// … and as 0043 makes it (rows), with the attributes as the snapshots
	// have them.
	oldGen(4000000000, `INSERT INTO post_facts (gen, post_key, platform, post_id, published_at, content_type, unit_id,
            channel_id, campaign, reach, views, reactions, likes, comments, shares, saves, clicks, video_views,
            interactions, has_insights)
        SELECT ?, post_key, platform, post_id, published_at, '', 0, channel_id, '', reach, views, reactions, likes,
            comments, shares, saves, clicks, video_views, interactions, has_insights
        FROM post_latest FINAL`)
	followers("after an older humas's generation", newService(t, ch))
}

// TestUpgradeKeysPostTagsByUnit: the upgrade (migration 0044) makes
// post_tags again with each post's unit, and generations record format 2;
// a generation an older humas built (format 1, post_tags without units)
// is not read, before or after a newer one, so hashtag reports filtered
// by unit or channel answer from the posts table until the next refresh,
// then from the new post_tags, with the same figures throughout.
func TestUpgradeKeysPostTagsByUnit(t *testing.T) {
	ch := storetest.ClickHouseWithout(t, 44)
	seedHand(t, ch)
	ctx := context.Background()
	// A generation as the older humas recorded it (0044 drops its
	// post_tags rows, which have no unit).
	if err := ch.Exec(ctx, `INSERT INTO post_facts_gens (gen, posts, built_at, took_ms, format) SELECT 9, 8, now(), 1, 1`); err != nil {
		t.Fatal(err)
	}
	ran, err := ch.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ran) != 1 || ran[0].Version != 44 {
		t.Fatalf("the upgrade applied %v, want 0044", ran)
	}
	posts, err := analytics.New(ch, analytics.Options{CacheTTL: -1, RefreshEvery: -1, NoCells: true})
	if err != nil {
		t.Fatal(err)
	}
	const march = "from=2025-03-01&to=2025-03-31"
	tags := func(label string, svc *analytics.Service, filter string) {
		t.Helper()
		q := query(t, march+"&"+filter)
		want, err := posts.Hashtags(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := svc.Hashtags(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(want.Rows) == 0 {
			t.Fatalf("%s %s: no hashtags: the comparison proves nothing", label, filter)
		}
		sameJSON(t, label+" "+filter, got, want)
	}
	svc := newService(t, ch)
	for _, f := range []string{"unit=2", "channel=10"} {
		tags("after the upgrade, before a refresh", svc, f)
	}
	if err := svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	var rows, units uint64
	if err := ch.QueryRow(ctx, "SELECT count(), countIf(unit_id > 0) FROM post_tags WHERE gen != 9").Scan(&rows, &units); err != nil {
		t.Fatal(err)
	}
	if rows == 0 || units != rows {
		t.Fatalf("the first refresh after the upgrade wrote %d post_tags rows, %d with a unit; want some, all with one", rows, units)
	}
	for _, f := range []string{"unit=2", "channel=10"} {
		tags("after the refresh", newService(t, ch), f)
	}
	// An older humas still running writes a newer generation in format 1
	// (its hashtags without units, recorded with hashtag cells): reports
	// keep the current one.
	for _, q := range []string{
		`INSERT INTO post_facts_gens (gen, posts, built_at, took_ms, format) SELECT 4000000000, 8, now(), 1, 1`,
		`INSERT INTO post_age_facts_gens (gen, rows, built_at, took_ms, format) SELECT 4000000000, 24, now(), 1, 1`,
		`INSERT INTO post_tags (gen, published_at, post_key, tag) SELECT 4000000000, published_at, post_key, '#lama' FROM post_latest FINAL`,
		`INSERT INTO post_cells_gens (gen, tz, cells, built_at, took_ms, tags) SELECT 4000000000, 'Asia/Jakarta', 0, now(), 1, 1`,
	} {
		if err := ch.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"unit=2", "channel=10", "platform=facebook"} {
		tags("after an older humas's generation", newService(t, ch), f)
	}
}
