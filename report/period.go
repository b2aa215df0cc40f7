package report

import (
	"fmt"
	"time"

	"github.com/humas-id/humas/analytics"
)

// Period is a report period: calendar dates (midnight UTC, To inclusive)
// and the period it is compared with.
type Period struct {
	Kind             string // month, quarter, week or custom
	From, To         time.Time
	PrevFrom, PrevTo time.Time
}

func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }

// Month is a calendar month, compared with the month before.
func Month(year int, m time.Month) Period {
	from := time.Date(year, m, 1, 0, 0, 0, 0, time.UTC)
	return Period{Kind: "month", From: from, To: from.AddDate(0, 1, -1), PrevFrom: from.AddDate(0, -1, 0), PrevTo: from.AddDate(0, 0, -1)}
}

// Quarter is a calendar quarter (1–4), compared with the quarter before.
func Quarter(year, q int) Period {
	from := time.Date(year, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, time.UTC)
	return Period{Kind: "quarter", From: from, To: from.AddDate(0, 3, -1), PrevFrom: from.AddDate(0, -3, 0), PrevTo: from.AddDate(0, 0, -1)}
}

// Week is the Monday-to-Sunday week starting on monday, compared with the
// week before.
func Week(monday time.Time) Period {
	from := day(monday)
	return Period{Kind: "week", From: from, To: from.AddDate(0, 0, 6), PrevFrom: from.AddDate(0, 0, -7), PrevTo: from.AddDate(0, 0, -1)}
}

// Custom is from..to, compared with as many days just before.
func Custom(from, to time.Time) Period {
	from, to = day(from), day(to)
	days := int(to.Sub(from).Hours()/24) + 1
	return Period{Kind: "custom", From: from, To: to, PrevFrom: from.AddDate(0, 0, -days), PrevTo: from.AddDate(0, 0, -1)}
}

// LastFullMonth is the last month that has ended by now (in loc): the
// default report.
func LastFullMonth(now time.Time, loc *time.Location) Period {
	n := now.In(loc)
	first := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	return Month(first.Year(), first.Month())
}

// LastFullWeek is the last Monday-to-Sunday week that has ended by now.
func LastFullWeek(now time.Time, loc *time.Location) Period {
	n := day(now.In(loc))
	off := (int(n.Weekday()) + 6) % 7 // days since Monday
	return Week(n.AddDate(0, 0, -off-7))
}

// Days is the number of days in the period.
func (p Period) Days() int { return int(p.To.Sub(p.From).Hours()/24) + 1 }

// Label names the period: November 2026, Triwulan III 2026, or its dates.
func (p Period) Label(lang string) string { return label(lang, p.Kind, p.From, p.To) }

// PrevLabel names the period it is compared with.
func (p Period) PrevLabel(lang string) string { return label(lang, p.Kind, p.PrevFrom, p.PrevTo) }

func label(lang, kind string, from, to time.Time) string {
	switch kind {
	case "month":
		return MonthName(lang, from)
	case "quarter":
		return QuarterName(lang, from.Year(), (int(from.Month())-1)/3+1)
	case "week":
		if lang == EN {
			return "week of " + Dates(lang, from, to)
		}
		return "minggu " + Dates(lang, from, to)
	}
	return Dates(lang, from, to)
}

// Dates renders from – to as calendar dates.
func Dates(lang string, from, to time.Time) string {
	return Date(lang, from, time.UTC) + " – " + Date(lang, to, time.UTC)
}

// Words name the period inside findings (bulan ini, bulan lalu).
func (p Period) Words() analytics.PeriodWords {
	switch p.Kind {
	case "month":
		return analytics.MonthWords
	case "quarter":
		return analytics.QuarterWords
	case "week":
		return analytics.WeekWords
	}
	return analytics.RangeWords
}

// Key is a stable text of the period (for file names and records).
func (p Period) Key() string {
	switch p.Kind {
	case "month":
		return p.From.Format("2006-01")
	case "quarter":
		return fmt.Sprintf("%d-Q%d", p.From.Year(), (int(p.From.Month())-1)/3+1)
	}
	return p.From.Format("2006-01-02") + "_" + p.To.Format("2006-01-02")
}
