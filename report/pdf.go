package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"math"
	"strings"

	"github.com/go-pdf/fpdf"
)

// DejaVu Sans Condensed (Bitstream Vera licence, fonts/LICENSE): every
// character of Indonesian and English text, and Σ ÷ − ± ≥ … in the
// definitions, which the PDF core fonts lack. Embedded so the distroless
// image needs no font files.
var (
	//go:embed fonts/DejaVuSansCondensed.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSansCondensed-Bold.ttf
	fontBold []byte
)

// Page geometry (mm) and type sizes (pt). Nothing on paper is smaller than
// 8 pt.
const (
	pageW, pageH        = 210.0, 297.0
	marginL, marginR    = 15.0, 15.0
	marginT, marginB    = 14.0, 18.0
	contentW            = pageW - marginL - marginR
	fontFamily          = "dejavu"
	sizeSmall           = 8.0
	sizeBody            = 9.0
	sizeTable           = 8.5
	sizeHeading         = 11.5
	lineTable           = 4.2
	colorCur, colorPrev = 0x0b5cad, 0x9db7d5
)

type pdfDoc struct {
	f *fpdf.Fpdf
	d *Document
}

// PDF renders the document as an A4 accountability report: the office's
// letterhead, title and period, the summary, findings, charts and tables
// (rows never split across pages, headers repeated), the signature block,
// and "Halaman X dari Y" on every page.
func PDF(d *Document) ([]byte, error) {
	f := fpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
	f.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
	f.SetMargins(marginL, marginT, marginR)
	f.SetAutoPageBreak(true, marginB)
	f.AliasNbPages("{nb}")
	f.SetTitle(d.Title+" – "+d.Letterhead.UnitName+" – "+d.PeriodLabel, true)
	f.SetAuthor(d.Letterhead.UnitName, true)
	f.SetCreator("humas", true)
	f.SetLang(d.Lang)
	f.SetCreationDate(d.Generated)
	f.SetModificationDate(d.Generated)
	p := &pdfDoc{f: f, d: d}
	f.SetHeaderFuncMode(p.header, true)
	f.SetFooterFunc(p.footer)
	f.AddPage()
	p.letterhead()
	p.titleBlock()
	p.notices()
	p.cards()
	p.findings()
	p.charts()
	for _, s := range d.Sections {
		if s.DataOnly {
			if s.ID == "besttime" {
				p.bestTime()
			}
			continue
		}
		p.section(s)
	}
	p.definition()
	p.signature()
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("report: pdf: %w", err)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("report: pdf: %w", err)
	}
	return buf.Bytes(), nil
}

func rgb(c int) (int, int, int) { return c >> 16 & 0xff, c >> 8 & 0xff, c & 0xff }

func (p *pdfDoc) font(style string, size float64) {
	p.f.SetFont(fontFamily, style, size)
}

func (p *pdfDoc) color(c int) { p.f.SetTextColor(rgb(c)) }

// header repeats the office and period on every page after the first.
func (p *pdfDoc) header() {
	if p.f.PageNo() == 1 {
		return
	}
	p.font("", sizeSmall)
	p.color(0x5b6470)
	p.f.SetXY(marginL, 8)
	p.f.CellFormat(contentW/2, 4, p.d.Letterhead.UnitName, "", 0, "L", false, 0, "")
	p.f.CellFormat(contentW/2, 4, p.d.Title+" · "+p.d.PeriodLabel, "", 0, "R", false, 0, "")
	p.f.SetDrawColor(0xd5, 0xda, 0xe0)
	p.f.Line(marginL, 12.5, pageW-marginR, 12.5)
	p.f.SetXY(marginL, marginT+2)
	p.color(0)
}

// footer numbers the pages: Halaman X dari Y.
func (p *pdfDoc) footer() {
	p.f.SetY(-13)
	p.f.SetDrawColor(0xd5, 0xda, 0xe0)
	p.f.Line(marginL, pageH-14, pageW-marginR, pageH-14)
	p.font("", sizeSmall)
	p.color(0x5b6470)
	p.f.CellFormat(contentW*0.7, 5, p.d.GeneratedLabel, "", 0, "L", false, 0, "")
	p.f.CellFormat(contentW*0.3, 5, T(p.d.Lang, "page", p.f.PageNo(), "{nb}"), "", 0, "R", false, 0, "")
	p.color(0)
}

