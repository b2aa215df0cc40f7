package dashboards

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Query is what Grafana sends with a ClickHouse panel query: the time
// range, the panel interval and the variables' current values.
type Query struct {
	From, To time.Time
	Interval time.Duration
	Vars     map[string]Value
}

// Value is a variable's current value as Grafana holds it.
type Value struct {
	// Values holds the selected values; a multi-value variable is a list
	// even with one value selected.
	Values []string
	// Multi marks a multi-value variable (Grafana keeps an array).
	Multi bool
	// All means "All" is selected; Values then holds every option (or the
	// variable's allValue when it has one, with AllValue set).
	All      bool
	AllValue bool
}

// Single is the value of a single-value variable.
func Single(v string) Value { return Value{Values: []string{v}} }

// Many is the value of a multi-value variable with these selected.
func Many(v ...string) Value { return Value{Values: v, Multi: true} }

// AllOf is "All" selected on a multi-value variable whose options are v.
func AllOf(v ...string) Value { return Value{Values: v, Multi: true, All: true} }

// Grafana's variable syntax: $name, [[name:format]], ${name:format}.
var varRe = regexp.MustCompile(`\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}`)

// Expand turns a panel's SQL into the statement the ClickHouse plugin
// sends, in the plugin's order:
//
//  1. $__conditionalAll(cond, $var) becomes 1=1 when $var is All (or
//     empty), else cond (frontend, CHDatasource.applyConditionalAll);
//  2. template variables are replaced (Grafana's templateSrv with the
//     plugin's format: a list becomes 'a','b', a single value stays raw;
//     explicit formats ${v:csv|sqlstring|singlequote|raw|pipe} too), plus
//     the globals $__from, $__to (epoch ms), $__interval, $__interval_ms,
//     $__range_s;
//  3. the backend macros (pkg/macros/macros.go, applied by sqlds with the
//     regex \$__name\b(?:\((.*?)\))?, arguments split on commas):
//     $__fromTime, $__toTime → toDateTime(<unix s>);
//     $__timeFilter(c) → c >= toDateTime(from) AND c <= toDateTime(to);
//     $__dateFilter(c) → c >= toDate('YYYY-MM-DD') AND c <= toDate(...);
//     $__dateTimeFilter(d, t) and $__dt(d, t) → both of the above;
//     $__interval_s → max(interval, 1 s) in whole seconds;
//     $__timeInterval(c) → toStartOfInterval(toDateTime(c), INTERVAL n second);
//     the _ms variants → fromUnixTimestamp64Milli / toDateTime64.
//
// $__timeInterval and every _ms macro produce functions ClickHouse 18.16
// does not have (toStartOfInterval, toDateTime64, fromUnixTimestamp64Milli):
// Expand reproduces them faithfully, so a panel using them fails its test
// on 18.16; bucket with toDateTime(intDiv(toUInt32(c), $__interval_s) *
// $__interval_s) instead. Anything still starting with $__ afterwards is an
// error, as is a variable the query does not define.
func Expand(sql string, q Query) (string, error) {
	s, err := conditionalAll(sql, q.Vars)
	if err != nil {
		return "", err
	}
	s, err = replaceVars(s, q)
	if err != nil {
		return "", err
	}
	s, err = backendMacros(s, q)
	if err != nil {
		return "", err
	}
	if i := strings.Index(s, "$"); i >= 0 {
		end := min(len(s), i+30)
		return "", fmt.Errorf("unexpanded %q after macros: not a variable or macro the ClickHouse plugin knows", s[i:end])
	}
	return s, nil
}

