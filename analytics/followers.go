package analytics

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
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
	rep := &FollowersReport{From: p.fromDate.Format(DateLayout), To: p.toDate.Format(DateLayout), Timezone: p.tz,
		Channels: []FollowerChannel{},
		Definition: Definition{
			EN: "Followers of each channel per day (the day's last collection); growth = change since the previous day with a count; " +
				"period growth = last count − the count on the day before the period (or the first day with a count).",
			ID: "Pengikut setiap kanal per hari (pengumpulan terakhir hari itu); pertumbuhan = perubahan sejak hari sebelumnya yang punya data; " +
				"pertumbuhan periode = jumlah terakhir − jumlah pada hari sebelum periode (atau hari pertama yang punya data).",
		}}
	sb := seriesBuilder{rep: rep, first: p.fromDate, days: int(p.toDate.Sub(p.fromDate).Hours()/24) + 1, dayText: map[int64]string{}}
	var book *followerBook
	if !s.noFollowerBook {
		// Without a book (none yet, a failed read) the route reads the
		// table itself; a unit mirrored since the book was read is not in
		// its subtrees, so that report does too.
		if book, err = s.followerBook(ctx); err != nil && ctx.Err() == nil {
			s.log.DebugContext(ctx, "follower book unavailable; reading account_metrics", "err", err)
		}
		if _, known := book.unit(q.Unit); !known {
			book = nil
		}
	}
	if book != nil {
		book.each(q, p.fromDate.AddDate(0, 0, -1), p.toDate, sb.add)
	} else if err := s.followersLive(ctx, q, p, &sb); err != nil {
		return nil, err
	}
	sb.closeChannel()
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

// followersLive reads the channel days of q over p from account_metrics
// (when there is no follower book) into sb.
func (s *Service) followersLive(ctx context.Context, q Query, p period, sb *seriesBuilder) error {
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
		return fmt.Errorf("followers query: %w", err)
	}
	defer rows.Close()
	var ch, unit, n uint64
	var platform string
	var day time.Time
	for rows.Next() {
		if err := rows.Scan(&ch, &platform, &unit, &day, &n); err != nil {
			return fmt.Errorf("followers scan: %w", err)
		}
		sb.add(ch, platform, unit, day, n)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("followers rows: %w", err)
	}
	return nil
}

// seriesBuilder makes the channels of a followers report from channel days
// in order (by channel, then day). A year without a filter is about
// 100,000 day points: it allocates per channel, not per point (growth
// figures come from slabs, day texts from a per-day cache).
type seriesBuilder struct {
	rep                       *FollowersReport
	first                     time.Time // the period's first day: earlier days are a baseline only
	days                      int       // days in the period
	dayText                   map[int64]string
	slab                      []int64
	cur                       *FollowerChannel
	start, end, prev          uint64
	hasStart, hasEnd, hasPrev bool
}

func (b *seriesBuilder) add(ch uint64, platform string, unit uint64, day time.Time, n uint64) {
	if b.cur == nil || b.cur.Channel != ch {
		b.closeChannel()
		b.rep.Channels = append(b.rep.Channels, FollowerChannel{Channel: ch, Platform: platform, Unit: unit,
			Days: make([]FollowerDay, 0, min(b.days, 400))})
		b.cur = &b.rep.Channels[len(b.rep.Channels)-1]
		b.start, b.end, b.prev = 0, 0, 0
		b.hasStart, b.hasEnd, b.hasPrev = false, false, false
	}
	if !b.hasStart {
		b.start, b.hasStart = n, true
	}
	if day.Before(b.first) {
		b.prev, b.hasPrev = n, true
		return
	}
	text, ok := b.dayText[day.Unix()]
	if !ok {
		text = day.Format(DateLayout)
		b.dayText[day.Unix()] = text
	}
	d := FollowerDay{Day: text, Followers: n}
	if b.hasPrev {
		if len(b.slab) == cap(b.slab) {
			b.slab = make([]int64, 0, 4096)
		}
		b.slab = append(b.slab, int64(n)-int64(b.prev))
		d.Growth = &b.slab[len(b.slab)-1]
	}
	b.cur.Days = append(b.cur.Days, d)
	b.end, b.hasEnd = n, true
	b.prev, b.hasPrev = n, true
}

// closeChannel sets the current channel's start and end.
func (b *seriesBuilder) closeChannel() {
	if b.cur == nil {
		return
	}
	if b.hasStart {
		v := b.start
		b.cur.Start = &v
	}
	if b.hasEnd {
		v := b.end
		b.cur.End = &v
	}
}

// AppendJSON appends c as json.Marshal writes it (the API streams a large
// report's channels through it): the channel without its days through
// json.Marshal, the day points, whose texts are dates, by hand.
func (c *FollowerChannel) AppendJSON(b []byte) ([]byte, error) {
	head := *c
	head.Days = nil
	text, err := json.Marshal(&head) // ends ,"days":null}: days is the last field
	if err != nil {
		return b, err
	}
	if c.Days == nil {
		return append(b, text...), nil
	}
	b = append(b, text[:len(text)-len(`null}`)]...)
	b = append(b, '[')
	for i, d := range c.Days {
		if i > 0 {
			b = append(b, ',')
		}
		if !plainDate(d.Day) {
			day, err := json.Marshal(d.Day)
			if err != nil {
				return b, err
			}
			b = append(append(append(b, `{"day":`...), day...), `,"followers":`...)
		} else {
			b = append(append(append(b, `{"day":"`...), d.Day...), `","followers":`...)
		}
		b = strconv.AppendUint(b, d.Followers, 10)
		b = append(b, `,"growth":`...)
		if d.Growth == nil {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendInt(b, *d.Growth, 10)
		}
		b = append(b, '}')
	}
	return append(b, "]}"...), nil
}

// plainDate: s has only digits and '-' (json.Marshal writes it as is).
func plainDate(s string) bool {
	for i := range len(s) {
		if (s[i] < '0' || s[i] > '9') && s[i] != '-' {
			return false
		}
	}
	return true
}

// jsonSize is about the length of r's JSON (the answer cache's measure):
// the fixed text, and per day point its keys and figures.
func (r *FollowersReport) jsonSize() int64 {
	n := int64(300 + len(r.Definition.EN) + len(r.Definition.ID))
	for i := range r.Channels {
		c := &r.Channels[i]
		n += int64(160 + len(c.ChannelName) + len(c.Platform))
		for _, d := range c.Days {
			n += int64(34+len(d.Day)) + digits(int64(d.Followers)) + 4 // 4: null
			if d.Growth != nil {
				n += digits(*d.Growth) - 4
			}
		}
	}
	return n
}

// digits is the length of v in decimal.
func digits(v int64) int64 {
	n := int64(1)
	if v < 0 {
		n, v = 2, -v
	}
	for ; v >= 10; v /= 10 {
		n++
	}
	return n
}
