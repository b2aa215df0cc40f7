package main

import (
	"context"
	"errors"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/notify/mail"
	"github.com/humas-id/humas/report"
	"github.com/humas-id/humas/reportmail"
	"github.com/humas-id/humas/web"
)

// wireReports builds the report documents (page, PDF, Excel, CSV) and the
// scheduled report emails: the mail client from smtp.* (none without a
// host: deliveries are then recorded as failed, saying so) and the
// delivery job, a component when reports.enabled.
func wireReports(_ context.Context, a *app, an *analytics.Service) (*report.Builder, *reportmail.Service, []named, error) {
	if an == nil {
		return nil, nil, nil, nil
	}
	b := &report.Builder{A: an, Letterheads: report.OrgLetterheads{Org: a.orgs},
		Service: web.ServiceFigures{Inbox: a.inbox, PPID: a.ppid, Org: a.orgs}, Agenda: web.AgendaFigures{Agenda: a.agenda}}
	var sender mail.Sender
	switch c, err := mail.New(a.cfg.SMTP, mail.WithLogger(a.log.With("component", "mail"))); {
	case err == nil:
		sender = c
	case errors.Is(err, mail.ErrNotConfigured):
		a.log.Info("no SMTP server configured: scheduled reports are recorded but not emailed (set HUMAS_SMTP_HOST)")
	default:
		return nil, nil, nil, err
	}
	svc := reportmail.New(a.st.sql, b, sender,
		reportmail.OptionsFromConfig(a.cfg.Reports, a.cfg.Timezone, a.log.With("component", "reportmail")))
	if !a.cfg.Reports.Enabled {
		return b, svc, nil, nil
	}
	return b, svc, []named{{"reportmail", svc}}, nil
}
