package web

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/csvsafe"
	"github.com/humas-id/humas/org"
)

// reportRow is a table row: a group now and before.
type reportRow struct {
	Label     string
	Cur, Prev Group
	Change    float64 // ER now − ER before; NaN when either is missing
}

type reportData struct {
	P           period
	UnitID      int64
	Units       []org.Unit
	Range       string
	Quarters    []string
	ByType      []reportRow
	ByPlatform  []reportRow
	ByUnit      []reportRow
	TypeChart   template.HTML
	PlatChart   template.HTML
	Grid        template.HTML
	GridDesc    string
	Top, Bottom []PostStat
	Definition  string
	CSVURL      string
	Generated   string
	Empty       bool
	Unavailable string
	PeriodErr   string
}

// pairRows joins current and previous groups by key, in the order keys
// lists (others after, as they came).
func pairRows(cur, prev []Group, keys []string, label func(Group) string) []reportRow {
	byKey := map[string]Group{}
	for _, g := range prev {
		byKey[g.Key] = g
	}
	order := slices.Clone(keys)
	for _, g := range cur {
		if !slices.Contains(order, g.Key) {
			order = append(order, g.Key)
		}
	}
	for _, g := range prev {
		if !slices.Contains(order, g.Key) {
			order = append(order, g.Key)
		}
	}
	curBy := map[string]Group{}
	for _, g := range cur {
		curBy[g.Key] = g
	}
	var rows []reportRow
	for _, k := range order {
		c, okC := curBy[k]
		p, okP := byKey[k]
		if !okC && !okP {
			continue
		}
		if !okC {
			c = Group{Key: k, Label: p.Label, ER: math.NaN()}
		}
		if !okP {
			p = Group{Key: k, Label: c.Label, ER: math.NaN()}
		}
		r := reportRow{Cur: c, Prev: p, Change: c.ER - p.ER}
		r.Label = label(c)
		rows = append(rows, r)
	}
	return rows
}

func (h *Handler) reportQuery(c *gin.Context) (period, int64, error) {
	l := h.l(c)
	today := h.d.Now().In(l.Loc)
	p, err := parsePeriod(c.Query("period"), c.Query("month"), c.Query("quarter"), c.Query("from"), c.Query("to"), today)
	return p, parseID(c.Query("unit")), err
}

func (h *Handler) reportPage(c *gin.Context) {
	l := h.l(c)
	ctx := c.Request.Context()
	s, _ := session(c)
	p, unitID, perr := h.reportQuery(c)
	d := reportData{P: p, UnitID: unitID}
	// A unit outside the user's is a 403 naming it; with none asked the
	// report covers the user's unit and the units below it.
	scoped, err := h.d.Scope.ScopeUnit(ctx, s.Principal, unitID)
	if err != nil {
		h.scopeError(c, err)
		return
	}
	if d.Units, err = h.d.Scope.VisibleUnits(ctx, s.Principal); err != nil {
		h.fail(c, err)
		return
	}
	now := h.d.Now().In(l.Loc)
	for y := now.Year(); y >= now.Year()-2; y-- {
		for q := 4; q >= 1; q-- {
			d.Quarters = append(d.Quarters, fmt.Sprintf("%d-Q%d", y, q))
		}
	}
	d.Generated = l.T("rep.generated", l.DateTime(now))
	status := http.StatusOK
	var pe *periodError
	switch {
	case errors.As(perr, &pe):
		d.PeriodErr = l.T("rep.badperiod", pe.In(l.Lang))
		status = http.StatusBadRequest
	case perr != nil:
		h.fail(c, perr)
		return
	case h.d.Reports == nil:
		d.Unavailable = l.T("err.unavailable", "analytics")
	default:
		rd, err := h.d.Reports.Report(ctx, s.Principal, ReportQuery{From: p.From, To: p.To, PrevFrom: p.PrevFrom, PrevTo: p.PrevTo, UnitID: scoped})
		if err != nil {
			h.fail(c, err)
			return
		}
		h.fillReport(l, &d, rd)
	}
	q := c.Request.URL.Query()
	d.CSVURL = "/report.csv?" + q.Encode()
	h.render(c, status, "report", h.view(c, l.T("rep.title"), "report", d))
}

// fillReport turns figures into rows, charts and text.
func (h *Handler) fillReport(l L, d *reportData, rd ReportData) {
	utc := L{Lang: l.Lang, Loc: utcLoc}
	d.Range = l.T("rep.range", utc.Date(d.P.From), utc.Date(d.P.To), utc.Date(d.P.PrevFrom), utc.Date(d.P.PrevTo))
	typeLabel := func(g Group) string { return l.T("ct." + g.Key) }
	platLabel := func(g Group) string { return l.T("pf." + g.Key) }
	unitLabel := func(g Group) string {
		if g.Label != "" {
			return g.Label
		}
		return g.Key
	}
	d.ByType = pairRows(rd.ByType, rd.ByTypePrev, contentTypes, typeLabel)
	d.ByPlatform = pairRows(rd.ByPlatform, rd.ByPlatformPrev, []string{"facebook", "instagram"}, platLabel)
	d.ByUnit = pairRows(rd.ByUnit, rd.ByUnitPrev, nil, unitLabel)
	d.Top, d.Bottom = rd.Top, rd.Bottom
	d.Empty = len(rd.ByType) == 0 && len(rd.ByPlatform) == 0
	d.TypeChart = rowsChart("chart-type", l.T("rep.bytype"), l, d.ByType).SVG(l.Lang)
	d.PlatChart = rowsChart("chart-platform", l.T("rep.byplatform"), l, d.ByPlatform).SVG(l.Lang)
	weeks := rd.BestTimeWeeks
	if weeks == 0 {
		weeks = 12
	}
	weeksText := fmt.Sprintf("%d minggu terakhir", weeks)
	if l.Lang == LangEN {
		weeksText = fmt.Sprintf("last %d weeks", weeks)
	}
	d.GridDesc = l.T("rep.besttime.desc", weeksText, rd.BestTimeMinPosts)
	d.Grid = TimeGrid{ID: "chart-besttime", Title: l.T("rep.besttime"), Desc: d.GridDesc, Cells: rd.BestTime,
		MinPosts: rd.BestTimeMinPosts}.SVG(l.Lang, l.T("rep.few"))
	d.Definition = rd.DefinitionID
	if l.Lang == LangEN || d.Definition == "" {
		d.Definition = rd.DefinitionEN
	}
}

