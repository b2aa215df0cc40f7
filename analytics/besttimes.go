package analytics

import (
	"context"
	"fmt"
)

// MinPostsPerCell is how many posts a best-times cell needs before its
// median is shown as meaningful.
const MinPostsPerCell = 3

// BestTimeCell is one weekday × hour of the grid (local time).
type BestTimeCell struct {
	// Weekday is ISO: 1 = Monday … 7 = Sunday.
	Weekday int `json:"weekday"`
	Hour    int `json:"hour"`
	Posts   int `json:"posts"`
	// RatedPosts have a non-zero denominator; the median is over them.
	RatedPosts           int      `json:"rated_posts"`
	MedianEngagementRate *float64 `json:"median_engagement_rate"`
	// TooFew is true when fewer than MinPostsPerCell posts stand behind
	// the cell: do not read the median as a pattern.
	TooFew bool `json:"too_few"`
}

// BestTimesReport answers GET /engagement/best-times.
type BestTimesReport struct {
	Method      string         `json:"method"`
	Age         string         `json:"age"`
	From        string         `json:"from"`
	To          string         `json:"to"`
	Timezone    string         `json:"timezone"`
	MinPosts    int            `json:"min_posts_per_cell"`
	Definition  Definition     `json:"definition"`
	Cells       []BestTimeCell `json:"cells"`
	Description Definition     `json:"description"`
}

// BestTimes builds the weekday × hour grid of median per-post ER over
// posts published in the period (default: the last 12 weeks). Only cells
// with posts are listed.
func (s *Service) BestTimes(ctx context.Context, q Query) (*BestTimesReport, error) {
	return remember(ctx, s, "besttimes", q, func(ctx context.Context) (*BestTimesReport, error) {
		return s.bestTimes(ctx, q)
	})
}

func (s *Service) bestTimes(ctx context.Context, q Query) (*BestTimesReport, error) {
	p, err := s.resolve(ctx, q, 84)
	if err != nil {
		return nil, err
	}
	den := denominators[q.Method]
	var b sqlBuf
	// The median is taken in ClickHouse, as a median is taken: the
	// middle rate of the sorted rates, or the mean of the two middle ones
	// ((x + x) / 2 is x exactly), so 168 rows come back instead of every
	// post's rate.
	b.add("SELECT wd, hr, n, rated, if(rated = 0, 0, (rs[intDiv(rated + 1, 2)] + rs[intDiv(rated, 2) + 1]) / 2) AS med\nFROM (\n" +
		"SELECT toDayOfWeek(lt) AS wd, toHour(lt) AS hr, count() AS n, arraySort(groupArrayIf(interactions / " + den + ", " + den +
		" > 0)) AS rs, length(rs) AS rated\nFROM (\n")
	perPost(&b, q, p, false)
	b.add("\n)\nGROUP BY wd, hr\n)\nORDER BY wd, hr")
	rows, err := s.ch.Query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("best times query: %w", err)
	}
	defer rows.Close()
	rep := &BestTimesReport{Method: q.Method, Age: q.Age, From: p.fromDate.Format(DateLayout), To: p.toDate.Format(DateLayout),
		Timezone: p.tz, MinPosts: MinPostsPerCell, Definition: definition(q.Method, q.Age, p.tz), Cells: []BestTimeCell{},
		Description: Definition{
			EN: fmt.Sprintf("Weekday (1 = Monday) × hour of publishing in %s; each cell is the median of per-post engagement rates "+
				"over posts with a non-zero denominator; cells with fewer than %d posts are marked too_few.", p.tz, MinPostsPerCell),
			ID: fmt.Sprintf("Hari (1 = Senin) × jam terbit menurut %s; setiap sel adalah median tingkat engagement per postingan "+
				"atas postingan dengan penyebut bukan nol; sel dengan kurang dari %d postingan ditandai too_few (terlalu sedikit).", p.tz, MinPostsPerCell),
		}}
	for rows.Next() {
		var wd, hr uint8
		var n, rated uint64
		var med float64
		if err := rows.Scan(&wd, &hr, &n, &rated, &med); err != nil {
			return nil, fmt.Errorf("best times scan: %w", err)
		}
		c := BestTimeCell{Weekday: int(wd), Hour: int(hr), Posts: int(n), RatedPosts: int(rated), TooFew: n < MinPostsPerCell}
		if rated > 0 {
			c.MedianEngagementRate = &med
		}
		rep.Cells = append(rep.Cells, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("best times rows: %w", err)
	}
	return rep, nil
}