// letterhead is the kop surat: logo, the office above, the office's name,
// address and contact, and a double rule.
func (p *pdfDoc) letterhead() {
	lh := p.d.Letterhead
	f := p.f
	top := f.GetY()
	textX, textW := marginL, contentW
	if len(lh.Logo) > 0 {
		typ := "PNG"
		if lh.LogoType == "jpeg" {
			typ = "JPG"
		}
		opt := fpdf.ImageOptions{ImageType: typ, ReadDpi: false}
		info := f.RegisterImageOptionsReader("logo", opt, bytes.NewReader(lh.Logo))
		if info != nil && !f.Err() {
			h := 22.0
			w := h * info.Width() / info.Height()
			if w > 30 {
				w, h = 30, 30*info.Height()/info.Width()
			}
			f.ImageOptions("logo", marginL, top, w, h, false, opt, 0, "")
			textX, textW = marginL+w+4, contentW-2*(w+4)
		} else {
			f.ClearError() // an unreadable logo is left out, never the report
		}
	}
	f.SetXY(textX, top)
	if lh.Parent != "" {
		p.font("B", 10)
		f.CellFormat(textW, 5, strings.ToUpper(lh.Parent), "", 2, "C", false, 0, "")
	}
	p.font("B", 14)
	f.SetX(textX)
	f.MultiCell(textW, 6.2, strings.ToUpper(lh.UnitName), "", "C", false)
	p.font("", sizeBody)
	for _, line := range []string{lh.Address, lh.Contact} {
		if strings.TrimSpace(line) != "" {
			f.SetX(textX)
			f.MultiCell(textW, 4.3, line, "", "C", false)
		}
	}
	y := math.Max(f.GetY(), top+22) + 2
	f.SetDrawColor(0, 0, 0)
	f.SetLineWidth(0.8)
	f.Line(marginL, y, pageW-marginR, y)
	f.SetLineWidth(0.2)
	f.Line(marginL, y+1.2, pageW-marginR, y+1.2)
	f.SetY(y + 5)
}

func (p *pdfDoc) titleBlock() {
	f, d := p.f, p.d
	p.font("B", 13)
	f.CellFormat(contentW, 6.5, strings.ToUpper(d.Title), "", 1, "C", false, 0, "")
	p.font("", 10)
	f.CellFormat(contentW, 5, d.Scope, "", 1, "C", false, 0, "")
	p.font("B", 11)
	f.CellFormat(contentW, 5.5, T(d.Lang, "def.period")+": "+d.PeriodLabel+" ("+d.RangeLabel+")", "", 1, "C", false, 0, "")
	p.font("", sizeBody)
	p.color(0x3b444f)
	f.CellFormat(contentW, 4.5, d.CompareLabel, "", 1, "C", false, 0, "")
	p.color(0)
	f.Ln(3)
}

// need starts a new page unless h mm are left.
func (p *pdfDoc) need(h float64) {
	if p.f.GetY()+h > pageH-marginB {
		p.f.AddPage()
	}
}

func (p *pdfDoc) heading(title string, keep float64) {
	p.need(8 + keep)
	p.f.Ln(2)
	p.font("B", sizeHeading)
	p.f.CellFormat(contentW, 6.5, title, "", 1, "L", false, 0, "")
}

func (p *pdfDoc) notices() {
	if len(p.d.Notices) == 0 {
		return
	}
	f := p.f
	p.font("", sizeBody)
	var lines []string
	for _, n := range p.d.Notices {
		lines = append(lines, f.SplitText("• "+n, contentW-6)...)
	}
	h := float64(len(lines))*4.3 + 9
	p.need(h)
	y := f.GetY()
	f.SetFillColor(0xff, 0xf4, 0xd6)
	f.SetDrawColor(0x9a, 0x67, 0x00)
	f.Rect(marginL, y, contentW, h, "FD")
	f.SetXY(marginL+3, y+2)
	p.font("B", sizeBody)
	f.CellFormat(contentW-6, 4.5, T(p.d.Lang, "notice"), "", 2, "L", false, 0, "")
	p.font("", sizeBody)
	for _, l := range lines {
		f.SetX(marginL + 3)
		f.CellFormat(contentW-6, 4.3, l, "", 2, "L", false, 0, "")
	}
	f.SetY(y + h + 3)
}

