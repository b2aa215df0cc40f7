package store_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

func TestClickHouseMigrateIdempotent(t *testing.T) {
	ch := storetest.ClickHouse(t) // already migrated once
	ctx := context.Background()
	again, err := ch.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Fatalf("second migrate applied %d migrations, want 0", len(again))
	}
	var tables []struct {
		Name string `ch:"name"`
	}
	if err := ch.Select(ctx, &tables, "SELECT name FROM system.tables WHERE database = ? ORDER BY name", ch.Database()); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tb := range tables {
		names = append(names, tb.Name)
	}
	got := strings.Join(names, ",")
	for _, want := range []string{"account_metrics", "channels", "post_metrics", "posts", "schema_migrations", "units"} {
		if !strings.Contains(got, want) {
			t.Errorf("table %s missing; have %s", want, got)
		}
	}
	v, err := ch.ServerVersion()
	if err != nil || v == "" {
		t.Fatalf("server version: %q %v", v, err)
	}
	t.Logf("ClickHouse server version %s", v)
}

func TestSnapshotSlotNotDoubleCounted(t *testing.T) {
	ch := storetest.ClickHouse(t)
	ctx := context.Background()
	slot := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	for run := 0; run < 2; run++ {
		b, err := ch.PrepareBatch(ctx, "INSERT INTO post_metrics (slot, collected_at, platform, post_id, reach, likes, metric_fields, metric_sources)")
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Append(slot, slot.Add(time.Duration(run)*time.Minute), "instagram", "1789", uint64(100+run), uint64(5), []string{"reach"}, []string{"reach"}); err != nil {
			t.Fatal(err)
		}
		if err := b.Send(); err != nil {
			t.Fatal(err)
		}
	}
	var n uint64
	var reach uint64
	if err := ch.QueryRow(ctx, "SELECT count(), any(reach) FROM post_metrics FINAL WHERE post_id = ?", "1789").Scan(&n, &reach); err != nil {
		t.Fatal(err)
	}
	if n != 1 || reach != 101 {
		t.Fatalf("same slot twice: %d rows with reach %d, want 1 row with the later reach 101", n, reach)
	}
}

func TestClickHouseUnavailable(t *testing.T) {
	cfg := storetest.ClickHouseConfig(t)
	cfg.Addr = "127.0.0.1:1" // nothing listens there
	_, err := store.OpenClickHouse(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err == nil {
		t.Fatal("open succeeded against a closed port")
	}
	if !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("error does not name the address: %v", err)
	}
}

func TestSQLiteMigrateAndAuditAppendOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	db, err := store.OpenSQLite(ctx, path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	first, err := db.Migrate(ctx)
	if err != nil || len(first) == 0 {
		t.Fatalf("first migrate: %d applied, %v", len(first), err)
	}
	second, err := db.Migrate(ctx)
	if err != nil || len(second) != 0 {
		t.Fatalf("second migrate: %d applied, %v", len(second), err)
	}
	var mode string
	if err := db.DB.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q (%v), want wal", mode, err)
	}
	var fk int
	if err := db.DB.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign_keys = %d (%v), want 1", fk, err)
	}
	now := store.FormatTime(time.Now())
	if _, err := db.DB.ExecContext(ctx, `INSERT INTO audit_log (at, actor_name, entity, entity_id, action) VALUES (?, 'tester', 'post', 1, 'create')`, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DB.ExecContext(ctx, `UPDATE audit_log SET action = 'x'`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("update of audit_log: %v, want append-only error", err)
	}
	if _, err := db.DB.ExecContext(ctx, `DELETE FROM audit_log`); err == nil {
		t.Fatal("delete from audit_log succeeded")
	}
	// A foreign key is enforced: a user in a unit that does not exist.
	if _, err := db.DB.ExecContext(ctx, `INSERT INTO users (name, unit_id, role, created_at) VALUES ('a', 999, 'viewer', ?)`, now); err == nil {
		t.Fatal("foreign key not enforced")
	}
}

func TestTimeLayoutOrders(t *testing.T) {
	early := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	// 6 ms later, written in WIB: must still sort after once stored.
	later := time.Date(2026, 1, 2, 10, 4, 5, 6e6, time.FixedZone("WIB", 7*3600))
	a, b := store.FormatTime(early), store.FormatTime(later)
	if !(a < b) {
		t.Fatalf("text order %q !< %q", a, b)
	}
	p, err := store.ParseTime(a)
	if err != nil || !p.Equal(early) {
		t.Fatalf("round trip: %v %v", p, err)
	}
}

func TestSplitStatements(t *testing.T) {
	// Exercised through the embedded migrations: every ClickHouse file
	// must split into statements that parse (checked by migrate above);
	// here, that a comment line with ";" does not split.
	got := store.SplitStatementsForTest("-- a; b;\nCREATE TABLE a (x UInt8);\n\nCREATE TABLE b (y UInt8)\n")
	if len(got) != 2 || !strings.HasPrefix(got[0], "CREATE TABLE a") || !strings.HasPrefix(got[1], "CREATE TABLE b") {
		t.Fatalf("split = %q", got)
	}
}
