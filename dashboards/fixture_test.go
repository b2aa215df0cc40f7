package dashboards

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/humas-id/humas/store"
)

// The fixture: a unit tree (national → province → city, and a second
// province), five channels, 45 posts in March 2025 with three snapshots
// each (plus a re-collected slot and an edited content type, which must not
// count twice), and daily followers with two collections a day.
var (
	fixFrom = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	fixTo   = time.Date(2025, 3, 31, 23, 59, 59, 0, time.UTC)
)

type fixUnit struct {
	id, parent uint64
	name       string
	ancestors  []uint64
}

type fixChannel struct {
	id       uint64
	platform string
	unit     uint64
	name     string
}

type fixPost struct {
	platform, id, contentType, campaign string
	channel, unit                       uint64
	published                           time.Time
	// latest snapshot
	reach, views, reactions, likes, comments, shares, saves uint64
}

var fixUnits = []fixUnit{
	{1, 0, "KPU RI", []uint64{1}},
	{2, 1, "KPU Provinsi Jawa Tengah", []uint64{1, 2}},
	{3, 2, "KPU Kota Salatiga", []uint64{1, 2, 3}},
	{4, 1, "KPU Provinsi Bali", []uint64{1, 4}},
}

var fixChannels = []fixChannel{
	{10, "facebook", 1, "KPU RI"},
	{11, "instagram", 1, "kpu_ri"},
	{20, "facebook", 2, "KPU Jateng"},
	{30, "instagram", 3, "kpusalatiga"},
	{40, "facebook", 4, "KPU Bali"},
}

func fixPosts() []fixPost {
	types := []string{"photo", "video", "interactive", "photo", "text", "link"}
	var out []fixPost
	for i := 0; i < 45; i++ {
		c := fixChannels[i%len(fixChannels)]
		hour := 2 // 09:00 WIB
		if i >= 30 {
			hour = 12 // 19:00 WIB
		}
		ct := types[i%len(types)]
		if c.platform == "instagram" && (ct == "text" || ct == "link") {
			ct = "photo"
		}
		p := fixPost{
			platform: c.platform, id: fmt.Sprintf("%d_%d", c.id, 1000+i), contentType: ct,
			channel: c.id, unit: c.unit,
			published: fixFrom.Add(time.Duration(i%30)*24*time.Hour + time.Duration(hour)*time.Hour + 7*time.Minute),
			reach:     uint64(1000 + 37*i), views: uint64(1500 + 41*i),
			reactions: uint64(20 + i), likes: uint64(30 + 2*i), comments: uint64(3 + i%5), shares: uint64(1 + i%3), saves: uint64(i % 4),
		}
		if i%4 == 0 {
			p.campaign = "pemilu-2029"
		} else if i%7 == 0 {
			p.campaign = "sosialisasi"
		}
		out = append(out, p)
	}
	return out
}

func followersOn(channel uint64, day time.Time) uint64 {
	return 5000*channel + uint64(day.Sub(fixFrom).Hours()/24)*3
}

