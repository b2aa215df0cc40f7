package config

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func noEnv(string) (string, bool) { return "", false }

func TestBadConfigs(t *testing.T) {
	// Each bad file must fail and the message must name the key (and,
	// where the file gives one, the bad value).
	want := map[string][]string{
		"bad_listen.bad.yaml":             {"listen", "not-an-address", "host:port"},
		"bad_timezone.bad.yaml":           {"timezone", "Asia/Jakartaa", "IANA"},
		"bad_clickhouse_addr.bad.yaml":    {"clickhouse.addr", "127.0.0.1"},
		"bad_cluster.bad.yaml":            {"clickhouse.addr", "ch1:9000, ch2", "comma-separated", "clickhouse.cluster", "humas cluster", "remote_servers"},
		"bad_database.bad.yaml":           {"clickhouse.database", "DROP TABLE"},
		"bad_compression.bad.yaml":        {"clickhouse.compression", "gzip", "lz4, zstd, none"},
		"bad_state_driver.bad.yaml":       {"state.driver", "oracle", "sqlite or postgres"},
		"bad_state_dsn.bad.yaml":          {"state.dsn", "postgres://"},
		"bad_duration.bad.yaml":           {"line 2", "soon", "duration"},
		"bad_graph_url.bad.yaml":          {"graph.url", "ftp://"},
		"bad_graph_version.bad.yaml":      {"graph.version", `"24"`, "v26.0"},
		"unknown_key.bad.yaml":            {"adress", "not found", "line 2"},
		"bad_tick.bad.yaml":               {"scheduler.tick", "every second", "cron"},
		"bad_workers.bad.yaml":            {"scheduler.workers", `"0"`, "1 to 256"},
		"bad_cadence.bad.yaml":            {"collector.cadence[1].up_to", "24h"},
		"bad_secret_key.bad.yaml":         {"secret_key", "openssl rand -hex 32"},
		"bad_log_level.bad.yaml":          {"log.level", "verbose", "debug, info, warn, error"},
		"bad_yaml.bad.yaml":               {"bad_yaml.bad.yaml", "yaml"},
		"bad_carousel.bad.yaml":           {"collector.carousel_as", "video", "photo or interactive"},
		"bad_hashtags.bad.yaml":           {"scheduler.instagram_hashtags_max", `"40"`, "1 to 30"},
		"bad_http_timeouts.bad.yaml":      {"api.read_header_timeout", "1m0s", "at most api.read_timeout (10s)"},
		"bad_trusted_proxy.bad.yaml":      {"api.trusted_proxies[1]", "proxy.example", "CIDR"},
		"bad_body_limit.bad.yaml":         {"api.max_body_bytes", `"10"`, "1024"},
		"bad_smtp.bad.yaml":               {"smtp.from", "humas at kpu dot go dot id", "sender's address"},
		"bad_media_store.bad.yaml":        {"media.store", "ftp", "local", "s3"},
		"bad_media_s3.bad.yaml":           {"media.s3.endpoint", "without scheme", "media.s3.bucket", "Humas_Media", "lowercase"},
		"bad_media_limit.bad.yaml":        {"media.max_upload_bytes", "20000000000", "10 GiB", "media.url_ttl", "7d"},
		"bad_public_url.bad.yaml":         {"public_url", "humas.kpu.go.id", "https://"},
		"bad_oidc_match.bad.yaml":         {"oidc.match", "nip", "name or email"},
		"bad_password_min.bad.yaml":       {"auth.password_min_length", `"6"`, "8 to 64"},
		"bad_report_cache.bad.yaml":       {"api.report_cache_bytes", `"-1"`, "0 for no cache"},
		"bad_memory_limit.bad.yaml":       {"memory_limit_bytes", `"1048576"`, "0 (no limit)", "32 MiB"},
		"bad_backup_schedule.bad.yaml":    {"backup.schedule", "every night", "cron", "backup.keep_daily", "1 to 366"},
		"bad_backup_keep.bad.yaml":        {"backup.keep_monthly", `"-1"`, "0 to 1200", "backup.stale_after", "at least 1h"},
		"bad_retention.bad.yaml":          {"retention.snapshots_full_months", `"2"`, "90 days", "retention.audit_log_months", "legal record"},
		"bad_retention_schedule.bad.yaml": {"retention.schedule", "sometimes", "or off", "retention.followers_months", "12 to 1200"},
	}
	files, err := filepath.Glob("testdata/*.bad.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(want) {
		t.Fatalf("testdata has %d bad files, the table %d: give every file an expectation", len(files), len(want))
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			subs, ok := want[name]
			if !ok {
				t.Fatalf("no expectation for %s", name)
			}
			_, err := Load(f, noEnv)
			if err == nil {
				t.Fatalf("Load(%s) succeeded, want an error", name)
			}
			for _, s := range subs {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestSecretKeyNeverEchoed(t *testing.T) {
	_, err := Load("testdata/bad_secret_key.bad.yaml", noEnv)
	if err == nil || strings.Contains(err.Error(), "short") {
		t.Fatalf("error must not contain the key material: %v", err)
	}
}

func TestDefaults(t *testing.T) {
	cfg, err := Load("", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string][2]string{
		"listen":   {cfg.Listen, "127.0.0.1:8080"},
		"addr":     {cfg.ClickHouse.Addr, "127.0.0.1:9000"},
		"database": {cfg.ClickHouse.Database, "humas"},
		"state":    {cfg.State.Path, "./var/humas.db"},
		"graph":    {cfg.Graph.URL, "https://graph.facebook.com"},
		"tz":       {cfg.Timezone, "Asia/Jakarta"},
		"version":  {cfg.Graph.Version, "v26.0"},
	}
	for k, v := range checks {
		if v[0] != v[1] {
			t.Errorf("%s = %q, want %q", k, v[0], v[1])
		}
	}
}

func TestFileThenEnv(t *testing.T) {
	env := map[string]string{
		"HUMAS_LISTEN":              "127.0.0.1:9999",
		"HUMAS_CLICKHOUSE_PASSWORD": "fromenv",
		"HUMAS_COLLECTOR_ENABLED":   "false",
		"HUMAS_APP_SECRET":          "envsecret",
	}
	cfg, err := Load("testdata/good.yaml", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:9999" {
		t.Errorf("env did not override listen: %q", cfg.Listen)
	}
	if cfg.Timezone != "Asia/Makassar" || cfg.ClickHouse.Addr != "clickhouse:9000" {
		t.Errorf("file values lost: %q %q", cfg.Timezone, cfg.ClickHouse.Addr)
	}
	if cfg.ClickHouse.Password.Reveal() != "fromenv" || cfg.Collector.Enabled {
		t.Errorf("env overrides not applied")
	}
	if len(cfg.Collector.Cadence) != 2 || cfg.Collector.Cadence[1].UpTo.D() != 30*24*time.Hour {
		t.Errorf("cadence from file: %+v", cfg.Collector.Cadence)
	}
	out := cfg.Effective()
	for _, secret := range []string{"fromenv", "envsecret", "s3cret", "topsecret"} {
		if strings.Contains(out, secret) {
			t.Errorf("effective config shows secret %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "password: '********'") && !strings.Contains(out, `password: "********"`) {
		t.Errorf("password not masked:\n%s", out)
	}
}

func TestBadEnv(t *testing.T) {
	cases := []struct{ name, value, want string }{
		{"HUMAS_SCHEDULER_ENABLED", "yes please", "scheduler.enabled (HUMAS_SCHEDULER_ENABLED)"},
		{"HUMAS_SCHEDULER_WORKERS", "many", "HUMAS_SCHEDULER_WORKERS"},
		{"HUMAS_CLICKHOUSE_ADDR", "nohostport", "clickhouse.addr"},
		{"HUMAS_CLICKHOUSE_QUERY_TIMEOUT", "fast", "HUMAS_CLICKHOUSE_QUERY_TIMEOUT"},
		{"HUMAS_API_MAX_BODY_BYTES", "1MB", "api.max_body_bytes (HUMAS_API_MAX_BODY_BYTES)"},
		{"HUMAS_API_READ_TIMEOUT", "slow", "api.read_timeout (HUMAS_API_READ_TIMEOUT)"},
		{"HUMAS_API_WRITE_TIMEOUT", "10s", "api.write_timeout"},
		{"HUMAS_API_TRUSTED_PROXIES", "not-an-ip", "api.trusted_proxies[0]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("", func(k string) (string, bool) {
				if k == tc.name {
					return tc.value, true
				}
				return "", false
			})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.value) {
				t.Fatalf("err = %v, want it to name %q and %q", err, tc.want, tc.value)
			}
		})
	}
}

// TestHTTPServerDefaultsAndEnv: the server's limits have sane defaults
// and each HUMAS_API_* variable sets its key.
func TestHTTPServerDefaultsAndEnv(t *testing.T) {
	cfg, err := Load("", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.API
	if a.MaxBodyBytes != 1<<20 || a.ReadHeaderTimeout.D() != 10*time.Second || a.ReadTimeout.D() != 30*time.Second ||
		a.WriteTimeout.D() != 90*time.Second || a.IdleTimeout.D() != 2*time.Minute || len(a.TrustedProxies) != 0 {
		t.Errorf("defaults: %+v", a)
	}
	env := map[string]string{
		"HUMAS_API_MAX_BODY_BYTES":      "65536",
		"HUMAS_API_READ_HEADER_TIMEOUT": "2s",
		"HUMAS_API_READ_TIMEOUT":        "5s",
		"HUMAS_API_WRITE_TIMEOUT":       "2m",
		"HUMAS_API_IDLE_TIMEOUT":        "30s",
		"HUMAS_API_TRUSTED_PROXIES":     " 10.0.0.5, 172.16.0.0/12 ,",
	}
	cfg, err = Load("", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	a = cfg.API
	if a.MaxBodyBytes != 65536 || a.ReadHeaderTimeout.D() != 2*time.Second || a.ReadTimeout.D() != 5*time.Second ||
		a.WriteTimeout.D() != 2*time.Minute || a.IdleTimeout.D() != 30*time.Second ||
		strings.Join(a.TrustedProxies, "|") != "10.0.0.5|172.16.0.0/12" {
		t.Errorf("from env: %+v", a)
	}
}

func TestDecodeKey(t *testing.T) {
	hexKey := strings.Repeat("ab", 32)
	if k, err := DecodeKey(hexKey); err != nil || len(k) != 32 {
		t.Fatalf("hex key: %v", err)
	}
	if _, err := DecodeKey("abcd"); err == nil {
		t.Fatal("short key accepted")
	}
}

// TestEnvNames: every key of the configuration struct has a variable
// (derived from the struct), the list is testdata/env.txt, and the
// README's configuration table has a row "| `key` | `VARIABLE` |" for
// each, and no row for a key that does not exist.
func TestEnvNames(t *testing.T) {
	var got []string
	for _, e := range EnvNames() {
		got = append(got, e[1]+" "+e[0])
	}
	b, err := os.ReadFile("testdata/env.txt")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			want = append(want, l)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("testdata/env.txt is not the derived list; it should read:\n%s", strings.Join(got, "\n"))
	}
	for _, must := range []string{"graph.timeout HUMAS_GRAPH_TIMEOUT", "scheduler.tick HUMAS_SCHEDULER_TICK",
		"scheduler.policy_block_pause HUMAS_SCHEDULER_POLICY_BLOCK_PAUSE", "graph.app_id HUMAS_APP_ID"} {
		if !slices.Contains(got, must) {
			t.Errorf("no %s", must)
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile("(?m)^\\| `([a-z0-9_.*]+)` \\| `?([A-Z0-9_]*)`? \\|").FindAllStringSubmatch(string(readme), -1)
	documented := map[string]string{}
	for _, r := range rows {
		documented[r[1]] = r[2]
	}
	for _, e := range EnvNames() {
		if v, ok := documented[e[1]]; !ok {
			t.Errorf("README's configuration table has no row for %s", e[1])
		} else if v != e[0] {
			t.Errorf("README gives %s the variable %q, want %s", e[1], v, e[0])
		}
		delete(documented, e[1])
	}
	for k := range documented {
		t.Errorf("README's configuration table has a row for %s, which is no key", k)
	}
}

// TestEveryKeySetFromEnv: each variable sets its key (a value of the
// key's type in, the same value read back in the effective config).
func TestEveryKeySetFromEnv(t *testing.T) {
	values := map[string]string{
		"HUMAS_GRAPH_TIMEOUT":              "7s",
		"HUMAS_SCHEDULER_TICK":             "*/5 * * * * *",
		"HUMAS_COLLECTOR_CADENCE":          "[{up_to: 2d, every: 2h}, {up_to: 30d, every: 1d}]",
		"HUMAS_WEB_SESSION_TTL":            "3h",
		"HUMAS_API_MAX_CONCURRENT_REPORTS": "6",
	}
	cfg, err := Load("", func(k string) (string, bool) { v, ok := values[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Graph.Timeout.D() != 7*time.Second || cfg.Scheduler.Tick != "*/5 * * * * *" || cfg.Web.SessionTTL.D() != 3*time.Hour ||
		cfg.API.MaxConcurrentReports != 6 || len(cfg.Collector.Cadence) != 2 || cfg.Collector.Cadence[0].Every.D() != 2*time.Hour {
		t.Errorf("env not applied: graph.timeout %v, scheduler.tick %q, session_ttl %v, reports %d, cadence %+v",
			cfg.Graph.Timeout, cfg.Scheduler.Tick, cfg.Web.SessionTTL, cfg.API.MaxConcurrentReports, cfg.Collector.Cadence)
	}
	_, err = Load("", func(k string) (string, bool) {
		if k == "HUMAS_COLLECTOR_CADENCE" {
			return "every hour", true
		}
		return "", false
	})
	if err == nil || !strings.Contains(err.Error(), "collector.cadence (HUMAS_COLLECTOR_CADENCE)") {
		t.Errorf("bad cadence from env: %v", err)
	}
}

func TestSMTPFromEnv(t *testing.T) {
	env := map[string]string{"HUMAS_SMTP_HOST": "smtp.kpu.go.id", "HUMAS_SMTP_PORT": "465", "HUMAS_SMTP_TLS": "tls",
		"HUMAS_SMTP_USERNAME": "humas", "HUMAS_SMTP_PASSWORD": "sandi-rahasia", "HUMAS_SMTP_FROM": "Humas KPU <humas@kpu.go.id>"}
	cfg, err := Load("", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.SMTP; !s.Enabled() || s.Port != 465 || s.TLS != "tls" || s.Password.Reveal() != "sandi-rahasia" || s.From != "Humas KPU <humas@kpu.go.id>" {
		t.Errorf("smtp %+v", s)
	}
	if out := cfg.Effective(); strings.Contains(out, "sandi-rahasia") || !strings.Contains(out, "host: smtp.kpu.go.id") {
		t.Errorf("effective config shows the SMTP password or lacks the host:\n%s", out)
	}
	// A password without a user, a bad port, a bad TLS mode: each named,
	// the password never echoed.
	env = map[string]string{"HUMAS_SMTP_HOST": "smtp.kpu.go.id", "HUMAS_SMTP_PORT": "0", "HUMAS_SMTP_TLS": "ssl",
		"HUMAS_SMTP_PASSWORD": "sandi-rahasia", "HUMAS_SMTP_FROM": "humas@kpu.go.id"}
	_, err = Load("", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err == nil {
		t.Fatal("bad SMTP settings accepted")
	}
	for _, want := range []string{"smtp.port", "smtp.tls", "starttls", "smtp.username"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "sandi-rahasia") {
		t.Error("the SMTP password is in the error")
	}
	// No host: no mail, nothing else required.
	if cfg, err := Load("", noEnv); err != nil || cfg.SMTP.Enabled() {
		t.Errorf("default: %v %v", err, cfg.SMTP.Enabled())
	}
}

// TestBackupAndRetentionSettings: defaults, the HUMAS_BACKUP_* and
// HUMAS_RETENTION_* overrides, a bad value naming its variable, and the
// backup folder beside the state database.
func TestBackupAndRetentionSettings(t *testing.T) {
	cfg, err := Load("", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Backup.Schedule != "0 0 2 * * *" || cfg.Backup.KeepDaily != 7 || cfg.Backup.KeepMonthly != 12 || !cfg.Backup.Media ||
		cfg.Retention.SnapshotsFullMonths != 13 || cfg.Retention.FollowersMonths != 0 || cfg.Retention.AuditLogMonths != 0 ||
		cfg.BackupDir() != "./var/backups" {
		t.Errorf("defaults: %+v %+v dir %s", cfg.Backup, cfg.Retention, cfg.BackupDir())
	}
	env := map[string]string{"HUMAS_BACKUP_DIR": "/srv/backup", "HUMAS_BACKUP_SCHEDULE": "off", "HUMAS_BACKUP_KEEP_DAILY": "3",
		"HUMAS_BACKUP_KEEP_MONTHLY": "24", "HUMAS_BACKUP_MEDIA": "false", "HUMAS_RETENTION_SNAPSHOTS_FULL_MONTHS": "0",
		"HUMAS_RETENTION_FOLLOWERS_MONTHS": "36", "HUMAS_RETENTION_AUDIT_LOG_MONTHS": "120", "HUMAS_RETENTION_SCHEDULE": "@daily"}
	cfg, err = Load("", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BackupDir() != "/srv/backup" || cfg.Backup.Schedule != Off || cfg.Backup.KeepDaily != 3 || cfg.Backup.KeepMonthly != 24 ||
		cfg.Backup.Media || cfg.Retention.SnapshotsFullMonths != 0 || cfg.Retention.FollowersMonths != 36 || cfg.Retention.AuditLogMonths != 120 {
		t.Errorf("overrides: %+v %+v", cfg.Backup, cfg.Retention)
	}
	_, err = Load("", func(k string) (string, bool) {
		if k == "HUMAS_BACKUP_KEEP_DAILY" {
			return "seven", true
		}
		return "", false
	})
	if err == nil || !strings.Contains(err.Error(), "backup.keep_daily (HUMAS_BACKUP_KEEP_DAILY)") {
		t.Errorf("bad HUMAS_BACKUP_KEEP_DAILY: %v", err)
	}
}

func TestClickHouseAddrs(t *testing.T) {
	tests := []struct {
		addr string
		want []string
	}{
		{"127.0.0.1:9000", []string{"127.0.0.1:9000"}},
		{"ch1:9000, ch2:9000,", []string{"ch1:9000", "ch2:9000"}},
		{" , ", nil},
	}
	for _, tc := range tests {
		got := ClickHouse{Addr: tc.addr}.Addrs()
		if !slices.Equal(got, tc.want) {
			t.Errorf("Addrs(%q) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}
