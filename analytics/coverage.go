package analytics

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// ChannelCoverage is the span of data humas holds for one channel: the
// first and last post collected and the first and last day with a
// follower count.
type ChannelCoverage struct {
	Channel       uint64     `json:"channel"`
	ChannelName   string     `json:"channel_name"`
	Platform      string     `json:"platform"`
	Unit          uint64     `json:"unit"`
	FirstPost     *time.Time `json:"first_post"`
	LastPost      *time.Time `json:"last_post"`
	FirstFollower *time.Time `json:"first_follower_day"`
	LastFollower  *time.Time `json:"last_follower_day"`
}

// DataFrom is the first day with any data of the channel (a post or a
// follower count), as a calendar date in loc.
func (c ChannelCoverage) DataFrom(loc *time.Location) (time.Time, bool) {
	var first time.Time
	if c.FirstPost != nil {
		t := c.FirstPost.In(loc)
		first = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	if c.FirstFollower != nil && (first.IsZero() || c.FirstFollower.Before(first)) {
		first = *c.FirstFollower
	}
	return first, !first.IsZero()
}

// CoverageReport lists the channels in scope that have any data.
type CoverageReport struct {
	Timezone string            `json:"timezone"`
	Channels []ChannelCoverage `json:"channels"`
}

// Posts and follower days per channel in scope. The scope filter (channels
// of a unit and the units below it) is appended; arguments: unit.
const (
	qCoveragePosts = `SELECT channel_id, min(published_at) AS first_pub, max(published_at) AS last_pub
FROM posts`
	qCoverageFollowers = `SELECT channel_id, min(day) AS first_day, max(day) AS last_day
FROM account_metrics`
	qCoverageScope = `
WHERE channel_id IN (SELECT channel_id FROM channels FINAL WHERE unit_id IN (SELECT unit_id FROM units FINAL WHERE has(ancestors, ?)))`
	qCoverageGroup = `
GROUP BY channel_id`
	qChannelDims = `SELECT channel_id, argMax(name, version), argMax(platform, version), argMax(unit_id, version)
FROM channels
GROUP BY channel_id`
)

// Coverage says from when humas holds data for each channel of q.Unit and
// the units below it (every channel without a unit): the first post
// collected and the first follower count. A report period that starts
// before a channel's first data is only partly covered.
func (s *Service) Coverage(ctx context.Context, q Query) (*CoverageReport, error) {
	return remember(ctx, s, "coverage", q, func(ctx context.Context) (*CoverageReport, error) {
		return s.coverage(ctx, q)
	})
}

func (s *Service) coverage(ctx context.Context, q Query) (*CoverageReport, error) {
	p, err := s.resolve(ctx, q, 30)
	if err != nil {
		return nil, err
	}
	byID := map[uint64]*ChannelCoverage{}
	get := func(id uint64) *ChannelCoverage {
		c, ok := byID[id]
		if !ok {
			c = &ChannelCoverage{Channel: id}
			byID[id] = c
		}
		return c
	}
	read := func(head string, set func(c *ChannelCoverage, first, last time.Time)) error {
		query, args := head, []any(nil)
		if q.Unit != 0 {
			query += qCoverageScope
			args = append(args, q.Unit)
		}
		rows, err := s.ch.Query(ctx, query+qCoverageGroup, args...)
		if err != nil {
			return fmt.Errorf("coverage query: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id uint64
			var first, last time.Time
			if err := rows.Scan(&id, &first, &last); err != nil {
				return fmt.Errorf("coverage scan: %w", err)
			}
			set(get(id), first.UTC(), last.UTC())
		}
		return rows.Err()
	}
	if err := read(qCoveragePosts, func(c *ChannelCoverage, first, last time.Time) { c.FirstPost, c.LastPost = &first, &last }); err != nil {
		return nil, err
	}
	if err := read(qCoverageFollowers, func(c *ChannelCoverage, first, last time.Time) {
		c.FirstFollower, c.LastFollower = &first, &last
	}); err != nil {
		return nil, err
	}
	rows, err := s.ch.Query(ctx, qChannelDims)
	if err != nil {
		return nil, fmt.Errorf("read channels: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, unit uint64
		var name, platform string
		if err := rows.Scan(&id, &name, &platform, &unit); err != nil {
			return nil, fmt.Errorf("scan channels: %w", err)
		}
		if c, ok := byID[id]; ok {
			c.ChannelName, c.Platform, c.Unit = name, platform, unit
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read channels: %w", err)
	}
	rep := &CoverageReport{Timezone: p.tz, Channels: []ChannelCoverage{}}
	for _, c := range byID {
		rep.Channels = append(rep.Channels, *c)
	}
	sort.Slice(rep.Channels, func(i, j int) bool { return rep.Channels[i].Channel < rep.Channels[j].Channel })
	return rep, nil
}
