package report

import (
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/humas-id/humas/csvsafe"
)

// BOM starts a UTF-8 file so spreadsheets read its accents right.
const BOM = "\ufeff"

// CSV writes the document for machines and spreadsheets: the summary,
// then each table as its own block (a header line, then rows), blocks
// separated by an empty line, every line starting with the block's key
// (summary, type, platform, …), the same in both languages. Figures are
// plain numbers (rates as fractions, changes in percentage points, times
// as local YYYY-MM-DD HH:MM). In Indonesian (lang id) fields are separated
// by ';', decimals written with a comma and the file starts with a UTF-8
// BOM, as Excel in an Indonesian locale expects. Text cells are defused
// against formulas (package csvsafe).
func CSV(w io.Writer, d *Document) error {
	comma, dec := ',', false
	if d.Lang == ID {
		comma, dec = ';', true
		if _, err := io.WriteString(w, BOM); err != nil {
			return err
		}
	}
	cw := csvsafe.NewLocaleWriter(w, comma, dec)
	lang := d.Lang
	write := func(rec ...string) { _ = cw.Write(rec) }
	num := func(v float64, prec int) string {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ""
		}
		return strconv.FormatFloat(v, 'f', prec, 64)
	}
	write("report", d.Title, d.Letterhead.UnitName, d.Scope, d.Period.From.Format("2006-01-02"), d.Period.To.Format("2006-01-02"),
		d.PeriodLabel)
	write("summary", T(lang, "col.metric"), T(lang, "col.value"), T(lang, "col.prev"), T(lang, "col.text"))
	for _, c := range d.Cards {
		prec := 0
		if c.Format == "pct" {
			prec = 6
		}
		write("summary", c.Label, num(c.Num, prec), num(c.PrevNum, prec), c.Verdict)
	}
	for _, n := range d.Notices {
		write("notice", n)
	}
	write()
	write("findings", "No.", T(lang, "col.finding"), T(lang, "col.posts"), T(lang, "col.meaningful"))
	for i, f := range d.Findings {
		write("findings", strconv.Itoa(i+1), f.Text, strconv.Itoa(f.Posts), strconv.FormatBool(f.Meaningful))
	}
	for _, s := range d.Sections {
		write()
		head := []string{s.ID}
		var cols []int
		for i, c := range s.Columns {
			if c.ScreenOnly {
				continue
			}
			cols = append(cols, i)
			head = append(head, c.Head)
		}
		write(head...)
		for _, row := range s.Rows {
			rec := []string{s.ID}
			for _, i := range cols {
				c := row[i]
				switch s.Columns[i].Kind {
				case Text:
					rec = append(rec, c.Text)
				case Stamp:
					if c.Time.IsZero() {
						rec = append(rec, "")
					} else {
						rec = append(rec, c.Time.In(d.Loc).Format("2006-01-02 15:04"))
					}
				case Integer:
					rec = append(rec, num(c.Num, 0))
				case Percent:
					rec = append(rec, num(c.Num, 6))
				default:
					rec = append(rec, num(c.Num, 4))
				}
			}
			write(rec...)
		}
	}
	write()
	write("definition", d.Definition)
	write("generated", d.GeneratedLabel)
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: csv: %w", err)
	}
	return nil
}
