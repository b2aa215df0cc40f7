package dashboards

import (
	"testing"
	"time"
)

func TestExpand(t *testing.T) {
	from := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2025, 3, 31, 17, 0, 0, 0, time.UTC)
	q := Query{From: from, To: to, Interval: 90 * time.Second, Vars: map[string]Value{
		"platform": Many("facebook", "instagram"),
		"one":      Many("photo"),
		"unit":     AllOf("1", "2"),
		"method":   Single("reach"),
		"empty":    Many(""),
	}}
	tests := []struct{ in, want string }{
		{"$__timeFilter(published_at)", "published_at >= toDateTime(1740787200) AND published_at <= toDateTime(1743440400)"},
		{"$__fromTime AND $__toTime", "toDateTime(1740787200) AND toDateTime(1743440400)"},
		{"$__dateFilter(day)", "day >= toDate('2025-03-01') AND day <= toDate('2025-03-31')"},
		{"$__dt(d, t)", "(d >= toDate('2025-03-01') AND d <= toDate('2025-03-31')) AND (t >= toDateTime(1740787200) AND t <= toDateTime(1743440400))"},
		{"intDiv(x, $__interval_s)", "intDiv(x, 90)"},
		{"$__timeInterval(t)", "toStartOfInterval(toDateTime(t), INTERVAL 90 second)"},
		{"$__fromTime_ms", "fromUnixTimestamp64Milli(1740787200000)"},
		{"p IN (${platform})", "p IN ('facebook','instagram')"},
		{"p IN ($one)", "p IN ('photo')"},
		{"m = '${method}'", "m = 'reach'"},
		{"m = ${method:sqlstring}", "m = 'reach'"},
		{"$__conditionalAll(p IN (${platform}), $platform)", "p IN ('facebook','instagram')"},
		{"$__conditionalAll(u IN (${unit}), $unit)", "1=1"},
		{"$__conditionalAll(u IN (${empty}), $empty)", "1=1"},
		{"$__conditionalAll(has(f(a, b), [${one}]), ${one}) AND $__conditionalAll(u IN (${unit}), $unit)", "has(f(a, b), ['photo']) AND 1=1"},
		{"x = $__from", "x = 1740787200000"},
	}
	for _, tc := range tests {
		got, err := Expand(tc.in, q)
		if err != nil {
			t.Errorf("Expand(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("Expand(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"x IN (${ghost})", "$__conditionalAll(a, $ghost)", "$__timeFilter(a, b)", "$__nope"} {
		if _, err := Expand(bad, q); err == nil {
			t.Errorf("Expand(%q): want an error", bad)
		}
	}
}
