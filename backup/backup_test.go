package backup_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/backup"
	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/store"
)

// tableRows reads every row of a table (FINAL: what it means) as text, in
// a fixed order, to compare two installations.
func tableRows(t *testing.T, ch *store.ClickHouse, table string) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := ch.Query(ctx, `SELECT name FROM system.columns WHERE database = currentDatabase() AND table = ?`, table)
	if err != nil {
		t.Fatal(err)
	}
	var exprs []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		exprs = append(exprs, "toString(`"+n+"`)")
	}
	rows.Close()
	slices.Sort(exprs)
	q := "SELECT " + strings.Join(exprs, ", ") + " FROM `" + table + "` FINAL ORDER BY " + strings.Join(exprs, ", ")
	r, err := ch.Query(ctx, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer r.Close()
	var out []string
	vals := make([]string, len(exprs))
	ptrs := make([]any, len(exprs))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for r.Next() {
		if err := r.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Join(vals, "\t"))
	}
	return out
}

// latestFigures reads each post's latest snapshot and attributes from the
// per-post aggregate the materialized views fill, and the nearest-to-age
// rows: what reports are built from.
func latestFigures(t *testing.T, ch *store.ClickHouse) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT toString(post_key), post_id, toString(reach), toString(likes), ctype, toString(unit)
		    FROM (SELECT post_key, post_id, reach, likes FROM post_latest FINAL) AS l
		    ANY LEFT JOIN (SELECT cityHash64(platform, post_id) AS post_key, content_type AS ctype, unit_id AS unit FROM posts FINAL) AS d
		    USING post_key ORDER BY post_key`,
		`SELECT toString(age), toString(post_key), toString(reach), toString(likes), '', '' FROM post_at_age FINAL ORDER BY age, post_key`,
	} {
		rows, err := ch.Query(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var a, b, c, d, e, f string
			if err := rows.Scan(&a, &b, &c, &d, &e, &f); err != nil {
				t.Fatal(err)
			}
			out = append(out, strings.Join([]string{a, b, c, d, e, f}, " "))
		}
		rows.Close()
	}
	return out
}

// auditRows reads the audit log row by row, every column as SQLite holds it.
func auditRows(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT quote(id) || '|' || quote(at) || '|' || quote(actor_id) || '|' || quote(actor_name) || '|' ||
		quote(entity) || '|' || quote(entity_id) || '|' || quote(action) || '|' || quote(from_state) || '|' || quote(to_state) || '|' ||
		quote(reason) || '|' || quote(detail) FROM audit_log ORDER BY id`)
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

