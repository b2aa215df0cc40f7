package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/chdiff"
	"github.com/humas-id/humas/chdiff/chdb"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if d, err := engineDir(); err == nil {
		_ = os.RemoveAll(d) // the chDB engine's data, if a test made one
	}
	os.Exit(code)
}

// The statements a report path sent with store.LogQueries are read back
// from system.query_log for exactly the window, and replayed without a
// failure on the server and on chDB over a copy of the tables they read.
func TestCeilingReplaysLoggedReads(t *testing.T) {
	ch := storetest.ClickHouse(t)
	user := storetest.ClickHouseConfig(t).User
	ctx := context.Background()
	if err := ch.Exec(ctx, `CREATE TABLE ceiling_facts (k UInt64, v String) ENGINE = MergeTree ORDER BY k`); err != nil {
		t.Fatal(err)
	}
	if err := ch.Exec(ctx, `INSERT INTO ceiling_facts SELECT number, toString(number * 7) FROM system.numbers LIMIT 1000`); err != nil {
		t.Fatal(err)
	}
	// Not logged: before the window, and without the mark.
	if err := drain(ctx, ch, `SELECT count() FROM ceiling_facts WHERE k > 1`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // query_log keeps whole seconds
	from := time.Now().UTC().Truncate(time.Second)
	sent := []string{
		`SELECT k, v FROM ceiling_facts WHERE k < 5 ORDER BY k`,
		`SELECT count(), sum(k) FROM ceiling_facts`,
		`SELECT v FROM ceiling_facts WHERE k IN (SELECT k FROM ceiling_facts WHERE k % 100 = 0) ORDER BY v`,
	}
	logged := store.LogQueries(ctx)
	for _, q := range sent {
		if err := drain(logged, ch, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := drain(ctx, ch, `SELECT max(k) FROM ceiling_facts`); err != nil { // not marked: not logged
		t.Fatal(err)
	}
	to := time.Now().UTC().Truncate(time.Second).Add(time.Second)

	// 18.16 queues a statement's log entry as it ends, which can be just
	// after its client has the answer: poll for a few seconds.
	var got []string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		all, err := loggedReads(ctx, ch, user, from, to)
		if err != nil {
			t.Fatal(err)
		}
		// Other test processes on the same server may log reads of their own.
		got = slices.DeleteFunc(all, func(q string) bool { return !strings.Contains(q, "ceiling_facts") })
		if len(got) >= len(sent) || time.Now().After(deadline) {
			break
		}
	}
	if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(sent))) {
		t.Fatalf("read back %q\nwant %q", got, sent)
	}

	tables, err := tablesRead(ctx, ch, got)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tables, []string{"ceiling_facts"}) {
		t.Fatalf("tables read: %q, want [ceiling_facts]", tables)
	}

	var out bytes.Buffer
	a := ceilingArgs{database: ch.Database(), from: from, to: to, concs: []int{1, 3}, reports: 2, user: user}
	if _, err := os.Stat(chdb.LibPath()); err == nil || os.Getenv("CI") != "" {
		a.chdb = true
		a.httpAddr = chdiff.ServerHTTPAddr()
	} else {
		t.Logf("no chDB library at %s (scripts/chdb.sh fetch): the chDB replay is not run here; CI runs it", chdb.LibPath())
	}
	a.only = regexp.MustCompile(`ceiling_facts`)
	if err := ceilingOn(ctx, ch, a, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{
		"3 statements logged",
		"concurrency 1    statements 3, failed 0",
		"concurrency 3    statements 3, failed 0",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if a.chdb {
		for _, want := range []string{"copied ceiling_facts to chDB", "pass 1           statements 3, failed 0", "pass 2           statements 3, failed 0"} {
			if !strings.Contains(text, want) {
				t.Errorf("output lacks %q:\n%s", want, text)
			}
		}
	}
}

// A window with no logged reads says what to do.
func TestCeilingEmptyWindow(t *testing.T) {
	ch := storetest.ClickHouse(t)
	from := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	err := ceilingOn(context.Background(), ch, ceilingArgs{from: from, to: from.Add(time.Minute), concs: []int{1},
		user: storetest.ClickHouseConfig(t).User}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "--log-queries") {
		t.Fatalf("got %v, want an error naming serve --log-queries", err)
	}
}

func TestCeilingFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--from", "yesterday", "--to", "2026-12-03 07:10:04"}, `--from "yesterday": want a UTC time`},
		{[]string{"--from", "2026-12-03 07:10:04", "--to", "2026-12-03 07:00:00"}, "is before --from"},
		{[]string{"--from", "2026-12-03 07:10:04", "--to", "2026-12-03 07:11:00", "--concurrency", "1,0"}, "want numbers from 1 to 256"},
		{[]string{"--from", "2026-12-03 07:10:04", "--to", "2026-12-03 07:11:00", "--database", "x`; DROP"}, "clickhouse.database"},
	} {
		err := run(context.Background(), tc.args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want an error with %q", tc.args, err, tc.want)
		}
	}
}

// A --database the server lacks is an error that says so, and is not
// created (opening a store creates a missing database).
func TestCeilingUnknownDatabase(t *testing.T) {
	there := storetest.ClickHouseConfig(t)
	there.Database = storetest.ClickHouse(t).Database()
	if ok, err := store.DatabaseExists(context.Background(), there); err != nil || !ok {
		t.Fatalf("DatabaseExists(%s) = %v, %v; want true for a database there", there.Database, ok, err)
	}
	cfg := storetest.ClickHouseConfig(t) // a fresh random name, never created
	err := run(context.Background(), []string{"--addr", cfg.Addr, "--database", cfg.Database,
		"--from", "2026-12-03 07:10:04", "--to", "2026-12-03 07:11:00", "--concurrency", "1"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "--database "+cfg.Database+": no such database") {
		t.Fatalf("got %v, want an error saying the database does not exist", err)
	}
	ok, err := store.DatabaseExists(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if ok {
		t.Errorf("database %s was created", cfg.Database)
	}
}