// cards draws the summary: five boxes, a change coloured only when it is
// meaningful.
func (p *pdfDoc) cards() {
	f, d := p.f, p.d
	p.heading(T(d.Lang, "summary"), 30)
	n := len(d.Cards)
	if n == 0 {
		return
	}
	gap := 2.5
	w := (contentW - gap*float64(n-1)) / float64(n)
	h := 30.0
	y := f.GetY() + 1
	for i, c := range d.Cards {
		x := marginL + float64(i)*(w+gap)
		f.SetDrawColor(0xd5, 0xda, 0xe0)
		f.SetFillColor(0xf7, 0xf9, 0xfb)
		f.Rect(x, y, w, h, "FD")
		f.SetXY(x+1.5, y+1.5)
		p.font("", sizeSmall)
		p.color(0x3b444f)
		f.MultiCell(w-3, 3.6, c.Label, "", "L", false)
		f.SetXY(x+1.5, y+9)
		p.font("B", 13)
		p.color(0)
		f.CellFormat(w-3, 6, c.Value, "", 2, "L", false, 0, "")
		f.SetX(x + 1.5)
		p.font("B", sizeSmall)
		switch c.Tone {
		case "up":
			p.color(0x1a7f37)
		case "down":
			p.color(0xb42318)
		default:
			p.color(0x3b444f)
		}
		change := c.Change
		if change == "" {
			change = "–"
		}
		f.CellFormat(w-3, 3.8, change, "", 2, "L", false, 0, "")
		p.font("", sizeSmall)
		p.color(0x3b444f)
		f.SetX(x + 1.5)
		f.CellFormat(w-3, 3.6, c.Prev, "", 2, "L", false, 0, "")
		f.SetX(x + 1.5)
		f.MultiCell(w-3, 3.4, c.Verdict, "", "L", false)
	}
	p.color(0)
	f.SetY(y + h + 2)
	for _, c := range d.Cards {
		if c.Note != "" {
			p.font("", sizeSmall)
			p.color(0x5b6470)
			f.CellFormat(contentW, 4, c.Label+": "+c.Note, "", 1, "L", false, 0, "")
			p.color(0)
		}
	}
}

func (p *pdfDoc) findings() {
	f, d := p.f, p.d
	if len(d.Findings) == 0 {
		return
	}
	p.heading(T(d.Lang, "findings"), 12)
	p.font("", 10)
	for i, fd := range d.Findings {
		lines := f.SplitText(fd.Text, contentW-8)
		p.need(float64(len(lines)) * 4.8)
		y := f.GetY()
		p.font("B", 10)
		f.SetXY(marginL, y)
		f.CellFormat(7, 4.8, fmt.Sprintf("%d.", i+1), "", 0, "L", false, 0, "")
		p.font("", 10)
		for j, l := range lines {
			f.SetXY(marginL+8, y+float64(j)*4.8)
			f.CellFormat(contentW-8, 4.8, l, "", 0, "L", false, 0, "")
		}
		f.SetY(y + float64(len(lines))*4.8 + 1.2)
	}
	p.font("", sizeSmall)
	p.color(0x5b6470)
	f.MultiCell(contentW, 3.8, T(d.Lang, "findings.help"), "", "L", false)
	p.color(0)
}

// charts draws the rate charts side by side, every label at 8 pt.
func (p *pdfDoc) charts() {
	if len(p.d.Charts) == 0 || p.d.Empty {
		return
	}
	f := p.f
	w := (contentW - 6) / 2
	h := 62.0
	p.need(h + 4)
	f.Ln(2)
	y := f.GetY()
	for i, c := range p.d.Charts {
		if i > 1 {
			break
		}
		p.barChart(c, marginL+float64(i)*(w+6), y, w, h)
	}
	f.SetY(y + h + 3)
}

