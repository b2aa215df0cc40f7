package reportmail

import (
	"context"
	"fmt"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/notify"
	"github.com/humas-id/humas/report"
)

// Notifier tells people that a report is ready (*notify.Service).
type Notifier interface {
	Notify(ctx context.Context, m notify.Message) error
}

// People lists the users who may be told (*auth.Store).
type People interface {
	Users(ctx context.Context) ([]auth.User, error)
}

// UseNotifier makes the service tell a unit's admins and division heads
// (viewers) in humas when the unit's monthly report has been generated,
// once per unit and month.
func (s *Service) UseNotifier(n Notifier, people People) { s.notes, s.people = n, people }

// noticeReport tells the unit's admins and viewers that its monthly
// report for periodKey (YYYY-MM) is ready; the message's key makes a
// second generation (another language, another subscriber) land once.
func (s *Service) noticeReport(ctx context.Context, unitID int64, periodKey string, doc *report.Document) {
	if s.notes == nil || s.people == nil {
		return
	}
	users, err := s.people.Users(ctx)
	if err != nil {
		s.opt.Logger.WarnContext(ctx, "report notice not sent: cannot list users", "unit_id", unitID, "err", err)
		return
	}
	var to []int64
	for _, u := range users {
		if u.DisabledAt == nil && u.UnitID == unitID && (u.Role == auth.RoleAdmin || u.Role == auth.RoleViewer) {
			to = append(to, u.ID)
		}
	}
	if len(to) == 0 {
		return
	}
	name := doc.Letterhead.UnitName
	month, id, en := periodKey, periodKey, periodKey
	if t, err := time.Parse("2006-01", periodKey); err == nil {
		id, en = report.MonthName(report.ID, t), report.MonthName(report.EN, t)
	}
	m := notify.Message{Kind: notify.KindReport, To: to, Key: fmt.Sprintf("report:%d:%s", unitID, periodKey),
		Link:    fmt.Sprintf("/report?unit=%d&month=%s", unitID, month),
		TitleID: fmt.Sprintf("Laporan media sosial %s siap: %s", id, name),
		TitleEN: fmt.Sprintf("The %s social media report of %s is ready", en, name),
		BodyID:  "Laporan bulanan dibuat dan dikirim ke pelanggannya. Bukalah di humas untuk membaca, mengunduh PDF atau Excel.",
		BodyEN:  "The monthly report was generated and sent to its subscribers. Open it in humas to read it or download the PDF or Excel."}
	if err := s.notes.Notify(context.WithoutCancel(ctx), m); err != nil {
		s.opt.Logger.WarnContext(ctx, "report notice not stored", "unit_id", unitID, "err", err)
	}
}
