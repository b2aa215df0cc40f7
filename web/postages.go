package web

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/analytics"
)

// ageView is one published delivery's figures over its age.
type ageView struct {
	Delivery DeliveryView
	Ages     []analytics.AgeFigures
	Chart    template.HTML
	// NoData: the collector has no figures for it yet.
	NoData bool
}

// postAges reads the figures over age of each published delivery of p.
func (h *Handler) postAges(c *gin.Context, p PostView) []ageView {
	if h.d.Platform == nil {
		return nil
	}
	l := h.l(c)
	var out []ageView
	for _, d := range p.Deliveries {
		if d.Status != "published" || d.PlatformID == "" {
			continue
		}
		v := ageView{Delivery: d}
		rep, err := h.d.Platform.PostAges(c.Request.Context(), d.Platform, d.PlatformID)
		switch {
		case errors.Is(err, analytics.ErrNoFigures):
			v.NoData = true
		case err != nil:
			h.log.WarnContext(c.Request.Context(), "post figures over age not shown", "platform", d.Platform, "post", d.PlatformID, "err", err)
			v.NoData = true
		default:
			v.Ages = rep.Ages
			v.Chart = ageChart(l, fmt.Sprintf("ages-%d", d.ChannelID), d.ChannelName, rep.Ages)
		}
		out = append(out, v)
	}
	return out
}

// ageLabel names an age: 24 jam, 7 hari, 28 hari, kini.
func ageLabel(l L, age string) string { return l.T("age." + age) }

// ageChart draws reach and interactions at 24 h, 7 d, 28 d and now as
// two small bar rows (each on its own scale, values labelled), with a
// description that reads them out. Ages not reached yet draw no bar.
func ageChart(l L, id, title string, ages []analytics.AgeFigures) template.HTML {
	const w, rowH, left, top = 420, 70, 96, 22
	esc := template.HTMLEscapeString
	colW := float64(w-left-8) / float64(max(len(ages), 1))
	var b strings.Builder
	var desc []string
	for _, a := range ages {
		if a.Reached {
			desc = append(desc, fmt.Sprintf("%s: %s %s, %s %s", ageLabel(l, a.Age), l.Int(int64(a.Reach)), strings.ToLower(l.T("rep.reach")),
				l.Int(int64(a.Interactions)), strings.ToLower(l.T("rep.interactions"))))
		} else {
			desc = append(desc, ageLabel(l, a.Age)+": "+l.T("age.notyet"))
		}
	}
	h := top + 2*rowH + 8
	fmt.Fprintf(&b, `<svg class="chart ages" id="%s" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d">`,
		esc(id), w, h, esc(id), esc(id))
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, esc(id), esc(l.T("age.title", title)), esc(id), esc(strings.Join(desc, "; ")))
	for i, a := range ages {
		x := float64(left) + colW*float64(i)
		fmt.Fprintf(&b, `<text class="cat" x="%.1f" y="14" text-anchor="middle">%s</text>`, x+colW/2, esc(ageLabel(l, a.Age)))
	}
	rows := []struct {
		label string
		class string
		val   func(analytics.AgeFigures) uint64
	}{{l.T("rep.reach"), "cur", func(a analytics.AgeFigures) uint64 { return a.Reach }},
		{l.T("rep.interactions"), "prev", func(a analytics.AgeFigures) uint64 { return a.Interactions }}}
	for r, row := range rows {
		y0 := float64(top + r*rowH)
		maxV := 0.0
		for _, a := range ages {
			maxV = math.Max(maxV, float64(row.val(a)))
		}
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="%.1f" text-anchor="end">%s</text>`, left-6, y0+rowH/2+4, esc(row.label))
		for i, a := range ages {
			x := float64(left) + colW*float64(i)
			if !a.Reached {
				fmt.Fprintf(&b, `<text class="val" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x+colW/2, y0+rowH-8, esc(l.T("age.notyet")))
				continue
			}
			v := float64(row.val(a))
			bh := 0.0
			if maxV > 0 {
				bh = (rowH - 24) * v / maxV
			}
			bw := colW * 0.5
			fmt.Fprintf(&b, `<rect class="bar %s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>`, row.class, x+(colW-bw)/2, y0+rowH-6-bh, bw, bh)
			fmt.Fprintf(&b, `<text class="val" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x+colW/2, y0+rowH-9-bh, esc(l.Int(int64(v))))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built from escaped parts above
}
