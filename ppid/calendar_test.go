package ppid

import (
	"strings"
	"testing"
	"time"
)

var wib = time.FixedZone("WIB", 7*3600)

func testCalendar() *Calendar {
	h, err := ParseHolidays(strings.NewReader("# test list\n2026-12-24 Cuti bersama Natal\n2026-12-25 Natal\n\n2027-01-01 Tahun Baru\n"))
	if err != nil {
		panic(err)
	}
	return NewCalendar(wib, h, 16*time.Hour)
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, wib)
	if err != nil {
		panic(err)
	}
	return t
}

func endOf(day string) time.Time {
	return at(day+" 00:00").AddDate(0, 0, 1).Add(-time.Millisecond)
}

// TestDeadline: 10 working days after the day a request counts as
// received; weekends and the listed holidays do not count; a request
// after closing time (16:00) or on a day off counts from the next
// working day.
func TestDeadline(t *testing.T) {
	c := testCalendar()
	for _, tc := range []struct {
		name, received, want string
	}{
		{"Monday morning", "2026-11-02 09:00", "2026-11-16"},
		{"Friday morning", "2026-11-06 10:00", "2026-11-20"},
		{"Friday evening, after closing: counts from Monday", "2026-11-06 19:30", "2026-11-23"},
		{"Friday at closing time exactly", "2026-11-06 16:00", "2026-11-23"},
		{"Saturday", "2026-11-07 08:00", "2026-11-23"},
		{"Sunday night", "2026-11-08 23:59", "2026-11-23"},
		{"across Christmas and its collective leave", "2026-12-11 10:00", "2026-12-29"},
		{"received on a holiday", "2026-12-24 10:00", "2027-01-12"},
		{"received on New Year's Eve evening", "2026-12-31 20:00", "2027-01-18"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.Deadline(at(tc.received)); !got.Equal(endOf(tc.want)) {
				t.Errorf("Deadline(%s) = %s, want the end of %s", tc.received, got.In(wib).Format(time.DateTime), tc.want)
			}
		})
	}
	// UTC input: 2026-11-06 12:30 UTC is 19:30 WIB, Friday evening.
	if got := c.Deadline(time.Date(2026, 11, 6, 12, 30, 0, 0, time.UTC)); !got.Equal(endOf("2026-11-23")) {
		t.Errorf("UTC Friday evening: %s", got)
	}
}

// TestExtension: once, 7 working days after the original deadline.
func TestExtension(t *testing.T) {
	c := testCalendar()
	for _, tc := range []struct{ due, want string }{
		{"2026-11-23", "2026-12-02"},
		{"2026-12-22", "2027-01-05"}, // over 24-25 Dec and 1 Jan
		{"2026-11-20", "2026-12-01"}, // a Friday: the weekend does not count
	} {
		if got := c.Extended(endOf(tc.due)); !got.Equal(endOf(tc.want)) {
			t.Errorf("Extended(%s) = %s, want the end of %s", tc.due, got.In(wib).Format(time.DateTime), tc.want)
		}
	}
}

func TestWorkingDaysLeft(t *testing.T) {
	c := testCalendar()
	due := endOf("2026-11-20")
	for now, want := range map[string]int{
		"2026-11-09 08:00": 9,
		"2026-11-19 17:00": 1,
		"2026-11-20 23:00": 0,
		"2026-11-21 09:00": 0, // Saturday after a Friday deadline: late, but no working day has passed
		"2026-11-23 09:00": -1,
		"2026-11-24 09:00": -2,
	} {
		if got := c.WorkingDaysLeft(at(now), due); got != want {
			t.Errorf("WorkingDaysLeft(%s) = %d, want %d", now, got, want)
		}
	}
}

func TestHolidayLists(t *testing.T) {
	if _, err := ParseHolidays(strings.NewReader("2026-12-25 Natal\n25-12-2026 Natal\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("a bad line: %v", err)
	}
	h, err := DefaultHolidays()
	if err != nil || len(h) < 15 {
		t.Fatalf("built-in list: %d days, %v", len(h), err)
	}
	if h["2026-08-17"] == "" || h["2026-12-25"] == "" {
		t.Errorf("built-in list lacks Independence Day or Christmas: %v", h)
	}
	if _, err := LoadHolidays("/nonexistent/holidays.txt"); err == nil {
		t.Error("a missing file loaded")
	}
}
