package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/report"
)

// reportData is what the report page draws: the picker and the document.
type reportData struct {
	P        period
	UnitID   int64
	Units    []org.Unit
	Quarters []quarterOption
	Doc      *report.Document
	// Charts and Grid are the document's charts as SVG.
	Charts []template.HTML
	Grid   template.HTML
	// Download links keep the page's period and unit.
	PDFURL, XLSXURL, CSVURL string
	LogoURL                 string
	CanSubscribe            bool
	Unavailable             string
	PeriodErr               string
}

// reportRequest reads the period and unit of a report request and checks
// the unit is the user's to see (403 naming it otherwise).
func (h *Handler) reportRequest(c *gin.Context) (report.Request, period, int64, error) {
	l := h.l(c)
	s, _ := session(c)
	today := h.d.Now().In(l.Loc)
	p, perr := parsePeriod(c.Query("period"), c.Query("month"), c.Query("quarter"), c.Query("from"), c.Query("to"), today)
	unitID := parseID(c.Query("unit"))
	scoped, err := h.d.Scope.ScopeUnit(c.Request.Context(), s.Principal, unitID)
	if err != nil {
		return report.Request{}, p, unitID, err
	}
	return report.Request{UnitID: scoped, Period: p.report(), Lang: string(l.Lang), LetterheadUnit: s.Principal.UnitID}, p, unitID, perr
}

func (h *Handler) reportPage(c *gin.Context) {
	l := h.l(c)
	ctx := c.Request.Context()
	s, _ := session(c)
	req, p, unitID, err := h.reportRequest(c)
	var pe *periodError
	if err != nil && !errors.As(err, &pe) {
		h.scopeError(c, err)
		return
	}
	d := reportData{P: p, UnitID: unitID, Quarters: quarterOptions(l.Lang, h.d.Now().In(l.Loc)),
		CanSubscribe: s.Principal.Role == auth.RoleAdmin || s.Principal.Role == auth.RoleViewer}
	if d.Units, err = h.d.Scope.VisibleUnits(ctx, s.Principal); err != nil {
		h.fail(c, err)
		return
	}
	status := http.StatusOK
	switch {
	case pe != nil:
		d.PeriodErr = l.T("rep.badperiod", pe.In(l.Lang))
		status = http.StatusBadRequest
	case h.d.Reports == nil:
		d.Unavailable = l.T("err.unavailable", "analytics")
	default:
		doc, err := h.d.Reports.Build(ctx, req)
		if err != nil {
			h.fail(c, err)
			return
		}
		d.Doc = doc
		for _, ch := range doc.Charts {
			bc := BarChart{ID: ch.ID, Title: ch.Title, Desc: ch.Desc, Categories: ch.Categories}
			for _, s := range ch.Series {
				bc.Series = append(bc.Series, BarSeries{Name: s.Name, Values: s.Values, Class: s.Class})
			}
			d.Charts = append(d.Charts, bc.SVG(l.Lang))
		}
		g := TimeGrid{ID: "chart-besttime", Title: doc.BestTime.Title, Desc: doc.BestTime.Desc, MinPosts: doc.BestTime.MinPosts}
		for r := range g.Cells {
			for hr := range g.Cells[r] {
				g.Cells[r][hr] = GridCell(doc.BestTime.Cells[r][hr])
			}
		}
		d.Grid = g.SVG(l.Lang, doc.BestTime.Few)
		if len(doc.Letterhead.Logo) > 0 {
			d.LogoURL = fmt.Sprintf("/units/%d/logo", doc.Letterhead.UnitID)
		}
	}
	q := c.Request.URL.Query()
	q.Del("lang")
	d.PDFURL, d.XLSXURL, d.CSVURL = "/report.pdf?"+q.Encode(), "/report.xlsx?"+q.Encode(), "/report.csv?"+q.Encode()
	h.render(c, status, "report", h.view(c, l.T("rep.title"), "report", d))
}

// reportDownload answers the report as a file: PDF, Excel or CSV, the same
// document as the page.
func (h *Handler) reportDownload(format string) gin.HandlerFunc {
	return func(c *gin.Context) {
		l := h.l(c)
		req, _, _, err := h.reportRequest(c)
		var pe *periodError
		switch {
		case errors.As(err, &pe):
			h.errorPage(c, http.StatusBadRequest, l.T("rep.badperiod", pe.In(l.Lang)))
			return
		case err != nil:
			h.scopeError(c, err)
			return
		case h.d.Reports == nil:
			h.errorPage(c, http.StatusServiceUnavailable, l.T("err.unavailable", "analytics"))
			return
		}
		doc, err := h.d.Reports.Build(c.Request.Context(), req)
		if err != nil {
			h.fail(c, err)
			return
		}
		name := "laporan-humas-" + slugify(doc.Letterhead.UnitName) + "-" + req.Period.Key()
		var b []byte
		var ct string
		switch format {
		case "pdf":
			b, err = report.PDF(doc)
			ct, name = "application/pdf", name+".pdf"
		case "xlsx":
			b, err = report.XLSX(doc)
			ct, name = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name+".xlsx"
		default:
			var buf bytes.Buffer
			err = report.CSV(&buf, doc)
			b, ct, name = buf.Bytes(), "text/csv; charset=utf-8", name+".csv"
		}
		if err != nil {
			h.fail(c, err)
			return
		}
		c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
		c.Header("Content-Length", strconv.Itoa(len(b)))
		c.Data(http.StatusOK, ct, b)
	}
}

// slugify makes a file-name part of a unit's name.
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	if out := strings.TrimSuffix(b.String(), "-"); out != "" {
		return out
	}
	return "unit"
}

// cellClass is a table cell's class: figures right-aligned, a meaningful
// change coloured, roll-up depth indented, page-only columns hidden on
// paper.
func cellClass(col report.Column, c report.Cell) string {
	var cls []string
	switch col.Kind {
	case report.Text, report.Thumb:
	case report.Stamp:
		cls = append(cls, "stamp")
	default:
		cls = append(cls, "num")
	}
	switch c.Tone {
	case "up":
		cls = append(cls, "up")
	case "down":
		cls = append(cls, "down")
	}
	if c.Indent > 0 {
		cls = append(cls, fmt.Sprintf("indent-%d", min(c.Indent, 4)))
	}
	if col.ScreenOnly {
		cls = append(cls, "no-print", "thumbcell")
	}
	return strings.Join(cls, " ")
}
