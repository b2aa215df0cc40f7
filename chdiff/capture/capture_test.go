package capture_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/chdiff/capture"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// TestRecorderRecordsWhatIsSent: statements, bound values, batch rows,
// errors, labels and the legacy mark reach the capture file, in order.
func TestRecorderRecordsWhatIsSent(t *testing.T) {
	dir := t.TempDir()
	rec, err := capture.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	prev := store.SetConnHook(rec.Wrap)
	ch := storetest.ClickHouseEmpty(t)
	store.SetConnHook(prev)
	ctx := capture.WithLabel(context.Background(), "the test")

	if err := ch.Exec(store.Legacy(ctx), "CREATE TABLE t (d Date, ts DateTime('UTC'), s String, a Array(String)) ENGINE = MergeTree ORDER BY d"); err != nil {
		t.Fatal(err)
	}
	b, err := ch.PrepareBatch(ctx, "INSERT INTO t (d, ts, s, a)")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 1, 16, 30, 0, 0, time.UTC)
	for _, r := range [][]any{{at, at, "x", []string{"p"}}, {at, at.Add(time.Hour), "it's", []string{}}} {
		if err := b.Append(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	var n uint64
	if err := ch.QueryRow(ctx, "SELECT count() FROM t WHERE s = ? AND ts >= ?", "x", at).Scan(&n); err != nil || n != 1 {
		t.Fatalf("count = %d, %v", n, err)
	}
	if err := ch.Exec(ctx, "SELECT no_such_function()"); err == nil {
		t.Fatal("a bad statement succeeded")
	}

	files, _ := filepath.Glob(filepath.Join(dir, ch.Database()+".*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("capture files %v, want one for %s", files, ch.Database())
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	var got []capture.Entry
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var e capture.Entry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	want := []struct {
		kind, sql string
		legacy    bool
		failed    bool
	}{
		{capture.KindExec, "CREATE TABLE t (d Date, ts DateTime('UTC'), s String, a Array(String)) ENGINE = MergeTree ORDER BY d", true, false},
		{capture.KindInsert, `INSERT INTO t (d, ts, s, a) VALUES ('2025-03-01', '2025-03-01 16:30:00', 'x', ['p']), ('2025-03-01', '2025-03-01 17:30:00', 'it\'s', [])`, false, false},
		{capture.KindRead, "SELECT count() FROM t WHERE s = 'x' AND ts >= toDateTime('2025-03-01 16:30:00')", false, false},
		{capture.KindExec, "SELECT no_such_function()", false, true},
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Kind != w.kind || g.SQL != w.sql || g.Legacy != w.legacy || (g.Err != "") != w.failed || g.Unsent ||
			g.Label != "the test" || g.Seq != uint64(i+1) || !strings.HasPrefix(g.At, "chdiff/capture/capture_test.go:") {
			t.Errorf("entry %d = %+v\nwant %+v", i, g, w)
		}
	}
}

// TestRecorderRecordsAppendStruct: rows appended as structs (the
// collector's and org's writers) are recorded like Append's, column by
// column from the ch tags, nil arrays as [].
func TestRecorderRecordsAppendStruct(t *testing.T) {
	dir := t.TempDir()
	rec, err := capture.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	prev := store.SetConnHook(rec.Wrap)
	ch := storetest.ClickHouseEmpty(t)
	store.SetConnHook(prev)
	ctx := context.Background()
	if err := ch.Exec(ctx, "CREATE TABLE t (d Date, s String, a Array(String)) ENGINE = MergeTree ORDER BY d"); err != nil {
		t.Fatal(err)
	}
	type row struct {
		S    string    `ch:"s"`
		Skip int       `ch:"-"`
		A    []string  `ch:"a"`
		D    time.Time `ch:"d"`
	}
	b, err := ch.PrepareBatch(ctx, "INSERT INTO t (d, s, a)")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range []row{{S: "x", A: []string{"p"}, D: at}, {S: "y", D: at}} {
		if err := b.AppendStruct(&r); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, ch.Database()+".*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("capture files %v", files)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	var e capture.Entry
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &e); err != nil {
		t.Fatal(err)
	}
	want := `INSERT INTO t (d, s, a) VALUES ('2025-03-01', 'x', ['p']), ('2025-03-01', 'y', [])`
	if e.Kind != capture.KindInsert || e.SQL != want || e.Unrecordable != "" {
		t.Errorf("entry %+v\nwant SQL %s", e, want)
	}
}

// TestRecorderRecordsColumns: values appended column by column (the
// collector's writer) are recorded as the rows they make.
func TestRecorderRecordsColumns(t *testing.T) {
	dir := t.TempDir()
	rec, err := capture.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	prev := store.SetConnHook(rec.Wrap)
	ch := storetest.ClickHouseEmpty(t)
	store.SetConnHook(prev)
	ctx := context.Background()
	if err := ch.Exec(ctx, "CREATE TABLE t (d Date, s String, a Array(String)) ENGINE = MergeTree ORDER BY d"); err != nil {
		t.Fatal(err)
	}
	b, err := ch.PrepareBatch(ctx, "INSERT INTO t (d, s, a)")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	for i, col := range []any{[]time.Time{at, at}, []string{"x", "y"}, [][]string{{"p"}, {}}} {
		if err := b.Column(i).Append(col); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, ch.Database()+".*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("capture files %v", files)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	var e capture.Entry
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &e); err != nil {
		t.Fatal(err)
	}
	want := `INSERT INTO t (d, s, a) VALUES ('2025-03-01', 'x', ['p']), ('2025-03-01', 'y', [])`
	if e.Kind != capture.KindInsert || e.SQL != want || e.Unrecordable != "" {
		t.Errorf("entry %+v\nwant SQL %s", e, want)
	}
	var n uint64
	if err := ch.QueryRow(ctx, "SELECT count() FROM t").Scan(&n); err != nil || n != 2 {
		t.Errorf("t holds %d rows (%v), want 2", n, err)
	}
}
