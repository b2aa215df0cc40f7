package report

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/humas-id/humas/csvsafe"
)

// Number formats of the workbook. Rates are fractions shown as
// percentages, so a spreadsheet computes with them as numbers.
const (
	fmtInt     = "#,##0"
	fmtPct     = "0.00%"
	fmtPP      = `+0.00" pp";-0.00" pp";0.00" pp"`
	fmtRel     = "+0.0%;-0.0%;0.0%"
	fmtSigned  = "+#,##0;-#,##0;0"
	fmtStamp   = "d mmm yyyy hh:mm"
	fmtText    = "@" // a text cell stays text even when edited
	maxSheetNm = 31
)

type xlsxDoc struct {
	f      *excelize.File
	d      *Document
	styles map[string]int
	used   map[string]bool
}

// XLSX renders the document as a workbook: a summary sheet, the findings,
// one sheet per table (Indonesian headers when the document is
// Indonesian, numbers as numbers with percentage formats, dates as dates
// in the office's time zone) and the definition on its own sheet. Text
// cells are stored as text with the text format, never as formulas, so a
// caption starting with "=" stays a caption.
func XLSX(d *Document) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	x := &xlsxDoc{f: f, d: d, styles: map[string]int{}, used: map[string]bool{}}
	if err := x.build(); err != nil {
		return nil, fmt.Errorf("report: xlsx: %w", err)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("report: xlsx: %w", err)
	}
	return buf.Bytes(), nil
}

func (x *xlsxDoc) style(key string, s *excelize.Style) (int, error) {
	if id, ok := x.styles[key]; ok {
		return id, nil
	}
	id, err := x.f.NewStyle(s)
	if err != nil {
		return 0, err
	}
	x.styles[key] = id
	return id, nil
}

func custom(f string) *string { return &f }

// cellStyle is the style of a column kind (indent for roll-up depth).
func (x *xlsxDoc) cellStyle(kind string, indent int, bold bool) (int, error) {
	key := fmt.Sprintf("%s/%d/%v", kind, indent, bold)
	s := &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: kind == Text, Indent: indent}}
	if bold {
		s.Font = &excelize.Font{Bold: true}
	}
	switch kind {
	case Integer:
		s.CustomNumFmt = custom(fmtInt)
	case Percent:
		s.CustomNumFmt = custom(fmtPct)
	case Points:
		s.CustomNumFmt = custom(fmtPP)
	case Relative:
		s.CustomNumFmt = custom(fmtRel)
	case "signed":
		s.CustomNumFmt = custom(fmtSigned)
	case Stamp:
		s.CustomNumFmt = custom(fmtStamp)
	default:
		s.CustomNumFmt = custom(fmtText)
	}
	return x.style(key, s)
}

// sheetName makes a unique, valid sheet name.
func (x *xlsxDoc) sheetName(name string) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '-'
		}
		return r
	}, name)
	if r := []rune(name); len(r) > maxSheetNm {
		name = string(r[:maxSheetNm])
	}
	base, n := name, 2
	for x.used[strings.ToLower(name)] {
		suffix := fmt.Sprintf(" %d", n)
		r := []rune(base)
		if len(r)+len(suffix) > maxSheetNm {
			r = r[:maxSheetNm-len(suffix)]
		}
		name = string(r) + suffix
		n++
	}
	x.used[strings.ToLower(name)] = true
	return name
}

func (x *xlsxDoc) newSheet(name string, first bool) (string, error) {
	name = x.sheetName(name)
	if first {
		return name, x.f.SetSheetName("Sheet1", name)
	}
	_, err := x.f.NewSheet(name)
	return name, err
}

// text writes a text cell (defused: text format, never a formula).
func (x *xlsxDoc) text(sheet string, col, row int, s string, bold bool) error {
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return err
	}
	if err := x.f.SetCellStr(sheet, ref, s); err != nil {
		return err
	}
	st, err := x.cellStyle(Text, 0, bold)
	if err != nil {
		return err
	}
	return x.f.SetCellStyle(sheet, ref, ref, st)
}

