package dashboards

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// promExprs lists every PromQL expression of the dashboards with where it
// is used.
func promExprs(t *testing.T) map[string]string {
	t.Helper()
	dbs, _ := loadAll(t)
	out := map[string]string{}
	for _, d := range dbs {
		for _, p := range d.AllPanels() {
			for _, tg := range p.Targets {
				if tg.Expr != "" {
					out[tg.Expr] = fmt.Sprintf("%s panel %q target %s", d.Path, p.Title, tg.RefID)
				}
			}
		}
		for _, v := range d.Templating.List {
			if v.Datasource != nil && v.Datasource.Type == TypePrometheus {
				out[v.SQL()] = fmt.Sprintf("%s variable %s", d.Path, v.Name)
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no PromQL in the dashboards")
	}
	return out
}

var metricNameRe = regexp.MustCompile(`\bhumas_[a-zA-Z0-9_]+`)

// withGrafanaVars replaces Grafana's interval variables the way Grafana
// does before sending the query, so promtool can parse it.
func withGrafanaVars(expr string) string {
	return strings.NewReplacer("$__rate_interval", "5m", "${__rate_interval}", "5m", "$__interval", "1m",
		"${__interval}", "1m", "$__range", "1h", "${__range}", "1h").Replace(expr)
}

func promtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("promtool is required in CI (Debian: apt-get install -y prometheus; .ci/run installs it)")
		}
		t.Skip("no promtool (apt-get install -y prometheus)")
	}
	return p
}

// TestPromQLParses hands every expression to promtool as a recording rule.
func TestPromQLParses(t *testing.T) {
	tool := promtool(t)
	exprs := promExprs(t)
	var b strings.Builder
	b.WriteString("groups:\n  - name: dashboards\n    rules:\n")
	var keys []string
	for e := range exprs {
		keys = append(keys, e)
	}
	sort.Strings(keys)
	for i, e := range keys {
		fmt.Fprintf(&b, "      - record: humas:dashboard_expr_%d\n        expr: %q\n", i, withGrafanaVars(e))
	}
	f := filepath.Join(t.TempDir(), "rules.yml")
	if err := os.WriteFile(f, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "check", "rules", f).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules: %v\n%s\n%s", err, out, b.String())
	}
}

// TestMetricsExported builds and runs the humas binary (sandbox, scheduler
// and collector on, a collection every second), scrapes /metrics, runs
// promtool check metrics on the scrape, and checks every metric the
// dashboards name is in it.
func TestMetricsExported(t *testing.T) {
	tool := promtool(t)
	exprs := promExprs(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// A fresh database of our own, dropped at the end.
	cfg := storetest.ClickHouseConfig(t)
	ch, err := store.OpenClickHouse(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("ClickHouse at %s is required in CI: %v", cfg.Addr, err)
		}
		t.Skipf("no ClickHouse at %s: %v", cfg.Addr, err)
	}
	t.Cleanup(func() {
		_ = ch.Exec(context.Background(), "DROP DATABASE IF EXISTS `"+cfg.Database+"`")
		ch.Close()
	})

	dir := t.TempDir()
	bin := filepath.Join(dir, "humas")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/humas")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/humas: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var key [32]byte
	_, _ = rand.Read(key[:])
	cmd := exec.CommandContext(ctx, bin, "serve", "--sandbox")
	cmd.Env = append(os.Environ(),
		"HUMAS_LISTEN="+addr,
		"HUMAS_CLICKHOUSE_ADDR="+cfg.Addr,
		"HUMAS_CLICKHOUSE_DATABASE="+cfg.Database,
		"HUMAS_STATE_PATH="+filepath.Join(dir, "humas.db"),
		"HUMAS_COLLECTOR_BUFFER_PATH="+filepath.Join(dir, "buffer"),
		"HUMAS_SECRET_KEY="+hex.EncodeToString(key[:]),
		"HUMAS_SANDBOX=true",
		"HUMAS_SCHEDULER_ENABLED=true",
		"HUMAS_COLLECTOR_ENABLED=true",
		"HUMAS_COLLECTOR_SCHEDULE=* * * * * *",
		"HUMAS_LOG_LEVEL=warn",
	)
	logs := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = cmd.Wait() }()

	base := "http://" + addr
	get := func(path string) (string, int, error) {
		resp, err := http.Get(base + path)
		if err != nil {
			return "", 0, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), resp.StatusCode, err
	}
	// Wait for the server, then make a few requests so the HTTP metrics
	// have series. A deadline, not a timed assertion: a slow machine only
	// waits longer.
	want := map[string]string{}
	for e, where := range exprs {
		for _, n := range metricNameRe.FindAllString(e, -1) {
			want[n] = where
		}
	}
	var scrape string
	var families map[string]string
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, code, err := get("/healthz"); err == nil && code == 200 {
			_, _, _ = get("/readyz")
			_, _, _ = get("/api/v1/does-not-exist")
			body, code, err := get("/metrics")
			if err == nil && code == 200 {
				scrape, families = body, metricFamilies(body)
				if len(missingMetrics(want, families)) == 0 {
					break
				}
			}
		}
		if time.Now().After(deadline) || cmd.ProcessState != nil {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if scrape == "" {
		t.Fatalf("humas serve never answered /metrics on %s; its log:\n%s", addr, logs.String())
	}
	f := filepath.Join(dir, "scrape.txt")
	if err := os.WriteFile(f, []byte(scrape), 0o600); err != nil {
		t.Fatal(err)
	}
	check := exec.Command(tool, "check", "metrics")
	check.Stdin = strings.NewReader(scrape)
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics on the scrape of humas serve: %v\n%s", err, out)
	}
	var humas []string
	for n := range families {
		if strings.HasPrefix(n, "humas_") {
			humas = append(humas, n)
		}
	}
	sort.Strings(humas)
	t.Logf("humas metrics in the scrape: %s", strings.Join(humas, " "))
	for _, m := range missingMetrics(want, families) {
		t.Errorf("%s uses %s, which a running humas does not export (scraped families: %s). "+
			"If it is a vector that has not been observed yet, initialise its known label values at construction.",
			want[m], m, strings.Join(humas, ", "))
	}
}

// metricFamilies reads "# TYPE name kind" lines of a text scrape.
func metricFamilies(scrape string) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(scrape))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 4 && f[0] == "#" && f[1] == "TYPE" {
			out[f[2]] = f[3]
		}
	}
	return out
}

// missingMetrics lists wanted names not in the scrape; name_bucket, _sum
// and _count of a histogram (or summary) count as present.
func missingMetrics(want map[string]string, families map[string]string) []string {
	var out []string
	for n := range want {
		if _, ok := families[n]; ok {
			continue
		}
		found := false
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if base, ok := strings.CutSuffix(n, suf); ok {
				if k := families[base]; k == "histogram" || (k == "summary" && suf != "_bucket") {
					found = true
				}
			}
		}
		if !found {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
