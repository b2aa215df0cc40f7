package scheduler

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/notify"
	"github.com/humas-id/humas/org"
)

// Notifier tells people about posts and channels (*notify.Service). It
// must return quickly: it stores the notifications and queues emails, and
// sends nothing itself.
type Notifier interface {
	Notify(ctx context.Context, m notify.Message) error
}

// People lists everyone who may be told (*auth.Store): who may approve a
// post is decided here, by the approval rules, for each of them.
type People interface {
	Users(ctx context.Context) ([]auth.User, error)
}

// UseNotifier makes the calendar and its publisher tell people when a
// post waits for their approval, when their post is approved, sent back
// or fails to publish, and when a channel of their unit needs them. Nil
// (the default) tells no one.
func (s *Service) UseNotifier(n Notifier, people People) { s.notes, s.people = n, people }

// tell hands m to the notifier; a failure is logged and never fails the
// action that caused it.
func (s *Service) tell(ctx context.Context, m notify.Message) {
	if s.notes == nil || len(m.To) == 0 {
		return
	}
	if err := s.notes.Notify(context.WithoutCancel(ctx), m); err != nil {
		s.log.WarnContext(ctx, "notification not stored", "kind", m.Kind, "link", m.Link, "err", err)
	}
}

// principals are the active users as the approval rules see them.
func (s *Service) principals(ctx context.Context) ([]auth.Principal, error) {
	if s.people == nil {
		return nil, nil
	}
	users, err := s.people.Users(ctx)
	if err != nil {
		return nil, err
	}
	var out []auth.Principal
	for _, u := range users {
		if u.DisabledAt == nil {
			out = append(out, auth.Principal{UserID: u.ID, Name: u.Name, UnitID: u.UnitID, Role: u.Role})
		}
	}
	return out, nil
}

// excerpt is the start of a caption, on one line.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

var monthsID = [...]string{"Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"}

// when is t in the unit's zone, in Bahasa Indonesia and English.
func when(t time.Time, loc *time.Location) (id, en string) {
	l := t.In(loc)
	return fmt.Sprintf("%d %s %d %s %s", l.Day(), monthsID[l.Month()-1], l.Year(), l.Format("15.04"), l.Format("MST")),
		l.Format("2 Jan 2006 15:04 MST")
}

func (s *Service) postLine(ctx context.Context, post Post) (id, en string) {
	loc := time.UTC
	unitName := ""
	if u, err := s.org.Unit(ctx, post.UnitID); err == nil {
		loc, unitName = u.Location(), u.Name
	}
	wid, wen := when(post.ScheduledAt, loc)
	text := excerpt(post.Caption, 120)
	return fmt.Sprintf("%s\n%s · dijadwalkan %s", text, unitName, wid), fmt.Sprintf("%s\n%s · scheduled for %s", text, unitName, wen)
}

// noticeSubmitted tells the approvers who may approve the post's current
// version (the approval rules decide: CanApprove), or, while its
// classification waits for the PPID, the officers who may confirm it.
func (s *Service) noticeSubmitted(ctx context.Context, post Post) {
	if s.notes == nil {
		return
	}
	people, err := s.principals(ctx)
	if err != nil {
		s.log.WarnContext(ctx, "approvers not told: cannot list users", "post_id", post.ID, "err", err)
		return
	}
	var approvers, officers []int64
	for _, p := range people {
		if p.Role == auth.RoleApprover && s.CanApprove(ctx, p, post) == nil {
			approvers = append(approvers, p.UserID)
		}
		if p.Role == auth.RolePPID && post.ClassificationStatus != ClassificationConfirmed && s.CanClassify(ctx, p, post) == nil {
			officers = append(officers, p.UserID)
		}
	}
	lid, lEN := s.postLine(ctx, post)
	link := fmt.Sprintf("/approvals#post-%d", post.ID)
	if len(approvers) > 0 {
		s.tell(ctx, notify.Message{Kind: notify.KindSubmitted, To: approvers, Link: link,
			TitleID: fmt.Sprintf("Unggahan #%d menunggu persetujuan Anda", post.ID),
			TitleEN: fmt.Sprintf("Post #%d waits for your approval", post.ID),
			BodyID:  lid + "\nPeriksa isinya lalu setujui atau tolak dengan alasan.",
			BodyEN:  lEN + "\nReview it, then approve it or reject it with a reason."})
		return
	}
	s.tell(ctx, notify.Message{Kind: notify.KindSubmitted, To: officers, Link: link,
		TitleID: fmt.Sprintf("Unggahan #%d menunggu klasifikasi Anda (PPID)", post.ID),
		TitleEN: fmt.Sprintf("Post #%d waits for your classification (PPID)", post.ID),
		BodyID:  lid + "\nTetapkan atau konfirmasi klasifikasinya sebelum disetujui.",
		BodyEN:  lEN + "\nSet or confirm its classification before it is approved."})
}

