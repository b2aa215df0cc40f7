package mail_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/notify/mail"
	"github.com/humas-id/humas/notify/mail/mailtest"
)

func message() mail.Message {
	return mail.Message{To: []string{"Kepala Divisi <kepala@jateng.kpu.test>", "arsip@jateng.kpu.test"},
		Subject: "Laporan media sosial November 2026 – KPU Provinsi Jawa Tengah",
		Text:    "Yth. Kepala Divisi,\n\nTerlampir laporan bulan November 2026.\n",
		HTML:    "<p>Terlampir laporan bulan <b>November 2026</b>.</p>",
		Attachments: []mail.Attachment{
			{Name: "laporan-2026-11.pdf", ContentType: "application/pdf", Data: append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0, 1, 2, 250}, 5000)...)},
			{Name: "laporan-2026-11.xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Data: []byte("PK\x03\x04 workbook")},
		}}
}

func checkArrived(t *testing.T, got mailtest.Message, want mail.Message) {
	t.Helper()
	if got.Subject != want.Subject || !strings.Contains(got.Text, "Terlampir laporan bulan November 2026") ||
		!strings.Contains(got.HTML, "<b>November 2026</b>") {
		t.Errorf("subject %q text %q html %q", got.Subject, got.Text, got.HTML)
	}
	if got.From != "humas@jateng.kpu.test" || len(got.To) != 2 || got.To[0] != "kepala@jateng.kpu.test" {
		t.Errorf("envelope from %q to %v", got.From, got.To)
	}
	if len(got.Attachments) != 2 {
		t.Fatalf("%d attachments", len(got.Attachments))
	}
	for i, a := range got.Attachments {
		w := want.Attachments[i]
		if a.Name != w.Name || a.ContentType != w.ContentType || !bytes.Equal(a.Data, w.Data) {
			t.Errorf("attachment %d: %q %q %d bytes, want %q %q %d bytes", i, a.Name, a.ContentType, len(a.Data), w.Name, w.ContentType, len(w.Data))
		}
	}
	if got.Header.Get("Message-Id") == "" || got.Header.Get("Date") == "" {
		t.Error("no Message-ID or Date")
	}
}

func TestSendPlainRelay(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	c, err := mail.New(srv.Config())
	if err != nil {
		t.Fatal(err)
	}
	m := message()
	if err := c.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	checkArrived(t, srv.Wait(t, 1, 5*time.Second)[0], m)
}

func TestSendSTARTTLSWithSignIn(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{TLS: true, Username: "humas", Password: "sandi-rahasia"})
	c, err := mail.New(srv.Config(), mail.WithRootCAs(srv.RootCAs))
	if err != nil {
		t.Fatal(err)
	}
	m := message()
	if err := c.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	checkArrived(t, srv.Wait(t, 1, 5*time.Second)[0], m)

	// A server certificate humas does not trust: refused, nothing sent.
	untrusted, _ := mail.New(srv.Config())
	if err := untrusted.Send(context.Background(), m); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("untrusted certificate: %v", err)
	}
	// A wrong password: the server's refusal, never the password.
	cfg := srv.Config()
	cfg.Password = "salah-sandi"
	bad, _ := mail.New(cfg, mail.WithRootCAs(srv.RootCAs))
	err = bad.Send(context.Background(), m)
	if err == nil || strings.Contains(err.Error(), "salah-sandi") || !strings.Contains(err.Error(), srv.Host) {
		t.Errorf("wrong password: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages arrived, want 1", n)
	}
}

// A STARTTLS-required client refuses a server that offers no TLS rather
// than sending in clear.
func TestSTARTTLSRequired(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	cfg := srv.Config()
	cfg.TLS = "starttls"
	c, _ := mail.New(cfg)
	if err := c.Send(context.Background(), message()); err == nil {
		t.Fatal("sent without TLS")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages arrived in clear", n)
	}
}

func TestTemporaryFailure(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{FailFirst: 1})
	c, _ := mail.New(srv.Config())
	err := c.Send(context.Background(), message())
	if err == nil || !strings.Contains(err.Error(), "451") {
		t.Fatalf("first send: %v, want the server's 451", err)
	}
	if err := c.Send(context.Background(), message()); err != nil {
		t.Fatalf("second send: %v", err)
	}
	if srv.Refused() != 1 || len(srv.Messages()) != 1 {
		t.Errorf("refused %d, arrived %d", srv.Refused(), len(srv.Messages()))
	}
}

func TestNotConfiguredAndAddresses(t *testing.T) {
	if _, err := mail.New(config.SMTP{}); !errors.Is(err, mail.ErrNotConfigured) {
		t.Errorf("no host: %v", err)
	}
	for in, want := range map[string]string{"kepala@jateng.kpu.go.id": "kepala@jateng.kpu.go.id",
		" Kepala Divisi <kepala@kpu.go.id> ": `"Kepala Divisi" <kepala@kpu.go.id>`} {
		if got, err := mail.CheckAddress(in); err != nil || got != want {
			t.Errorf("CheckAddress(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "kepala", "kepala@", "@kpu.go.id", "a@b, c@d", "kepala@kpu.go.id\r\nBcc: x@y"} {
		if _, err := mail.CheckAddress(bad); err == nil {
			t.Errorf("CheckAddress(%q) accepted", bad)
		}
	}
}
