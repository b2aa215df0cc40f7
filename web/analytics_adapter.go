package web

import (
	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/report"
)

// NewReportBuilder builds the report page's documents over the analytics
// service (the engagement maths and its definition are the analytics
// package's) with the offices' letterheads from orgs.
func NewReportBuilder(s *analytics.Service, orgs *org.Store) *report.Builder {
	b := &report.Builder{A: s}
	if orgs != nil {
		b.Letterheads = report.OrgLetterheads{Org: orgs}
	}
	return b
}
