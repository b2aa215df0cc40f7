package web

import (
	"math"
	"strconv"
	"strings"
	"time"
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

var monthsID = [...]string{"Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"}
var monthsEN = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
var monthsLongID = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}
var daysID = [...]string{"Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"}
var daysEN = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// FormatNumber renders f with dec decimals in the language's style:
// Indonesian 1.234,5 and English 1,234.5. NaN and infinities render "–".
func FormatNumber(lang Lang, f float64, dec int) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "–"
	}
	// Round half away from zero on the decimal value people expect:
	// 0.0235 − 0.019 is 0.0045 (0,45 pp), not 0.0044999….
	p := math.Pow(10, float64(dec))
	s := strconv.FormatFloat(math.Round(math.Abs(f)*p)/p, 'f', dec, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	thousands, decimal := ".", ","
	if lang == LangEN {
		thousands, decimal = ",", "."
	}
	var b strings.Builder
	if f < 0 && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(thousands)
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString(decimal)
		b.WriteString(frac)
	}
	return b.String()
}

// FormatInt renders n with thousands separators.
func FormatInt(lang Lang, n int64) string { return FormatNumber(lang, float64(n), 0) }

// FormatPercent renders a ratio (0.0235) as a percentage with dec
// decimals ("2,35%").
func FormatPercent(lang Lang, ratio float64, dec int) string {
	if math.IsNaN(ratio) || math.IsInf(ratio, 0) {
		return "–"
	}
	return FormatNumber(lang, ratio*100, dec) + "%"
}

// FormatChange renders a change in percentage points with its sign
// ("+0,42 pp").
func FormatChange(lang Lang, delta float64) string {
	if math.IsNaN(delta) || math.IsInf(delta, 0) {
		return "–"
	}
	sign := "+"
	if delta < 0 {
		sign = "−"
	}
	if math.Round(delta*10000) == 0 {
		sign = "±"
	}
	return sign + FormatNumber(lang, math.Abs(delta)*100, 2) + " pp"
}

// ZoneAbbrev names Indonesia's zones as people write them (WIB, WITA,
// WIT); other zones use Go's abbreviation.
func ZoneAbbrev(t time.Time) string {
	switch t.Location().String() {
	case "Asia/Jakarta", "Asia/Pontianak":
		return "WIB"
	case "Asia/Makassar":
		return "WITA"
	case "Asia/Jayapura":
		return "WIT"
	}
	name, _ := t.Zone()
	return name
}

// FormatDateTime renders t in loc: "27 Nov 2026 14.00 WIB" (Indonesian
// writes hours with a dot), "27 Nov 2026 14:00 WIB" in English.
func FormatDateTime(lang Lang, t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "–"
	}
	t = t.In(loc)
	clock := t.Format("15.04")
	if lang == LangEN {
		clock = t.Format("15:04")
	}
	return FormatDate(lang, t, loc) + " " + clock + " " + ZoneAbbrev(t)
}

// FormatDate renders the day of t in loc: "27 Nov 2026".
func FormatDate(lang Lang, t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "–"
	}
	t = t.In(loc)
	m := monthsID[t.Month()-1]
	if lang == LangEN {
		m = monthsEN[t.Month()-1]
	}
	return strconv.Itoa(t.Day()) + " " + m + " " + strconv.Itoa(t.Year())
}

// FormatMonth renders "November 2026" / "November 2026".
func FormatMonth(lang Lang, t time.Time) string {
	if lang == LangEN {
		return t.Month().String() + " " + strconv.Itoa(t.Year())
	}
	return monthsLongID[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// weekdayShort is the short name of a weekday.
func weekdayShort(lang Lang, d time.Weekday) string {
	if lang == LangEN {
		return daysEN[d]
	}
	return daysID[d]
}

// weekdayOfRow maps a Monday-first row index to a time.Weekday.
func weekdayOfRow(row int) time.Weekday { return time.Weekday((row + 1) % 7) }

// utcLoc renders calendar dates (midnight UTC) as they are.
var utcLoc = time.UTC
