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

// qBestTimesMedian is a best-times cell's median rate (see bestTimes),
// over den and interactions; 0 when no post is rated.
const qBestTimesMedian = `if(rated = 0, 0, (quantileExactIf(0.5)(interactions / den, den > 0)
        - quantileExactIf(0.5)(-(interactions / den), den > 0)) / 2) AS med`

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
	var b sqlBuf
	// The median is taken in ClickHouse, as a median is taken: the middle
	// rate, or the mean of the two middle ones, so 168 rows come back
	// instead of every post's rate. quantileExact(0.5) picks the rate at
	// 0-based position floor(n / 2) of the sorted rates: the middle one
	// for odd n, the upper middle for even n. Over the negated rates it
	// picks, negated, the lower middle ((x + x) / 2 is x exactly). Two
	// partial sorts cost less than sorting each cell's rates (arraySort):
	// 28 against 40 ms for a year of the 10 M benchmark on 18.16.
	if readsFacts(q, p) {
		b.add("SELECT toDayOfWeek(toTimeZone(published_at, ?)) AS wd, toHour(toTimeZone(published_at, ?)) AS hr, ", p.tz, p.tz)
		b.add("count() AS n, countIf((")
		flatDen(&b, q.Method, p)
		b.add(" AS den) > 0) AS rated,\n    " + qBestTimesMedian)
		flatFrom(&b, q, p)
	} else {
		b.add("SELECT toDayOfWeek(lt) AS wd, toHour(lt) AS hr, count() AS n, countIf((" + denominators[q.Method] +
			" AS den) > 0) AS rated,\n    " + qBestTimesMedian + "\nFROM (\n")
		perPost(&b, q, p, false)
		b.add("\n)")
	}
	b.add("\nGROUP BY wd, hr\nORDER BY wd, hr")
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
