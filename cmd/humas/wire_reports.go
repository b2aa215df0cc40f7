package main

import (
	"context"

	"github.com/humas-id/humas/analytics"
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
	ro := reportmail.OptionsFromConfig(a.cfg.Reports, a.cfg.Timezone, a.log.With("component", "reportmail"))
	ro.Once = a.once
	svc := reportmail.New(a.st.sql, b, a.mail, ro)
	if a.notes != nil {
		svc.UseNotifier(a.notes, a.users)
	}
	if !a.cfg.Reports.Enabled {
		return b, svc, nil, nil
	}
	return b, svc, []named{{"reportmail", svc}}, nil
}
