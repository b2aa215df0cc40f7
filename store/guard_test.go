package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// TestSQLiteMigrationMayNotLoseRows: a migration that would leave a table
// with fewer rows, or drop one that has rows, is rolled back naming the
// table; one that rebuilds a table copying every row passes; a declared
// shrink passes.
func TestSQLiteMigrationMayNotLoseRows(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	at := store.FormatTime(time.Now())
	for _, q := range []string{
		`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, at TEXT NOT NULL)`,
		`INSERT INTO notes (id, body, at) VALUES (7, 'sari', '` + at + `'), (8, 'budi', '` + at + `')`,
	} {
		if _, err := db.DB.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	count := func() (n int) {
		if err := db.DB.QueryRow(`SELECT count(*) FROM notes`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	cases := []struct {
		name, body, err string
	}{
		{"a lossy rebuild", "-- humas:foreign_keys=off\nCREATE TABLE notes_new (id INTEGER PRIMARY KEY, body TEXT NOT NULL, at TEXT NOT NULL);\n" +
			"INSERT INTO notes_new SELECT * FROM notes WHERE id = 7;\nDROP TABLE notes;\nALTER TABLE notes_new RENAME TO notes;",
			"table notes would hold 1 rows, 2 before"},
		{"a dropped table", "DROP TABLE notes;", "table notes held 2 rows and is gone"},
		{"a delete", "DELETE FROM notes WHERE id = 8;", "table notes would hold 1 rows"},
	}
	for i, tc := range cases {
		err := db.ApplyForTest(ctx, store.Migration{Version: 9000 + i, Name: "test", Body: tc.body})
		if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "nothing was changed") {
			t.Errorf("%s: %v, want a refusal saying %q", tc.name, err, tc.err)
		}
		if count() != 2 {
			t.Fatalf("%s: %d users left after the refusal", tc.name, count())
		}
	}
	// The rebuild procedure (copy, drop, rename) keeps every row: passes.
	rebuild := "-- humas:foreign_keys=off\nCREATE TABLE notes_new (id INTEGER PRIMARY KEY, body TEXT NOT NULL, at TEXT NOT NULL, tag TEXT NOT NULL DEFAULT '');\n" +
		"INSERT INTO notes_new (id, body, at) SELECT id, body, at FROM notes;\nDROP TABLE notes;\nALTER TABLE notes_new RENAME TO notes;"
	if err := db.ApplyForTest(ctx, store.Migration{Version: 9100, Name: "rebuild", Body: rebuild}); err != nil {
		t.Fatalf("a rebuild that keeps every row: %v", err)
	}
	declared := "-- humas:may_shrink=notes\nDELETE FROM notes WHERE id = 8;"
	if err := db.ApplyForTest(ctx, store.Migration{Version: 9101, Name: "declared", Body: declared}); err != nil || count() != 1 {
		t.Fatalf("a declared shrink: %v (%d users)", err, count())
	}
}

// TestClickHouseMigrationMayNotLoseRows: after a migration, a guarded
// table with fewer rows (FINAL, so merges never count as a loss) or gone
// stops the upgrade naming it; duplicates a merge collapses are no loss.
func TestClickHouseMigrationMayNotLoseRows(t *testing.T) {
	ch := storetest.ClickHouse(t)
	ctx := context.Background()
	b, err := ch.PrepareBatch(ctx, `INSERT INTO posts (platform, post_id, content_type, version)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range [][]any{{"facebook", "1", "photo", uint64(1)}, {"facebook", "1", "video", uint64(2)}, {"facebook", "2", "photo", uint64(1)}} {
		if err := b.Append(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	m := func(stmts ...string) store.Migration {
		return store.Migration{Version: 9000, Name: "test", Statements: stmts}
	}
	if err := ch.GuardForTest(ctx, m("OPTIMIZE TABLE posts FINAL")); err != nil {
		t.Fatalf("a merge collapsing duplicates: %v", err)
	}
	err = ch.GuardForTest(ctx, m("TRUNCATE TABLE posts"))
	if err == nil || !strings.Contains(err.Error(), "table posts holds 0 rows, 2 before") || !strings.Contains(err.Error(), "humas restore") {
		t.Fatalf("a lossy migration: %v", err)
	}
	// A snapshot gives post_latest a row (0043: posts alone do not).
	if err := ch.Exec(ctx, `INSERT INTO post_metrics (slot, collected_at, platform, post_id, published_at, reach)
        SELECT toDateTime('2025-03-01 00:00:00', 'UTC'), toDateTime('2025-03-01 00:01:00', 'UTC'), 'facebook', '1',
            toDateTime('2025-02-28 10:00:00', 'UTC'), toUInt64(5)`); err != nil {
		t.Fatal(err)
	}
	err = ch.GuardForTest(ctx, m("DROP TABLE post_latest_from_metrics", "DROP TABLE post_latest"))
	if err == nil || !strings.Contains(err.Error(), "post_latest") || !strings.Contains(err.Error(), "cannot be counted after") {
		t.Fatalf("a dropped table: %v", err)
	}
}
