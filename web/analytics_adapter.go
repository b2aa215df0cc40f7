package web

import (
	"context"
	"math"
	"strconv"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/auth"
)

// AnalyticsReports implements Reports over analytics.Service: the
// engagement maths and its definition are the analytics package's.
type AnalyticsReports struct {
	S *analytics.Service
	// TopN is how many top and bottom posts to list (default 5).
	TopN int
	// BestTimeWeeks is the best-time window ending on the period's last
	// day (default 12 weeks).
	BestTimeWeeks int
}

// NewAnalyticsReports adapts s for the report page.
func NewAnalyticsReports(s *analytics.Service) *AnalyticsReports {
	return &AnalyticsReports{S: s, TopN: 5, BestTimeWeeks: 12}
}

func ratio(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// Report runs the engagement queries the page shows: by content type,
// platform and unit for the period and the one before, the top and
// bottom posts, and the best-time grid.
func (a *AnalyticsReports) Report(ctx context.Context, _ auth.Principal, q ReportQuery) (ReportData, error) {
	var rd ReportData
	unit := uint64(0)
	if q.UnitID > 0 {
		unit = uint64(q.UnitID)
	}
	base := analytics.Query{Method: "reach", Age: "latest", Unit: unit, Sort: "engagement_rate", Order: "desc", Limit: 20}
	groups := func(cur bool, key string) ([]Group, *analytics.EngagementReport, error) {
		qq := base
		qq.GroupBy = []string{key}
		if cur {
			qq.From, qq.To = q.From, q.To
		} else {
			qq.From, qq.To = q.PrevFrom, q.PrevTo
		}
		rep, err := a.S.Engagement(ctx, qq)
		if err != nil {
			return nil, nil, err
		}
		var out []Group
		for _, r := range rep.Rows {
			g := Group{Posts: int64(r.Posts), Reach: int64(r.Reach), Interactions: int64(r.Interactions), ER: ratio(r.EngagementRate)}
			switch key {
			case "content_type":
				if r.ContentType != nil {
					g.Key = *r.ContentType
				}
			case "platform":
				if r.Platform != nil {
					g.Key = *r.Platform
				}
			case "unit":
				if r.Unit != nil {
					g.Key = strconv.FormatUint(*r.Unit, 10)
				}
				if r.UnitName != nil {
					g.Label = *r.UnitName
				}
			}
			out = append(out, g)
		}
		return out, rep, nil
	}
	var err error
	var rep *analytics.EngagementReport
	if rd.ByType, rep, err = groups(true, "content_type"); err != nil {
		return rd, err
	}
	rd.DefinitionEN, rd.DefinitionID = rep.Definition.EN, rep.Definition.ID
	if rd.ByTypePrev, _, err = groups(false, "content_type"); err != nil {
		return rd, err
	}
	if rd.ByPlatform, _, err = groups(true, "platform"); err != nil {
		return rd, err
	}
	if rd.ByPlatformPrev, _, err = groups(false, "platform"); err != nil {
		return rd, err
	}
	if rd.ByUnit, _, err = groups(true, "unit"); err != nil {
		return rd, err
	}
	if rd.ByUnitPrev, _, err = groups(false, "unit"); err != nil {
		return rd, err
	}
	n := a.TopN
	if n <= 0 {
		n = 5
	}
	for _, order := range []string{"desc", "asc"} {
		qq := base
		qq.From, qq.To, qq.Order, qq.Limit = q.From, q.To, order, n
		pr, err := a.S.TopPosts(ctx, qq)
		if err != nil {
			return rd, err
		}
		var list []PostStat
		for _, p := range pr.Posts {
			list = append(list, PostStat{Platform: p.Platform, PostID: p.PostID, Permalink: p.Permalink, Caption: p.Caption,
				ContentType: p.ContentType, ChannelName: p.ChannelName, PublishedAt: p.PublishedAt, Reach: int64(p.Reach),
				Interactions: int64(p.Interactions), ER: ratio(p.EngagementRate)})
		}
		if order == "desc" {
			rd.Top = list
		} else {
			rd.Bottom = list
		}
	}
	weeks := a.BestTimeWeeks
	if weeks <= 0 {
		weeks = 12
	}
	qq := base
	qq.To = q.To
	qq.From = q.To.AddDate(0, 0, 1-7*weeks)
	bt, err := a.S.BestTimes(ctx, qq)
	if err != nil {
		return rd, err
	}
	rd.BestTimeWeeks, rd.BestTimeMinPosts = weeks, bt.MinPosts
	for r := range rd.BestTime {
		for h := range rd.BestTime[r] {
			rd.BestTime[r][h].Value = math.NaN()
		}
	}
	for _, c := range bt.Cells {
		if c.Weekday < 1 || c.Weekday > 7 || c.Hour < 0 || c.Hour > 23 {
			continue
		}
		cell := &rd.BestTime[c.Weekday-1][c.Hour]
		cell.Posts = c.Posts
		if c.MedianEngagementRate != nil && !c.TooFew {
			cell.Value = *c.MedianEngagementRate
		}
	}
	return rd, nil
}
