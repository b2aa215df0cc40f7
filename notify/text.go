package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/notify/mail"
)

// kindNames name each kind for people (Bahasa Indonesia, English).
var kindNames = map[string][2]string{
	KindSubmitted: {"Unggahan menunggu persetujuan saya", "A post waits for my approval"},
	KindApproved:  {"Unggahan saya disetujui", "My post was approved"},
	KindRejected:  {"Unggahan saya ditolak", "My post was rejected"},
	KindFailed:    {"Unggahan gagal terbit", "A delivery failed"},
	KindChannel:   {"Kanal perlu dihubungkan ulang atau segera kedaluwarsa", "A channel needs reconnecting or expires soon"},
	KindReport:    {"Laporan bulanan siap", "The monthly report is ready"},
	KindPPID:      {"Permohonan informasi lewat tenggat", "An information request is overdue"},
}

// KindName is a kind's name in lang ("id" or "en").
func KindName(kind, lang string) string {
	n, ok := kindNames[kind]
	if !ok {
		return kind
	}
	if lang == "en" {
		return n[1]
	}
	return n[0]
}

func (s *Service) url(path string) string {
	if path == "" {
		return s.opt.PublicURL + "/notifications"
	}
	return s.opt.PublicURL + path
}

// emailText is a notification's email: Bahasa Indonesia first, English
// below, with the link and why the person gets it.
func (s *Service) emailText(u auth.User, m Message) (subject, body string) {
	var b strings.Builder
	fmt.Fprintf(&b, "Yth. %s,\n\n%s\n", u.Name, m.TitleID)
	if m.BodyID != "" {
		fmt.Fprintf(&b, "\n%s\n", m.BodyID)
	}
	fmt.Fprintf(&b, "\nBuka: %s\n", s.url(m.Link))
	fmt.Fprintf(&b, "\nAnda menerima email ini karena memilih \"%s\" di humas. Ubah pilihan Anda di %s\n",
		KindName(m.Kind, "id"), s.url("/account/notifications"))
	b.WriteString("\n-- English --\n\n")
	fmt.Fprintf(&b, "%s\n", m.TitleEN)
	if m.BodyEN != "" {
		fmt.Fprintf(&b, "\n%s\n", m.BodyEN)
	}
	fmt.Fprintf(&b, "\nOpen: %s\n", s.url(m.Link))
	fmt.Fprintf(&b, "\nYou get this email because you chose \"%s\" in humas. Change your choice at %s\n",
		KindName(m.Kind, "en"), s.url("/account/notifications"))
	return "[humas] " + m.TitleID, b.String()
}

// SendSetupLink emails an invitation or password-reset link to the
// person it is for, at once (the admin who made it sees whether it went;
// the link's secret is never stored, so it is not queued for retries).
func (s *Service) SendSetupLink(ctx context.Context, m auth.LinkMessage) error {
	if s.mail == nil {
		return mail.ErrNotConfigured
	}
	if m.User.Email == "" {
		return fmt.Errorf("notify: user %s has no email address", m.User.Name)
	}
	by := m.By
	if by == "" || by == "cli" {
		by = "admin humas"
	}
	exp := "tidak kedaluwarsa sampai dipakai"
	expEN := "good until used"
	if !m.ExpiresAt.IsZero() {
		t := m.ExpiresAt.In(s.opt.Location)
		exp = "berlaku sampai " + dateTimeID(t) + ", sekali pakai"
		expEN = "good until " + t.Format("2 Jan 2006 15:04 MST") + ", once"
	}
	var subject, id, en string
	switch m.Purpose {
	case auth.PurposeReset:
		subject = "[humas] Atur ulang kata sandi Anda"
		id = fmt.Sprintf("%s membuat tautan untuk mengatur ulang kata sandi akun humas Anda (%s).\nBuka tautan ini dan pilih kata sandi baru:", by, m.User.Name)
		en = fmt.Sprintf("%s made a link to reset the password of your humas account (%s).\nOpen it and choose a new password:", by, m.User.Name)
	default:
		subject = "[humas] Undangan ke humas"
		id = fmt.Sprintf("%s mengundang Anda ke humas dengan nama pengguna %s.\nBuka tautan ini untuk membuat kata sandi Anda:", by, m.User.Name)
		en = fmt.Sprintf("%s invited you to humas as %s.\nOpen this link to set your password:", by, m.User.Name)
	}
	body := fmt.Sprintf("Yth. %s,\n\n%s\n\n%s\n\n(%s)\n\nJika Anda tidak mengharapkan email ini, abaikan saja.\n\n-- English --\n\n%s\n\n%s\n\n(%s)\n\nIf you did not expect this email, ignore it.\n",
		m.User.Name, id, m.URL, exp, en, m.URL, expEN)
	sctx, cancel := context.WithTimeout(ctx, s.opt.SendTimeout)
	defer cancel()
	if err := s.mail.Send(sctx, mail.Message{To: []string{m.User.Email}, Subject: subject, Text: body}); err != nil {
		return err
	}
	s.opt.Logger.InfoContext(ctx, "setup link emailed", "user_id", m.User.ID, "purpose", m.Purpose)
	return nil
}

var monthsID = [...]string{"Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"}

// dateTimeID is t as the other notifications write it: 4 Des 2026 10.00 WIB.
func dateTimeID(t time.Time) string {
	return fmt.Sprintf("%d %s %d %s %s", t.Day(), monthsID[t.Month()-1], t.Year(), t.Format("15.04"), t.Format("MST"))
}
