package main

import (
	"context"
	"database/sql"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// TestCollectCommandSandbox: `humas collect` in sandbox mode collects the
// demo channels, prints a summary line and exits 0; a second run for one
// channel since a date works too; a wrong channel is a usage error.
func TestCollectCommandSandbox(t *testing.T) {
	chCfg := storetest.ClickHouseConfig(t)
	ch := storetest.ClickHouse(t)
	t.Cleanup(func() { _ = ch.Exec(context.Background(), "DROP DATABASE IF EXISTS `"+chCfg.Database+"`") })
	dir := t.TempDir()
	env := append(cleanEnv(), "HUMAS_CLICKHOUSE_ADDR="+chCfg.Addr, "HUMAS_CLICKHOUSE_DATABASE="+chCfg.Database,
		"HUMAS_STATE_PATH="+filepath.Join(dir, "humas.db"), "HUMAS_COLLECTOR_BUFFER_PATH="+filepath.Join(dir, "buffer"),
		"HUMAS_SANDBOX=true", "HUMAS_LOG_LEVEL=warn")
	collect := func(args ...string) (string, error) {
		cmd := exec.Command(binPath, append([]string{"collect"}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := collect()
	if err != nil {
		t.Fatalf("collect: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`collect \S+: done: (\d+)/(\d+) channels, 0 failed, 0 paused; (\d+) posts`).FindStringSubmatch(out)
	if m == nil || m[1] != m[2] || m[3] == "0" {
		t.Fatalf("summary line missing or wrong:\n%s", out)
	}
	posts, _ := strconv.Atoi(m[3])
	var n uint64
	if err := ch.QueryRow(context.Background(), "SELECT count() FROM `"+chCfg.Database+"`.post_metrics FINAL").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if int(n) != posts {
		t.Fatalf("%d snapshots in ClickHouse, the summary says %d posts", n, posts)
	}
	if out, err := collect("--channel", "1", "--since", "2026-01-01"); err != nil || !strings.Contains(out, ": done: 1/1 channels") {
		t.Fatalf("collect --channel 1: %v\n%s", err, out)
	}

	// A run in another process (serve) holds the lease: collect refuses,
	// naming it, and exits non-zero.
	db, err := sql.Open("sqlite", filepath.Join(dir, "humas.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := store.FormatTime(time.Now())
	if _, err := db.Exec(`INSERT INTO collect_runs (id, trigger_kind, status, started_at, heartbeat_at)
VALUES ('run-in-serve', 'schedule', 'running', ?, ?)`, now, now); err != nil {
		t.Fatal(err)
	}
	out, err = collect()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() == 0 || !strings.Contains(out, "run run-in-serve") ||
		!strings.Contains(out, "another collection is running") || !strings.Contains(out, "koleksi lain sedang berjalan") {
		t.Fatalf("collect while another process runs: %v\n%s", err, out)
	}
	if _, err := db.Exec(`UPDATE collect_runs SET status = 'done' WHERE id = 'run-in-serve'`); err != nil {
		t.Fatal(err)
	}

	out, err = collect("--channel", "9999")
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(out, "no channel with id 9999") {
		t.Fatalf("unknown channel: %v\n%s", err, out)
	}
}
