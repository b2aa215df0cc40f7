package config

import (
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// Enabled reports whether a mail server is configured.
func (s SMTP) Enabled() bool { return strings.TrimSpace(s.Host) != "" }

func (s SMTP) validate() []FieldError {
	var errs []FieldError
	if !s.Enabled() {
		return nil
	}
	if strings.ContainsAny(s.Host, " /:") {
		errs = append(errs, fieldf("smtp.host", s.Host, "a host name or IP address without port or scheme, e.g. smtp.kpu.go.id (the port is smtp.port)"))
	}
	if s.Port < 1 || s.Port > 65535 {
		errs = append(errs, fieldf("smtp.port", s.Port, "a port from 1 to 65535, usually 587 (starttls) or 465 (tls)"))
	}
	switch s.TLS {
	case "starttls", "tls", "none":
	default:
		errs = append(errs, fieldf("smtp.tls", s.TLS, "one of starttls (port 587), tls (port 465), none (a local relay only)"))
	}
	if a, err := mail.ParseAddress(s.From); err != nil || a.Address == "" {
		errs = append(errs, fieldf("smtp.from", s.From, "the sender's address, e.g. \"Humas KPU <humas@kpu.go.id>\" (required with smtp.host)"))
	}
	if (s.Username == "") != (s.Password == "") {
		// Never echo the password.
		errs = append(errs, FieldError{Key: "smtp.username", Value: s.Username, Allowed: "set smtp.username and smtp.password (HUMAS_SMTP_PASSWORD) together, or neither"})
	}
	if s.TLS == "none" && s.Username != "" {
		errs = append(errs, fieldf("smtp.tls", s.TLS, "starttls or tls when smtp.username is set: a password is never sent unencrypted (a local relay needs no username)"))
	}
	if s.Timeout.D() <= 0 {
		errs = append(errs, fieldf("smtp.timeout", s.Timeout, "want a positive duration such as 30s"))
	}
	return errs
}

func (r Reports) validate() []FieldError {
	var errs []FieldError
	if _, err := CronParser.Parse(r.Check); err != nil {
		errs = append(errs, fieldf("reports.check", r.Check, "a cron spec with seconds, e.g. \"0 */10 * * * *\" (every 10 minutes)"))
	}
	if r.SendHour < 0 || r.SendHour > 23 {
		errs = append(errs, fieldf("reports.send_hour", r.SendHour, "an hour from 0 to 23 (local time)"))
	}
	for i, h := range r.Holidays {
		if _, err := time.Parse("2006-01-02", h); err != nil {
			errs = append(errs, fieldf("reports.holidays["+strconv.Itoa(i)+"]", h, "a date written YYYY-MM-DD, e.g. 2026-03-20"))
		}
	}
	return errs
}

func (p PPID) validate() []FieldError {
	var errs []FieldError
	if p.OfficeCloses != "" {
		if _, err := time.Parse("15:04", p.OfficeCloses); err != nil {
			errs = append(errs, fieldf("ppid.office_closes", p.OfficeCloses, "a local time written HH:MM, e.g. 16:00 (or empty: the whole day counts)"))
		}
	}
	if _, err := CronParser.Parse(p.OverdueCheck); err != nil {
		errs = append(errs, fieldf("ppid.overdue_check", p.OverdueCheck, "a cron spec with seconds, e.g. \"0 0 * * * *\" (hourly)"))
	}
	return errs
}

// OfficeClosesAfter is ppid.office_closes as time since midnight (0: none).
func (p PPID) OfficeClosesAfter() time.Duration {
	t, err := time.Parse("15:04", p.OfficeCloses)
	if err != nil {
		return 0
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
}
