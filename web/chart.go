package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// BarSeries is one series of a grouped bar chart (e.g. this period and the
// previous one). A NaN value is "no data" and draws no bar.
type BarSeries struct {
	Name   string
	Values []float64
	Class  string // CSS class of the bars: "cur" or "prev"
}

// BarChart is a grouped vertical bar chart of ratios, drawn as SVG on the
// server. Title and Desc become the SVG's accessible name and description.
type BarChart struct {
	ID         string
	Title      string
	Desc       string
	Categories []string
	Series     []BarSeries
}

const (
	chartW      = 640
	chartH      = 280
	chartLeft   = 56
	chartRight  = 16
	chartTop    = 36
	chartBottom = 48
)

// niceMax rounds v up to 1, 2 or 5 times a power of ten, so axis ticks
// fall on round numbers.
func niceMax(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0.01
	}
	exp := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*exp >= v*(1-1e-9) {
			return m * exp
		}
	}
	return 10 * exp
}

// SVG renders the chart. Every text node is escaped; values are labelled
// above their bars and each bar carries a <title> for screen readers and
// hover.
func (c BarChart) SVG(lang Lang) template.HTML {
	var b strings.Builder
	esc := template.HTMLEscapeString
	maxV := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			if !math.IsNaN(v) && v > maxV {
				maxV = v
			}
		}
	}
	top := niceMax(maxV)
	plotW := float64(chartW - chartLeft - chartRight)
	plotH := float64(chartH - chartTop - chartBottom)
	fmt.Fprintf(&b, `<svg class="chart" id="%s" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d">`,
		esc(c.ID), chartW, chartH, esc(c.ID), esc(c.ID))
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, esc(c.ID), esc(c.Title), esc(c.ID), esc(c.Desc))
	// Axis and ticks at 0, 25, 50, 75, 100 % of top.
	for i := 0; i <= 4; i++ {
		v := top * float64(i) / 4
		y := float64(chartTop) + plotH - plotH*float64(i)/4
		fmt.Fprintf(&b, `<line class="grid" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`, chartLeft, y, chartW-chartRight, y)
		dec := 1
		if math.Abs(v*1000-math.Round(v*1000)) > 1e-9 {
			dec = 2 // 1,25% rather than a rounded 1,3%
		}
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="%.1f" text-anchor="end">%s</text>`, chartLeft-6, y+4, esc(FormatPercent(lang, v, dec)))
	}
	n := len(c.Categories)
	if n == 0 {
		n = 1
	}
	groupW := plotW / float64(n)
	ns := len(c.Series)
	if ns == 0 {
		ns = 1
	}
	barW := math.Min(48, groupW*0.7/float64(ns))
	for ci, cat := range c.Categories {
		gx := float64(chartLeft) + groupW*float64(ci)
		startX := gx + (groupW-barW*float64(ns))/2
		for si, s := range c.Series {
			if ci >= len(s.Values) || math.IsNaN(s.Values[ci]) {
				continue
			}
			v := s.Values[ci]
			h := plotH * v / top
			x := startX + barW*float64(si)
			y := float64(chartTop) + plotH - h
			label := FormatPercent(lang, v, 2)
			fmt.Fprintf(&b, `<rect class="bar %s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s, %s: %s</title></rect>`,
				esc(s.Class), x, y, barW-2, h, esc(cat), esc(s.Name), esc(label))
			fmt.Fprintf(&b, `<text class="val" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x+(barW-2)/2, y-4, esc(label))
		}
		fmt.Fprintf(&b, `<text class="cat" x="%.1f" y="%d" text-anchor="middle">%s</text>`, gx+groupW/2, chartH-chartBottom+18, esc(cat))
	}
	// Legend.
	lx := chartLeft
	for _, s := range c.Series {
		fmt.Fprintf(&b, `<rect class="bar %s" x="%d" y="10" width="12" height="12"/><text class="legend" x="%d" y="21">%s</text>`,
			esc(s.Class), lx, lx+16, esc(s.Name))
		lx += 24 + 8*len([]rune(s.Name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built from escaped parts above
}

// GridCell is one weekday × hour cell of the best-time grid.
type GridCell struct {
	Value float64 // median ER by reach; NaN when too few posts
	Posts int
}

// TimeGrid is the best-time heat map: rows are weekdays (Monday first),
// columns hours 0-23 local time.
type TimeGrid struct {
	ID       string
	Title    string
	Desc     string
	Cells    [7][24]GridCell // [0] = Monday
	MinPosts int             // cells with fewer posts say so instead of a value
}

// SVG renders the grid; each cell shows its post count and carries a
// <title> with the weekday, hour, value and count.
func (g TimeGrid) SVG(lang Lang, tooFew string) template.HTML {
	const left, top, cw, chh = 44, 24, 24, 26
	w, h := left+24*cw+8, top+7*chh+8
	esc := template.HTMLEscapeString
	maxV := 0.0
	for _, row := range g.Cells {
		for _, c := range row {
			if c.Posts >= g.MinPosts && !math.IsNaN(c.Value) && c.Value > maxV {
				maxV = c.Value
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart grid" id="%s" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d">`,
		esc(g.ID), w, h, esc(g.ID), esc(g.ID))
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, esc(g.ID), esc(g.Title), esc(g.ID), esc(g.Desc))
	for hr := 0; hr < 24; hr += 3 {
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="16" text-anchor="middle">%02d</text>`, left+hr*cw+cw/2, hr)
	}
	for d := 0; d < 7; d++ {
		wd := weekdayOfRow(d)
		y := top + d*chh
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="%d" text-anchor="end">%s</text>`, left-6, y+17, esc(weekdayShort(lang, wd)))
		for hr := 0; hr < 24; hr++ {
			c := g.Cells[d][hr]
			x := left + hr*cw
			class, fill, label := "cell empty", "", ""
			switch {
			case c.Posts == 0:
				label = "0"
			case c.Posts < g.MinPosts || math.IsNaN(c.Value):
				class = "cell few"
				label = tooFew
			default:
				class = "cell"
				alpha := 0.15
				if maxV > 0 {
					alpha = 0.15 + 0.85*c.Value/maxV
				}
				fill = fmt.Sprintf(` fill-opacity="%.2f"`, alpha)
				label = FormatPercent(lang, c.Value, 2)
			}
			fmt.Fprintf(&b, `<rect class="%s" x="%d" y="%d" width="%d" height="%d"%s><title>%s %02d.00: %s (%s)</title></rect>`,
				class, x, y, cw-2, chh-2, fill, esc(weekdayShort(lang, wd)), hr, esc(label), esc(FormatInt(lang, int64(c.Posts))))
			if c.Posts > 0 {
				cls := "count"
				if class == "cell" && maxV > 0 && c.Value/maxV > 0.55 {
					cls = "count light" // white on the darker cells
				}
				fmt.Fprintf(&b, `<text class="%s" x="%d" y="%d" text-anchor="middle">%d</text>`, cls, x+(cw-2)/2, y+17, c.Posts)
			}
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built from escaped parts above
}
