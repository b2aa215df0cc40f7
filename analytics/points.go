package analytics

import (
	"context"
	"fmt"
	"time"
)

// Point is one post as the finding generator sees it: its attributes, its
// local publishing hour and the two numbers of its engagement rate.
type Point struct {
	// Current is true for a post of the report's period, false for one of
	// the period before it.
	Current     bool
	Platform    string
	PostID      string
	ContentType string
	Unit        uint64
	Channel     uint64
	Campaign    string
	// Hour (0–23) and Weekday (ISO, 1 = Monday) of publishing, local time.
	Hour      int
	Weekday   int
	Published time.Time
	// Interactions and Denominator (reach, views or followers, by the
	// method): the post's rate is Interactions ÷ Denominator.
	Interactions uint64
	Denominator  uint64
	Reach        uint64
}

// PointsReport is every post of the period and of the one before it.
type PointsReport struct {
	Method   string  `json:"method"`
	From     string  `json:"from"`
	To       string  `json:"to"`
	PrevFrom string  `json:"prev_from"`
	PrevTo   string  `json:"prev_to"`
	Timezone string  `json:"timezone"`
	Points   []Point `json:"points"`
}

// Points lists the posts of the period and the one before it (each with
// its latest snapshot, or the one nearest q.Age), filtered as q says: the
// material the findings are computed from.
func (s *Service) Points(ctx context.Context, q Query) (*PointsReport, error) {
	return remember(ctx, s, "points", q, func(ctx context.Context) (*PointsReport, error) {
		return s.points(ctx, q)
	})
}

func (s *Service) points(ctx context.Context, q Query) (*PointsReport, error) {
	p, err := s.resolve(ctx, q, 30)
	if err != nil {
		return nil, err
	}
	var b sqlBuf
	b.add("SELECT cur, plat, pid, ctype, unit, chan, camp, toHour(lt) AS hr, toDayOfWeek(lt) AS wd, pub, interactions," +
		" toUInt64(" + denominators[q.Method] + ") AS den, reach\nFROM (\n")
	perPost(&b, q, p, true)
	b.add("\n)\nORDER BY pub, pid")
	rows, err := s.ch.Query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("points query: %w", err)
	}
	defer rows.Close()
	rep := &PointsReport{Method: q.Method, From: p.fromDate.Format(DateLayout), To: p.toDate.Format(DateLayout),
		PrevFrom: p.prevFromDate.Format(DateLayout), PrevTo: p.prevToDate.Format(DateLayout), Timezone: p.tz, Points: []Point{}}
	for rows.Next() {
		var pt Point
		var cur, hr, wd uint8
		if err := rows.Scan(&cur, &pt.Platform, &pt.PostID, &pt.ContentType, &pt.Unit, &pt.Channel, &pt.Campaign, &hr, &wd, &pt.Published,
			&pt.Interactions, &pt.Denominator, &pt.Reach); err != nil {
			return nil, fmt.Errorf("points scan: %w", err)
		}
		pt.Current, pt.Hour, pt.Weekday, pt.Published = cur == 1, int(hr), int(wd), pt.Published.UTC()
		rep.Points = append(rep.Points, pt)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("points rows: %w", err)
	}
	return rep, nil
}
