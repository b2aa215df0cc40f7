package analytics_test

import (
	"context"
	"testing"
	"time"

	"github.com/humas-id/humas/store"
)

type fxPost struct {
	platform, id, contentType, campaign string
	channel, unit                       uint64
	published                           time.Time
	hashtags                            []string
	version                             uint64
	humasPostID                         uint64 // the humas post that published it (0: outside humas)
}

type fxSnap struct {
	platform, id                             string
	channel                                  uint64
	published, slot, collected               time.Time
	reach, views, reactions, likes, comments uint64
	shares, saves, clicks, videoViews, inter uint64
	insights                                 bool
}

type fxUnit struct {
	id, parent uint64
	name, tz   string
	ancestors  []uint64
}

func insertPosts(t *testing.T, ch *store.ClickHouse, posts ...fxPost) {
	t.Helper()
	ctx := context.Background()
	b, err := ch.PrepareBatch(ctx, `INSERT INTO posts (platform, post_id, channel_id, account_id, unit_id, content_type,
		content_type_source, media_type, media_product_type, caption, hashtags, campaign, published_at, permalink,
		humas_post_id, delivery_id, updated_at, version)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range posts {
		v := p.version
		if v == 0 {
			v = 1
		}
		tags := p.hashtags
		if tags == nil {
			tags = []string{}
		}
		if err := b.Append(p.platform, p.id, p.channel, "acct", p.unit, p.contentType, "humas", "IMAGE", "FEED",
			"caption of "+p.id, tags, p.campaign, p.published, "https://example.test/"+p.id, p.humasPostID, uint64(0),
			p.published, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
}

func insertSnaps(t *testing.T, ch *store.ClickHouse, snaps ...fxSnap) {
	t.Helper()
	ctx := context.Background()
	b, err := ch.PrepareBatch(ctx, `INSERT INTO post_metrics (slot, collected_at, platform, post_id, channel_id, account_id,
		published_at, reach, views, reactions, likes, comments, shares, saves, clicks, video_views, interactions,
		has_insights, metric_fields, metric_sources, run_id)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snaps {
		coll := s.collected
		if coll.IsZero() {
			coll = s.slot.Add(time.Minute)
		}
		var hi uint8
		if s.insights {
			hi = 1
		}
		if err := b.Append(s.slot, coll, s.platform, s.id, s.channel, "acct", s.published, s.reach, s.views, s.reactions,
			s.likes, s.comments, s.shares, s.saves, s.clicks, s.videoViews, s.inter, hi, []string{"reach"},
			[]string{"post_total_media_view_unique"}, "run"); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
}

func insertUnits(t *testing.T, ch *store.ClickHouse, units ...fxUnit) {
	t.Helper()
	b, err := ch.PrepareBatch(context.Background(), `INSERT INTO units (unit_id, parent_id, name, timezone, ancestors, version)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		if err := b.Append(u.id, u.parent, u.name, u.tz, u.ancestors, uint64(1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
}

func insertChannels(t *testing.T, ch *store.ClickHouse, rows ...[3]any) {
	t.Helper()
	b, err := ch.PrepareBatch(context.Background(), `INSERT INTO channels (channel_id, platform, account_id, name, unit_id, version)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows { // id, platform, unit
		if err := b.Append(r[0].(uint64), r[1].(string), "acct", "channel "+r[1].(string), r[2].(uint64), uint64(1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
}

func insertFollowers(t *testing.T, ch *store.ClickHouse, channel, unit uint64, platform string, days map[string]uint64) {
	t.Helper()
	b, err := ch.PrepareBatch(context.Background(), `INSERT INTO account_metrics (day, collected_at, platform, channel_id,
		account_id, unit_id, followers, metric_source)`)
	if err != nil {
		t.Fatal(err)
	}
	for d, n := range days {
		day, _ := time.Parse("2006-01-02", d)
		if err := b.Append(day, day.Add(12*time.Hour), platform, channel, "acct", unit, n, "followers_count"); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
}

// insertFollowersAt writes one follower count of a channel's day, collected
// at the given time.
func insertFollowersAt(t *testing.T, ch *store.ClickHouse, channel, unit uint64, day string, collected time.Time, n uint64) {
	t.Helper()
	d, err := time.Parse("2006-01-02", day)
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Exec(context.Background(), `INSERT INTO account_metrics (day, collected_at, platform, channel_id, account_id,
		unit_id, followers, metric_source) SELECT ?, ?, 'facebook', ?, 'acct', ?, ?, 'followers_count'`,
		d, collected, channel, unit, n); err != nil {
		t.Fatal(err)
	}
}