// noticeReviewed tells a post's writers (its author and the version's
// author set, not the reviewer) that it was approved or sent back.
func (s *Service) noticeReviewed(ctx context.Context, reviewer auth.Principal, post Post, authors []int64, approved bool, reason string) {
	if s.notes == nil {
		return
	}
	var to []int64
	for _, id := range append([]int64{post.AuthorID}, authors...) {
		if id != reviewer.UserID && !slices.Contains(to, id) {
			to = append(to, id)
		}
	}
	lid, lEN := s.postLine(ctx, post)
	link := fmt.Sprintf("/posts/%d", post.ID)
	if approved {
		m := notify.Message{Kind: notify.KindApproved, To: to, Link: link,
			TitleID: fmt.Sprintf("Unggahan #%d disetujui oleh %s", post.ID, reviewer.Name),
			TitleEN: fmt.Sprintf("Post #%d was approved by %s", post.ID, reviewer.Name),
			BodyID:  lid + "\nhumas menerbitkannya pada waktunya.", BodyEN: lEN + "\nhumas publishes it on time."}
		if reason != "" {
			m.BodyID += "\nCatatan: " + reason
			m.BodyEN += "\nNote: " + reason
		}
		s.tell(ctx, m)
		return
	}
	s.tell(ctx, notify.Message{Kind: notify.KindRejected, To: to, Link: link,
		TitleID: fmt.Sprintf("Unggahan #%d ditolak oleh %s", post.ID, reviewer.Name),
		TitleEN: fmt.Sprintf("Post #%d was rejected by %s", post.ID, reviewer.Name),
		BodyID:  "Alasan: " + reason + "\n" + lid + "\nPerbaiki lalu ajukan ulang dari halaman unggahan.",
		BodyEN:  "Reason: " + reason + "\n" + lEN + "\nFix it, then submit it again from the post's page."})
}

// noticeFailed tells the post's writers and its approver that a delivery
// failed for good, with the platform's reason and what to do.
func (s *Service) noticeFailed(ctx context.Context, deliveryID int64, de *DeliveryError) {
	if s.notes == nil || de == nil {
		return
	}
	var postID, channelID int64
	if err := s.db.DB.QueryRowContext(ctx, qDeliveryIDs, deliveryID).Scan(&postID, &channelID); err != nil {
		s.log.WarnContext(ctx, "failed delivery not told", "delivery_id", deliveryID, "err", err)
		return
	}
	post, err := s.loadPost(ctx, s.db.DB, postID)
	if err != nil {
		s.log.WarnContext(ctx, "failed delivery not told", "delivery_id", deliveryID, "err", err)
		return
	}
	ch, err := s.org.Channel(ctx, channelID)
	name := fmt.Sprintf("kanal %d", channelID)
	if err == nil {
		name = ch.Name + " (" + platformName(ch.Platform) + ")"
	}
	to := []int64{post.AuthorID}
	for _, id := range append(post.Authors, post.ApprovedBy) {
		if id != 0 && !slices.Contains(to, id) {
			to = append(to, id)
		}
	}
	doID, doEN := actionText(de.Action)
	lid, lEN := s.postLine(ctx, post)
	s.tell(ctx, notify.Message{Kind: notify.KindFailed, To: to, Link: fmt.Sprintf("/posts/%d", post.ID),
		TitleID: fmt.Sprintf("Unggahan #%d gagal terbit di %s", post.ID, name),
		TitleEN: fmt.Sprintf("Post #%d failed to publish on %s", post.ID, name),
		BodyID:  lid + "\nPenyebab: " + de.Message + "\nYang perlu dilakukan: " + doID,
		BodyEN:  lEN + "\nCause: " + de.Message + "\nWhat to do: " + doEN})
}