func (x *xlsxDoc) number(sheet string, col, row int, v float64, kind string) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return err
	}
	if err := x.f.SetCellFloat(sheet, ref, v, -1, 64); err != nil {
		return err
	}
	st, err := x.cellStyle(kind, 0, false)
	if err != nil {
		return err
	}
	return x.f.SetCellStyle(sheet, ref, ref, st)
}

func (x *xlsxDoc) header(sheet string, row int, heads []string) error {
	st, err := x.style("head", &excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E9ECF0"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	for i, h := range heads {
		ref, _ := excelize.CoordinatesToCellName(i+1, row)
		if err := x.f.SetCellStr(sheet, ref, csvsafe.Cell(h)); err != nil {
			return err
		}
		if err := x.f.SetCellStyle(sheet, ref, ref, st); err != nil {
			return err
		}
	}
	return nil
}

func (x *xlsxDoc) build() error {
	d := x.d
	lang := d.Lang
	if err := x.f.SetDocProps(&excelize.DocProperties{Title: d.Title + " – " + d.Letterhead.UnitName + " – " + d.PeriodLabel,
		Creator: "humas", Language: map[string]string{ID: "id-ID", EN: "en-US"}[lang]}); err != nil {
		return err
	}
	// Summary.
	sum, err := x.newSheet(T(lang, "sheet.summary"), true)
	if err != nil {
		return err
	}
	row := 1
	for _, line := range []string{d.Title, d.Letterhead.UnitName, d.Scope, T(lang, "def.period") + ": " + d.PeriodLabel + " (" + d.RangeLabel + ")",
		d.CompareLabel, d.GeneratedLabel} {
		if err := x.text(sum, 1, row, line, row == 1); err != nil {
			return err
		}
		row++
	}
	row++
	if err := x.header(sum, row, []string{T(lang, "col.metric"), T(lang, "col.value"), T(lang, "col.prev"), T(lang, "col.change"),
		T(lang, "col.text")}); err != nil {
		return err
	}
	for _, c := range d.Cards {
		row++
		if err := x.text(sum, 1, row, c.Label, false); err != nil {
			return err
		}
		kind, changeKind := Integer, Relative
		change := math.NaN()
		switch c.Format {
		case "pct":
			kind, changeKind = Percent, Points
			change = (c.Num - c.PrevNum) * 100
		default:
			if c.Key == "followers" {
				kind, changeKind = "signed", "signed"
				change = c.Num - c.PrevNum
			} else if c.PrevNum > 0 {
				change = (c.Num - c.PrevNum) / c.PrevNum
			}
		}
		if err := x.number(sum, 2, row, c.Num, kind); err != nil {
			return err
		}
		if err := x.number(sum, 3, row, c.PrevNum, kind); err != nil {
			return err
		}
		if err := x.number(sum, 4, row, change, changeKind); err != nil {
			return err
		}
		note := c.Verdict
		if c.Note != "" {
			note += " (" + c.Note + ")"
		}
		if err := x.text(sum, 5, row, note, false); err != nil {
			return err
		}
	}
	if len(d.Notices) > 0 {
		row += 2
		if err := x.text(sum, 1, row, T(lang, "notice"), true); err != nil {
			return err
		}
		for _, n := range d.Notices {
			row++
			if err := x.text(sum, 1, row, n, false); err != nil {
				return err
			}
		}
	}
	if err := x.widths(sum, []float64{30, 16, 18, 14, 60}); err != nil {
		return err
	}
	// Findings.
	fs, err := x.newSheet(T(lang, "sheet.findings"), false)
	if err != nil {
		return err
	}
	if err := x.header(fs, 1, []string{"No.", T(lang, "col.finding"), T(lang, "col.posts"), T(lang, "col.meaningful")}); err != nil {
		return err
	}
	for i, fd := range d.Findings {
		if err := x.number(fs, 1, i+2, float64(i+1), Integer); err != nil {
			return err
		}
		if err := x.text(fs, 2, i+2, fd.Text, false); err != nil {
			return err
		}
		if err := x.number(fs, 3, i+2, float64(fd.Posts), Integer); err != nil {
			return err
		}
		yes := map[bool]string{true: T(lang, "card.meaningful"), false: T(lang, "card.noise")}[fd.Meaningful]
		if err := x.text(fs, 4, i+2, yes, false); err != nil {
			return err
		}
	}
	if err := x.widths(fs, []float64{5, 100, 12, 24}); err != nil {
		return err
	}
	// One sheet per table.
	for _, s := range d.Sections {
		if err := x.section(s); err != nil {
			return fmt.Errorf("sheet %s: %w", s.Sheet, err)
		}
	}
	// The definition.
	def, err := x.newSheet(T(lang, "sheet.def"), false)
	if err != nil {
		return err
	}
	if err := x.header(def, 1, []string{T(lang, "col.item"), T(lang, "col.text")}); err != nil {
		return err
	}
	items := [][2]string{{T(lang, "def.reach"), d.Definition}, {T(lang, "def.scope"), d.Scope},
		{T(lang, "def.period"), d.PeriodLabel + " (" + d.RangeLabel + ")"}, {T(lang, "def.compare"), d.CompareLabel},
		{T(lang, "def.generated"), d.GeneratedLabel}}
	for _, n := range d.Notices {
		items = append(items, [2]string{T(lang, "notice"), n})
	}
	for i, it := range items {
		if err := x.text(def, 1, i+2, it[0], true); err != nil {
			return err
		}
		if err := x.text(def, 2, i+2, it[1], false); err != nil {
			return err
		}
	}
	if err := x.widths(def, []float64{22, 120}); err != nil {
		return err
	}
	x.f.SetActiveSheet(0)
	return nil
}

