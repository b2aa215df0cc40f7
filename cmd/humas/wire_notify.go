package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/humas-id/humas/notify"
	"github.com/humas-id/humas/notify/mail"
)

// wireMail is the SMTP client of smtp.* (nil without a host: scheduled
// reports and notification emails are then kept and fail visibly, saying
// so), shared by the report mailer and notifications.
func wireMail(a *app) (mail.Sender, error) {
	c, err := mail.New(a.cfg.SMTP, mail.WithLogger(a.log.With("component", "mail")))
	switch {
	case err == nil:
		return c, nil
	case errors.Is(err, mail.ErrNotConfigured):
		a.log.Info("no SMTP server configured: reports and notification emails are recorded but not sent, and setup links are only shown (set HUMAS_SMTP_HOST)")
		return nil, nil
	}
	return nil, err
}

// wireNotices is the notification service: in-app notifications and the
// email outbox, whose sender is a component (it drains in the background
// with retries); it also emails setup links.
func wireNotices(a *app) (*notify.Service, []named, error) {
	sender, err := wireMail(a)
	if err != nil {
		return nil, nil, err
	}
	a.mail = sender
	loc, err := time.LoadLocation(a.cfg.Timezone)
	if err != nil {
		return nil, nil, fmt.Errorf("timezone %s: %w", a.cfg.Timezone, err)
	}
	svc := notify.New(a.st.sql, a.users, sender, notify.Options{Logger: a.log.With("component", "notify"), PublicURL: a.cfg.BaseURL(),
		Location: loc, Once: a.once})
	return svc, []named{{"notify", svc}}, nil
}
