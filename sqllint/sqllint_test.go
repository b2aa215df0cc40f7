package sqllint

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/humas-id/humas/dashboards"
	"github.com/humas-id/humas/store"
)

func TestRulesFire(t *testing.T) {
	for _, c := range []struct {
		sql, rule, portable string // rule "" = nothing to refuse
	}{
		{"SELECT * FROM (SELECT k FROM a) AS a ANY INNER JOIN (SELECT k FROM b) AS b USING k", "any-join", "ALL INNER JOIN"},
		{"SELECT * FROM a AS a any  join b AS b USING k", "any-join", "ALL INNER JOIN"},
		{"SELECT * FROM a AS a ANY RIGHT JOIN b AS b USING k", "any-join", "ANY LEFT JOIN"},
		{"SELECT * FROM a AS a INNER ANY JOIN b AS b USING k", "any-join", "ALL INNER JOIN"},
		{"SELECT * FROM a AS a ANY LEFT JOIN b AS b USING k", "", ""},
		{"SELECT * FROM a AS a ALL INNER JOIN b AS b USING k", "", ""},
		{"SELECT 'ANY INNER JOIN' AS words", "", ""},
		{"SELECT toDayOfWeek(published_at, 'Asia/Jakarta')", "timezone-as-mode", "toDayOfWeek(toTimeZone(t, 'Asia/Jakarta'))"},
		{"SELECT toDayOfWeek(published_at, ?)", "timezone-as-mode", "toTimeZone"},
		{"SELECT toStartOfWeek(toDateTime(x), 'UTC')", "timezone-as-mode", "toStartOfWeek(toTimeZone"},
		{"SELECT toYearWeek(f(a, b), '${tz}')", "timezone-as-mode", "toTimeZone"},
		{"SELECT toDayOfWeek(toTimeZone(published_at, 'Asia/Jakarta')), toDayOfWeek(x, 1), toHour(x, 'Asia/Jakarta')", "", ""},
		{"SELECT toMonday(x, 'Asia/Jakarta'), toStartOfMonth(x, 'Asia/Jakarta'), toDate(x, 'Asia/Jakarta')", "", ""},
		{"CREATE TABLE IF NOT EXISTS t\n(\n    k UInt64,\n    p String,\n    d DateTime('UTC'),\n    v AggregateFunction(max, UInt64)\n)\nENGINE = AggregatingMergeTree\nPARTITION BY toYYYYMM(d)\nORDER BY k",
			"aggregating-dimension", "ORDER BY (k, p)"},
		{"CREATE TABLE t (k UInt64, p String, d DateTime, v AggregateFunction(max, UInt64)) ENGINE = AggregatingMergeTree PARTITION BY toYYYYMM(d) PRIMARY KEY k ORDER BY (k, p)", "", ""},
		{"CREATE TABLE t (k UInt64, p String, s SimpleAggregateFunction(max, UInt64)) ENGINE = AggregatingMergeTree ORDER BY (k, p)", "", ""},
		{"CREATE TABLE t (k UInt64, p String) ENGINE = ReplacingMergeTree ORDER BY k", "", ""},
		{"SELECT * FROM (SELECT k FROM a) ANY LEFT JOIN (SELECT k FROM b) AS b USING k", "unaliased-join-operand", "AS name"},
		{"SELECT * FROM (SELECT k FROM a) AS a ANY LEFT JOIN (SELECT k FROM b) USING k", "unaliased-join-operand", "AS name"},
		{"SELECT * FROM (SELECT k FROM a) AS a ANY LEFT JOIN (SELECT k FROM b) AS b USING k", "", ""},
		{"SELECT count() FROM (SELECT k FROM a) WHERE k IN (SELECT k FROM b)", "", ""},
	} {
		got := Check(c.sql)
		if c.rule == "" {
			if len(got) > 0 {
				t.Errorf("refused portable SQL %q: %v", c.sql, got)
			}
			continue
		}
		if len(got) != 1 || got[0].Rule != c.rule || !strings.Contains(got[0].Message, c.portable) {
			t.Errorf("%q: got %v, want one %s finding naming %q", c.sql, got, c.rule, c.portable)
		}
	}
}

// TestPlantedSources plants refused SQL in each kind of source the lint
// reads and checks it is found where it was planted.
func TestPlantedSources(t *testing.T) {
	goSrc, err := GoSources("testdata/planted")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("testdata/planted/dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboards.Dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	d.Path = "planted/dashboard.json"
	migs := []store.Migration{
		{Version: 7, Name: "latest", Statements: []string{"CREATE TABLE IF NOT EXISTS latest (k UInt64, p String, " +
			"v AggregateFunction(max, UInt64)) ENGINE = AggregatingMergeTree ORDER BY k"}},
		{Version: 8, Name: "old_latest", SupersededBy: 9, Statements: []string{"CREATE TABLE old (k UInt64, p String, " +
			"v AggregateFunction(max, UInt64)) ENGINE = AggregatingMergeTree ORDER BY k"}},
	}
	sources := append(append(goSrc, MigrationSources(migs)...), DashboardSources([]dashboards.Dashboard{d})...)
	var got []string
	for _, f := range Lint(sources) {
		got = append(got, f.Where+" "+f.Rule)
	}
	want := []string{
		"planted.go:7 (qJoin) any-join",
		"planted.go:9 timezone-as-mode",
		"store/chmigrations/0007_latest.sql statement 1 aggregating-dimension",
		"dashboards/json/planted/dashboard.json variable unit any-join",
		`dashboards/json/planted/dashboard.json panel 1 "Unaliased" unaliased-join-operand`,
		`dashboards/json/planted/dashboard.json panel 1 "Unaliased" unaliased-join-operand`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRepositorySQLIsPortable is the lint itself: every SQL text of the
// repository (Go, migrations, dashboards) passes every rule.
func TestRepositorySQLIsPortable(t *testing.T) {
	sources, err := Repository("..")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, s := range sources {
		switch {
		case strings.HasPrefix(s.Where, "store/chmigrations/"):
			kinds["migration statements"]++
		case strings.HasPrefix(s.Where, "dashboards/json/"):
			kinds["dashboard queries"]++
		default:
			kinds["Go strings"]++
		}
	}
	if kinds["migration statements"] == 0 || kinds["dashboard queries"] == 0 || kinds["Go strings"] == 0 {
		t.Fatalf("the lint read too little: %v", kinds)
	}
	for _, f := range Lint(sources) {
		t.Error(f)
	}
	t.Logf("checked %v", kinds)
}
