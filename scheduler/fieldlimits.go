package scheduler

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/valid"
)

// Field maxima (code points unless said otherwise). Every text a post
// carries reaches the append-only audit log (an edit records each changed
// field before and after), so each is bounded here; captions are bounded
// by their platforms (limits.go).
const (
	MaxCampaignRunes       = 100
	MaxTags                = 30
	MaxTagRunes            = 50
	MaxLegalBasisRunes     = 500
	MaxConsequenceRunes    = 2000 // classification.reason: the consequence test
	MaxReasonRunes         = 1000 // approve, reject and cancel reasons
	MaxURLBytes            = 2048 // link and each media URL
	MaxRecurrenceSpecBytes = 100
	// MaxOccurrences bounds a recurring series: a daily post for a year.
	MaxOccurrences = 366
)

// Schedule window: a post is planned at most MaxScheduleAhead ahead and
// at least MaxScheduleBehind back (drafts may sit in the past); list
// filters accept dates from FilterFrom up to FilterTo.
const (
	MaxScheduleAhead  = 2 * 366 * 24 * time.Hour
	MaxScheduleBehind = 366 * 24 * time.Hour
)

var (
	FilterFrom = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	FilterTo   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Recurrence intervals: at most daily, or hourly where the unit allows
// it. A daily spec across a daylight-saving change is 23 h apart.
const (
	minDaily  = 23 * time.Hour
	minHourly = time.Hour
	// recurrenceProbe is how many occurrences the interval check looks at.
	recurrenceProbe = 400
)

func checkLen(e *valid.Errors, field, what, whatID, s string, max int) {
	if n := utf8.RuneCountInString(s); n > max {
		*e = append(*e, valid.FieldError{Field: field,
			Message:   fmt.Sprintf("%s has at most %d characters; this one has %d", what, max, n),
			MessageID: fmt.Sprintf("%s paling banyak %d karakter; ini %d karakter", whatID, max, n)})
	}
}

// checkFieldMaxima bounds the free-text fields of a draft.
func checkFieldMaxima(e *valid.Errors, d Draft) {
	checkLen(e, "campaign", "a campaign", "kampanye", d.Campaign, MaxCampaignRunes)
	if len(d.Tags) > MaxTags {
		e.Add("tags", "at most %d tags; this post has %d", "paling banyak %d tag; kiriman ini berisi %d", MaxTags, len(d.Tags))
	} else {
		for i, t := range d.Tags {
			checkLen(e, fmt.Sprintf("tags[%d]", i), "a tag", "tag", t, MaxTagRunes)
		}
	}
	checkLen(e, "classification.legal_basis", "the legal basis", "dasar hukum", d.Classification.LegalBasis, MaxLegalBasisRunes)
	checkLen(e, "classification.reason", "the consequence-test reason", "alasan uji konsekuensi", d.Classification.Reason, MaxConsequenceRunes)
	if len(d.Link) > MaxURLBytes {
		e.Add("link", "a link has at most %d bytes", "tautan paling banyak %d byte", MaxURLBytes)
	}
	for i, m := range d.Media {
		if len(m.URL) > MaxURLBytes {
			e.Add(fmt.Sprintf("media[%d].url", i), "a media URL has at most %d bytes", "URL media paling banyak %d byte", MaxURLBytes)
		}
	}
}

// checkReason bounds an approve, reject or cancel reason.
func checkReason(reason string) error {
	var e valid.Errors
	checkLen(&e, "reason", "a reason", "alasan", reason, MaxReasonRunes)
	if len(e) > 0 {
		return ValidationError(e)
	}
	return nil
}

// checkScheduleWindow keeps scheduled_at within the planning window.
func checkScheduleWindow(e *valid.Errors, at, now time.Time) {
	if at.IsZero() {
		return
	}
	if at.After(now.Add(MaxScheduleAhead)) || at.Before(now.Add(-MaxScheduleBehind)) {
		e.Add("scheduled_at", "%s is outside the planning window: from one year back to two years ahead (%s to %s)",
			"%s di luar rentang perencanaan: satu tahun ke belakang sampai dua tahun ke depan (%s sampai %s)",
			at.UTC().Format(time.RFC3339), now.Add(-MaxScheduleBehind).Format("2006-01-02"), now.Add(MaxScheduleAhead).Format("2006-01-02"))
	}
}

// CheckFilterTime refuses a list filter date outside [FilterFrom, FilterTo)
// (a field error naming the parameter), so no date reaches SQL that the
// stored layout cannot order.
func CheckFilterTime(field string, t time.Time) error {
	if t.IsZero() || (!t.Before(FilterFrom) && t.Before(FilterTo)) {
		return nil
	}
	return ValidationError{{Field: field,
		Message:   fmt.Sprintf("%s is outside %d–%d", t.UTC().Format("2006-01-02"), FilterFrom.Year(), FilterTo.Year()-1),
		MessageID: fmt.Sprintf("%s di luar %d–%d", t.UTC().Format("2006-01-02"), FilterFrom.Year(), FilterTo.Year()-1)}}
}

// checkRecurrence validates a recurring post: a cron spec (seconds first,
// or a descriptor) in the unit's time zone, no more often than daily
// (hourly where the unit allows it), with at most MaxOccurrences.
func checkRecurrence(e *valid.Errors, d Draft, unit org.Unit) {
	if d.Recurrence == "" {
		return
	}
	if d.RecurrenceCount < 0 || d.RecurrenceCount > MaxOccurrences { // 0: the default, MaxOccurrences
		e.Add("recurrence_count", "a series has 1 to %d occurrences; %d asked", "satu seri berisi 1 sampai %d kali tayang; diminta %d",
			MaxOccurrences, d.RecurrenceCount)
	}
	if len(d.Recurrence) > MaxRecurrenceSpecBytes {
		e.Add("recurrence", "a cron spec has at most %d characters", "jadwal cron paling banyak %d karakter", MaxRecurrenceSpecBytes)
		return
	}
	sched, err := config.CronParser.Parse(d.Recurrence)
	if err != nil {
		e.Add("recurrence", "%q is not a cron spec; write it like \"0 0 9 * * MON\" (seconds minutes hours day month weekday)",
			"%q bukan jadwal cron; tulis seperti \"0 0 9 * * MON\" (detik menit jam tanggal bulan hari)", d.Recurrence)
		return
	}
	min, minID := minDaily, "sekali sehari"
	limit := "once a day"
	if unit.AllowHourly {
		min, minID, limit = minHourly, "sekali sejam", "once an hour"
	}
	start := d.ScheduledAt
	if start.IsZero() {
		start = time.Now()
	}
	prev := sched.Next(start.In(unit.Location()))
	if prev.IsZero() {
		e.Add("recurrence", "%q never occurs", "%q tidak pernah terjadi", d.Recurrence)
		return
	}
	shortest := time.Duration(0)
	for range recurrenceProbe {
		next := sched.Next(prev)
		if next.IsZero() {
			break
		}
		if gap := next.Sub(prev); shortest == 0 || gap < shortest {
			shortest = gap
		}
		if shortest < min {
			break
		}
		prev = next
	}
	if shortest > 0 && shortest < min {
		hint, hintID := "", ""
		if !unit.AllowHourly {
			hint, hintID = " (the unit's admin may allow hourly)", " (admin unit dapat mengizinkan tiap jam)"
		}
		*e = append(*e, valid.FieldError{Field: "recurrence",
			Message:   fmt.Sprintf("%q repeats every %s; a post may recur at most %s%s", d.Recurrence, shortest, limit, hint),
			MessageID: fmt.Sprintf("%q berulang tiap %s; kiriman paling sering berulang %s%s", d.Recurrence, shortest, minID, hintID)})
	}
}

// normalizeText trims the free text staff type around its edges.
func normalizeText(d *Draft) {
	d.Campaign = strings.TrimSpace(d.Campaign)
	d.Classification.Category = strings.TrimSpace(d.Classification.Category)
	d.Classification.LegalBasis = strings.TrimSpace(d.Classification.LegalBasis)
	d.Classification.Reason = strings.TrimSpace(d.Classification.Reason)
	d.Recurrence = strings.TrimSpace(d.Recurrence)
}
