// Package sqllint refuses SQL whose meaning differs between the ClickHouse
// versions humas supports (18.16, where CI runs, to 25.8 and later, what
// docker compose deploys), naming the portable form. It reads every SQL
// text humas owns: string constants and literals in Go code, the
// ClickHouse migrations and the Grafana dashboards. The rules come from
// ../shared/reference/clickhouse.md and from the differential test
// (package chdiff), which proves the portable forms give 18.16's answers on
// the modern engine.
package sqllint

import (
	"fmt"
	"regexp"
	"strings"
)

// Finding is one refused construct.
type Finding struct {
	Where   string // file:line, migration or dashboard panel
	Rule    string
	Snippet string // the offending text
	Message string // why, and the portable form
}

func (f Finding) String() string {
	return fmt.Sprintf("%s: %s: %q: %s", f.Where, f.Rule, f.Snippet, f.Message)
}

// A rule checks one SQL text (a whole statement or a fragment of one).
type rule struct {
	name  string
	check func(sql string) []Finding
}

var rules = []rule{
	{"any-join", anyJoin},
	{"timezone-as-mode", timezoneAsMode},
	{"aggregating-dimension", aggregatingDimension},
	{"unaliased-join-operand", unaliasedJoinOperand},
}

// Check returns what the rules refuse in sql; Where is left empty.
func Check(sql string) []Finding {
	var out []Finding
	for _, r := range rules {
		for _, f := range r.check(sql) {
			f.Rule = r.name
			out = append(out, f)
		}
	}
	return out
}

// masked is sql with string literals, quoted identifiers and comments
// blanked (same length), so patterns match SQL text only.
func masked(sql string) string {
	b := []byte(sql)
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '\'' || c == '`' || c == '"':
			j := i + 1
			for ; j < len(b) && b[j] != c; j++ {
				if b[j] == '\\' {
					j++
				}
			}
			for k := i + 1; k < j && k < len(b); k++ {
				b[k] = ' '
			}
			i = j
		case c == '-' && i+1 < len(b) && b[i+1] == '-':
			for ; i < len(b) && b[i] != '\n'; i++ {
				b[i] = ' '
			}
		}
	}
	return string(b)
}

