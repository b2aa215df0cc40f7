package report

import (
	"context"
	"math"
	"time"
)

// ServiceFigures are a unit's answers to the public: the inbox's response
// to comments per channel and the PPID's information requests per month
// (the web adapter reads them from the inbox and ppid packages).
type ServiceFigures interface {
	// Responses covers comments made in [from, to) in the unit and below (0: all).
	Responses(ctx context.Context, unitID int64, from, to time.Time) ([]ResponseRow, error)
	// PPIDMonths covers requests received in [from, to), month by month.
	PPIDMonths(ctx context.Context, unitID int64, from, to time.Time) ([]PPIDMonth, error)
}

// ResponseRow is one channel's answers to comments.
type ResponseRow struct {
	Channel, Platform      string
	Comments, Questions    int
	Answered, QuestionsAns int
	MedianMinutes          float64 // NaN: none answered
}

// PPIDMonth is one month of information requests.
type PPIDMonth struct {
	Month                                          time.Time
	Received, OnTime, Late, Refused, Open, Overdue int
	AvgWorkingDays                                 float64
}

// serviceSections adds the comment-response and information-request
// sections of the period (local days in loc).
func (b *Builder) serviceSections(ctx context.Context, lang string, loc *time.Location, unitID int64, p Period) ([]Section, error) {
	if b.Service == nil {
		return nil, nil
	}
	from := time.Date(p.From.Year(), p.From.Month(), p.From.Day(), 0, 0, 0, 0, loc)
	to := time.Date(p.To.Year(), p.To.Month(), p.To.Day(), 0, 0, 0, 0, loc)
	if !to.After(from) {
		to = from.AddDate(0, 0, 1)
	}
	resp, err := b.Service.Responses(ctx, unitID, from, to)
	if err != nil {
		return nil, err
	}
	months, err := b.Service.PPIDMonths(ctx, unitID, from, to)
	if err != nil {
		return nil, err
	}
	rs := Section{ID: "responses", Title: T(lang, "sec.responses"), Sheet: T(lang, "sheet.responses"), Note: T(lang, "responses.note"),
		Empty: T(lang, "responses.none"),
		Columns: []Column{{Head: T(lang, "col.channel"), Kind: Text, Width: 3}, {Head: T(lang, "col.platform"), Kind: Text, Width: 1.4},
			{Head: T(lang, "col.comments"), Kind: Integer, Width: 1.3}, {Head: T(lang, "col.answered"), Kind: Integer, Width: 1.3},
			{Head: T(lang, "col.rate"), Kind: Percent, Width: 1.3}, {Head: T(lang, "col.questions"), Kind: Integer, Width: 1.3},
			{Head: T(lang, "col.questionsans"), Kind: Integer, Width: 1.5}, {Head: T(lang, "col.median"), Kind: Text, Width: 1.6}}}
	for _, r := range resp {
		rate := math.NaN()
		if r.Comments > 0 {
			rate = float64(r.Answered) / float64(r.Comments)
		}
		rs.Rows = append(rs.Rows, []Cell{textCell(r.Channel), textCell(platformLabel(lang, r.Platform)), intCell(lang, uint64(r.Comments)),
			intCell(lang, uint64(r.Answered)), pctCell(lang, &rate), intCell(lang, uint64(r.Questions)), intCell(lang, uint64(r.QuestionsAns)),
			{Text: Minutes(lang, r.MedianMinutes), Num: r.MedianMinutes}})
	}
	ps := Section{ID: "ppid", Title: T(lang, "sec.ppid"), Sheet: T(lang, "sheet.ppid"), Note: T(lang, "ppid.note"), Empty: T(lang, "ppid.none"),
		Columns: []Column{{Head: T(lang, "col.month"), Kind: Text, Width: 2}, {Head: T(lang, "col.received"), Kind: Integer, Width: 1.3},
			{Head: T(lang, "col.ontime"), Kind: Integer, Width: 1.3}, {Head: T(lang, "col.late"), Kind: Integer, Width: 1.3},
			{Head: T(lang, "col.refused"), Kind: Integer, Width: 1.3}, {Head: T(lang, "col.open"), Kind: Integer, Width: 1.3},
			{Head: T(lang, "col.avgdays"), Kind: Text, Width: 1.6}}}
	for _, m := range months {
		if m.Received == 0 && len(months) > 1 {
			continue
		}
		avg := Cell{Text: "–", Num: NoNum}
		if m.OnTime+m.Late+m.Refused > m.Overdue {
			avg = Cell{Text: Num(lang, m.AvgWorkingDays, 1), Num: m.AvgWorkingDays}
		}
		ps.Rows = append(ps.Rows, []Cell{textCell(MonthLabel(lang, m.Month)), intCell(lang, uint64(m.Received)), intCell(lang, uint64(m.OnTime)),
			intCell(lang, uint64(m.Late)), intCell(lang, uint64(m.Refused)), intCell(lang, uint64(m.Open)), avg})
	}
	if len(ps.Rows) == 1 && months[0].Received == 0 {
		ps.Rows = nil
	}
	return []Section{rs, ps}, nil
}

// Minutes writes a duration in minutes as "35 menit" or "2,5 jam" ("–" for NaN).
func Minutes(lang string, m float64) string {
	switch {
	case math.IsNaN(m):
		return "–"
	case m < 90:
		return T(lang, "minutes", Num(lang, m, 0))
	case m < 48*60:
		return T(lang, "hours", Num(lang, m/60, 1))
	}
	return T(lang, "days", Num(lang, m/1440, 1))
}

// MonthLabel is "November 2026" in the language.
func MonthLabel(lang string, m time.Time) string {
	return Month(m.Year(), m.Month()).Label(lang)
}
