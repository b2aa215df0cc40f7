// Package mail sends humas's email (scheduled reports, notifications)
// through the SMTP server set by HUMAS_SMTP_* (config.SMTP), with
// github.com/wneessen/go-mail: STARTTLS required by default, implicit TLS
// or none for a local relay, sign-in when a user is set, attachments.
package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/humas-id/humas/config"
)

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string
	ContentType string // e.g. application/pdf
	Data        []byte
}

// Message is one email. To holds addresses ("Name <a@b>" or "a@b").
type Message struct {
	To          []string
	Subject     string
	Text        string // the plain-text body (required)
	HTML        string // an optional HTML alternative
	Attachments []Attachment
}

// Sender sends messages; *Client does, tests may fake it.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrNotConfigured is returned when no SMTP host is set.
var ErrNotConfigured = errors.New("mail: no SMTP server is configured (set HUMAS_SMTP_HOST and HUMAS_SMTP_FROM)")

// Client sends through one SMTP server.
type Client struct {
	cfg   config.SMTP
	log   *slog.Logger
	roots *x509.CertPool
}

// Option changes a Client.
type Option func(*Client)

// WithRootCAs trusts these certificate authorities for the server's
// certificate (a private CA; tests). By default the system's.
func WithRootCAs(pool *x509.CertPool) Option { return func(c *Client) { c.roots = pool } }

// WithLogger logs each message sent or refused (never its body or the
// password).
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.log = l } }

// New checks cfg and returns a client; without a host it is
// ErrNotConfigured.
func New(cfg config.SMTP, opts ...Option) (*Client, error) {
	if !cfg.Enabled() {
		return nil, ErrNotConfigured
	}
	if _, err := netmail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("mail: smtp.from %q: %w", cfg.From, err)
	}
	c := &Client{cfg: cfg, log: slog.Default()}
	for _, o := range opts {
		o(c)
	}
	if c.cfg.Timeout <= 0 {
		c.cfg.Timeout = config.Duration(30 * time.Second)
	}
	return c, nil
}

// From is the configured sender.
func (c *Client) From() string { return c.cfg.From }

func (c *Client) options() []gomail.Option {
	opts := []gomail.Option{gomail.WithPort(c.cfg.Port), gomail.WithTimeout(c.cfg.Timeout.D()),
		gomail.WithTLSConfig(&tls.Config{ServerName: c.cfg.Host, RootCAs: c.roots, MinVersion: tls.VersionTLS12})}
	switch c.cfg.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if c.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(c.cfg.Username),
			gomail.WithPassword(c.cfg.Password.Reveal()))
	}
	return opts
}

// Send delivers m: it connects, signs in if a user is set, sends and
// disconnects. The error names what failed (address, connection, server
// answer), never the password.
func (c *Client) Send(ctx context.Context, m Message) error {
	if len(m.To) == 0 {
		return errors.New("mail: a message needs at least one recipient")
	}
	msg := gomail.NewMsg()
	if err := msg.From(c.cfg.From); err != nil {
		return fmt.Errorf("mail: sender %q: %w", c.cfg.From, err)
	}
	if err := msg.To(m.To...); err != nil {
		return fmt.Errorf("mail: recipients %s: %w", strings.Join(m.To, ", "), err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(ct))); err != nil {
			return fmt.Errorf("mail: attach %s: %w", a.Name, err)
		}
	}
	client, err := gomail.NewClient(c.cfg.Host, c.options()...)
	if err != nil {
		return fmt.Errorf("mail: client for %s:%d: %w", c.cfg.Host, c.cfg.Port, err)
	}
	start := time.Now()
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		c.log.WarnContext(ctx, "mail not sent", "to", strings.Join(m.To, ", "), "subject", m.Subject,
			"server", fmt.Sprintf("%s:%d", c.cfg.Host, c.cfg.Port), "err", err)
		return fmt.Errorf("mail: send to %s through %s:%d: %w", strings.Join(m.To, ", "), c.cfg.Host, c.cfg.Port, err)
	}
	c.log.InfoContext(ctx, "mail sent", "to", strings.Join(m.To, ", "), "subject", m.Subject, "attachments", len(m.Attachments),
		"took_ms", time.Since(start).Milliseconds())
	return nil
}

// CheckAddress validates one address as a person types it; it answers
// the address in canonical form.
func CheckAddress(s string) (string, error) {
	a, err := netmail.ParseAddress(strings.TrimSpace(s))
	if err != nil || !strings.Contains(a.Address, "@") || strings.HasPrefix(a.Address, "@") || strings.HasSuffix(a.Address, "@") {
		return "", fmt.Errorf("%q is not an email address", s)
	}
	if a.Name == "" {
		return a.Address, nil
	}
	return a.String(), nil
}
