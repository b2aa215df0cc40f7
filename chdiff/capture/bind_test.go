package capture

import (
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// TestBindMatchesDriver pins what the linked driver function renders for
// the argument types humas binds; a changed driver signature or rendering
// shows up here first.
func TestBindMatchesDriver(t *testing.T) {
	jkt, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		query string
		args  []any
		want  string
	}{
		{"SELECT 1", nil, "SELECT 1"},
		{"SELECT ?, ?", []any{"a'b\\c", uint64(7)}, `SELECT 'a\'b\\c', 7`},
		{"WHERE t >= ? AND t < ?", []any{time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 1, 7, 0, 0, 0, jkt)},
			"WHERE t >= toDateTime('2025-03-01 00:00:00') AND t < toDateTime('2025-03-01 07:00:00', 'Asia/Jakarta')"},
		{"SELECT ?, '?'", []any{[]string{"x", "y"}}, "SELECT ['x', 'y'], '?'"},
		{"WHERE id IN ?", []any{clickhouse.GroupSet{Value: []any{"p", uint64(3)}}}, "WHERE id IN ('p', 3)"},
		{"SELECT ?, ?, ?", []any{uint32(5), uint8(1), int64(-2)}, "SELECT 5, 1, -2"},
	} {
		got, err := Bind(c.query, c.args...)
		if err != nil || got != c.want {
			t.Errorf("Bind(%q, %v) = %q, %v; want %q", c.query, c.args, got, err, c.want)
		}
	}
}

// TestLiteralStoresWhatTheNativeProtocolStores: batch values become the
// literals that insert the same values the driver's native batch does.
func TestLiteralStoresWhatTheNativeProtocolStores(t *testing.T) {
	jkt, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	late := time.Date(2025, 3, 1, 23, 30, 0, 0, jkt) // 16:30 UTC, 1 March in both
	early := time.Date(2025, 3, 2, 5, 0, 0, 0, jkt)  // 22:00 UTC on 1 March
	for _, c := range []struct {
		typ  string
		v    any
		want string
	}{
		{"DateTime('UTC')", late, "'2025-03-01 16:30:00'"},
		{"DateTime('Asia/Jakarta')", early, "'2025-03-02 05:00:00'"},
		{"DateTime", early, "'2025-03-01 22:00:00'"},
		{"Date", early, "'2025-03-02'"}, // ch-go: the calendar day where the value is
		{"Date", time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC), "'2025-03-02'"},
		{"Nullable(DateTime('UTC'))", &late, "'2025-03-01 16:30:00'"},
		{"String", "it's", `'it\'s'`},
		{"Array(String)", []string{"a", "b"}, "['a', 'b']"},
		{"Array(UInt64)", []uint64{1, 2}, "[1, 2]"},
		{"UInt8", uint8(1), "1"},
		{"UInt64", uint64(18446744073709551615), "18446744073709551615"},
	} {
		got, err := literal(c.typ, c.v)
		if err != nil || got != c.want {
			t.Errorf("literal(%s, %v) = %s, %v; want %s", c.typ, c.v, got, err, c.want)
		}
	}
}
