package main

import (
	"context"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// TestCLIAdminCommandsAreAudited: humas unit add, user add and user
// revoke each leave an audit line by the actor "cli", without the token.
func TestCLIAdminCommandsAreAudited(t *testing.T) {
	chCfg := storetest.ClickHouseConfig(t)
	ch := storetest.ClickHouse(t)
	t.Cleanup(func() { _ = ch.Exec(context.Background(), "DROP DATABASE IF EXISTS `"+chCfg.Database+"`") })
	state := filepath.Join(t.TempDir(), "humas.db")
	env := append(cleanEnv(), "HUMAS_CLICKHOUSE_ADDR="+chCfg.Addr, "HUMAS_CLICKHOUSE_DATABASE="+chCfg.Database,
		"HUMAS_STATE_PATH="+state, "HUMAS_LOG_LEVEL=warn")
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(binPath, args...)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("humas %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("unit", "add", "--name", "KPU RI", "--slug", "kpu-ri", "--level", "national")
	link := strings.TrimSpace(run("user", "add", "--name", "sari", "--unit", "kpu-ri", "--role", "editor"))
	run("user", "revoke", "--name", "sari")
	if !strings.HasPrefix(link, "http://127.0.0.1:8080/setup/") {
		t.Fatalf("user add printed %q, not a setup link", link)
	}
	tok := link[strings.LastIndex(link, "/")+1:]

	db, err := store.OpenSQLite(context.Background(), state, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.DB.Query(`SELECT actor_id IS NULL, actor_name, entity, action, detail FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var noID bool
		var actor, entity, action, detail string
		if err := rows.Scan(&noID, &actor, &entity, &action, &detail); err != nil {
			t.Fatal(err)
		}
		if actor != "cli" || !noID {
			t.Errorf("%s %s by %q (no id: %v), want cli", entity, action, actor, noID)
		}
		if strings.Contains(detail, tok) || strings.Contains(detail, tok[:12]) {
			t.Errorf("%s %s audit line holds the token: %s", entity, action, detail)
		}
		got = append(got, entity+" "+action)
	}
	if strings.Join(got, ",") != "unit create,user create,user setup_link,user revoke" {
		t.Errorf("audit lines %q", got)
	}
}

// TestUserCommandsWithoutClickHouse: users and units live in SQLite, so
// an administrator can add them while ClickHouse is down; unit add says
// the reports will pick the unit up later.
func TestUserCommandsWithoutClickHouse(t *testing.T) {
	dir := t.TempDir()
	env := append(cleanEnv(), "HUMAS_CLICKHOUSE_ADDR=127.0.0.1:1", "HUMAS_STATE_PATH="+dir+"/humas.db", "HUMAS_LOG_LEVEL=error")
	run := func(args ...string) (string, string, error) {
		cmd := exec.Command(binPath, args...)
		cmd.Env = env
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		return out.String(), errb.String(), err
	}
	out, errText, err := run("unit", "add", "--name", "KPU RI", "--slug", "kpu-ri", "--level", "national")
	if err != nil || !strings.Contains(out, "unit kpu-ri created") {
		t.Fatalf("unit add: %v\n%s%s", err, out, errText)
	}
	if !strings.Contains(errText, "not yet in ClickHouse reports") {
		t.Errorf("unit add does not say the reports lack the unit yet:\n%s", errText)
	}
	out, errText, err = run("user", "add", "--name", "admin", "--unit", "kpu-ri", "--role", "admin")
	if err != nil || !strings.HasPrefix(strings.TrimSpace(out), "http://127.0.0.1:8080/setup/") || strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Fatalf("user add: %v; stdout must be the setup link alone: %q\n%s", err, out, errText)
	}
	// A new link for the same user, and an API token for scripts.
	out, errText, err = run("user", "reset-password", "--name", "admin")
	if err != nil || !strings.HasPrefix(strings.TrimSpace(out), "http://127.0.0.1:8080/setup/") {
		t.Fatalf("user reset-password: %v %q\n%s", err, out, errText)
	}
	out, errText, err = run("user", "token", "--name", "admin", "--token-name", "grafana", "--days", "30")
	if err != nil || !strings.HasPrefix(strings.TrimSpace(out), "humas_") {
		t.Fatalf("user token: %v %q\n%s", err, out, errText)
	}
}

// TestCLIKeepsTheLastAdmin: humas user revoke and user role refuse to
// take the admin role from the last active admin (exit status non-zero,
// saying why and what to do); with a second admin both work. The ppid
// role is accepted everywhere roles are.
func TestCLIKeepsTheLastAdmin(t *testing.T) {
	dir := t.TempDir()
	env := append(cleanEnv(), "HUMAS_CLICKHOUSE_ADDR=127.0.0.1:1", "HUMAS_STATE_PATH="+dir+"/humas.db", "HUMAS_LOG_LEVEL=error")
	run := func(args ...string) (string, error) {
		cmd := exec.Command(binPath, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	must := func(args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatalf("humas %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	must("unit", "add", "--name", "KPU RI", "--slug", "kpu-ri", "--level", "national", "--classification-by", "ppid")
	must("user", "add", "--name", "admin", "--unit", "kpu-ri", "--role", "admin")
	must("user", "add", "--name", "ppid.ri", "--unit", "kpu-ri", "--role", "ppid")
	if out := must("unit", "list"); !strings.Contains(out, "ppid") {
		t.Errorf("unit list does not show who classifies:\n%s", out)
	}
	for _, args := range [][]string{{"user", "revoke", "--name", "admin"}, {"user", "role", "--name", "admin", "--role", "viewer"}} {
		out, err := run(args...)
		if err == nil || !strings.Contains(out, "last active admin") || !strings.Contains(out, "add another admin first") {
			t.Errorf("humas %s: err %v, output:\n%s", strings.Join(args, " "), err, out)
		}
	}
	if out := must("user", "role", "--name", "ppid.ri", "--role", "admin"); !strings.Contains(out, "is now admin") {
		t.Errorf("user role: %s", out)
	}
	must("user", "revoke", "--name", "admin")
	if out := must("user", "list"); !strings.Contains(out, "ppid.ri") || !strings.Contains(out, "revoked") {
		t.Errorf("user list:\n%s", out)
	}
}