func (x *xlsxDoc) widths(sheet string, ws []float64) error {
	for i, w := range ws {
		c, _ := excelize.ColumnNumberToName(i + 1)
		if err := x.f.SetColWidth(sheet, c, c, w); err != nil {
			return err
		}
	}
	return nil
}

// wall is t's wall clock in loc as a UTC time: spreadsheets have no time
// zones, so a date cell holds the office's local time.
func wall(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

func (x *xlsxDoc) section(s Section) error {
	name, err := x.newSheet(s.Sheet, false)
	if err != nil {
		return err
	}
	var cols []int
	var heads []string
	var widths []float64
	for i, c := range s.Columns {
		if c.ScreenOnly {
			continue
		}
		cols = append(cols, i)
		heads = append(heads, c.Head)
		switch c.Kind {
		case Text:
			widths = append(widths, 14+c.Width*8)
		case Stamp:
			widths = append(widths, 18)
		default:
			widths = append(widths, 13)
		}
	}
	if err := x.header(name, 1, heads); err != nil {
		return err
	}
	if err := x.f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for r, row := range s.Rows {
		for j, i := range cols {
			c, kind := row[i], s.Columns[i].Kind
			ref, _ := excelize.CoordinatesToCellName(j+1, r+2)
			switch {
			case kind == Stamp:
				if c.Time.IsZero() {
					continue
				}
				if err := x.f.SetCellValue(name, ref, wall(c.Time, x.d.Loc)); err != nil {
					return err
				}
				st, err := x.cellStyle(Stamp, 0, false)
				if err != nil {
					return err
				}
				if err := x.f.SetCellStyle(name, ref, ref, st); err != nil {
					return err
				}
			case kind == Text:
				if err := x.f.SetCellStr(name, ref, c.Text); err != nil {
					return err
				}
				st, err := x.cellStyle(Text, c.Indent, s.ID == "rollup" && c.Indent == 0 && j == 0)
				if err != nil {
					return err
				}
				if err := x.f.SetCellStyle(name, ref, ref, st); err != nil {
					return err
				}
			default:
				if err := x.number(name, j+1, r+2, c.Num, kind); err != nil {
					return err
				}
			}
		}
	}
	last := len(s.Rows) + 3
	if s.Note != "" {
		if err := x.text(name, 1, last, s.Note, false); err != nil {
			return err
		}
	}
	return x.widths(name, widths)
}