// rowsChart draws ER now and before per row, with a description that
// reads the figures out for screen readers.
func rowsChart(id, title string, l L, rows []reportRow) BarChart {
	ch := BarChart{ID: id, Title: title}
	cur := BarSeries{Name: l.T("rep.cur"), Class: "cur"}
	prev := BarSeries{Name: l.T("rep.prev"), Class: "prev"}
	var parts []string
	for _, r := range rows {
		ch.Categories = append(ch.Categories, r.Label)
		cur.Values = append(cur.Values, r.Cur.ER)
		prev.Values = append(prev.Values, r.Prev.ER)
		parts = append(parts, fmt.Sprintf("%s: %s (%s %s)", r.Label, l.Pct(r.Cur.ER), strings.ToLower(l.T("rep.prev")), l.Pct(r.Prev.ER)))
	}
	ch.Series = []BarSeries{cur, prev}
	ch.Desc = l.T("rep.chartdesc", strings.Join(parts, "; "))
	return ch
}

// reportCSV downloads the report's figures. Numbers are plain (dot
// decimals, rates as fractions) so spreadsheets read them as numbers.
func (h *Handler) reportCSV(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	p, unitID, err := h.reportQuery(c)
	var pe *periodError
	if errors.As(err, &pe) {
		h.errorPage(c, http.StatusBadRequest, l.T("rep.badperiod", pe.In(l.Lang)))
		return
	}
	scoped, err := h.d.Scope.ScopeUnit(c.Request.Context(), s.Principal, unitID)
	if err != nil {
		h.scopeError(c, err)
		return
	}
	if h.d.Reports == nil {
		h.errorPage(c, http.StatusServiceUnavailable, l.T("err.unavailable", "analytics"))
		return
	}
	rd, err := h.d.Reports.Report(c.Request.Context(), s.Principal, ReportQuery{From: p.From, To: p.To, PrevFrom: p.PrevFrom, PrevTo: p.PrevTo, UnitID: scoped})
	if err != nil {
		h.fail(c, err)
		return
	}
	name := fmt.Sprintf("humas-laporan-%s_%s.csv", p.From.Format("2006-01-02"), p.To.Format("2006-01-02"))
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	// Every text cell (unit and channel names, labels, captions, links) is
	// defused against spreadsheet formulas; figures stay numbers.
	w := csvsafe.NewWriter(c.Writer)
	f := func(v float64) string {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ""
		}
		return strconv.FormatFloat(v, 'f', 6, 64)
	}
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	_ = w.Write([]string{"section", "key", "label", "period_from", "period_to", "posts", "reach", "interactions",
		"engagement_rate", "prev_posts", "prev_reach", "prev_interactions", "prev_engagement_rate", "change_pp"})
	label := map[string]func(Group) string{
		"content_type": func(g Group) string { return l.T("ct." + g.Key) },
		"platform":     func(g Group) string { return l.T("pf." + g.Key) },
		"unit":         func(g Group) string { return g.Label },
	}
	for _, sec := range []struct {
		name      string
		cur, prev []Group
		keys      []string
	}{{"content_type", rd.ByType, rd.ByTypePrev, contentTypes}, {"platform", rd.ByPlatform, rd.ByPlatformPrev, nil}, {"unit", rd.ByUnit, rd.ByUnitPrev, nil}} {
		for _, r := range pairRows(sec.cur, sec.prev, sec.keys, label[sec.name]) {
			ch := ""
			if !math.IsNaN(r.Change) {
				ch = strconv.FormatFloat(r.Change*100, 'f', 4, 64)
			}
			_ = w.Write([]string{sec.name, r.Cur.Key, r.Label, p.From.Format("2006-01-02"), p.To.Format("2006-01-02"),
				i(r.Cur.Posts), i(r.Cur.Reach), i(r.Cur.Interactions), f(r.Cur.ER),
				i(r.Prev.Posts), i(r.Prev.Reach), i(r.Prev.Interactions), f(r.Prev.ER), ch})
		}
	}
	_ = w.Write(nil)
	_ = w.Write([]string{"list", "platform", "post_id", "published_at", "content_type", "channel", "reach", "interactions", "engagement_rate", "permalink", "caption"})
	for _, lst := range []struct {
		name  string
		posts []PostStat
	}{{"top", rd.Top}, {"bottom", rd.Bottom}} {
		for _, ps := range lst.posts {
			_ = w.Write([]string{lst.name, ps.Platform, ps.PostID, ps.PublishedAt.UTC().Format("2006-01-02T15:04:05Z"), ps.ContentType,
				ps.ChannelName, i(ps.Reach), i(ps.Interactions), f(ps.ER), ps.Permalink, ps.Caption})
		}
	}
	_ = w.Write(nil)
	_ = w.Write([]string{"definition", rd.DefinitionEN})
	_ = w.Write([]string{"definisi", rd.DefinitionID})
	w.Flush()
	if err := w.Error(); err != nil {
		h.log.WarnContext(c.Request.Context(), "report csv write failed", "err", err)
	}
}
