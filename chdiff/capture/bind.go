package capture

import (
	"fmt"
	"strings"
	"time"
	_ "unsafe" // go:linkname

	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
)

// chBind is the driver's own client-side binding (clickhouse-go/v2 bind.go),
// so a recorded statement is byte for byte what the driver sent. Its
// signature is pinned by TestBindMatchesDriver; check it when upgrading
// clickhouse-go. The tz is the server's (UTC for every server humas runs
// on: scripts/clickhouse.sh, docker compose).
//
//go:linkname chBind github.com/ClickHouse/clickhouse-go/v2.bind
func chBind(tz *time.Location, query string, args ...any) (string, error)

// Bind inlines args into query as the driver does.
func Bind(query string, args ...any) (string, error) {
	if len(args) == 0 {
		return query, nil
	}
	return chBind(time.UTC, query, args...)
}

// Values turns a batch (its INSERT … (columns) head, the driver's columns
// and the appended rows) into one INSERT … VALUES statement. Dates and
// times are written as the native protocol stores them: a DateTime as the
// instant in the column's time zone, a Date as the calendar day of the
// value in its own location (ch-go's ToDate).
func Values(head string, cols []column.Interface, rows [][]any) (string, error) {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(head))
	b.WriteString(" VALUES ")
	for i, row := range rows {
		if len(row) != len(cols) {
			return b.String(), fmt.Errorf("row %d has %d values for %d columns", i, len(row), len(cols))
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j, v := range row {
			if j > 0 {
				b.WriteString(", ")
			}
			lit, err := literal(string(cols[j].Type()), v)
			if err != nil {
				return b.String(), fmt.Errorf("row %d column %s: %w", i, cols[j].Name(), err)
			}
			b.WriteString(lit)
		}
		b.WriteByte(')')
	}
	return b.String(), nil
}

func literal(typ string, v any) (string, error) {
	t, isTime := v.(time.Time)
	if p, ok := v.(*time.Time); ok && p != nil {
		t, isTime = *p, true
	}
	base := strings.TrimSuffix(strings.TrimPrefix(typ, "Nullable("), ")")
	switch {
	case isTime && base == "Date":
		if t.IsZero() {
			return "'1970-01-01'", nil
		}
		return "'" + t.Format("2006-01-02") + "'", nil
	case isTime && strings.HasPrefix(base, "DateTime") && !strings.HasPrefix(base, "DateTime64"):
		loc := time.UTC
		if i := strings.Index(base, "'"); i >= 0 {
			name := strings.Trim(base[i:], "')")
			l, err := time.LoadLocation(name)
			if err != nil {
				return "", err
			}
			loc = l
		}
		if t.IsZero() {
			return "0", nil
		}
		return "'" + t.In(loc).Format("2006-01-02 15:04:05") + "'", nil
	}
	return Bind("?", v)
}