func niceTop(v float64) float64 {
	if v <= 0 || math.IsNaN(v) {
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

func (p *pdfDoc) barChart(c Chart, x, y, w, h float64) {
	f, lang := p.f, p.d.Lang
	p.font("B", 9.5)
	f.SetXY(x, y)
	f.CellFormat(w, 5, c.Title, "", 0, "L", false, 0, "")
	// Legend.
	lx := x
	p.font("", sizeSmall)
	for _, s := range c.Series {
		col := colorCur
		if s.Class == "prev" {
			col = colorPrev
		}
		f.SetFillColor(rgb(col))
		f.Rect(lx, y+6.5, 3, 3, "F")
		f.SetXY(lx+4, y+6)
		f.CellFormat(f.GetStringWidth(s.Name)+2, 4, s.Name, "", 0, "L", false, 0, "")
		lx += f.GetStringWidth(s.Name) + 10
	}
	left, top, bottom := x+12, y+13, y+h-9
	plotW, plotH := w-14, bottom-top
	maxV := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			if !math.IsNaN(v) && v > maxV {
				maxV = v
			}
		}
	}
	topV := niceTop(maxV)
	f.SetDrawColor(0xe3, 0xe7, 0xec)
	f.SetLineWidth(0.2)
	for i := 0; i <= 4; i++ {
		v := topV * float64(i) / 4
		ly := bottom - plotH*float64(i)/4
		f.Line(left, ly, left+plotW, ly)
		f.SetXY(x, ly-2)
		dec := 1
		if math.Abs(v*1000-math.Round(v*1000)) > 1e-9 {
			dec = 2
		}
		f.CellFormat(11, 4, Pct(lang, v, dec), "", 0, "R", false, 0, "")
	}
	n := len(c.Categories)
	if n == 0 {
		return
	}
	groupW := plotW / float64(n)
	ns := float64(len(c.Series))
	barW := math.Min(9, groupW*0.75/ns)
	for ci, cat := range c.Categories {
		gx := left + groupW*float64(ci)
		start := gx + (groupW-barW*ns)/2
		for si, s := range c.Series {
			if ci >= len(s.Values) || math.IsNaN(s.Values[ci]) {
				continue
			}
			v := s.Values[ci]
			bh := plotH * v / topV
			bx := start + barW*float64(si)
			col := colorCur
			if s.Class == "prev" {
				col = colorPrev
			}
			f.SetFillColor(rgb(col))
			f.Rect(bx, bottom-bh, barW-0.6, bh, "F")
			label := Num(lang, v*100, 1)
			f.SetXY(bx-2, bottom-bh-4)
			f.CellFormat(barW+3.4, 4, label, "", 0, "C", false, 0, "")
		}
		f.SetXY(gx, bottom+1)
		f.CellFormat(groupW, 4, cat, "", 0, "C", false, 0, "")
	}
}

// colWidths gives the printed columns' widths (ScreenOnly and DataOnly
// columns are not printed).
func colWidths(cols []Column) ([]int, []float64) {
	var idx []int
	total := 0.0
	for i, c := range cols {
		if c.ScreenOnly || c.DataOnly {
			continue
		}
		idx = append(idx, i)
		w := c.Width
		if w <= 0 {
			w = 1
		}
		total += w
	}
	ws := make([]float64, len(idx))
	for j, i := range idx {
		w := cols[i].Width
		if w <= 0 {
			w = 1
		}
		ws[j] = contentW * w / total
	}
	return idx, ws
}

// section draws a table: the header repeats on each page and a row is
// never split (it moves to the next page whole).
func (p *pdfDoc) section(s Section) {
	f := p.f
	idx, ws := colWidths(s.Columns)
	p.font("", sizeTable)
	first := 8.0
	if len(s.Rows) > 0 {
		first = p.rowHeight(s, s.Rows[0], idx, ws)
	}
	p.heading(s.Title, 7+first+7)
	if s.Note != "" {
		p.font("", sizeSmall)
		p.color(0x5b6470)
		f.MultiCell(contentW, 3.7, s.Note, "", "L", false)
		p.color(0)
		f.Ln(1)
	}
	if len(s.Rows) == 0 {
		p.font("", sizeBody)
		f.CellFormat(contentW, 5, s.Empty, "", 1, "L", false, 0, "")
		return
	}
	p.tableHeader(s, idx, ws)
	for ri, row := range s.Rows {
		p.font("", sizeTable)
		h := p.rowHeight(s, row, idx, ws)
		if f.GetY()+h > pageH-marginB {
			f.AddPage()
			p.tableHeader(s, idx, ws)
			p.font("", sizeTable)
		}
		y := f.GetY()
		if ri%2 == 1 {
			f.SetFillColor(0xf7, 0xf9, 0xfb)
			f.Rect(marginL, y, contentW, h, "F")
		}
		x := marginL
		for j, i := range idx {
			c := row[i]
			col := s.Columns[i]
			pad := float64(c.Indent) * 3.5
			switch c.Tone {
			case "up":
				p.color(0x1a7f37)
			case "down":
				p.color(0xb42318)
			}
			if c.Indent == 0 && j == 0 && s.ID == "rollup" {
				p.font("B", sizeTable)
			}
			align := "L"
			if col.Kind != Text && col.Kind != Stamp {
				align = "R"
			}
			lines := f.SplitText(c.Text, ws[j]-pad)
			for k, l := range lines {
				f.SetXY(x+pad, y+0.6+float64(k)*lineTable)
				f.CellFormat(ws[j]-pad, lineTable, l, "", 0, align, false, 0, "")
			}
			p.color(0)
			p.font("", sizeTable)
			x += ws[j]
		}
		f.SetDrawColor(0xd5, 0xda, 0xe0)
		f.Line(marginL, y+h, pageW-marginR, y+h)
		f.SetY(y + h)
	}
	f.Ln(2)
}

