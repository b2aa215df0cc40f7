package chdiff

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// errStatement marks an error an engine reported for a statement (as
// opposed to not reaching it).
var errStatement = errors.New("statement failed")

// Answer is a read's answer: column names, types and rows as text.
type Answer struct {
	Names, Types []string
	Rows         [][]string
}

// parseAnswer reads OutputFormat (TabSeparatedWithNamesAndTypes).
func parseAnswer(b []byte) (Answer, error) {
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return Answer{}, nil // a statement without output
	}
	lines := strings.Split(s, "\n")
	if len(lines) < 2 {
		return Answer{}, fmt.Errorf("answer has %d lines, want names and types first", len(lines))
	}
	a := Answer{Names: strings.Split(lines[0], "\t"), Types: strings.Split(lines[1], "\t")}
	for _, l := range lines[2:] {
		row := strings.Split(l, "\t")
		if len(row) != len(a.Names) {
			return a, fmt.Errorf("row %q has %d fields for %d columns", l, len(row), len(a.Names))
		}
		a.Rows = append(a.Rows, row)
	}
	return a, nil
}

// String shows an answer as a small table, at most max rows.
func (a Answer) String() string { return a.format(15) }

func (a Answer) format(max int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %s\n  %s\n", strings.Join(a.Names, " | "), strings.Join(a.Types, " | "))
	for i, r := range a.Rows {
		if i == max {
			fmt.Fprintf(&b, "  … %d more rows\n", len(a.Rows)-max)
			break
		}
		fmt.Fprintf(&b, "  %s\n", strings.Join(r, " | "))
	}
	fmt.Fprintf(&b, "  (%d rows)", len(a.Rows))
	return b.String()
}

// compareOptions say how loosely two answers of one statement compare.
type compareOptions struct {
	// ordered: the statement's outermost SELECT has ORDER BY, so row order
	// is part of the answer; otherwise rows compare as a multiset.
	ordered bool
	// unorderedArrays: the statement builds arrays with groupArray and
	// friends, whose element order is unspecified; they compare sorted.
	unorderedArrays bool
}

// relTol is the float tolerance: sums of the same floats in another order
// differ in the last bits.
const relTol = 1e-9

// sameAnswer reports whether a and b are the same answer, and if not, why.
func sameAnswer(a, b Answer, o compareOptions) (bool, string) {
	if !slices.Equal(a.Names, b.Names) {
		return false, fmt.Sprintf("column names differ: %v vs %v", a.Names, b.Names)
	}
	if !slices.Equal(a.Types, b.Types) {
		return false, fmt.Sprintf("column types differ: %v vs %v", a.Types, b.Types)
	}
	if len(a.Rows) != len(b.Rows) {
		return false, fmt.Sprintf("%d rows vs %d rows", len(a.Rows), len(b.Rows))
	}
	ra, rb := normalize(a, o), normalize(b, o)
	if !o.ordered {
		sortRows(ra)
		sortRows(rb)
	}
	for i := range ra {
		for j := range ra[i] {
			if !sameCell(ra[i][j], rb[i][j], isFloat(a.Types[j])) {
				return false, fmt.Sprintf("row %d column %s: %s vs %s", i+1, a.Names[j], ra[i][j], rb[i][j])
			}
		}
	}
	return true, ""
}

// normalize rounds floats (so a multiset sorts the same on both sides)
// and sorts unordered arrays.
func normalize(a Answer, o compareOptions) [][]string {
	out := make([][]string, len(a.Rows))
	for i, r := range a.Rows {
		out[i] = make([]string, len(r))
		for j, c := range r {
			t := a.Types[j]
			switch {
			case strings.HasPrefix(t, "Array(") && o.unorderedArrays:
				c = sortArray(c, isFloat(t))
			case strings.HasPrefix(t, "Array(") && isFloat(t):
				c = mapArray(c, roundFloat)
			case isFloat(t):
				c = roundFloat(c)
			}
			out[i][j] = c
		}
	}
	return out
}

func isFloat(t string) bool { return strings.Contains(t, "Float") || strings.Contains(t, "Decimal") }

// roundFloat keeps 12 significant digits.
func roundFloat(s string) string {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return s
	}
	return strconv.FormatFloat(f, 'g', 12, 64)
}

// splitArray splits a flat array literal [a,b,c]; nested arrays and
// strings with commas stay whole.
func splitArray(s string) ([]string, bool) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, false
	}
	inner := s[1 : len(s)-1]
	if inner == "" {
		return []string{}, true
	}
	var parts []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(inner); i++ {
		switch c := inner[i]; {
		case quoted && c == '\\':
			i++
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '[' || c == '(':
			depth++
		case c == ']' || c == ')':
			depth--
		case c == ',' && depth == 0:
			parts = append(parts, inner[start:i])
			start = i + 1
		}
	}
	return append(parts, inner[start:]), true
}

func mapArray(s string, f func(string) string) string {
	parts, ok := splitArray(s)
	if !ok {
		return s
	}
	for i := range parts {
		parts[i] = f(parts[i])
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func sortArray(s string, floats bool) string {
	parts, ok := splitArray(s)
	if !ok {
		return s
	}
	if floats {
		for i := range parts {
			parts[i] = roundFloat(parts[i])
		}
		slices.SortFunc(parts, func(a, b string) int {
			fa, ea := strconv.ParseFloat(a, 64)
			fb, eb := strconv.ParseFloat(b, 64)
			if ea == nil && eb == nil {
				return cmpFloat(fa, fb)
			}
			return strings.Compare(a, b)
		})
	} else {
		slices.Sort(parts)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func sortRows(rows [][]string) {
	slices.SortFunc(rows, func(a, b []string) int { return slices.Compare(a, b) })
}

// sameCell compares two normalized cells; floats within relTol are equal
// (rounding to 12 digits can still split two close values).
func sameCell(a, b string, float bool) bool {
	if a == b {
		return true
	}
	if !float {
		return false
	}
	fa, ea := strconv.ParseFloat(a, 64)
	fb, eb := strconv.ParseFloat(b, 64)
	if ea != nil || eb != nil {
		return false
	}
	return math.Abs(fa-fb) <= relTol*math.Max(1, math.Max(math.Abs(fa), math.Abs(fb)))
}
