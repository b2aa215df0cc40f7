package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/report"
)

// period is a report period chosen with the picker: calendar dates
// (midnight UTC), To inclusive, and the period it is compared with.
type period struct {
	Kind             string // month, quarter or custom
	Month            string // YYYY-MM
	Quarter          string // YYYY-Qn
	From, To         time.Time
	PrevFrom, PrevTo time.Time
}

func dateOnly(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// parsePeriod reads the picker. The kind is what was asked (the button
// pressed), else what the parameters say: a quarter, a month or a date
// range, so a link with just month=2026-11 shows November. Without
// parameters the period is the last full month (in the display zone). A
// month compares with the month before, a quarter with the quarter
// before, a custom range with the same number of days just before it.
func parsePeriod(kind, month, quarter, from, to string, today time.Time) (period, error) {
	today = dateOnly(today)
	if kind == "" {
		switch {
		case quarter != "":
			kind = "quarter"
		case month != "":
			kind = "month"
		case from != "" || to != "":
			kind = "custom"
		default:
			kind = "month"
		}
	}
	p := period{Kind: kind}
	switch kind {
	case "month":
		if month == "" {
			month = today.AddDate(0, 0, 1-today.Day()).AddDate(0, -1, 0).Format("2006-01")
		}
		t, err := time.Parse("2006-01", month)
		if err != nil {
			return p, perr("month %q: write YYYY-MM, e.g. 2026-11", "bulan %q: tulis TTTT-BB, mis. 2026-11", month)
		}
		if !inWindow(t) {
			return p, outsideWindow("month", "bulan", month)
		}
		p.Month = month
		p.From, p.To = t, t.AddDate(0, 1, -1)
		p.PrevFrom, p.PrevTo = t.AddDate(0, -1, 0), t.AddDate(0, 0, -1)
	case "quarter":
		if quarter == "" { // the last full quarter
			last := today.AddDate(0, -3, 0)
			quarter = fmt.Sprintf("%d-Q%d", last.Year(), (int(last.Month())-1)/3+1)
		}
		y, q, ok := strings.Cut(quarter, "-Q")
		yy, err1 := strconv.Atoi(y)
		qq, err2 := strconv.Atoi(q)
		if !ok || err1 != nil || err2 != nil || qq < 1 || qq > 4 {
			return p, perr("quarter %q: write YYYY-Qn, e.g. 2026-Q4", "triwulan %q: tulis TTTT-Qn, mis. 2026-Q4", quarter)
		}
		if yy < analytics.EarliestDate.Year() || yy > analytics.LatestDate.Year() {
			return p, outsideWindow("quarter", "triwulan", quarter)
		}
		p.Quarter = quarter
		p.From = time.Date(yy, time.Month(3*(qq-1)+1), 1, 0, 0, 0, 0, time.UTC)
		p.To = p.From.AddDate(0, 3, -1)
		p.PrevFrom, p.PrevTo = p.From.AddDate(0, -3, 0), p.From.AddDate(0, 0, -1)
	default:
		p.Kind = "custom"
		p.To, p.From = today, today.AddDate(0, 0, -29)
		var err error
		if from != "" {
			if p.From, err = time.Parse("2006-01-02", from); err != nil {
				return p, perr("from %q: write YYYY-MM-DD, e.g. 2026-11-01", "dari %q: tulis TTTT-BB-HH, mis. 2026-11-01", from)
			}
			if !inWindow(p.From) {
				return p, outsideWindow("from", "dari", from)
			}
		}
		if to != "" {
			if p.To, err = time.Parse("2006-01-02", to); err != nil {
				return p, perr("to %q: write YYYY-MM-DD, e.g. 2026-11-30", "sampai %q: tulis TTTT-BB-HH, mis. 2026-11-30", to)
			}
			if !inWindow(p.To) {
				return p, outsideWindow("to", "sampai", to)
			}
		}
		if p.From.After(p.To) {
			return p, perr("from %s is after to %s: swap them", "tanggal awal %s sesudah tanggal akhir %s: tukar keduanya", p.From.Format("2006-01-02"), p.To.Format("2006-01-02"))
		}
		days := int(p.To.Sub(p.From).Hours()/24) + 1
		if days > 731 {
			return p, perr("the period spans %d days; at most 731 (two years)", "periode mencakup %d hari; paling banyak 731 hari (dua tahun)", days)
		}
		p.PrevTo = p.From.AddDate(0, 0, -1)
		p.PrevFrom = p.From.AddDate(0, 0, -days)
	}
	if p.Month == "" {
		p.Month = p.From.Format("2006-01")
	}
	if p.Quarter == "" {
		p.Quarter = fmt.Sprintf("%d-Q%d", p.From.Year(), (int(p.From.Month())-1)/3+1)
	}
	return p, nil
}

// report is the period as report documents take it.
func (p period) report() report.Period {
	rp := report.Period{Kind: p.Kind, From: p.From, To: p.To, PrevFrom: p.PrevFrom, PrevTo: p.PrevTo}
	if rp.Kind != "month" && rp.Kind != "quarter" {
		rp.Kind = "custom"
	}
	return rp
}

// quarterOption is one choice of the quarter picker.
type quarterOption struct{ Value, Label string }

// quarterOptions lists the last three years' quarters, newest first, as
// Triwulan III 2026 (Q3 2026 in English).
func quarterOptions(lang Lang, today time.Time) []quarterOption {
	var out []quarterOption
	cur := (int(today.Month())-1)/3 + 1
	for y := today.Year(); y >= today.Year()-2; y-- {
		for q := 4; q >= 1; q-- {
			if y == today.Year() && q > cur {
				continue
			}
			out = append(out, quarterOption{Value: fmt.Sprintf("%d-Q%d", y, q), Label: report.QuarterName(string(lang), y, q)})
		}
	}
	return out
}

// inWindow reports whether a date is within the dates reports cover.
func inWindow(day time.Time) bool {
	return !day.Before(analytics.EarliestDate) && !day.After(analytics.LatestDate)
}

// outsideWindow names the parameter (English, Indonesian) and its value.
func outsideWindow(param, paramID, value string) error {
	from, to := analytics.EarliestDate.Format("2006-01-02"), analytics.LatestDate.Format("2006-01-02")
	return &periodError{
		EN: fmt.Sprintf("%s %q is outside the dates reports cover (%s to %s)", param, value, from, to),
		ID: fmt.Sprintf("%s %q di luar rentang tanggal laporan (%s sampai %s)", paramID, value, from, to)}
}

// periodError is a bad period, in both languages.
type periodError struct{ EN, ID string }

func (e *periodError) Error() string { return e.EN }

func perr(en, id string, args ...any) error {
	return &periodError{EN: fmt.Sprintf(en, args...), ID: fmt.Sprintf(id, args...)}
}

// In returns the message in lang.
func (e *periodError) In(lang Lang) string {
	if lang == LangEN {
		return e.EN
	}
	return e.ID
}
