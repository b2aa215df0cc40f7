package web

import (
	"errors"
	"testing"
	"time"

	"github.com/humas-id/humas/scheduler"
)

func TestParsePeriod(t *testing.T) {
	today := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
	d := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	tests := []struct {
		name                               string
		kind, month, quarter, from, to     string
		wantFrom, wantTo, prevFrom, prevTo string
		wantErr                            string
	}{
		{name: "default: the last full month", wantFrom: "2026-10-01", wantTo: "2026-10-31", prevFrom: "2026-09-01", prevTo: "2026-09-30"},
		{name: "custom without dates: last 30 days", kind: "custom", wantFrom: "2026-10-29", wantTo: "2026-11-27", prevFrom: "2026-09-29", prevTo: "2026-10-28"},
		{name: "a month alone selects it", month: "2026-03", wantFrom: "2026-03-01", wantTo: "2026-03-31", prevFrom: "2026-02-01", prevTo: "2026-02-28"},
		{name: "a quarter alone selects it", quarter: "2026-Q3", wantFrom: "2026-07-01", wantTo: "2026-09-30", prevFrom: "2026-04-01", prevTo: "2026-06-30"},
		{name: "quarter default: the last full one", kind: "quarter", wantFrom: "2026-07-01", wantTo: "2026-09-30", prevFrom: "2026-04-01", prevTo: "2026-06-30"},
		{name: "month", kind: "month", month: "2026-03", wantFrom: "2026-03-01", wantTo: "2026-03-31", prevFrom: "2026-02-01", prevTo: "2026-02-28"},
		{name: "month default", kind: "month", wantFrom: "2026-10-01", wantTo: "2026-10-31", prevFrom: "2026-09-01", prevTo: "2026-09-30"},
		{name: "quarter", kind: "quarter", quarter: "2026-Q1", wantFrom: "2026-01-01", wantTo: "2026-03-31", prevFrom: "2025-10-01", prevTo: "2025-12-31"},
		{name: "custom", kind: "custom", from: "2026-11-01", to: "2026-11-10", wantFrom: "2026-11-01", wantTo: "2026-11-10", prevFrom: "2026-10-22", prevTo: "2026-10-31"},
		{name: "bad month", kind: "month", month: "2026-13", wantErr: "bulan \"2026-13\": tulis TTTT-BB, mis. 2026-11"},
		{name: "bad quarter", kind: "quarter", quarter: "2026-Q5", wantErr: "triwulan \"2026-Q5\": tulis TTTT-Qn, mis. 2026-Q4"},
		{name: "swapped", kind: "custom", from: "2026-11-10", to: "2026-11-01", wantErr: "tanggal awal 2026-11-10 sesudah tanggal akhir 2026-11-01: tukar keduanya"},
		{name: "month 9999", kind: "month", month: "9999-01", wantErr: "bulan \"9999-01\" di luar rentang tanggal laporan (2004-01-01 sampai 2099-12-31)"},
		{name: "quarter 9999", kind: "quarter", quarter: "9999-Q1", wantErr: "triwulan \"9999-Q1\" di luar rentang tanggal laporan (2004-01-01 sampai 2099-12-31)"},
		{name: "quarter 2003", kind: "quarter", quarter: "2003-Q4", wantErr: "triwulan \"2003-Q4\" di luar rentang tanggal laporan (2004-01-01 sampai 2099-12-31)"},
		{name: "from 9999", kind: "custom", from: "9999-01-01", to: "9999-01-31", wantErr: "dari \"9999-01-01\" di luar rentang tanggal laporan (2004-01-01 sampai 2099-12-31)"},
		{name: "to 9999", kind: "custom", to: "9999-12-31", wantErr: "sampai \"9999-12-31\" di luar rentang tanggal laporan (2004-01-01 sampai 2099-12-31)"},
		{name: "from 1999", kind: "custom", from: "1999-12-31", to: "2000-01-01", wantErr: "dari \"1999-12-31\" di luar rentang tanggal laporan (2004-01-01 sampai 2099-12-31)"},
		{name: "too long", kind: "custom", from: "2020-01-01", to: "2026-11-01", wantErr: "periode mencakup 2497 hari; paling banyak 731 hari (dua tahun)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parsePeriod(tt.kind, tt.month, tt.quarter, tt.from, tt.to, today)
			if tt.wantErr != "" {
				var pe *periodError
				if !errors.As(err, &pe) || pe.In(LangID) != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !p.From.Equal(d(tt.wantFrom)) || !p.To.Equal(d(tt.wantTo)) || !p.PrevFrom.Equal(d(tt.prevFrom)) || !p.PrevTo.Equal(d(tt.prevTo)) {
				t.Errorf("got %s..%s prev %s..%s", p.From.Format("2006-01-02"), p.To.Format("2006-01-02"),
					p.PrevFrom.Format("2006-01-02"), p.PrevTo.Format("2006-01-02"))
			}
		})
	}
}

func TestCalendarRange(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Jakarta")
	thu := time.Date(2026, 11, 26, 10, 0, 0, 0, loc)
	start, n, _ := calendarRange("week", thu)
	if start.Format("2006-01-02 Mon") != "2026-11-23 Mon" || n != 7 {
		t.Errorf("week = %s +%d", start, n)
	}
	start, n, in := calendarRange("month", thu)
	// November 2026 starts on a Sunday: the grid starts Monday 26 Oct and
	// ends Sunday 6 Dec (6 weeks).
	if start.Format("2006-01-02") != "2026-10-26" || n != 42 {
		t.Errorf("month = %s +%d", start, n)
	}
	if in(start) || !in(time.Date(2026, 11, 30, 0, 0, 0, 0, loc)) {
		t.Error("inMonth wrong")
	}
}

func TestRecurrenceSpec(t *testing.T) {
	at := time.Date(2026, 11, 27, 14, 30, 0, 0, time.UTC) // a Friday
	tests := map[string]string{"": "", "daily": "0 30 14 * * *", "weekly": "0 30 14 * * 5", "monthly": "0 30 14 27 * *",
		"0 0 9 * * MON": "0 0 9 * * MON"}
	for in, want := range tests {
		got, err := recurrenceSpec(in, at)
		if err != nil || got != want {
			t.Errorf("recurrenceSpec(%q) = %q, %v; want %q", in, got, err, want)
		}
		if in != "" && recurrenceChoice(got, at) != in {
			t.Errorf("recurrenceChoice(%q) = %q, want %q", got, recurrenceChoice(got, at), in)
		}
	}
}

func TestCountCaption(t *testing.T) {
	got := countCaption("Ayo memilih! #Pemilu2029 #KPU @kpu_ri dan @bawaslu.ri — ✓")
	if got != (captionCounts{Chars: 57, Hashtags: 2, Mentions: 2}) {
		t.Errorf("counts = %+v", got)
	}
	ig := scheduler.CaptionLimits{Platform: "instagram", Chars: 10, Hashtags: 1}
	if !got.Over(ig) || (captionCounts{Chars: 10, Hashtags: 1, Mentions: 50}).Over(ig) {
		t.Error("Over disagrees with the limits (0 = no limit)")
	}
}

func TestCatalogueComplete(t *testing.T) {
	for k, v := range catalogue {
		if v[0] == "" || v[1] == "" {
			t.Errorf("catalogue %q lacks a language: %q", k, v)
		}
	}
	l := L{Lang: LangEN}
	if l.T("no.such.key") != "[no.such.key]" {
		t.Error("missing key not visible")
	}
}
