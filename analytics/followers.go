package analytics

import (
	"context"
	"fmt"
	"time"
)

// FollowerDay is one channel's follower count on one day.
type FollowerDay struct {
	Day       string `json:"day"`
	Followers uint64 `json:"followers"`
	// Growth is the change since the previous day with a count (null for
	// the first known day).
	Growth *int64 `json:"growth"`
}

// FollowerChannel is one channel's series and its growth over the period.
type FollowerChannel struct {
	Channel     uint64        `json:"channel"`
	ChannelName string        `json:"channel_name"`
	Platform    string        `json:"platform"`
	Unit        uint64        `json:"unit"`
	Start       *uint64       `json:"start"`
	End         *uint64       `json:"end"`
	Growth      *int64        `json:"growth"`
	GrowthRate  *float64      `json:"growth_rate"`
	Days        []FollowerDay `json:"days"`
}

// FollowersReport answers GET /followers.
type FollowersReport struct {
	From       string            `json:"from"`
	To         string            `json:"to"`
	Timezone   string            `json:"timezone"`
	Definition Definition        `json:"definition"`
	Channels   []FollowerChannel `json:"channels"`
}

// Follower counts per channel per day (the day's last collection).
// Arguments: first day, last day, then the filters.
const qFollowers = `SELECT channel_id, any(platform), argMax(unit_id, collected_at), day, argMax(followers, collected_at)
FROM account_metrics
WHERE day >= ? AND day <= ?`

// Followers lists follower counts and growth per channel per day (default:
// the last 30 days). The day before the period is read too, so the first
// day has a growth figure.
func (s *Service) Followers(ctx context.Context, q Query) (*FollowersReport, error) {
	return remember(ctx, s, "followers", q, func(ctx context.Context) (*FollowersReport, error) {
		return s.followers(ctx, q)
	})
}

func (s *Service) followers(ctx context.Context, q Query) (*FollowersReport, error) {
	p, err := s.resolve(ctx, q, 30)
	if err != nil {
		return nil, err
	}
	var b sqlBuf
	b.add(qFollowers, dateOnly(p.fromDate.AddDate(0, 0, -1)), dateOnly(p.toDate))
	if q.Platform != "" {
		b.add(" AND platform = ?", q.Platform)
	}
	if q.Channel != 0 {
		b.add(" AND channel_id = ?", q.Channel)
	}
	if q.Unit != 0 {
		b.add(" AND unit_id IN (SELECT unit_id FROM units FINAL WHERE has(ancestors, ?))", q.Unit)
	}
	b.add("\nGROUP BY channel_id, day\nORDER BY channel_id, day")
	rows, err := s.ch.Query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("followers query: %w", err)
	}
	defer rows.Close()
	rep := &FollowersReport{From: p.fromDate.Format(DateLayout), To: p.toDate.Format(DateLayout), Timezone: p.tz,
		Channels: []FollowerChannel{},
		Definition: Definition{
			EN: "Followers of each channel per day (the day's last collection); growth = change since the previous day with a count; " +
				"period growth = last count − the count on the day before the period (or the first day with a count).",
			ID: "Pengikut setiap kanal per hari (pengumpulan terakhir hari itu); pertumbuhan = perubahan sejak hari sebelumnya yang punya data; " +
				"pertumbuhan periode = jumlah terakhir − jumlah pada hari sebelum periode (atau hari pertama yang punya data).",
		}}
	// A year without a filter is about 100,000 day points: the loop
	// allocates per channel, not per point (growth figures come from
	// slabs, day texts from a per-day cache).
	var cur *FollowerChannel
	var start, end, prev uint64
	var hasStart, hasEnd, hasPrev bool
	closeChannel := func() {
		if cur == nil {
			return
		}
		if hasStart {
			v := start
			cur.Start = &v
		}
		if hasEnd {
			v := end
			cur.End = &v
		}
	}
	first := p.fromDate
	days := int(p.toDate.Sub(p.fromDate).Hours()/24) + 1
	dayText := map[int64]string{}
	var slab []int64
	var ch, unit, n uint64
	var platform string
	var day time.Time
	for rows.Next() {
		if err := rows.Scan(&ch, &platform, &unit, &day, &n); err != nil {
			return nil, fmt.Errorf("followers scan: %w", err)
		}
		if cur == nil || cur.Channel != ch {
			closeChannel()
			rep.Channels = append(rep.Channels, FollowerChannel{Channel: ch, Platform: platform, Unit: unit,
				Days: make([]FollowerDay, 0, min(days, 400))})
			cur = &rep.Channels[len(rep.Channels)-1]
			start, end, prev = 0, 0, 0
			hasStart, hasEnd, hasPrev = false, false, false
		}
		if !hasStart {
			start, hasStart = n, true
		}
		if day.Before(first) { // the day before the period: a baseline only
			prev, hasPrev = n, true
			continue
		}
		text, ok := dayText[day.Unix()]
		if !ok {
			text = day.Format(DateLayout)
			dayText[day.Unix()] = text
		}
		d := FollowerDay{Day: text, Followers: n}
		if hasPrev {
			if len(slab) == cap(slab) {
				slab = make([]int64, 0, 4096)
			}
			slab = append(slab, int64(n)-int64(prev))
			d.Growth = &slab[len(slab)-1]
		}
		cur.Days = append(cur.Days, d)
		end, hasEnd = n, true
		prev, hasPrev = n, true
	}
	closeChannel()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("followers rows: %w", err)
	}
	names, err := s.names(ctx, qChannelNames)
	if err != nil {
		return nil, err
	}
	for i := range rep.Channels {
		c := &rep.Channels[i]
		c.ChannelName = names[c.Channel]
		if c.Start != nil && c.End != nil {
			g := int64(*c.End) - int64(*c.Start)
			c.Growth = &g
			if *c.Start > 0 {
				r := float64(g) / float64(*c.Start)
				c.GrowthRate = &r
			}
		}
	}
	return rep, nil
}