func openState(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func sameRows(t *testing.T, what string, want, got []string) {
	t.Helper()
	if len(want) == 0 {
		t.Fatalf("%s: the original holds no rows; the comparison would prove nothing", what)
	}
	if !slices.Equal(want, got) {
		t.Errorf("%s differs after the restore: %d rows, want %d\nfirst want: %q\nfirst got:  %q", what, len(got), len(want),
			first(want), first(got))
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// TestBackupRestoreRoundTrip backs up an installation while a writer keeps
// adding audit rows, checks the backup, restores it into an empty
// installation, and compares everything: every source table row, the
// per-post aggregates the views rebuild, the audit log byte for byte (the
// rows present when the state was copied), users, the media files' bytes.
func TestBackupRestoreRoundTrip(t *testing.T) {
	in := newInstall(t)
	in.seed(t)
	ctx := context.Background()

	// A writer appends audit rows while the backup runs.
	stopWriter := auditWriter(t, in.sql.DB)
	dir := filepath.Join(t.TempDir(), "b1")
	res := in.backup(t, dir, "")
	stopWriter()

	m := res.Manifest
	if m.SecretKeyFingerprint != backup.Fingerprint(in.key) || m.SecretKeyFingerprint == "" || strings.Contains(readFile(t, dir, backup.ManifestName), fmt.Sprintf("%x", in.key)) {
		t.Errorf("fingerprint %q; the manifest must carry the key's fingerprint, never the key", m.SecretKeyFingerprint)
	}
	if !strings.Contains(readFile(t, dir, backup.ReadmeName), "Keep the key separately") {
		t.Error("the README does not warn that the key must be kept apart")
	}
	if m.State.AuditLog.Rows < 20 || m.State.Tables["users"] != 2 || len(m.Media.Blobs) != 2 {
		t.Errorf("manifest: audit %d rows, users %d, media %d", m.State.AuditLog.Rows, m.State.Tables["users"], len(m.Media.Blobs))
	}
	var parts int
	for _, tb := range m.ClickHouse.Tables {
		parts += len(tb.Partitions)
		if tb.Name == "post_metrics" && (len(tb.Partitions) < 3 || !tb.Final) {
			t.Errorf("post_metrics: %d partitions (final %v), want one per month", len(tb.Partitions), tb.Final)
		}
	}
	if len(m.ClickHouse.Tables) != len(store.SourceTables) || !slices.Contains(m.ClickHouse.Derived, "post_latest") {
		t.Errorf("exported %d tables, derived %v", len(m.ClickHouse.Tables), m.ClickHouse.Derived)
	}
	if _, err := backup.Verify(ctx, dir); err != nil {
		t.Fatalf("verify: %v", err)
	}

	tg := newTarget(t)
	rr, err := tg.restore(dir, in.key, false)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if rr.Blobs != 2 || rr.Rows == 0 {
		t.Errorf("restored %d rows, %d media files", rr.Rows, rr.Blobs)
	}
	for _, table := range store.SourceTables {
		sameRows(t, table, tableRows(t, in.ch, table), tableRows(t, tg.ch, table))
	}
	sameRows(t, "per-post aggregates", latestFigures(t, in.ch), latestFigures(t, tg.ch))

	orig := auditRows(t, in.sql.DB)
	got := auditRows(t, openState(t, tg.statePath))
	if int64(len(got)) != m.State.AuditLog.Rows || !slices.Equal(got, orig[:len(got)]) {
		t.Errorf("the restored audit log (%d rows) is not the original's first %d rows", len(got), m.State.AuditLog.Rows)
	}
	for _, b := range m.Media.Blobs {
		if a, c := blobBytes(t, in.blobs, b.Key), blobBytes(t, tg.blobs, b.Key); a != c {
			t.Errorf("media %s differs after the restore", b.Key)
		}
	}
	var users int
	if err := openState(t, tg.statePath).QueryRow(`SELECT count(*) FROM users`).Scan(&users); err != nil || users != 2 {
		t.Errorf("restored users: %d, %v", users, err)
	}
	if !slices.Equal(m.State.Files, []string{"logos/unit-1.png"}) {
		t.Errorf("state files in the manifest: %v, want the logo", m.State.Files)
	}
	logo, err := os.ReadFile(filepath.Join(filepath.Dir(tg.statePath), "logos", "unit-1.png"))
	if err != nil || string(logo) != string(logoBytes) {
		t.Errorf("the logo beside the restored state database: %d bytes, %v", len(logo), err)
	}
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func blobBytes(t *testing.T, blobs media.Blobs, key string) string {
	t.Helper()
	obj, err := blobs.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("media %s: %v", key, err)
	}
	defer obj.Close()
	b, err := io.ReadAll(obj)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestIncrementalReusesUnchangedPartitions: a second backup based on the
// first links the files of partitions and media that did not change and
// reads again only the partition that got new rows; restored, it holds
// everything, the new rows included.
func TestIncrementalReusesUnchangedPartitions(t *testing.T) {
	in := newInstall(t)
	in.seed(t)
	root := t.TempDir()
	first := in.backup(t, filepath.Join(root, "b1"), "")

	// New snapshots in one month only (January 2026), and one more medium.
	jan := time.Date(2026, 1, 10, 6, 0, 0, 0, time.UTC)
	in.batch(t, `INSERT INTO post_metrics (slot, collected_at, platform, post_id, channel_id, account_id, published_at, reach, likes,
		metric_fields, metric_sources)`, [][]any{{jan, jan.Add(time.Minute), "facebook", "post5", uint64(1), "acct",
		time.Date(2025, 12, 15, 2, 0, 0, 0, time.UTC), uint64(9999), uint64(99), []string{"reach"}, []string{"x"}}})
	in.addMedia(t, "u1/2026/02/new.jpg", []byte("a new photo"))
	second := in.backup(t, filepath.Join(root, "b2"), filepath.Join(root, "b1"))

	if second.Manifest.Base != "b1" {
		t.Errorf("base %q, want b1", second.Manifest.Base)
	}
	files := map[string]backup.File{}
	for _, f := range second.Manifest.Files {
		files[f.Path] = f
	}
	var reused, changed []string
	for _, tb := range second.Manifest.ClickHouse.Tables {
		for _, p := range tb.Partitions {
			f := files[p.File]
			if f.Reused {
				reused = append(reused, p.File)
				same(t, filepath.Join(root, "b1", p.File), filepath.Join(root, "b2", p.File))
			} else {
				changed = append(changed, p.File)
			}
		}
	}
	if !slices.Contains(changed, "clickhouse/post_metrics/202601.rowbinary.zst") {
		t.Errorf("the partition with new rows was not read again; read again: %v", changed)
	}
	if slices.Contains(changed, "clickhouse/post_metrics/202511.rowbinary.zst") || len(reused) < 4 {
		t.Errorf("unchanged partitions read again: reused %v, read %v", reused, changed)
	}
	if !files["media/u1/2026/01/00.jpg"].Reused || files["media/u1/2026/02/new.jpg"].Reused || files["media/u1/2026/02/new.jpg"].Size == 0 {
		t.Errorf("media: old not reused or new one missing: %+v", files)
	}
	if second.NewBytes >= second.Bytes || second.NewBytes == 0 {
		t.Errorf("the second backup wrote %d of %d bytes afresh", second.NewBytes, second.Bytes)
	}
	// Each backup stands alone: the first one can go.
	if err := os.RemoveAll(filepath.Join(root, "b1")); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Verify(context.Background(), filepath.Join(root, "b2")); err != nil {
		t.Fatalf("the incremental backup without its base: %v", err)
	}
	tg := newTarget(t)
	if _, err := tg.restore(filepath.Join(root, "b2"), in.key, false); err != nil {
		t.Fatal(err)
	}
	sameRows(t, "post_metrics", tableRows(t, in.ch, "post_metrics"), tableRows(t, tg.ch, "post_metrics"))
	if got := blobBytes(t, tg.blobs, "u1/2026/02/new.jpg"); got != "a new photo" {
		t.Errorf("new medium restored as %q", got)
	}
	_ = first
}

func same(t *testing.T, a, b string) {
	t.Helper()
	sa, err := os.Stat(a)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := os.Stat(b)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(sa, sb) {
		t.Errorf("%s is a copy, not a link to the base backup's file", b)
	}
}

// TestDamagedBackupRefused: a truncated file and a changed byte are found
// by verify and by restore, each naming the file; the restore touches
// nothing.
func TestDamagedBackupRefused(t *testing.T) {
	in := newInstall(t)
	in.seed(t)
	root := t.TempDir()
	in.backup(t, filepath.Join(root, "good"), "")
	ctx := context.Background()

	cases := []struct {
		name, file, want string
		damage           func(path string) error
	}{
		{"truncated partition", "clickhouse/post_metrics/202512.rowbinary.zst", "truncated", func(p string) error {
			st, err := os.Stat(p)
			if err != nil {
				return err
			}
			return os.Truncate(p, st.Size()/2)
		}},
		{"changed byte in the state copy", "state/humas.db", "SHA-256 differs", flipByte},
		{"changed byte in a medium", "media/u1/2026/01/00.jpg", "SHA-256 differs", flipByte},
		{"changed byte in a logo", "state/files/logos/unit-1.png", "SHA-256 differs", flipByte},
		{"changed manifest", backup.ManifestName, "manifest.json", func(p string) error {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(p, []byte(strings.Replace(string(b), `"rows": `, `"rows": 1`, 1)), 0o600)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "copy")
			if err := os.CopyFS(dir, os.DirFS(filepath.Join(root, "good"))); err != nil {
				t.Fatal(err)
			}
			if err := tc.damage(filepath.Join(dir, tc.file)); err != nil {
				t.Fatal(err)
			}
			_, err := backup.Verify(ctx, dir)
			if err == nil || !strings.Contains(err.Error(), tc.file) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("verify: %v; want it to name %s (%s)", err, tc.file, tc.want)
			}
			tg := newTarget(t)
			_, err = tg.restore(dir, in.key, false)
			if err == nil || !strings.Contains(err.Error(), tc.file) {
				t.Fatalf("restore: %v; want a refusal naming %s", err, tc.file)
			}
			if _, err := os.Stat(tg.statePath); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused restore wrote the state database: %v", err)
			}
			var tables uint64
			if err := tg.ch.QueryRow(ctx, `SELECT count() FROM system.tables WHERE database = currentDatabase()`).Scan(&tables); err != nil || tables != 0 {
				t.Errorf("a refused restore created %d tables (%v)", tables, err)
			}
		})
	}
}

func flipByte(p string) error {
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	b[len(b)/2] ^= 0x01
	return os.WriteFile(p, b, 0o600)
}

// TestRestoreRefusesNonEmptyInstallation: an installation with data is not
// replaced without --force; with it, the old state database is kept aside.
func TestRestoreRefusesNonEmptyInstallation(t *testing.T) {
	in := newInstall(t)
	in.seed(t)
	dir := filepath.Join(t.TempDir(), "b")
	in.backup(t, dir, "")
	tg := newTarget(t)
	if _, err := tg.restore(dir, in.key, false); err != nil {
		t.Fatal(err)
	}
	_, err := tg.restore(dir, in.key, false)
	if !errors.Is(err, backup.ErrNotEmpty) || !strings.Contains(err.Error(), "--force") || !strings.Contains(err.Error(), "post_metrics") ||
		!strings.Contains(err.Error(), "users") {
		t.Fatalf("second restore: %v; want ErrNotEmpty naming what is there and --force", err)
	}
	if _, err := tg.restore(dir, in.key, true); err != nil {
		t.Fatalf("restore --force: %v", err)
	}
	aside, _ := filepath.Glob(tg.statePath + ".before-restore-*")
	if len(aside) == 0 {
		t.Error("the replaced state database was not kept aside")
	}
	sameRows(t, "post_metrics", tableRows(t, in.ch, "post_metrics"), tableRows(t, tg.ch, "post_metrics"))
}

// TestRestoreNeedsTheSameKey: a restore with another secret key, or none,
// is refused naming both fingerprints; --without-key restores anyway.
func TestRestoreNeedsTheSameKey(t *testing.T) {
	in := newInstall(t)
	in.seed(t)
	dir := filepath.Join(t.TempDir(), "b")
	in.backup(t, dir, "")
	other := make([]byte, 32)
	tg := newTarget(t)
	for _, key := range [][]byte{other, nil} {
		_, err := tg.restore(dir, key, false)
		if err == nil || !strings.Contains(err.Error(), backup.Fingerprint(in.key)) || !strings.Contains(err.Error(), "--without-key") {
			t.Fatalf("restore with key %x: %v", key, err)
		}
	}
	if _, err := backup.Restore(context.Background(), backup.RestoreOptions{From: dir, WithoutKey: true,
		State: backup.SQLiteTarget{Path: tg.statePath}, ClickHouse: tg.ch, Media: tg.blobs}); err != nil {
		t.Fatalf("--without-key: %v", err)
	}
}
