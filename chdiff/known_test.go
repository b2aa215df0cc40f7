package chdiff

import (
	"strings"
	"testing"

	"github.com/humas-id/humas/chdiff/capture"
	"github.com/humas-id/humas/store/storetest"
)

// TestReplayFindsKnownDifferences plants the constructs whose meaning
// changed after 18.16 in a hand-made log and checks the replay reports each
// on the modern engine, and that their portable forms agree.
func TestReplayFindsKnownDifferences(t *testing.T) {
	r := replayer(t)
	db := storetest.ClickHouseConfig(t).Database // a fresh name: test runs share the server
	entry := func(kind, sql string) capture.Entry { return capture.Entry{DB: db, Kind: kind, SQL: sql} }
	log := Log{DB: db, Entries: []capture.Entry{
		entry(capture.KindExec, "CREATE TABLE ages (post UInt64, age UInt32) ENGINE = MergeTree ORDER BY (post, age)"),
		entry(capture.KindExec, "CREATE TABLE facts (post UInt64, unit UInt64, at DateTime('UTC')) ENGINE = MergeTree ORDER BY post"),
		entry(capture.KindInsert, "INSERT INTO ages (post, age) VALUES (1, 86400), (1, 604800), (1, 2419200), (2, 86400), (2, 604800)"),
		entry(capture.KindInsert, "INSERT INTO facts (post, unit, at) VALUES (1, 7, '2025-03-02 20:00:00'), (2, 7, '2025-03-03 01:00:00')"),
		// 0: several left rows per key.
		entry(capture.KindRead, "SELECT post, age, unit FROM (SELECT post, age FROM ages) AS a ANY INNER JOIN (SELECT post, unit FROM facts) AS f USING post"),
		// 1: the portable form.
		entry(capture.KindRead, "SELECT post, age, unit FROM (SELECT post, age FROM ages) AS a ALL INNER JOIN (SELECT post, unit FROM facts) AS f USING post"),
		// 2: a time zone where 23.1+ expects the week mode.
		entry(capture.KindRead, "SELECT post, toDayOfWeek(at, 'Asia/Jakarta') FROM facts"),
		// 3: the portable form.
		entry(capture.KindRead, "SELECT post, toDayOfWeek(toTimeZone(at, 'Asia/Jakarta')) FROM facts"),
		// 4: a plain column outside an AggregatingMergeTree's sorting key.
		entry(capture.KindExec, "CREATE TABLE latest (k UInt64, p String, v AggregateFunction(max, UInt64)) ENGINE = AggregatingMergeTree ORDER BY k"),
		// 5: the portable form.
		entry(capture.KindExec, "CREATE TABLE latest2 (k UInt64, p String, v AggregateFunction(max, UInt64)) ENGINE = AggregatingMergeTree PRIMARY KEY k ORDER BY (k, p)"),
	}}
	if err := r.Replay([]Log{log}); err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Problems {
		t.Error(p)
	}
	found := map[string]int{}
	for _, d := range r.Diffs {
		found[d.Entry.SQL]++
	}
	stmt := func(i int) string { return log.Entries[4+i].SQL }
	for _, i := range []int{0, 2, 4} {
		if found[stmt(i)] != len(r.Others) {
			t.Errorf("differs on %d of %d modern engines, want all: %s", found[stmt(i)], len(r.Others), stmt(i))
		}
	}
	for _, i := range []int{1, 3, 5} {
		if found[stmt(i)] != 0 {
			t.Errorf("the portable form differs: %s\n%s", stmt(i), r.Report())
		}
	}
	if !strings.Contains(r.Report(), "ANY INNER JOIN") {
		t.Errorf("the report does not show the statement:\n%s", r.Report())
	}
}
