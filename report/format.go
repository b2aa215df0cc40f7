package report

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Languages of a document: Bahasa Indonesia (the default) and English.
const (
	ID = "id"
	EN = "en"
)

// Lang returns a supported language, defaulting to Indonesian.
func Lang(s string) string {
	if strings.EqualFold(strings.TrimSpace(s), EN) {
		return EN
	}
	return ID
}

var (
	monthsID     = [...]string{"Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"}
	monthsEN     = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	monthsLongID = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
		"Oktober", "November", "Desember"}
)

// Num renders f with dec decimals: Indonesian 1.234,5, English 1,234.5.
// NaN and infinities render "–".
func Num(lang string, f float64, dec int) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "–"
	}
	// Round half away from zero on the decimal value people expect:
	// 0.0235 − 0.019 is 0.0045 (0,45 pp), not 0.0044999….
	p := math.Pow(10, float64(dec))
	s := strconv.FormatFloat(math.Round(math.Abs(f)*p)/p, 'f', dec, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	thousands, decimal := ".", ","
	if lang == EN {
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

// Int renders n with thousands separators.
func Int(lang string, n int64) string { return Num(lang, float64(n), 0) }

// Pct renders a ratio (0.0235) as a percentage with dec decimals (2,35%).
func Pct(lang string, ratio float64, dec int) string {
	if math.IsNaN(ratio) || math.IsInf(ratio, 0) {
		return "–"
	}
	return Num(lang, ratio*100, dec) + "%"
}

// PP renders a change of a rate in percentage points with its sign
// (+0,42 pp; ±0,00 pp when it rounds to nothing).
func PP(lang string, delta float64) string {
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
	return sign + Num(lang, math.Abs(delta)*100, 2) + " pp"
}

// Rel renders a relative change (0.12 is +12%).
func Rel(lang string, r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "–"
	}
	sign := "+"
	if r < 0 {
		sign = "−"
	}
	if math.Round(r*1000) == 0 {
		sign = "±"
	}
	return sign + Num(lang, math.Abs(r)*100, 1) + "%"
}

// Signed renders a whole number with its sign (+120, −3, 0).
func Signed(lang string, n int64) string {
	switch {
	case n > 0:
		return "+" + Int(lang, n)
	case n < 0:
		return "−" + Int(lang, -n)
	}
	return "0"
}

// Zone names Indonesia's zones as people write them (WIB, WITA, WIT);
// other zones use Go's abbreviation.
func Zone(t time.Time) string {
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

// Date renders the day of t in loc: 27 Nov 2026.
func Date(lang string, t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "–"
	}
	t = t.In(loc)
	m := monthsID[t.Month()-1]
	if lang == EN {
		m = monthsEN[t.Month()-1]
	}
	return strconv.Itoa(t.Day()) + " " + m + " " + strconv.Itoa(t.Year())
}

// LongDate renders 27 November 2026 (for the signature's date line).
func LongDate(lang string, t time.Time, loc *time.Location) string {
	t = t.In(loc)
	if lang == EN {
		return t.Format("2 January 2006")
	}
	return strconv.Itoa(t.Day()) + " " + monthsLongID[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// DateTime renders t in loc: 27 Nov 2026 14.00 WIB (Indonesian writes the
// hour with a dot), 27 Nov 2026 14:00 WIB in English.
func DateTime(lang string, t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "–"
	}
	t = t.In(loc)
	clock := t.Format("15.04")
	if lang == EN {
		clock = t.Format("15:04")
	}
	return Date(lang, t, loc) + " " + clock + " " + Zone(t)
}

// MonthName renders November 2026.
func MonthName(lang string, t time.Time) string {
	if lang == EN {
		return t.Month().String() + " " + strconv.Itoa(t.Year())
	}
	return monthsLongID[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// Roman numerals of quarters (Triwulan III 2026).
var roman = [...]string{"I", "II", "III", "IV"}

// QuarterName renders Triwulan III 2026 / Q3 2026.
func QuarterName(lang string, year, q int) string {
	if q < 1 || q > 4 {
		return ""
	}
	if lang == EN {
		return "Q" + strconv.Itoa(q) + " " + strconv.Itoa(year)
	}
	return "Triwulan " + roman[q-1] + " " + strconv.Itoa(year)
}

// Short cuts s to n characters with an ellipsis.
func Short(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