// conditionalAll imitates applyConditionalAll: from the last occurrence
// backwards, split the two arguments at top-level commas.
func conditionalAll(sql string, vars map[string]Value) (string, error) {
	const macro = "$__conditionalAll("
	nameRe := regexp.MustCompile(`\$\{(\w+)\}|\$(\w+)`)
	for i := strings.LastIndex(sql, macro); i >= 0; i = strings.LastIndex(sql, macro) {
		args, n := macroArgs(sql[i+len(macro)-1:])
		if len(args) != 2 {
			return "", fmt.Errorf("$__conditionalAll at byte %d: want 2 arguments (condition, $variable), got %d", i, len(args))
		}
		phrase := args[0]
		m := nameRe.FindStringSubmatch(strings.TrimSpace(args[1]))
		if m == nil {
			return "", fmt.Errorf("$__conditionalAll at byte %d: second argument %q is not a $variable", i, args[1])
		}
		name := m[1] + m[2]
		v, ok := vars[name]
		if !ok {
			return "", fmt.Errorf("$__conditionalAll names variable %q, which has no value", name)
		}
		if v.All || len(v.Values) == 0 || (len(v.Values) == 1 && v.Values[0] == "") {
			phrase = "1=1"
		}
		sql = sql[:i] + phrase + sql[i+len(macro)-1+n:]
	}
	return sql, nil
}

// macroArgs reads "(a, f(b, c))..." and returns the top-level arguments and
// the length consumed, like the plugin's getMacroArgs.
func macroArgs(s string) ([]string, int) {
	depth, last := 0, 1
	var args []string
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return append(args, s[last:i]), i + 1
			}
		case ',':
			if depth == 1 {
				args = append(args, s[last:i])
				last = i + 1
			}
		}
	}
	return nil, 0
}

func replaceVars(sql string, q Query) (string, error) {
	var missing []string
	out := varRe.ReplaceAllStringFunc(sql, func(m string) string {
		sub := varRe.FindStringSubmatch(m)
		name := sub[1] + sub[2] + sub[4]
		format := sub[3] + sub[6]
		if g, ok := globalVar(name, q); ok {
			return g
		}
		v, ok := q.Vars[name]
		if !ok {
			if strings.HasPrefix(name, "__") {
				return m // a plugin macro, expanded by the backend
			}
			missing = append(missing, name)
			return m
		}
		return formatValue(v, format)
	})
	if len(missing) > 0 {
		sort.Strings(missing)
		return "", fmt.Errorf("variables without a value: %s", strings.Join(missing, ", "))
	}
	return out, nil
}

func globalVar(name string, q Query) (string, bool) {
	switch name {
	case "__from":
		return strconv.FormatInt(q.From.UnixMilli(), 10), true
	case "__to":
		return strconv.FormatInt(q.To.UnixMilli(), 10), true
	case "__interval":
		return q.Interval.String(), true
	case "__interval_ms":
		return strconv.FormatInt(q.Interval.Milliseconds(), 10), true
	case "__range_s":
		return strconv.FormatInt(int64(q.To.Sub(q.From).Seconds()), 10), true
	}
	return "", false
}

func formatValue(v Value, format string) string {
	list := v.Multi || (v.All && !v.AllValue)
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	switch format {
	case "":
		if list {
			// The plugin's format(): `'${value.join("','")}'`, no escaping.
			return "'" + strings.Join(v.Values, "','") + "'"
		}
		return strings.Join(v.Values, ",")
	case "raw", "csv":
		return strings.Join(v.Values, ",")
	case "sqlstring", "singlequote":
		qs := make([]string, len(v.Values))
		for i, s := range v.Values {
			qs[i] = quote(s)
		}
		return strings.Join(qs, ",")
	case "pipe":
		return strings.Join(v.Values, "|")
	}
	return "${unsupported format " + format + "}"
}

type macroFunc func(q Query, args []string) (string, error)

func toDateTime(t time.Time) string { return fmt.Sprintf("toDateTime(%d)", t.Unix()) }
func toDate(t time.Time) string     { return fmt.Sprintf("toDate('%s')", t.Format("2006-01-02")) }
func toDateTime64(t time.Time) string {
	return fmt.Sprintf("fromUnixTimestamp64Milli(%d)", t.UnixMilli())
}

