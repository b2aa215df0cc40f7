package main

import (
	"bytes"
	"context"
	"log/slog"
	"os/exec"
	"strings"
	"testing"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// TestMigrateState moves a SQLite state with units (one under another),
// users, channels with sealed tokens (bytes), media (reals), the audit
// log and NULLs into an empty PostgreSQL database with humas
// migrate-state: every table's count and checksum agree, new rows get ids
// after the copied ones, the audit log stays append-only, and a second
// run into the now full database is refused.
func TestMigrateState(t *testing.T) {
	ctx := context.Background()
	src := storetest.SQLiteFile(t)
	key := bytes.Repeat([]byte{7}, 32)
	orgs := org.NewStore(src, key)
	top, err := orgs.CreateUnit(ctx, org.Unit{Name: "KPU RI", Slug: "kpu-ri", Level: "national"})
	if err != nil {
		t.Fatal(err)
	}
	city, err := orgs.CreateUnit(ctx, org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-salatiga", Level: "city", ParentID: top.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := orgs.CreateChannel(ctx, org.ChannelInput{UnitID: city.ID, Platform: org.Facebook, ExternalID: "1001", Name: "KPU Salatiga",
		AccessToken: "EAAB-token"}); err != nil {
		t.Fatal(err)
	}
	users := auth.NewStore(src)
	for _, n := range []string{"sari", "budi"} {
		if _, _, err := users.CreateUser(ctx, n, city.ID, auth.RoleEditor); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := src.DB.ExecContext(ctx, `INSERT INTO media (unit_id, kind, mime, filename, size, sha256, duration, frame_rate, storage_key, created_at)
VALUES (?, 'video', 'video/mp4', 'a.mp4', 1234, 'abc', 12.345, 29.97, 'k/a.mp4', '2026-12-01T00:00:00.000Z')`, city.ID); err != nil {
		t.Fatal(err)
	}
	dsn := storetest.PostgresDatabase(t)

	migrate := func() (string, error) {
		cmd := exec.Command(binPath, "migrate-state", "--from", "sqlite:"+src.Path(), "--to", "postgres:"+dsn)
		cmd.Env = cleanEnv()
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := migrate()
	if err != nil {
		t.Fatalf("migrate-state: %v\n%s", err, out)
	}
	t.Logf("migrate-state:\n%s", out)
	for _, table := range []string{"units", "users", "channels", "media", "audit_log", "deliveries"} {
		found := false
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) == 6 && f[0] == table {
				found = true
				if f[1] != f[2] || f[3] != f[4] || f[5] != "ok" {
					t.Errorf("%s: %s", table, line)
				}
			}
		}
		if !found {
			t.Errorf("no line for table %s in\n%s", table, out)
		}
	}

	dst, err := store.OpenPostgres(ctx, dsn, src.Path(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	pgOrgs := org.NewStore(dst, key)
	u, err := pgOrgs.CreateUnit(ctx, org.Unit{Name: "KPU Jawa Tengah", Slug: "kpu-jateng", Level: "province", ParentID: top.ID})
	if err != nil || u.ID != city.ID+1 {
		t.Fatalf("new unit after the copy: id %d (want %d), %v", u.ID, city.ID+1, err)
	}
	if tok, err := pgOrgs.ChannelToken(ctx, 1); err != nil || tok != "EAAB-token" {
		t.Fatalf("sealed token after the copy: %q, %v", tok, err)
	}
	if _, err := dst.DB.ExecContext(ctx, `DELETE FROM audit_log`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("delete from the copied audit log: %v", err)
	}
	if out, err := migrate(); err == nil || !strings.Contains(out, "empty database") {
		t.Fatalf("a second copy into the full database: %v\n%s", err, out)
	}
}
