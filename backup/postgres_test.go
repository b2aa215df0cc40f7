package backup_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/backup"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// pgRows reads a PostgreSQL table's rows as PostgreSQL prints them, in id
// order (every column, NULLs included).
func pgRows(t *testing.T, st *store.State, table string) []string {
	t.Helper()
	rows, err := st.DB.Query(`SELECT r::text FROM ` + table + ` r ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestPostgresBackupRestoreRoundTrip: a PostgreSQL state database is backed
// up with pg_dump while a writer keeps appending audit rows; the manifest's
// counts are the snapshot's, verify reads the dump's table of contents, and
// a restore into another database gives the same rows, the audit log's
// append-only triggers and identities that go on after the copied ids. A
// second restore is refused without --force; with it, the replaced
// database is first dumped aside.
func TestPostgresBackupRestoreRoundTrip(t *testing.T) {
	in := newInstallOn(t, storetest.Postgres(t))
	in.seed(t)
	ctx := context.Background()

	stopWriter := auditWriter(t, in.sql.DB)
	dir := filepath.Join(t.TempDir(), "b1")
	res := in.backup(t, dir, "")
	stopWriter()

	m := res.Manifest
	if m.State.Kind != "postgres" || m.State.File != "state/humas.pgdump" || m.State.Server == "" {
		t.Fatalf("state manifest: kind %q, file %q, server %q", m.State.Kind, m.State.File, m.State.Server)
	}
	if m.State.AuditLog.Rows < 20 || m.State.Tables["users"] != 2 || len(m.State.Migrations) == 0 {
		t.Errorf("manifest: audit %d rows, users %d, migrations %v", m.State.AuditLog.Rows, m.State.Tables["users"], m.State.Migrations)
	}
	if _, err := backup.Verify(ctx, dir); err != nil {
		t.Fatalf("verify: %v", err)
	}

	// Restore into a migrated, empty database (serve ran once there).
	tgt := storetest.Postgres(t)
	tg := newTarget(t)
	aside := t.TempDir()
	restore := func(force bool) (*backup.RestoreResult, error) {
		return backup.Restore(ctx, backup.RestoreOptions{From: dir, Force: force, SecretKey: in.key,
			State: backup.PostgresTarget{DB: tgt, AsideDir: aside}, ClickHouse: tg.ch, Media: tg.blobs, Logger: slog.New(slog.DiscardHandler)})
	}
	if _, err := restore(false); err != nil {
		t.Fatalf("restore: %v", err)
	}
	orig := pgRows(t, in.sql, "audit_log")
	got := pgRows(t, tgt, "audit_log")
	if int64(len(got)) != m.State.AuditLog.Rows || len(got) == 0 || !slices.Equal(got, orig[:len(got)]) {
		t.Errorf("the restored audit log (%d rows) is not the original's first %d rows", len(got), m.State.AuditLog.Rows)
	}
	for _, table := range []string{"users", "units", "channels", "media"} {
		sameRows(t, table, pgRows(t, in.sql, table), pgRows(t, tgt, table))
	}
	// The audit log stays append-only, and new rows get new ids.
	if _, err := tgt.DB.Exec(`DELETE FROM audit_log`); err == nil {
		t.Error("the restored audit log accepted a DELETE")
	}
	id, err := store.InsertID(ctx, tgt.DB, `INSERT INTO audit_log (at, actor_name, entity, entity_id, action) VALUES (?, 'x', 'post', 1, 'edit')`,
		store.FormatTime(time.Now()))
	if err != nil || id <= m.State.AuditLog.MaxID {
		t.Errorf("a new audit row after the restore got id %d (%v); the backup's last id is %d", id, err, m.State.AuditLog.MaxID)
	}

	// A second restore finds data: refused, then forced (the replaced
	// database is dumped aside first).
	if _, err := restore(false); !errors.Is(err, backup.ErrNotEmpty) || !strings.Contains(err.Error(), "PostgreSQL database") {
		t.Fatalf("restore over data without --force: %v", err)
	}
	if _, err := restore(true); err != nil {
		t.Fatalf("restore --force: %v", err)
	}
	kept, _ := filepath.Glob(filepath.Join(aside, "humas-before-restore-*.pgdump"))
	if len(kept) != 1 {
		t.Fatalf("the replaced database was not kept aside: %v", kept)
	}
	if st, err := os.Stat(kept[0]); err != nil || st.Size() == 0 {
		t.Errorf("aside dump: %v", err)
	}
	if got := pgRows(t, tgt, "audit_log"); int64(len(got)) != m.State.AuditLog.Rows {
		t.Errorf("after the forced restore the audit log holds %d rows, the backup %d", len(got), m.State.AuditLog.Rows)
	}

	// A damaged dump is refused, naming the file.
	if err := os.WriteFile(filepath.Join(dir, "state", "humas.pgdump"), []byte("not a dump"), 0o600); err != nil {
		t.Fatal(err)
	}
	var de *backup.DamageError
	if _, err := backup.Verify(ctx, dir); !errors.As(err, &de) || !strings.Contains(err.Error(), "state/humas.pgdump") {
		t.Errorf("verify of a damaged dump: %v", err)
	}
}

// TestPostgresToolMissing: without pg_dump the backup says what to install
// and which setting points at it.
func TestPostgresToolMissing(t *testing.T) {
	in := newInstallOn(t, storetest.Postgres(t))
	_, err := backup.Run(context.Background(), backup.Options{Dir: filepath.Join(t.TempDir(), "b"), Version: "test",
		State: backup.SourceFor(in.sql, "", t.TempDir()), ClickHouse: in.ch, Logger: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), "pg_dump") || !strings.Contains(err.Error(), "backup.pg_bin_dir") {
		t.Errorf("backup without pg_dump: %v", err)
	}
}
