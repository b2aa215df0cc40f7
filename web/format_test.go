package web

import (
	"math"
	"testing"
	"time"
)

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		lang Lang
		f    float64
		dec  int
		want string
	}{
		{LangID, 1234.5, 1, "1.234,5"},
		{LangEN, 1234.5, 1, "1,234.5"},
		{LangID, 0, 0, "0"},
		{LangID, 999, 0, "999"},
		{LangID, 1000, 0, "1.000"},
		{LangID, 1234567.891, 2, "1.234.567,89"},
		{LangID, -1234.5, 1, "-1.234,5"},
		{LangID, -0.001, 1, "0,0"},
		{LangEN, 12, 2, "12.00"},
		{LangID, math.NaN(), 1, "–"},
		{LangID, math.Inf(1), 1, "–"},
	}
	for _, tt := range tests {
		if got := FormatNumber(tt.lang, tt.f, tt.dec); got != tt.want {
			t.Errorf("FormatNumber(%s, %v, %d) = %q, want %q", tt.lang, tt.f, tt.dec, got, tt.want)
		}
	}
}

func TestFormatPercentAndChange(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"percent id", FormatPercent(LangID, 0.02346, 2), "2,35%"},
		{"percent en", FormatPercent(LangEN, 0.02346, 2), "2.35%"},
		{"percent nan", FormatPercent(LangID, math.NaN(), 2), "–"},
		{"change up", FormatChange(LangID, 0.0042), "+0,42 pp"},
		{"change down", FormatChange(LangID, -0.0105), "−1,05 pp"},
		{"change none", FormatChange(LangID, 0.000001), "±0,00 pp"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestFormatDateTime(t *testing.T) {
	jkt, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	mks, _ := time.LoadLocation("Asia/Makassar")
	jyp, _ := time.LoadLocation("Asia/Jayapura")
	at := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC) // 14.00 WIB
	tests := []struct {
		lang Lang
		loc  *time.Location
		want string
	}{
		{LangID, jkt, "27 Nov 2026 14.00 WIB"},
		{LangEN, jkt, "27 Nov 2026 14:00 WIB"},
		{LangID, mks, "27 Nov 2026 15.00 WITA"},
		{LangID, jyp, "27 Nov 2026 16.00 WIT"},
		{LangID, time.UTC, "27 Nov 2026 07.00 UTC"},
	}
	for _, tt := range tests {
		if got := FormatDateTime(tt.lang, at, tt.loc); got != tt.want {
			t.Errorf("FormatDateTime(%s, %s) = %q, want %q", tt.lang, tt.loc, got, tt.want)
		}
	}
	if got := FormatDate(LangID, time.Date(2026, 8, 17, 20, 0, 0, 0, time.UTC), jkt); got != "18 Agu 2026" {
		t.Errorf("FormatDate across midnight WIB = %q, want 18 Agu 2026", got)
	}
	if got := FormatDateTime(LangID, time.Time{}, jkt); got != "–" {
		t.Errorf("zero time = %q", got)
	}
	if got := FormatMonth(LangID, at); got != "November 2026" {
		t.Errorf("FormatMonth = %q", got)
	}
	if got := FormatMonth(LangID, time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)); got != "Agustus 2026" {
		t.Errorf("FormatMonth Aug = %q", got)
	}
}
