package agenda

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// ICSEvent is a VEVENT read from an iCalendar file (RFC 5545): the
// properties humas uses.
type ICSEvent struct {
	UID, Summary, Description, Location string
	Categories                          []string
	Start, End                          time.Time
	AllDay                              bool
}

// maxICSBytes bounds an imported file (a national schedule is a few KB).
const maxICSBytes = 4 << 20

// ParseICS reads the VEVENTs of an iCalendar stream. Lines are unfolded
// (a line starting with a space or tab continues the one before), text
// values unescaped (\n \, \; \\), and times read as UTC (…Z), in their
// TZID zone (an IANA name), or floating in loc; a DATE value is an
// all-day event whose DTEND is exclusive (missing: one day). A VEVENT
// without DTSTART or SUMMARY is an error naming its line.
func ParseICS(r io.Reader, loc *time.Location) ([]ICSEvent, error) {
	lines, err := unfold(io.LimitReader(r, maxICSBytes+1))
	if err != nil {
		return nil, err
	}
	var out []ICSEvent
	var cur *ICSEvent
	var begin int
	depth := 0
	sawCalendar := false
	for _, ln := range lines {
		name, params, value, ok := splitProp(ln.text)
		if !ok {
			if strings.TrimSpace(ln.text) == "" {
				continue
			}
			return nil, fmt.Errorf("ics line %d: not a property (NAME:value): %q", ln.n, short(ln.text))
		}
		switch name {
		case "BEGIN":
			switch strings.ToUpper(value) {
			case "VCALENDAR":
				sawCalendar = true
			case "VEVENT":
				if cur != nil {
					return nil, fmt.Errorf("ics line %d: VEVENT inside a VEVENT", ln.n)
				}
				cur, begin = &ICSEvent{}, ln.n
			default:
				if cur != nil {
					depth++ // VALARM and the like: skipped
				}
			}
			continue
		case "END":
			if strings.ToUpper(value) == "VEVENT" && cur != nil {
				if cur.Start.IsZero() {
					return nil, fmt.Errorf("ics line %d: the VEVENT that starts on line %d has no DTSTART", ln.n, begin)
				}
				if strings.TrimSpace(cur.Summary) == "" {
					return nil, fmt.Errorf("ics line %d: the VEVENT that starts on line %d has no SUMMARY", ln.n, begin)
				}
				if cur.End.IsZero() || !cur.End.After(cur.Start) {
					if cur.AllDay {
						cur.End = cur.Start.AddDate(0, 0, 1)
					} else {
						cur.End = cur.Start
					}
				}
				out = append(out, *cur)
				cur = nil
			} else if cur != nil && depth > 0 {
				depth--
			}
			continue
		}
		if cur == nil || depth > 0 {
			continue
		}
		switch name {
		case "UID":
			cur.UID = value
		case "SUMMARY":
			cur.Summary = unescape(value)
		case "DESCRIPTION":
			cur.Description = unescape(value)
		case "LOCATION":
			cur.Location = unescape(value)
		case "CATEGORIES":
			for _, c := range splitEscaped(value) {
				if c = strings.TrimSpace(unescape(c)); c != "" {
					cur.Categories = append(cur.Categories, c)
				}
			}
		case "DTSTART", "DTEND":
			t, allDay, err := parseICSTime(value, params, loc)
			if err != nil {
				return nil, fmt.Errorf("ics line %d: %s: %w", ln.n, name, err)
			}
			if name == "DTSTART" {
				cur.Start, cur.AllDay = t, allDay
			} else {
				cur.End = t
			}
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("ics: the VEVENT that starts on line %d has no END:VEVENT", begin)
	}
	if !sawCalendar {
		return nil, fmt.Errorf("ics: no BEGIN:VCALENDAR: not an iCalendar file")
	}
	return out, nil
}

type icsLine struct {
	n    int
	text string
}

func unfold(r io.Reader) ([]icsLine, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxICSBytes+1)
	var out []icsLine
	total := 0
	for n := 1; sc.Scan(); n++ {
		t := strings.TrimRight(sc.Text(), "\r")
		total += len(t) + 1
		if total > maxICSBytes {
			return nil, fmt.Errorf("ics: the file is larger than %d bytes", maxICSBytes)
		}
		if n == 1 {
			t = strings.TrimPrefix(t, "\ufeff")
		}
		if (strings.HasPrefix(t, " ") || strings.HasPrefix(t, "\t")) && len(out) > 0 {
			out[len(out)-1].text += t[1:]
			continue
		}
		out = append(out, icsLine{n: n, text: t})
	}
	return out, sc.Err()
}

// splitProp splits "DTSTART;TZID=Asia/Jakarta:20260101T090000" into its
// name, parameters and value (a colon inside a quoted parameter does not end it).
func splitProp(s string) (name string, params map[string]string, value string, ok bool) {
	inQuote := false
	cut := -1
	for i, r := range s {
		if r == '"' {
			inQuote = !inQuote
		}
		if r == ':' && !inQuote {
			cut = i
			break
		}
	}
	if cut <= 0 {
		return "", nil, "", false
	}
	head := strings.Split(s[:cut], ";")
	params = map[string]string{}
	for _, p := range head[1:] {
		k, v, _ := strings.Cut(p, "=")
		params[strings.ToUpper(k)] = strings.Trim(v, `"`)
	}
	return strings.ToUpper(head[0]), params, s[cut+1:], true
}

func parseICSTime(v string, params map[string]string, loc *time.Location) (time.Time, bool, error) {
	if strings.EqualFold(params["VALUE"], "DATE") || len(v) == 8 {
		t, err := time.ParseInLocation("20060102", v, loc)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("%q is not a date like 20261127", v)
		}
		return t, true, nil
	}
	if strings.HasSuffix(v, "Z") {
		t, err := time.Parse("20060102T150405Z", v)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("%q is not a UTC time like 20261127T020000Z", v)
		}
		return t, false, nil
	}
	zone := loc
	if tz := params["TZID"]; tz != "" {
		z, err := time.LoadLocation(tz)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("unknown time zone TZID=%s", tz)
		}
		zone = z
	}
	t, err := time.ParseInLocation("20060102T150405", v, zone)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("%q is not a time like 20261127T090000", v)
	}
	return t, false, nil
}

func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// splitEscaped splits a list value on commas not escaped by a backslash.
func splitEscaped(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func short(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