func (p *pdfDoc) rowHeight(s Section, row []Cell, idx []int, ws []float64) float64 {
	n := 1
	for j, i := range idx {
		pad := float64(row[i].Indent) * 3.5
		if l := len(p.f.SplitText(row[i].Text, ws[j]-pad)); l > n {
			n = l
		}
	}
	return float64(n)*lineTable + 1.2
}

func (p *pdfDoc) tableHeader(s Section, idx []int, ws []float64) {
	f := p.f
	p.font("B", sizeTable)
	n := 1
	for j, i := range idx {
		if l := len(f.SplitText(s.Columns[i].Head, ws[j])); l > n {
			n = l
		}
	}
	h := float64(n)*lineTable + 1.2
	y := f.GetY()
	f.SetFillColor(0xe9, 0xec, 0xf0)
	f.Rect(marginL, y, contentW, h, "F")
	x := marginL
	for j, i := range idx {
		col := s.Columns[i]
		align := "L"
		if col.Kind != Text && col.Kind != Stamp {
			align = "R"
		}
		for k, l := range f.SplitText(col.Head, ws[j]) {
			f.SetXY(x, y+0.6+float64(k)*lineTable)
			f.CellFormat(ws[j], lineTable, l, "", 0, align, false, 0, "")
		}
		x += ws[j]
	}
	f.SetY(y + h)
	p.font("", sizeTable)
}

// bestTime draws the weekday × hour grid: darker is a higher median ER,
// the number is how many posts stand behind the cell (8 pt).
func (p *pdfDoc) bestTime() {
	f, bt := p.f, p.d.BestTime
	labelW, cellW, cellH := 16.0, (contentW-16)/24, 6.2
	h := 7*cellH + 6
	p.font("", sizeSmall)
	desc := f.SplitText(bt.Desc, contentW)
	p.heading(bt.Title, h+float64(len(desc))*3.7+2)
	p.font("", sizeSmall)
	p.color(0x5b6470)
	f.MultiCell(contentW, 3.7, bt.Desc, "", "L", false)
	p.color(0)
	maxV := 0.0
	for _, row := range bt.Cells {
		for _, c := range row {
			if c.Posts >= bt.MinPosts && !math.IsNaN(c.Value) && c.Value > maxV {
				maxV = c.Value
			}
		}
	}
	y := f.GetY() + 1
	p.font("", sizeSmall)
	for hr := 0; hr < 24; hr += 3 {
		f.SetXY(marginL+labelW+float64(hr)*cellW, y)
		f.CellFormat(cellW, 4, fmt.Sprintf("%02d", hr), "", 0, "C", false, 0, "")
	}
	y += 5
	cr, cg, cb := rgb(colorCur)
	for d := 0; d < 7; d++ {
		ry := y + float64(d)*cellH
		f.SetXY(marginL, ry)
		f.CellFormat(labelW-1, cellH, WeekdayName(p.d.Lang, d+1), "", 0, "L", false, 0, "")
		for hr := 0; hr < 24; hr++ {
			c := bt.Cells[d][hr]
			x := marginL + labelW + float64(hr)*cellW
			switch {
			case c.Posts == 0:
				f.SetFillColor(0xf2, 0xf4, 0xf7)
			case c.Posts < bt.MinPosts || math.IsNaN(c.Value):
				f.SetFillColor(0xe3, 0xe7, 0xec)
			default:
				a := 0.15
				if maxV > 0 {
					a = 0.15 + 0.85*c.Value/maxV
				}
				mix := func(v int) int { return int(math.Round(255 - (255-float64(v))*a)) }
				f.SetFillColor(mix(cr), mix(cg), mix(cb))
			}
			f.Rect(x+0.2, ry+0.2, cellW-0.4, cellH-0.4, "F")
			if c.Posts > 0 {
				dark := c.Posts >= bt.MinPosts && !math.IsNaN(c.Value) && maxV > 0 && c.Value/maxV > 0.55
				if dark {
					f.SetTextColor(255, 255, 255)
				}
				f.SetXY(x, ry)
				f.CellFormat(cellW, cellH, fmt.Sprint(c.Posts), "", 0, "C", false, 0, "")
				p.color(0)
			}
		}
	}
	f.SetY(y + 7*cellH + 3)
}

