package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/humas-id/humas/backup"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/store/storetest"
)

// TestBackupJobOutcome: the scheduled job's outcome reaches /metrics and
// the /readyz details (the last good backup's age, stale after
// backup.stale_after), a failure is shown with its error, and the job
// rotates the folder to the keep policy.
func TestBackupJobOutcome(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Default()
	cfg.State.Path = filepath.Join(dir, "var", "humas.db")
	cfg.Backup.Dir = filepath.Join(dir, "backups")
	cfg.Backup.KeepDaily, cfg.Backup.KeepMonthly = 1, 0
	cfg.Media.Path = filepath.Join(dir, "var", "media")
	st := &stores{ch: storetest.ClickHouse(t), sql: storetest.SQLite(t)}
	now := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	reg := prometheus.NewRegistry()
	j := &backupJob{cfg: cfg, st: st, log: slog.New(slog.DiscardHandler), now: clock}
	if err := j.register(reg); err != nil {
		t.Fatal(err)
	}
	d := j.describe().(map[string]any)
	if d["last_good"] != nil || d["stale"] != true {
		t.Errorf("before any backup: %v", d)
	}
	ctx := context.Background()
	for range 3 { // three backups on one day: the keep policy leaves the newest
		if err := j.Run(ctx); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	if n := testutil.ToFloat64(j.runs.WithLabelValues("ok")); n != 3 {
		t.Errorf("humas_backup_runs_total{outcome=ok} = %v", n)
	}
	all, err := backup.List(cfg.BackupDir())
	if err != nil || len(all) != 1 {
		t.Fatalf("after rotation %d backups (%v), want 1", len(all), err)
	}
	if testutil.ToFloat64(j.size.WithLabelValues("total")) <= 0 {
		t.Error("humas_backup_last_bytes{kind=total} not set")
	}
	good, err := testutil.GatherAndCount(reg, "humas_backup_last_good_timestamp_seconds")
	if err != nil || good != 1 {
		t.Errorf("humas_backup_last_good_timestamp_seconds: %d series, %v", good, err)
	}
	now = all[0].CreatedAt.Add(time.Hour)
	d = j.describe().(map[string]any)
	last, _ := d["last_good"].(map[string]any)
	if last == nil || last["age_seconds"] != int64(3600) || d["stale"] != false || last["name"] != all[0].Name {
		t.Errorf("details after a backup: %v", d)
	}
	now = now.Add(48 * time.Hour)
	if d := j.describe().(map[string]any); d["stale"] != true {
		t.Errorf("a backup 49 h old is not stale: %v", d)
	}
	// A backup that cannot be written.
	if err := os.Chmod(cfg.BackupDir(), 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(cfg.BackupDir(), 0o700) })
	if os.Geteuid() == 0 {
		// root writes anyway: make the folder a file instead.
		os.Chmod(cfg.BackupDir(), 0o700)
		os.RemoveAll(cfg.BackupDir())
		if err := os.WriteFile(cfg.BackupDir(), []byte("not a folder"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Run(ctx); err == nil {
		t.Fatal("a backup into an unusable folder succeeded")
	}
	if n := testutil.ToFloat64(j.runs.WithLabelValues("error")); n != 1 {
		t.Errorf("humas_backup_runs_total{outcome=error} = %v", n)
	}
	if d := j.describe().(map[string]any); d["last_error"] == nil || !strings.Contains(d["last_error"].(string), cfg.BackupDir()) {
		t.Errorf("details after a failure: %v", d)
	}
}

// TestReplicatedClickHouseRefused: with clickhouse.cluster set, restore and
// retention (made for one server) refuse, naming the setting, and serve's
// retention job says why it does not run instead of failing every night.
func TestReplicatedClickHouseRefused(t *testing.T) {
	t.Setenv("HUMAS_CLICKHOUSE_CLUSTER", "humas")
	t.Setenv("HUMAS_STATE_PATH", filepath.Join(t.TempDir(), "humas.db"))
	for _, args := range [][]string{{"restore", "--from", t.TempDir()}, {"retention"}} {
		var out strings.Builder
		err := run(context.Background(), args, &out, &out)
		if err == nil || !strings.Contains(err.Error(), "clickhouse.cluster") || !strings.Contains(err.Error(), "not supported yet") {
			t.Errorf("humas %s with a cluster: %v", args[0], err)
		}
	}
	cfg := config.Default()
	cfg.ClickHouse.Cluster = "humas"
	j := &retentionJob{spec: "0 30 4 * * *", log: slog.New(slog.DiscardHandler), unsupported: clusterUnsupported(cfg, "retention")}
	if err := j.Start(context.Background()); err != nil || j.cron != nil {
		t.Fatalf("the retention job started on a cluster: %v", err)
	}
	if d := j.describe().(map[string]any); !strings.Contains(d["not_running"].(string), "clickhouse.cluster") {
		t.Errorf("/readyz retention details: %v", d)
	}
}

// TestPostgresStateRefused: a restore into a PostgreSQL state database is
// refused saying so (only SQLite backups exist), before anything is read.
func TestPostgresStateRefused(t *testing.T) {
	t.Setenv("HUMAS_STATE_DRIVER", "postgres")
	t.Setenv("HUMAS_STATE_DSN", "postgres://humas@127.0.0.1:1/humas?sslmode=disable")
	var out strings.Builder
	err := run(context.Background(), []string{"restore", "--from", t.TempDir()}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "state.driver postgres") || !strings.Contains(err.Error(), "not supported yet") {
		t.Errorf("humas restore with a PostgreSQL state: %v", err)
	}
	if err := stateUnsupported(config.Default(), "a backup"); err != nil {
		t.Errorf("SQLite state refused: %v", err)
	}
}
