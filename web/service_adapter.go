package web

import (
	"context"
	"time"

	"github.com/humas-id/humas/agenda"
	"github.com/humas-id/humas/inbox"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/ppid"
	"github.com/humas-id/humas/report"
)

// ServiceFigures gives the report the inbox's response figures and the
// PPID's monthly figures (report.ServiceFigures).
type ServiceFigures struct {
	Inbox *inbox.Service
	PPID  *ppid.Service
	Org   *org.Store
}

func (s ServiceFigures) units(ctx context.Context, unitID int64) ([]int64, error) {
	if unitID == 0 {
		return nil, nil
	}
	return s.Org.Descendants(ctx, unitID)
}

// Responses implements report.ServiceFigures.
func (s ServiceFigures) Responses(ctx context.Context, unitID int64, from, to time.Time) ([]report.ResponseRow, error) {
	units, err := s.units(ctx, unitID)
	if err != nil {
		return nil, err
	}
	rows, err := s.Inbox.ResponseStats(ctx, units, from, to)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ChannelID
	}
	chans, err := s.Org.ChannelsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]report.ResponseRow, len(rows))
	for i, r := range rows {
		out[i] = report.ResponseRow{Channel: chans[r.ChannelID].Name, Platform: r.Platform, Comments: r.Comments, Questions: r.Questions,
			Answered: r.Answered, QuestionsAns: r.QuestionsDone, MedianMinutes: r.MedianMinutes}
	}
	return out, nil
}

// PPIDMonths implements report.ServiceFigures.
func (s ServiceFigures) PPIDMonths(ctx context.Context, unitID int64, from, to time.Time) ([]report.PPIDMonth, error) {
	units, err := s.units(ctx, unitID)
	if err != nil {
		return nil, err
	}
	ms, err := s.PPID.Monthly(ctx, units, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]report.PPIDMonth, len(ms))
	for i, m := range ms {
		out[i] = report.PPIDMonth{Month: m.Month, Received: m.Received, OnTime: m.OnTime, Late: m.Late(), Refused: m.Refused,
			Open: m.Open, Overdue: m.OpenOverdue, AvgWorkingDays: m.AvgWorkingDays}
	}
	return out, nil
}

// AgendaFigures gives the report the agenda's events (report.AgendaFigures).
type AgendaFigures struct{ Agenda *agenda.Service }

// Events implements report.AgendaFigures.
func (a AgendaFigures) Events(ctx context.Context, unitID int64, from, to time.Time) ([]report.AgendaEvent, error) {
	evs, err := a.Agenda.ForReport(ctx, unitID, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]report.AgendaEvent, len(evs))
	for i, e := range evs {
		out[i] = report.AgendaEvent{ID: e.ID, Title: e.Title, Type: e.Type, Start: e.Start, End: e.End, AllDay: e.AllDay, HumasPosts: e.Posts}
	}
	return out, nil
}