func nArgs(name string, args []string, n int) error {
	if len(args) != n {
		return fmt.Errorf("$__%s: expected %d argument(s), received %d", name, n, len(args))
	}
	return nil
}

func intervalSeconds(q Query) int { return int(math.Max(q.Interval.Seconds(), 1)) }

// backend is the plugin's macro table (pkg/macros/macros.go).
var backend = map[string]macroFunc{
	"fromTime":    func(q Query, _ []string) (string, error) { return toDateTime(q.From), nil },
	"toTime":      func(q Query, _ []string) (string, error) { return toDateTime(q.To), nil },
	"fromTime_ms": func(q Query, _ []string) (string, error) { return toDateTime64(q.From), nil },
	"toTime_ms":   func(q Query, _ []string) (string, error) { return toDateTime64(q.To), nil },
	"timeFilter": func(q Query, a []string) (string, error) {
		if err := nArgs("timeFilter", a, 1); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s >= %s AND %s <= %s", a[0], toDateTime(q.From), a[0], toDateTime(q.To)), nil
	},
	"timeFilter_ms": func(q Query, a []string) (string, error) {
		if err := nArgs("timeFilter_ms", a, 1); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s >= %s AND %s <= %s", a[0], toDateTime64(q.From), a[0], toDateTime64(q.To)), nil
	},
	"dateFilter": func(q Query, a []string) (string, error) {
		if err := nArgs("dateFilter", a, 1); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s >= %s AND %s <= %s", a[0], toDate(q.From), a[0], toDate(q.To)), nil
	},
	"dateTimeFilter": dateTimeFilter,
	"dt":             dateTimeFilter,
	"timeInterval": func(q Query, a []string) (string, error) {
		if err := nArgs("timeInterval", a, 1); err != nil {
			return "", err
		}
		return fmt.Sprintf("toStartOfInterval(toDateTime(%s), INTERVAL %d second)", a[0], intervalSeconds(q)), nil
	},
	"timeInterval_ms": func(q Query, a []string) (string, error) {
		if err := nArgs("timeInterval_ms", a, 1); err != nil {
			return "", err
		}
		ms := int(math.Max(float64(q.Interval.Milliseconds()), 1))
		return fmt.Sprintf("toStartOfInterval(toDateTime64(%s, 3), INTERVAL %d millisecond)", a[0], ms), nil
	},
	"interval_s": func(q Query, _ []string) (string, error) { return strconv.Itoa(intervalSeconds(q)), nil },
}

func dateTimeFilter(q Query, a []string) (string, error) {
	if err := nArgs("dateTimeFilter", a, 2); err != nil {
		return "", err
	}
	return fmt.Sprintf("(%s >= %s AND %s <= %s) AND (%s >= %s AND %s <= %s)",
		a[0], toDate(q.From), a[0], toDate(q.To), a[1], toDateTime(q.From), a[1], toDateTime(q.To)), nil
}

// Macros18_16 lists the macros whose expansion fails on ClickHouse 18.16.
var Macros18_16 = []string{"timeInterval", "timeInterval_ms", "fromTime_ms", "toTime_ms", "timeFilter_ms"}

// backendMacros applies each macro the way sqlds does: a non-greedy match
// of the parenthesised arguments (so an argument cannot contain ")"),
// split on commas and trimmed.
func backendMacros(sql string, q Query) (string, error) {
	names := make([]string, 0, len(backend))
	for n := range backend {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		re := regexp.MustCompile(`\$__` + name + `\b(?:\((.*?)\))?`)
		for _, m := range re.FindAllStringSubmatch(sql, -1) {
			var args []string
			if m[1] != "" || strings.HasSuffix(m[0], ")") {
				for _, a := range strings.Split(m[1], ",") {
					args = append(args, strings.TrimSpace(a))
				}
			}
			res, err := backend[name](q, args)
			if err != nil {
				return "", err
			}
			sql = strings.Replace(sql, m[0], res, -1)
		}
	}
	return sql, nil
}