// matching returns the index of the parenthesis closing the one at open,
// or -1 (in a fragment it may be elsewhere).
func matching(m string, open int) int {
	depth := 0
	for i := open; i < len(m); i++ {
		switch m[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// argSpans are the [start, end) offsets of the top-level arguments inside
// the parentheses at open and close.
func argSpans(m string, open, close int) [][2]int {
	var spans [][2]int
	depth, start := 0, open+1
	for i := open + 1; i < close; i++ {
		switch m[i] {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		case ',':
			if depth == 0 {
				spans = append(spans, [2]int{start, i})
				start = i + 1
			}
		}
	}
	return append(spans, [2]int{start, close})
}

func snippet(s string) string { return strings.Join(strings.Fields(s), " ") }

var anyJoinRe = regexp.MustCompile(`(?i)\b(ANY\s+(INNER\s+|RIGHT\s+(OUTER\s+)?|FULL\s+(OUTER\s+)?)?JOIN|(INNER|RIGHT|FULL)\s+(OUTER\s+)?ANY\s+JOIN)\b`)

// anyJoin: ANY INNER (and RIGHT, FULL) JOIN keeps every left row on 18.16
// but one row per key on both sides since 20.1
// (any_join_distinct_right_table_keys = 0; 18.16 does not know the
// setting). ANY LEFT JOIN kept its meaning.
func anyJoin(sql string) []Finding {
	var out []Finding
	m := masked(sql)
	for _, loc := range anyJoinRe.FindAllStringIndex(m, -1) {
		out = append(out, Finding{Snippet: snippet(sql[loc[0]:loc[1]]), Message: "since ClickHouse 20.1 an ANY INNER/RIGHT/FULL JOIN keeps " +
			"one row per key on both sides (18.16 kept every left row): write ALL INNER JOIN with a right side of one row per key " +
			"(GROUP BY or FINAL on the key), or ANY LEFT JOIN"})
	}
	return out
}

// modeFuncs take the week mode as their second argument since 23.1 (the
// time zone comes third).
var modeFuncRe = regexp.MustCompile(`(?i)\b(toDayOfWeek|toWeek|toYearWeek|toStartOfWeek|toLastDayOfWeek)\s*\(`)

// timezoneAsMode: toDayOfWeek(t, 'Asia/Jakarta') is a time zone on 18.16
// and a week mode (an error for a string) since 23.1.
func timezoneAsMode(sql string) []Finding {
	var out []Finding
	m := masked(sql)
	for _, loc := range modeFuncRe.FindAllStringSubmatchIndex(m, -1) {
		open := loc[1] - 1
		close := matching(m, open)
		if close < 0 {
			continue
		}
		args := argSpans(m, open, close)
		if len(args) < 2 {
			continue
		}
		// A string literal, or a bound or Grafana value (which becomes one).
		second := strings.TrimSpace(sql[args[1][0]:args[1][1]])
		if strings.HasPrefix(second, "'") || second == "?" || strings.HasPrefix(second, "$") {
			fn := sql[loc[2]:loc[3]]
			out = append(out, Finding{Snippet: snippet(sql[loc[0] : close+1]), Message: fmt.Sprintf(
				"since ClickHouse 23.1 the second argument of %s is the week mode, not a time zone (25.8 fails on a string there): "+
					"write %s(toTimeZone(t, 'Asia/Jakarta'))", fn, fn)})
		}
	}
	return out
}

var (
	createTableRe = regexp.MustCompile(`(?is)\bCREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?[\w.` + "`" + `]+\s*\(`)
	aggEngineRe   = regexp.MustCompile(`(?i)\bENGINE\s*=\s*AggregatingMergeTree\b`)
	clauseRe      = regexp.MustCompile(`(?i)\b(ORDER\s+BY|PARTITION\s+BY|PRIMARY\s+KEY|SAMPLE\s+BY|SETTINGS|TTL|COMMENT)\b`)
	identRe       = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)
)

// aggregatingDimension: a plain column of an AggregatingMergeTree outside
// its sorting (or partition) key keeps an arbitrary value after merges, and
// ClickHouse 26.x refuses the table (allow_dimensions_outside_sorting_key
// = 0, a setting 18.16 rejects).
func aggregatingDimension(sql string) []Finding {
	m := masked(sql)
	var out []Finding
	for _, loc := range createTableRe.FindAllStringIndex(m, -1) {
		open := loc[1] - 1
		close := matching(m, open)
		if close < 0 {
			continue
		}
		rest := m[close+1:]
		if next := createTableRe.FindStringIndex(rest); next != nil {
			rest = rest[:next[0]]
		}
		if !aggEngineRe.MatchString(rest) {
			continue
		}
		keys := map[string]bool{}
		clauses := clauseRe.FindAllStringSubmatchIndex(rest, -1)
		for i, c := range clauses {
			kw := strings.ToUpper(strings.Join(strings.Fields(rest[c[2]:c[3]]), " "))
			if kw != "ORDER BY" && kw != "PARTITION BY" {
				continue
			}
			end := len(rest)
			if i+1 < len(clauses) {
				end = clauses[i+1][0]
			}
			for _, id := range identRe.FindAllString(rest[c[1]:end], -1) {
				keys[id] = true
			}
		}
		for _, span := range argSpans(m, open, close) {
			col := sql[span[0]:span[1]]
			f := strings.Fields(col)
			if len(f) < 2 {
				continue
			}
			name, typ := strings.Trim(f[0], "`"), f[1]
			switch strings.ToUpper(name) {
			case "INDEX", "CONSTRAINT", "PROJECTION":
				continue
			}
			if strings.HasPrefix(typ, "AggregateFunction(") || strings.HasPrefix(typ, "SimpleAggregateFunction(") ||
				keys[name] || strings.Contains(strings.ToUpper(col), " ALIAS ") {
				continue
			}
			out = append(out, Finding{Snippet: snippet(col), Message: fmt.Sprintf("column %s of an AggregatingMergeTree is neither in the "+
				"sorting key nor an aggregate: merges keep an arbitrary value and ClickHouse 26.x refuses the table; put it in the "+
				"sorting key (PRIMARY KEY k ORDER BY (k, %s)) or make it an AggregateFunction", name, name)})
		}
	}
	return out
}

var (
	joinAfterParenRe = regexp.MustCompile(`(?i)^\s*(GLOBAL\s+)?((ANY|ALL|ASOF|SEMI|ANTI)\s+)?((LEFT|RIGHT|FULL|INNER|CROSS)\s+)?(OUTER\s+)?JOIN\b`)
	joinParenRe      = regexp.MustCompile(`(?i)\bJOIN\s*\(\s*SELECT\b`)
	usingOnRe        = regexp.MustCompile(`(?i)^\s*(USING|ON)\b`)
)

// unaliasedJoinOperand: (SELECT …) JOIN (SELECT …) USING k runs on 18.16,
// but 20.x and later refuse a join operand without an alias.
func unaliasedJoinOperand(sql string) []Finding {
	m := masked(sql)
	var out []Finding
	for i := 0; i < len(m); i++ {
		if m[i] != ')' {
			continue
		}
		if loc := joinAfterParenRe.FindStringIndex(m[i+1:]); loc != nil {
			out = append(out, Finding{Snippet: snippet(sql[max(0, i-30) : i+1+loc[1]]), Message: "a subquery or table " +
				"function joined without an alias: ClickHouse 20.x and later refuse it; write (SELECT …) AS name"})
		}
	}
	for _, loc := range joinParenRe.FindAllStringIndex(m, -1) {
		open := strings.LastIndex(m[:loc[1]], "(")
		close := matching(m, open)
		if close < 0 {
			continue
		}
		if usingOnRe.MatchString(m[close+1:]) {
			out = append(out, Finding{Snippet: snippet(sql[loc[0]:min(len(sql), loc[1]+40)]) + "…", Message: "a subquery joined " +
				"without an alias: ClickHouse 20.x and later refuse it; write JOIN (SELECT …) AS name"})
		}
	}
	return out
}
