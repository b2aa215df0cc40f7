package chdiff

import (
	"strings"
	"testing"
)

func answer(t *testing.T, tsv string) Answer {
	t.Helper()
	a, err := parseAnswer([]byte(strings.ReplaceAll(tsv, "|", "\t")))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSameAnswer(t *testing.T) {
	head := "k|er|rates\nString|Float64|Array(Float64)\n"
	for _, c := range []struct {
		name string
		a, b string
		sql  string
		same bool
	}{
		{"equal", head + "a|0.5|[1,2]\n", head + "a|0.5|[1,2]\n", "SELECT 1", true},
		{"float noise", head + "a|0.30000000000000004|[]\n", head + "a|0.3|[]\n", "SELECT 1", true},
		{"float difference", head + "a|0.3001|[]\n", head + "a|0.3|[]\n", "SELECT 1", false},
		{"row order without ORDER BY", head + "a|1|[]\nb|2|[]\n", head + "b|2|[]\na|1|[]\n", "SELECT k FROM t", true},
		{"row order with ORDER BY", head + "a|1|[]\nb|2|[]\n", head + "b|2|[]\na|1|[]\n", "SELECT k FROM t ORDER BY k", false},
		{"ORDER BY only in a subquery", head + "a|1|[]\nb|2|[]\n", head + "b|2|[]\na|1|[]\n", "SELECT k FROM (SELECT k FROM t ORDER BY k)", true},
		{"ORDER BY in a literal", head + "a|1|[]\nb|2|[]\n", head + "b|2|[]\na|1|[]\n", "SELECT 'ORDER BY' FROM t", true},
		{"groupArray element order", head + "a|1|[1,2,3]\n", head + "a|1|[3,1,2]\n", "SELECT groupArray(x) FROM t", true},
		{"array order matters elsewhere", head + "a|1|[1,2,3]\n", head + "a|1|[3,1,2]\n", "SELECT ancestors FROM t", false},
		{"row count", head + "a|1|[]\n", head, "SELECT 1", false},
		{"column names", head + "a|1|[]\n", "x|er|rates\nString|Float64|Array(Float64)\na|1|[]\n", "SELECT 1", false},
		{"column types", head + "a|1|[]\n", "k|er|rates\nString|Float32|Array(Float64)\na|1|[]\n", "SELECT 1", false},
		{"big integers are exact", "n\nUInt64\n18446744073709551615\n", "n\nUInt64\n18446744073709551614\n", "SELECT 1", false},
	} {
		same, why := sameAnswer(answer(t, c.a), answer(t, c.b), options(c.sql))
		if same != c.same {
			t.Errorf("%s: same = %v (%s), want %v", c.name, same, why, c.same)
		}
	}
}

func TestShapeGroupsValues(t *testing.T) {
	a := shape("SELECT count() FROM post_facts WHERE gen = 1772447400 AND p = 'x'")
	if b := shape("SELECT count()  FROM post_facts\nWHERE gen = 17 AND p = 'y\\'z'"); a != b {
		t.Errorf("the same statement with other values has two shapes: %q and %q", a, b)
	}
	if c := shape("SELECT count() FROM post_age_facts WHERE gen = 1 AND p = 'x'"); a == c {
		t.Errorf("two statements share the shape %q", a)
	}
}

// A log of a server database is refused: the replay renames captured
// databases by text, and "system" would be rewritten in every statement.
func TestReplayRefusesServerDatabases(t *testing.T) {
	for _, db := range []string{"system", "default", "INFORMATION_SCHEMA"} {
		err := (&Replayer{}).Replay([]Log{{DB: db}})
		if err == nil || !strings.Contains(err.Error(), "database "+db+", the server's own") {
			t.Errorf("%s: got %v, want a refusal naming it", db, err)
		}
	}
}
