// Package csvsafe writes CSV that spreadsheets open without running
// formulas: every text cell that starts with =, +, -, @, a tab or a
// carriage return gets a leading single quote (OWASP, "CSV injection"),
// while numbers, negative ones included, stay numbers.
package csvsafe

import (
	"bufio"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
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

// Writer writes CSV as encoding/csv does (the same quoting, byte for byte:
// TestWriterMatchesEncodingCSV) with every cell passed through Safe, so no
// caller can forget a user-written cell. It writes cells straight into its
// buffer: encoding/csv, a 4 KiB bufio.Writer of its own and a Safe string
// per cell cost a 100,000-row report about three times as much.
type Writer struct {
	w            *bufio.Writer
	comma        rune
	decimalComma bool
	err          error
}

// NewWriter writes CSV to w.
func NewWriter(w io.Writer) *Writer { return NewLocaleWriter(w, ',', false) }

// NewLocaleWriter writes CSV as spreadsheets in a locale such as
// Indonesia's expect: fields separated by comma (';' there) and, with
// decimalComma, numbers written with a decimal comma ("0,0235"), which
// are then figures, not text to defuse. Numbers given with a dot are
// converted.
func NewLocaleWriter(w io.Writer, comma rune, decimalComma bool) *Writer {
	bw, ok := w.(*bufio.Writer)
	if !ok || bw.Size() < 4096 {
		bw = bufio.NewWriter(w)
	}
	return &Writer{w: bw, comma: comma, decimalComma: decimalComma}
}

// Write writes one record.
func (w *Writer) Write(record []string) error {
	if w.err != nil {
		return w.err
	}
	for i, c := range record {
		if i > 0 {
			w.w.WriteRune(w.comma)
		}
		switch {
		case IsNumber(c):
			if w.decimalComma {
				if dot := strings.IndexByte(c, '.'); dot >= 0 {
					w.field(c[:dot] + "," + c[dot+1:])
					continue
				}
			}
			w.field(c)
		case w.decimalComma && strings.Contains(c, ",") && IsNumber(strings.Replace(c, ",", ".", 1)):
			w.field(c)
		default:
			w.field(Cell(c))
		}
	}
	_, w.err = w.w.WriteString("\n")
	return w.err
}

// field writes one cell, quoted as encoding/csv quotes it: when it holds
// the separator, a quote, a carriage return or a line feed, starts with
// white space, or is \. (a PostgreSQL end-of-data marker).
func (w *Writer) field(f string) {
	if !w.needsQuotes(f) {
		w.w.WriteString(f)
		return
	}
	w.w.WriteByte('"')
	for {
		i := strings.IndexByte(f, '"')
		if i < 0 {
			w.w.WriteString(f)
			break
		}
		w.w.WriteString(f[:i+1])
		w.w.WriteByte('"')
		f = f[i+1:]
	}
	w.w.WriteByte('"')
}

// needsQuotes is encoding/csv's fieldNeedsQuotes.
func (w *Writer) needsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f == `\.` {
		return true
	}
	if w.comma < utf8.RuneSelf {
		for i := 0; i < len(f); i++ {
			if c := f[i]; c == '\n' || c == '\r' || c == '"' || c == byte(w.comma) {
				return true
			}
		}
	} else if strings.ContainsRune(f, w.comma) || strings.ContainsAny(f, "\"\r\n") {
		return true
	}
	if c := f[0]; c < utf8.RuneSelf {
		return c == ' ' || c >= '\t' && c <= '\r' // unicode.IsSpace for ASCII
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}

// WriteAll writes records and flushes.
func (w *Writer) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.err
}

// Flush writes buffered data.
func (w *Writer) Flush() {
	if err := w.w.Flush(); err != nil && w.err == nil {
		w.err = err
	}
}

// Error reports an error from a previous Write or Flush.
func (w *Writer) Error() error { return w.err }