const qDeliveryIDs = `SELECT post_id, channel_id FROM deliveries WHERE id = ?`

func platformName(p string) string {
	if p == org.Instagram {
		return "Instagram"
	}
	return "Facebook"
}

// NoticeChannel tells the admins of a channel's unit (or of the nearest
// unit above it that has admins) when its token health has changed into
// one that needs them: reconnect, missing permissions, expiring. It is
// told once per change, not at every check: the state told is recorded on
// the channel.
func (s *Service) NoticeChannel(ctx context.Context, c org.Channel, now time.Time) {
	h := c.Health(now)
	state := h.State
	if state == org.HealthUnchecked {
		return // nothing known yet: neither better nor worse
	}
	if state == c.HealthNotified {
		return
	}
	if err := s.org.SetHealthNotified(ctx, c.ID, state); err != nil {
		s.log.WarnContext(ctx, "channel health not recorded", "channel_id", c.ID, "err", err)
		return
	}
	if !h.NeedsAttention() || s.notes == nil {
		return
	}
	to, err := s.unitAdmins(ctx, c.UnitID)
	if err != nil {
		s.log.WarnContext(ctx, "channel admins not told", "channel_id", c.ID, "err", err)
		return
	}
	name := c.Name + " (" + platformName(c.Platform) + ")"
	m := notify.Message{Kind: notify.KindChannel, To: to, Link: fmt.Sprintf("/admin/channels#channel-%d", c.ID)}
	const how = "Buka Administrasi → Kanal, lalu pilih \"Hubungkan dengan Facebook\" (atau tempel token system user baru)."
	const howEN = "Open Administration → Channels, then choose \"Connect with Facebook\" (or paste a new system-user token)."
	switch state {
	case org.HealthMissing:
		perms := strings.ReplaceAll(strings.Join(h.Missing, ", "), "|", " / ")
		m.TitleID = fmt.Sprintf("Kanal %s: izin kurang (%s)", name, perms)
		m.TitleEN = fmt.Sprintf("Channel %s lacks permissions (%s)", name, perms)
		m.BodyID = "humas tidak dapat memposting atau membaca insight tanpa izin itu. " + how + " Setujui izin " + perms + " di dialog Facebook."
		m.BodyEN = "humas cannot publish or read insights without them. " + howEN + " Grant " + perms + " in Facebook's dialog."
	case org.HealthExpiring:
		wid, wen := when(*h.ExpiresAt, time.UTC)
		if u, err := s.org.Unit(ctx, c.UnitID); err == nil {
			wid, wen = when(*h.ExpiresAt, u.Location())
		}
		m.TitleID = fmt.Sprintf("Token kanal %s kedaluwarsa %s", name, wid)
		m.TitleEN = fmt.Sprintf("The token of channel %s expires on %s", name, wen)
		m.BodyID = "Setelah itu humas tidak dapat memposting ke kanal ini. " + how
		m.BodyEN = "After that humas cannot publish to this channel. " + howEN
		m.Key = fmt.Sprintf("expiring:%d:%s", c.ID, h.ExpiresAt.UTC().Format(time.RFC3339))
	default:
		m.TitleID = fmt.Sprintf("Kanal %s perlu dihubungkan ulang", name)
		m.TitleEN = fmt.Sprintf("Channel %s needs to be reconnected", name)
		reason := h.Reason
		if reason == "" {
			reason = "no access token / tidak ada token akses"
		}
		m.BodyID = "Penyebab: " + reason + "\nUnggahan terjadwal ke kanal ini tidak akan terbit. " + how
		m.BodyEN = "Cause: " + reason + "\nScheduled posts to this channel will not publish. " + howEN
	}
	s.tell(ctx, m)
}

// unitAdmins are the active admins of a unit, or of the nearest unit
// above it that has some.
func (s *Service) unitAdmins(ctx context.Context, unitID int64) ([]int64, error) {
	people, err := s.principals(ctx)
	if err != nil {
		return nil, err
	}
	units, err := s.org.Units(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range org.Ancestors(units, unitID) {
		var out []int64
		for _, p := range people {
			if p.Role == auth.RoleAdmin && p.UnitID == u {
				out = append(out, p.UserID)
			}
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	return nil, nil
}
