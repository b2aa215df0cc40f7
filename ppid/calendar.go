package ppid

import (
	"bufio"
	"embed"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// The public-information service standard (Perki 1/2010): a request is
// answered within 10 working days of its receipt, and the PPID may
// extend that once by 7 working days, saying why.
const (
	AnswerDays    = 10
	ExtensionDays = 7
)

// Calendar decides which days are working days: Monday to Friday, less
// Indonesia's public holidays and collective leave (cuti bersama) it
// lists, in a time zone; and when a request counts as received (one
// that arrives after the office closes, or on a day off, counts from the
// next working day).
type Calendar struct {
	loc      *time.Location
	holidays map[string]string // 2006-01-02 → name
	closes   time.Duration     // since midnight; 0: the whole day counts
}

//go:embed holidays_id.txt
var builtin embed.FS

// DefaultHolidays is the built-in holiday list (holidays_id.txt): the
// national public holidays and collective leave days as the government
// decree (SKB 3 Menteri) sets them. Keep it current, or give your own
// file (ppid.holidays_file).
func DefaultHolidays() (map[string]string, error) {
	f, err := builtin.Open("holidays_id.txt")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseHolidays(f)
}

// ParseHolidays reads a holiday list: one day a line, "2026-12-25 Natal"
// (the name is optional); blank lines and lines starting with # are
// skipped. A bad line is an error naming its number.
func ParseHolidays(r io.Reader) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		day, name, _ := strings.Cut(line, " ")
		if _, err := time.Parse(time.DateOnly, day); err != nil {
			return nil, fmt.Errorf("holiday list line %d: %q is not a date like 2026-12-25", n, day)
		}
		out[day] = strings.TrimSpace(name)
	}
	return out, sc.Err()
}

// LoadHolidays reads a holiday file, or the built-in list when path is "".
func LoadHolidays(path string) (map[string]string, error) {
	if path == "" {
		return DefaultHolidays()
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("holiday list: %w", err)
	}
	defer f.Close()
	h, err := ParseHolidays(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return h, nil
}

// NewCalendar returns a calendar in loc with these holidays; a request
// received at or after closes (time since midnight; 0: none) counts as
// received on the next working day.
func NewCalendar(loc *time.Location, holidays map[string]string, closes time.Duration) *Calendar {
	if holidays == nil {
		holidays = map[string]string{}
	}
	return &Calendar{loc: loc, holidays: holidays, closes: closes}
}

// Location is the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// Holiday names the holiday on day's date ("" when none).
func (c *Calendar) Holiday(day time.Time) (string, bool) {
	name, ok := c.holidays[day.In(c.loc).Format(time.DateOnly)]
	return name, ok
}

// IsWorkingDay reports whether day's date (in the calendar's zone) is a
// working day.
func (c *Calendar) IsWorkingDay(day time.Time) bool {
	d := day.In(c.loc)
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	_, holiday := c.holidays[d.Format(time.DateOnly)]
	return !holiday
}

func (c *Calendar) midnight(t time.Time) time.Time {
	d := t.In(c.loc)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, c.loc)
}

// ReceivedDay is the working day a request counts as received on: its
// own day when that is a working day and it came before closing time,
// else the next working day.
func (c *Calendar) ReceivedDay(at time.Time) time.Time {
	day := c.midnight(at)
	if c.IsWorkingDay(day) && (c.closes == 0 || at.In(c.loc).Sub(day) < c.closes) {
		return day
	}
	return c.nextWorkingDay(day)
}

func (c *Calendar) nextWorkingDay(day time.Time) time.Time {
	for d := day.AddDate(0, 0, 1); ; d = d.AddDate(0, 0, 1) {
		if c.IsWorkingDay(d) {
			return d
		}
	}
}

// AddWorkingDays is the end (23:59:59.999 local) of the n-th working day
// after day: the day itself does not count.
func (c *Calendar) AddWorkingDays(day time.Time, n int) time.Time {
	d := c.midnight(day)
	for i := 0; i < n; i++ {
		d = c.nextWorkingDay(d)
	}
	return d.AddDate(0, 0, 1).Add(-time.Millisecond)
}

// Deadline is when a request received at `at` must be answered: the end
// of the 10th working day after the day it counts as received on.
func (c *Calendar) Deadline(at time.Time) time.Time {
	return c.AddWorkingDays(c.ReceivedDay(at), AnswerDays)
}

// Extended is the deadline after the one extension: 7 working days after
// the original deadline's day.
func (c *Calendar) Extended(due time.Time) time.Time {
	return c.AddWorkingDays(due, ExtensionDays)
}

// WorkingDaysLeft counts the working days from now's day to due's day:
// 0 on the last day, negative when past (-1: one working day late).
func (c *Calendar) WorkingDaysLeft(now, due time.Time) int {
	from, to := c.midnight(now), c.midnight(due)
	if !from.After(to) {
		n := 0
		for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
			if c.IsWorkingDay(d.AddDate(0, 0, 1)) {
				n++
			}
		}
		return n
	}
	n := 0
	for d := to; d.Before(from); d = d.AddDate(0, 0, 1) {
		if c.IsWorkingDay(d.AddDate(0, 0, 1)) {
			n--
		}
	}
	return n
}