func seed(t *testing.T, ch *store.ClickHouse) []fixPost {
	t.Helper()
	ctx := context.Background()
	send := func(q string, rows [][]any) {
		t.Helper()
		b, err := ch.PrepareBatch(ctx, q)
		if err != nil {
			t.Fatalf("prepare %s: %v", q, err)
		}
		for _, r := range rows {
			if err := b.Append(r...); err != nil {
				t.Fatalf("append %s: %v", q, err)
			}
		}
		if err := b.Send(); err != nil {
			t.Fatalf("send %s: %v", q, err)
		}
	}
	var rows [][]any
	for _, u := range fixUnits {
		rows = append(rows, []any{u.id, u.parent, u.name, "Asia/Jakarta", u.ancestors, uint64(1)})
	}
	send("INSERT INTO units (unit_id, parent_id, name, timezone, ancestors, version)", rows)
	rows = nil
	for _, c := range fixChannels {
		rows = append(rows, []any{c.id, c.platform, fmt.Sprint(900 + c.id), c.name, c.unit, uint64(1)})
	}
	send("INSERT INTO channels (channel_id, platform, account_id, name, unit_id, version)", rows)

	posts := fixPosts()
	rows = nil
	var snaps [][]any
	for i, p := range posts {
		link := "https://www.facebook.com/" + p.id
		if p.platform == "instagram" {
			link = "https://www.instagram.com/p/" + p.id
		}
		row := func(ct string, version uint64) []any {
			return []any{p.platform, p.id, p.channel, fmt.Sprint(900 + p.channel), p.unit, ct, "humas", "IMAGE", "FEED",
				fmt.Sprintf("Sosialisasi tahapan pemilu #%d: cek DPT Anda 🗳️", i), []string{"pemilu"}, p.campaign,
				p.published, link, uint64(i + 1), uint64(i + 1), p.published, version}
		}
		// An editor later corrected the content type: only version 2 counts.
		if i%5 == 0 {
			rows = append(rows, row("link", 1))
		}
		rows = append(rows, row(p.contentType, 2))
		for k, age := range []time.Duration{time.Hour, 24 * time.Hour, 7 * 24 * time.Hour} {
			div := uint64(3 - k) // earlier snapshots hold a third, a half, then everything
			slot := p.published.Add(age).Truncate(time.Hour)
			snap := func(collected time.Time, d uint64) []any {
				inter := uint64(0)
				if p.platform == "facebook" {
					inter = (p.reactions + p.comments + p.shares) / d
				} else {
					inter = (p.likes + p.comments + p.shares + p.saves) / d
				}
				return []any{slot, collected, p.platform, p.id, p.channel, fmt.Sprint(900 + p.channel), p.published,
					p.reach / d, p.views / d, p.reactions / d, p.likes / d, p.comments / d, p.shares / d, p.saves / d,
					uint64(5), uint64(0), inter, uint8(1), []string{"reach"}, []string{"reach"}, "run"}
			}
			snaps = append(snaps, snap(slot.Add(2*time.Minute), div))
			if k == 2 { // the same slot collected twice: replaces, never adds
				snaps = append(snaps, snap(slot.Add(time.Minute), 2)) // older, stale figures
			}
		}
	}
	send(`INSERT INTO posts (platform, post_id, channel_id, account_id, unit_id, content_type, content_type_source,
 media_type, media_product_type, caption, hashtags, campaign, published_at, permalink, humas_post_id, delivery_id,
 updated_at, version)`, rows)
	send(`INSERT INTO post_metrics (slot, collected_at, platform, post_id, channel_id, account_id, published_at, reach,
 views, reactions, likes, comments, shares, saves, clicks, video_views, interactions, has_insights, metric_fields,
 metric_sources, run_id)`, snaps)

	rows = nil
	for _, c := range fixChannels {
		for day := fixFrom.AddDate(0, 0, -2); day.Before(fixTo.AddDate(0, 0, 2)); day = day.AddDate(0, 0, 1) {
			f := followersOn(c.id, day)
			for _, at := range []struct {
				h int
				n uint64
			}{{1, f - 100}, {20, f}} { // the day's last collection wins
				rows = append(rows, []any{day, day.Add(time.Duration(at.h) * time.Hour), c.platform, c.id,
					fmt.Sprint(900 + c.id), c.unit, at.n, "followers_count"})
			}
		}
	}
	send("INSERT INTO account_metrics (day, collected_at, platform, channel_id, account_id, unit_id, followers, metric_source)", rows)

	// The inbox's comment facts: 20 comments, two in three answered; one
	// mirrored twice (the newer version answers it).
	rows = nil
	for i := 0; i < 20; i++ {
		c := fixChannels[i%len(fixChannels)]
		answered, minutes := uint8(0), 0.0
		if i%3 != 0 {
			answered, minutes = 1, float64(10*(i+1))
		}
		at := fixFrom.Add(time.Duration(i)*24*time.Hour + 3*time.Hour)
		rows = append(rows, []any{uint64(i + 1), c.id, c.unit, c.platform, at, uint8(i % 2), answered, minutes, uint64(2)})
		if i == 0 {
			rows = append(rows, []any{uint64(i + 1), c.id, c.unit, c.platform, at, uint8(0), uint8(1), 5.0, uint64(1)})
		}
	}
	send("INSERT INTO comment_facts (comment_id, channel_id, unit_id, platform, created_at, is_question, answered, response_minutes, version)", rows)

	// Information requests: six in March in the national office and the
	// Jawa Tengah subtree; request 1 was open, then answered late.
	rows = nil
	outcomes := []string{"late", "on_time", "on_time", "refused", "overdue", "open"}
	for i, o := range outcomes {
		unit := fixUnits[i%3].id
		rows = append(rows, []any{uint64(i + 1), unit, fixFrom.Add(time.Duration(3*i)*24*time.Hour + 2*time.Hour), o, uint64(2)})
	}
	rows = append(rows, []any{uint64(1), fixUnits[0].id, fixFrom.Add(2 * time.Hour), "open", uint64(1)})
	send("INSERT INTO ppid_facts (request_id, unit_id, received_at, outcome, version)", rows)
	return posts
}
