package agenda

import (
	"os"
	"strings"
	"testing"
	"time"
)

var wib = time.FixedZone("WIB", 7*3600)

func TestParseICS(t *testing.T) {
	f, err := os.Open("testdata/tahapan.ics")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	evs, err := ParseICS(f, wib)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 5 {
		t.Fatalf("%d events, want 5: %+v", len(evs), evs)
	}
	jkt, _ := time.LoadLocation("Asia/Jakarta")
	for i, want := range []struct {
		uid, summary string
		start, end   time.Time
		allDay       bool
		cats         string
	}{
		{"tahapan-001@kpu.go.id", "Pemutakhiran data pemilih", time.Date(2026, 11, 2, 0, 0, 0, 0, wib), time.Date(2026, 11, 21, 0, 0, 0, 0, wib), true, "TAHAPAN"},
		{"tahapan-002@kpu.go.id", "Rapat pleno terbuka rekapitulasi", time.Date(2026, 11, 24, 9, 0, 0, 0, jkt), time.Date(2026, 11, 24, 15, 0, 0, 0, jkt), false, "PLENO"},
		{"tahapan-003@kpu.go.id", "Batas akhir pengajuan pindah memilih", time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), false, "BATAS WAKTU|TAHAPAN"},
		{"hari-004@kpu.go.id", "Hari Guru Nasional", time.Date(2026, 11, 25, 0, 0, 0, 0, wib), time.Date(2026, 11, 26, 0, 0, 0, 0, wib), true, "HARI NASIONAL"},
	} {
		e := evs[i]
		if e.UID != want.uid || e.Summary != want.summary || !e.Start.Equal(want.start) || !e.End.Equal(want.end) || e.AllDay != want.allDay ||
			strings.Join(e.Categories, "|") != want.cats {
			t.Errorf("event %d = %+v, want %+v", i, e, want)
		}
	}
	if evs[0].Description != "Pencocokan dan penelitian (coklit) data pemilih, dari rumah ke rumah." {
		t.Errorf("unfolded, unescaped description: %q", evs[0].Description)
	}
	if evs[1].Location != "Aula KPU Kota Salatiga" {
		t.Errorf("location (a VALARM inside must not override it): %q", evs[1].Location)
	}
}

func TestParseICSErrors(t *testing.T) {
	for name, tc := range map[string]struct{ in, want string }{
		"not a calendar": {"hello", "line 1"},
		"no start":       {"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n", "no DTSTART"},
		"no summary":     {"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261101T000000Z\nEND:VEVENT\nEND:VCALENDAR\n", "no SUMMARY"},
		"bad date":       {"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nDTSTART;VALUE=DATE:2026-11-01\nEND:VEVENT\nEND:VCALENDAR\n", "line 4"},
		"bad zone":       {"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nDTSTART;TZID=Mars/Olympus:20261101T090000\nEND:VEVENT\nEND:VCALENDAR\n", "TZID=Mars/Olympus"},
		"unterminated":   {"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nDTSTART:20261101T000000Z\n", "no END:VEVENT"},
		"no vcalendar":   {"BEGIN:VEVENT\nSUMMARY:x\nDTSTART:20261101T000000Z\nEND:VEVENT\n", "VCALENDAR"},
	} {
		if _, err := ParseICS(strings.NewReader(tc.in), wib); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, tc.want)
		}
	}
}

func TestSandboxICS(t *testing.T) {
	today := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	evs, err := ParseICS(strings.NewReader(SandboxICS(today, wib)), wib)
	if err != nil || len(evs) != len(sandboxStages) {
		t.Fatalf("%d events, %v", len(evs), err)
	}
	if e := evs[5]; e.Summary != "Rapat pleno terbuka" || !e.Start.Equal(time.Date(2026, 11, 19, 0, 0, 0, 0, wib)) || !e.AllDay {
		t.Errorf("plenary %+v", e)
	}
}
