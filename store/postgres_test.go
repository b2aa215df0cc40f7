package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

func TestRebind(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SELECT ?", "SELECT $1"},
		{"UPDATE t SET a = ?, b = '?' WHERE c = ? -- d = ?\nAND e = ?", "UPDATE t SET a = $1, b = '?' WHERE c = $2 -- d = ?\nAND e = $3"},
		{`SELECT "a?" FROM t WHERE x = 'it''s ?' AND y = ?`, `SELECT "a?" FROM t WHERE x = 'it''s ?' AND y = $1`},
		{"SELECT 1", "SELECT 1"},
		{"WHERE a = ?1 OR b = lower(?1) AND c = ?", "WHERE a = $1 OR b = lower($1) AND c = $2"},
		{"WHERE id IN (SELECT value FROM json_each(?))", "WHERE id IN (SELECT value::bigint FROM json_array_elements_text($1::json))"},
		{"WHERE a < ?2 AND id IN (SELECT value FROM json_each(?1))", "WHERE a < $2 AND id IN (SELECT value::bigint FROM json_array_elements_text($1::json))"},
	} {
		if got := store.Rebind(tc.in); got != tc.want {
			t.Errorf("Rebind(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestPostgresState migrates a PostgreSQL state database and checks what
// SQLite's engine gave for free: ids from identity columns, the
// append-only audit log, constraint errors worded as SQLite's.
func TestPostgresState(t *testing.T) {
	st := storetest.Postgres(t)
	ctx := context.Background()
	if !st.Postgres() {
		t.Fatal("Postgres() = false")
	}
	var id int64
	if err := st.DB.QueryRowContext(ctx, `INSERT INTO units (name, slug, created_at) VALUES (?, ?, ?) RETURNING id`,
		"Pusat", "pusat", "2026-01-01T00:00:00.000Z").Scan(&id); err != nil || id != 1 {
		t.Fatalf("insert unit: id %d, %v", id, err)
	}
	_, err := st.DB.ExecContext(ctx, `INSERT INTO units (name, slug, created_at) VALUES (?, ?, ?)`, "Lagi", "pusat", "2026-01-01T00:00:00.000Z")
	if !store.IsUniqueViolation(err) || !strings.Contains(err.Error(), "UNIQUE constraint failed: units.slug") {
		t.Fatalf("duplicate slug: %v", err)
	}
	if _, err := st.DB.ExecContext(ctx, `INSERT INTO audit_log (at, actor_name, entity, entity_id, action) VALUES (?, ?, ?, ?, ?)`,
		"2026-01-01T00:00:00.000Z", "x", "unit", 1, "create"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE audit_log SET action = 'x'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`} {
		if _, err := st.DB.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the append-only error", q, err)
		}
	}
	// A transaction holds the database-wide lock: a second one waits.
	tx, err := st.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var locked bool
	if err := st.DB.QueryRowContext(ctx, `SELECT NOT pg_try_advisory_xact_lock(?)`, 0x68756d6173).Scan(&locked); err != nil || !locked {
		t.Errorf("a second transaction could take the state lock (locked %v, %v)", locked, err)
	}
	_ = tx.Rollback()
	// Booleans are stored as 0 and 1, as in SQLite.
	if _, err := st.DB.ExecContext(ctx, `UPDATE units SET requires_approval = ? WHERE id = ?`, false, id); err != nil {
		t.Fatal(err)
	}
	var ra bool
	if err := st.DB.QueryRowContext(ctx, `SELECT requires_approval FROM units WHERE id = ?`, id).Scan(&ra); err != nil || ra {
		t.Fatalf("requires_approval %v, %v", ra, err)
	}
}
