// Package csvsafe writes CSV that spreadsheets open without running
// formulas: every text cell that starts with =, +, -, @, a tab or a
// carriage return gets a leading single quote (OWASP, "CSV injection"),
// while numbers, negative ones included, stay numbers.
package csvsafe

import (
	"encoding/csv"
	"io"
	"strings"
)

// Cell returns s as a text cell a spreadsheet shows as text.
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// IsNumber reports whether s is a plain decimal number as humas writes
// them (an optional minus, digits, an optional fraction and exponent):
// such a cell is a figure, not text, and is written as it is.
func IsNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == start {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		frac := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == frac {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		exp := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == exp {
			return false
		}
	}
	return i == len(s)
}

// Safe is Cell for text and the number itself for a number.
func Safe(s string) string {
	if IsNumber(s) {
		return s
	}
	return Cell(s)
}

// Risky reports whether a spreadsheet could read s as a formula (Cell
// would change it).
func Risky(s string) bool { return Cell(s) != s }

// Writer is a csv.Writer that passes every cell through Safe, so no
// caller can forget a user-written cell.
type Writer struct {
	w            *csv.Writer
	buf          []string
	decimalComma bool
}

// NewWriter writes CSV to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// NewLocaleWriter writes CSV as spreadsheets in a locale such as
// Indonesia's expect: fields separated by comma (';' there) and, with
// decimalComma, numbers written with a decimal comma ("0,0235"), which
// are then figures, not text to defuse. Numbers given with a dot are
// converted.
func NewLocaleWriter(w io.Writer, comma rune, decimalComma bool) *Writer {
	cw := csv.NewWriter(w)
	cw.Comma = comma
	return &Writer{w: cw, decimalComma: decimalComma}
}

// Write writes one record.
func (w *Writer) Write(record []string) error {
	w.buf = w.buf[:0]
	for _, c := range record {
		if w.decimalComma {
			if IsNumber(c) {
				c = strings.Replace(c, ".", ",", 1)
				w.buf = append(w.buf, c)
				continue
			}
			if strings.Contains(c, ",") && IsNumber(strings.Replace(c, ",", ".", 1)) {
				w.buf = append(w.buf, c)
				continue
			}
		}
		w.buf = append(w.buf, Safe(c))
	}
	return w.w.Write(w.buf)
}

// WriteAll writes records and flushes.
func (w *Writer) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.w.Flush()
	return w.w.Error()
}

// Flush writes buffered data.
func (w *Writer) Flush() { w.w.Flush() }

// Error reports an error from a previous Write or Flush.
func (w *Writer) Error() error { return w.w.Error() }
