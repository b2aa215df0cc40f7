package ppid

import (
	"context"
	"fmt"
	"slices"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
)

// Notice is what an overdue request tells people: who, in both
// languages what happened and what to do, where to look, and a key that
// makes it land once per person.
type Notice struct {
	To               []int64
	TitleID, TitleEN string
	BodyID, BodyEN   string
	Link, Key        string
}

// Users lists people (*auth.Store does).
type Users interface {
	Users(ctx context.Context) ([]auth.User, error)
}

// OverdueNotifier tells the PPID officers of a request's unit and of the
// units above it, and the unit's head (its viewer, the division or office
// head), that the request is past its deadline. Send delivers the notice
// (the notifications outbox: in-app and email).
type OverdueNotifier struct {
	Users Users
	Org   *org.Store
	Cal   *Calendar
	Send  func(ctx context.Context, n Notice) error
}

// Recipients are the request's PPID officers (its unit and above) and
// the unit's heads (viewers of the unit), active ones only.
func (n OverdueNotifier) Recipients(ctx context.Context, r Request) ([]int64, error) {
	up := map[int64]bool{}
	for id := r.UnitID; id != 0 && len(up) < 32; {
		u, err := n.Org.Unit(ctx, id)
		if err != nil {
			return nil, err
		}
		up[u.ID] = true
		id = u.ParentID
	}
	users, err := n.Users.Users(ctx)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, u := range users {
		if u.DisabledAt != nil {
			continue
		}
		if u.Role == auth.RolePPID && up[u.UnitID] || u.Role == auth.RoleViewer && u.UnitID == r.UnitID {
			if !slices.Contains(out, u.ID) {
				out = append(out, u.ID)
			}
		}
	}
	return out, nil
}

// RequestOverdue implements Notifier.
func (n OverdueNotifier) RequestOverdue(ctx context.Context, r Request) error {
	to, err := n.Recipients(ctx, r)
	if err != nil {
		return err
	}
	if len(to) == 0 {
		return fmt.Errorf("request %d: nobody to tell (no PPID officer or head for unit %d)", r.ID, r.UnitID)
	}
	due := r.Due.In(n.Cal.Location()).Format("02/01/2006 15.04")
	return n.Send(ctx, Notice{To: to,
		TitleID: fmt.Sprintf("Permohonan informasi #%d lewat tenggat", r.ID),
		TitleEN: fmt.Sprintf("Information request #%d is overdue", r.ID),
		BodyID: fmt.Sprintf("Permohonan dari %s (\"%s\") seharusnya dijawab paling lambat %s. Jawab, perpanjang (sekali, 7 hari kerja) atau tolak dengan dasar hukumnya sekarang.",
			r.RequesterName, clip(r.Question, 140), due),
		BodyEN: fmt.Sprintf("The request from %s (\"%s\") was due by %s. Answer it, extend it (once, 7 working days) or refuse it with the legal basis now.",
			r.RequesterName, clip(r.Question, 140), due),
		Link: fmt.Sprintf("/ppid#r-%d", r.ID), Key: fmt.Sprintf("ppid-overdue:%d", r.ID)})
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
