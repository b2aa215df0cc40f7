package web

import (
	"strings"
	"time"

	"github.com/humas-id/humas/report"
)

// Lang is a page language.
type Lang string

// The supported languages; Indonesian is the default.
const (
	LangID Lang = "id"
	LangEN Lang = "en"
)

// parseLang returns a supported language, defaulting to Indonesian.
func parseLang(s string) Lang {
	if strings.EqualFold(strings.TrimSpace(s), "en") {
		return LangEN
	}
	return LangID
}

var daysID = [...]string{"Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"}
var daysEN = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// FormatNumber renders f with dec decimals in the language's style:
// Indonesian 1.234,5 and English 1,234.5. NaN and infinities render "–".
// (The report package's formatting, shared by the page and the PDF.)
func FormatNumber(lang Lang, f float64, dec int) string { return report.Num(string(lang), f, dec) }

// FormatInt renders n with thousands separators.
func FormatInt(lang Lang, n int64) string { return FormatNumber(lang, float64(n), 0) }

// FormatPercent renders a ratio (0.0235) as a percentage with dec
// decimals ("2,35%").
func FormatPercent(lang Lang, ratio float64, dec int) string {
	return report.Pct(string(lang), ratio, dec)
}

// FormatChange renders a change in percentage points with its sign
// ("+0,42 pp").
func FormatChange(lang Lang, delta float64) string { return report.PP(string(lang), delta) }

// ZoneAbbrev names Indonesia's zones as people write them (WIB, WITA,
// WIT); other zones use Go's abbreviation.
func ZoneAbbrev(t time.Time) string { return report.Zone(t) }

// FormatDateTime renders t in loc: "27 Nov 2026 14.00 WIB" (Indonesian
// writes hours with a dot), "27 Nov 2026 14:00 WIB" in English.
func FormatDateTime(lang Lang, t time.Time, loc *time.Location) string {
	return report.DateTime(string(lang), t, loc)
}

// FormatDate renders the day of t in loc: "27 Nov 2026".
func FormatDate(lang Lang, t time.Time, loc *time.Location) string {
	return report.Date(string(lang), t, loc)
}

// FormatMonth renders "November 2026" / "November 2026".
func FormatMonth(lang Lang, t time.Time) string { return report.MonthName(string(lang), t) }

// weekdayShort is the short name of a weekday.
func weekdayShort(lang Lang, d time.Weekday) string {
	if lang == LangEN {
		return daysEN[d]
	}
	return daysID[d]
}

// weekdayOfRow maps a Monday-first row index to a time.Weekday.
func weekdayOfRow(row int) time.Weekday { return time.Weekday((row + 1) % 7) }
