package report

import (
	"context"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/humas-id/humas/analytics"
)

// AgendaFigures gives the report the agenda: the events a unit sees
// (its own and its parents') overlapping a range, each with the humas
// posts linked to it when they were composed.
type AgendaFigures interface {
	Events(ctx context.Context, unitID int64, from, to time.Time) ([]AgendaEvent, error)
}

// AgendaEvent is one event with its linked humas posts.
type AgendaEvent struct {
	ID          int64
	Title, Type string
	Start, End  time.Time
	AllDay      bool
	HumasPosts  []int64
}

// matchWindow is how far from an event a post whose caption names it
// still counts as about it.
const matchWindow = 14 * 24 * time.Hour

// timedPost is a post of the period tied to an event.
type timedPost struct {
	timing       string // before, on, after
	lagHours     float64
	interactions uint64
	denominator  uint64
}

// timelinessSections measures how timely the period's posts were: each
// published post tied to an event (linked when composed, or whose
// caption names the event's title within 14 days of it) is before, on
// (during) or after the event's local day(s); ER by reach per timing, the
// median lag from the event's start; and the period's events no post was
// about.
func (b *Builder) timelinessSections(ctx context.Context, lang string, loc *time.Location, unitID int64, p Period, points []analytics.Point) ([]Section, error) {
	if b.Agenda == nil {
		return nil, nil
	}
	from := time.Date(p.From.Year(), p.From.Month(), p.From.Day(), 0, 0, 0, 0, loc)
	to := time.Date(p.To.Year(), p.To.Month(), p.To.Day(), 0, 0, 0, 0, loc)
	if !to.After(from) {
		to = from.AddDate(0, 0, 1)
	}
	unit := unitID
	events, err := b.Agenda.Events(ctx, unit, from.Add(-matchWindow), to.Add(matchWindow))
	if err != nil {
		return nil, err
	}
	q := analytics.PlatformPostsQuery{From: from, To: to}
	if unitID > 0 {
		q.Unit = uint64(unitID)
	}
	posts, err := b.A.PlatformPosts(ctx, q)
	if err != nil {
		return nil, err
	}
	type key struct{ platform, id string }
	rates := map[key]analytics.Point{}
	for _, pt := range points {
		if pt.Current {
			rates[key{pt.Platform, pt.PostID}] = pt
		}
	}
	byHumas := map[int64]int{}
	for i, e := range events {
		for _, id := range e.HumasPosts {
			byHumas[id] = i
		}
	}
	day := func(t time.Time) time.Time {
		l := t.In(loc)
		return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	}
	covered := map[int64]bool{}
	var timed []timedPost
	for _, pp := range posts {
		ev := -1
		if i, ok := byHumas[int64(pp.HumasPostID)]; ok && pp.HumasPostID != 0 {
			ev = i
		} else {
			best := math.MaxFloat64
			capt := strings.ToLower(pp.Caption)
			for i, e := range events {
				if e.Title == "" || !strings.Contains(capt, strings.ToLower(e.Title)) {
					continue
				}
				if pp.PublishedAt.Before(e.Start.Add(-matchWindow)) || pp.PublishedAt.After(e.End.Add(matchWindow)) {
					continue
				}
				if d := math.Abs(pp.PublishedAt.Sub(e.Start).Hours()); d < best {
					best, ev = d, i
				}
			}
		}
		if ev < 0 {
			continue
		}
		e := events[ev]
		covered[e.ID] = true
		endDay := day(e.End)
		if e.AllDay || e.End.After(e.Start) && day(e.End).Equal(e.End.In(loc)) {
			endDay = day(e.End.Add(-time.Second)) // an exclusive end at midnight
		}
		t := timedPost{lagHours: pp.PublishedAt.Sub(e.Start).Hours()}
		switch pd := day(pp.PublishedAt); {
		case pd.Before(day(e.Start)):
			t.timing = "before"
		case pd.After(endDay):
			t.timing = "after"
		default:
			t.timing = "on"
		}
		if r, ok := rates[key{pp.Platform, pp.PostID}]; ok {
			t.interactions, t.denominator = r.Interactions, r.Denominator
		}
		timed = append(timed, t)
	}
	s := Section{ID: "timeliness", Title: T(lang, "sec.timeliness"), Sheet: T(lang, "sheet.timeliness"), Note: T(lang, "timeliness.note"),
		Empty: T(lang, "timeliness.none"),
		Columns: []Column{{Head: T(lang, "col.timing"), Kind: Text, Width: 3}, {Head: T(lang, "col.posts"), Kind: Integer, Width: 1.3},
			{Head: T(lang, "col.er"), Kind: Percent, Width: 1.5}, {Head: T(lang, "col.lag"), Kind: Text, Width: 2}}}
	for _, timing := range []string{"before", "on", "after"} {
		var n int
		var inter, den uint64
		var lags []float64
		for _, t := range timed {
			if t.timing != timing {
				continue
			}
			n++
			inter += t.interactions
			den += t.denominator
			lags = append(lags, t.lagHours)
		}
		if n == 0 {
			continue
		}
		er := math.NaN()
		if den > 0 {
			er = float64(inter) / float64(den)
		}
		s.Rows = append(s.Rows, []Cell{textCell(T(lang, "timing."+timing)), intCell(lang, uint64(n)), pctCell(lang, &er),
			{Text: lagText(lang, medianOf(lags)), Num: medianOf(lags)}})
	}
	missing := Section{ID: "events-without-post", Title: T(lang, "sec.noposts"), Sheet: T(lang, "sheet.noposts"), Empty: T(lang, "noposts.none"),
		Columns: []Column{{Head: T(lang, "col.event"), Kind: Text, Width: 4}, {Head: T(lang, "col.eventtype"), Kind: Text, Width: 2},
			{Head: T(lang, "col.date"), Kind: Text, Width: 2}}}
	for _, e := range events {
		if covered[e.ID] || !e.Start.Before(to) || e.End.Before(from) {
			continue
		}
		missing.Rows = append(missing.Rows, []Cell{textCell(e.Title), textCell(T(lang, "evtype."+e.Type)), textCell(Date(lang, e.Start, loc))})
	}
	return []Section{s, missing}, nil
}

func medianOf(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	c := append([]float64(nil), v...)
	sort.Float64s(c)
	if n := len(c); n%2 == 1 {
		return c[n/2]
	}
	return (c[len(c)/2-1] + c[len(c)/2]) / 2
}

// lagText writes a lag in hours as "3,0 hari sebelum" / "5 jam sesudah".
func lagText(lang string, h float64) string {
	if math.IsNaN(h) {
		return "–"
	}
	side := "lag.after"
	if h < 0 {
		side, h = "lag.before", -h
	}
	amount := T(lang, "hours", Num(lang, h, 0))
	if h >= 48 {
		amount = T(lang, "days", Num(lang, h/24, 1))
	}
	return T(lang, side, amount)
}