func (p *pdfDoc) definition() {
	f, d := p.f, p.d
	p.font("", sizeSmall)
	lines := f.SplitText(d.Definition, contentW)
	p.heading(T(d.Lang, "sec.definition"), float64(len(lines))*3.8)
	p.font("", sizeSmall+0.5)
	f.MultiCell(contentW, 3.9, d.Definition, "", "L", false)
	f.Ln(1)
	p.color(0x5b6470)
	f.MultiCell(contentW, 3.9, d.GeneratedLabel, "", "L", false)
	p.color(0)
}

// signature is the block under the report: who prepared it and the head
// who acknowledges it, with room to sign.
func (p *pdfDoc) signature() {
	f, d := p.f, p.d
	lh := d.Letterhead
	lang := d.Lang
	colW := 75.0
	head := lh.HeadTitle
	if head == "" {
		head = T(lang, "sig.head", lh.UnitName)
	}
	p.font("", 10)
	lines := max(len(f.SplitText(head, colW)), len(f.SplitText(T(lang, "sig.team", lh.UnitName), colW)))
	// The whole block on one page: place, roles, room to sign, name, NIP.
	h := 6 + 6 + 5 + float64(lines)*5 + 24 + 5 + 5 + 2
	p.need(h)
	f.SetAutoPageBreak(false, marginB)
	defer f.SetAutoPageBreak(true, marginB)
	f.Ln(6)
	y := f.GetY()
	rightX := pageW - marginR - colW
	if lh.City != "" {
		f.SetXY(rightX, y)
		f.CellFormat(colW, 5, T(lang, "sig.place", lh.City, LongDate(lang, d.Generated, d.Loc)), "", 0, "C", false, 0, "")
	}
	y += 6
	f.SetXY(marginL, y)
	f.CellFormat(colW, 5, T(lang, "sig.made"), "", 0, "C", false, 0, "")
	f.SetXY(rightX, y)
	f.CellFormat(colW, 5, T(lang, "sig.known"), "", 0, "C", false, 0, "")
	y += 5
	f.SetXY(marginL, y)
	f.MultiCell(colW, 5, T(lang, "sig.team", lh.UnitName), "", "C", false)
	f.SetXY(rightX, y)
	f.MultiCell(colW, 5, head, "", "C", false)
	y += float64(lines)*5 + 24
	f.SetXY(marginL, y)
	f.CellFormat(colW, 5, T(lang, "sig.blank"), "", 0, "C", false, 0, "")
	f.SetXY(rightX, y)
	if lh.HeadName != "" {
		p.font("B", 10)
		f.CellFormat(colW, 5, lh.HeadName, "", 0, "C", false, 0, "")
		w := f.GetStringWidth(lh.HeadName)
		f.SetDrawColor(0, 0, 0)
		f.Line(rightX+(colW-w)/2, y+4.6, rightX+(colW+w)/2, y+4.6)
		p.font("", 10)
		if lh.HeadID != "" {
			f.SetXY(rightX, y+5)
			f.CellFormat(colW, 5, T(lang, "sig.id", lh.HeadID), "", 0, "C", false, 0, "")
		}
	} else {
		f.CellFormat(colW, 5, T(lang, "sig.blank"), "", 0, "C", false, 0, "")
	}
	f.SetY(y + 12)
}
