package chdiff

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/analytics/seed"
	"github.com/humas-id/humas/chdiff/capture"
	"github.com/humas-id/humas/dashboards"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

func TestMain(m *testing.M) {
	ServeWorkerIfAsked()
	code := m.Run()
	for _, w := range workers {
		_ = w.Close()
	}
	os.Exit(code)
}

// workers are the chDB engines, started once per test process.
var (
	workersOnce sync.Once
	workers     []*ChDB
	workersErr  error
)

func startWorkers() ([]*ChDB, error) {
	workersOnce.Do(func() {
		for _, compat := range []string{"", "25.8"} {
			w, err := StartChDB(compat)
			if err != nil {
				workersErr = err
				return
			}
			workers = append(workers, w)
		}
	})
	return workers, workersErr
}

// replayer gives the engines: the test server as the reference, chDB with
// default settings and with compatibility='25.8'. Either one missing fails
// in CI and skips elsewhere.
func replayer(t *testing.T) *Replayer {
	t.Helper()
	need := func(what string, err error) {
		t.Helper()
		if err == nil {
			return
		}
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required in CI: %v", what, err)
		}
		t.Skipf("%s is not available: %v", what, err)
	}
	srv, err := NewServer(ServerHTTPAddr())
	need("the test ClickHouse (scripts/clickhouse.sh start) over HTTP at "+ServerHTTPAddr(), err)
	ws, err := startWorkers()
	need("chDB (scripts/chdb.sh fetch, or HUMAS_CHDB_LIB)", err)
	return &Replayer{Ref: srv, Others: []Engine{ws[0], ws[1]}}
}

// check fails the test with the report when anything differed.
func check(t *testing.T, r *Replayer, name string) {
	t.Helper()
	t.Logf("%s: replayed %d databases, %d statements (%d reads; %d answers compared) on %s, %s and %s; "+
		"%d legacy statements (an older humas's schema) and %d reads of server bookkeeping replayed without comparing; "+
		"skipped %d never sent and %d naming a database no test process captured",
		name, r.Stats.Databases, r.Stats.Statements, r.Stats.Reads, r.Stats.Compared,
		r.Ref.Name(), r.Others[0].Name(), r.Others[1].Name(), r.Stats.Legacy, r.Stats.Volatile, r.Stats.Skipped, r.Stats.Foreign)
	for _, p := range r.Problems {
		t.Errorf("replay problem: %s", p)
	}
	if len(r.Diffs) == 0 {
		return
	}
	report := r.Report()
	if path := os.Getenv("HUMAS_CHDIFF_REPORT"); path != "" {
		_ = os.MkdirAll(filepath.Dir(path), 0o755)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err == nil {
			_, _ = f.WriteString("### " + name + "\n" + report + "\n")
			f.Close()
			t.Logf("report appended to %s", path)
		}
	}
	t.Errorf("%s: the engines disagree.\n%s", name, report)
}

// TestCorpus replays every statement the other test packages sent (make
// test records them into HUMAS_CH_CAPTURE_DIR before running this package).
func TestCorpus(t *testing.T) {
	dir := os.Getenv(capture.EnvDir)
	if dir == "" {
		t.Skipf("no corpus: %s is unset (make test records one while the other packages' tests run, then runs this package)", capture.EnvDir)
	}
	r := replayer(t)
	logs, err := LoadCorpus(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) == 0 {
		t.Fatalf("%s holds no captured statements: the recorder is not wired (storetest installs it)", dir)
	}
	if err := r.Replay(logs); err != nil {
		t.Fatal(err)
	}
	check(t, r, "corpus")
}

// TestWorkload drives what production sends over seeded data — the
// migrations, the seeder, every report of the report service before and
// after the read-model refresh, and every Grafana panel and variable
// expanded as the plugin does — and replays it on every engine.
func TestWorkload(t *testing.T) {
	r := replayer(t)
	rec, err := capture.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	prev := store.SetConnHook(rec.Wrap)
	ch := storetest.ClickHouse(t)
	store.SetConnHook(prev)
	ctx := context.Background()
	end := time.Date(2025, 6, 30, 23, 0, 0, 0, time.UTC)
	if _, err := seed.Run(ctx, ch, seed.Options{Posts: 600, Snapshots: 600 * 40, End: end, Days: 60, Batch: 8000, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	svc, err := analytics.New(ch, analytics.Options{Timezone: "Asia/Jakarta", CacheTTL: -1, RefreshEvery: -1,
		Now: func() time.Time { return end.Add(24 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	runReports(t, svc) // before the first refresh: the live path over post_latest and post_metrics
	if err := svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	runReports(t, svc) // the read models
	runPanels(t, ch, end.AddDate(0, 0, -60), end)

	logs, err := LoadCorpus(rec.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Replay(logs); err != nil {
		t.Fatal(err)
	}
	check(t, r, "workload")
}

// runReports asks for every report, every method and age, each grouping
// and the filters, as the API would (analytics.ParseQuery).
func runReports(t *testing.T, svc *analytics.Service) {
	t.Helper()
	ctx := context.Background()
	ask := func(v url.Values, f func(analytics.Query) error) {
		t.Helper()
		v.Set("from", "2025-05-01")
		v.Set("to", "2025-06-30")
		q, err := analytics.ParseQuery(v)
		if err != nil {
			t.Fatalf("%v: %v", v, err)
		}
		if err := f(q); err != nil {
			t.Fatalf("%v: %v", v, err)
		}
	}
	for _, method := range analytics.Methods {
		for _, age := range analytics.Ages {
			base := func() url.Values { return url.Values{"method": {method}, "age": {age}} }
			for _, g := range append([]string{""}, analytics.GroupKeys...) {
				v := base()
				if g != "" {
					v.Set("group_by", g)
				}
				ask(v, func(q analytics.Query) error { _, err := svc.Engagement(ctx, q); return err })
			}
			v := base()
			v.Set("group_by", "content_type,week")
			v.Set("platform", "instagram")
			v.Set("unit", "2")
			ask(v, func(q analytics.Query) error { _, err := svc.Engagement(ctx, q); return err })
			ask(base(), func(q analytics.Query) error { _, err := svc.Hashtags(ctx, q); return err })
			ask(base(), func(q analytics.Query) error { _, err := svc.BestTimes(ctx, q); return err })
			ask(base(), func(q analytics.Query) error { _, err := svc.Campaigns(ctx, q); return err })
			for _, sort := range analytics.SortKeys {
				v := base()
				v.Set("sort", sort)
				ask(v, func(q analytics.Query) error { _, err := svc.TopPosts(ctx, q); return err })
			}
			// Top posts and best times read the read model with their own
			// filters (analytics/flat.go): ask them filtered too.
			for _, f := range []url.Values{{"platform": {"instagram"}, "unit": {"2"}, "order": {"asc"}},
				{"content_type": {"photo"}, "campaign": {"pilkada"}, "sort": {"reach"}}, {"channel": {"10"}, "limit": {"3"}}} {
				v := base()
				for k, x := range f {
					v[k] = x
				}
				ask(v, func(q analytics.Query) error { _, err := svc.TopPosts(ctx, q); return err })
				ask(v, func(q analytics.Query) error { _, err := svc.BestTimes(ctx, q); return err })
			}
		}
	}
	ask(url.Values{}, func(q analytics.Query) error { _, err := svc.Followers(ctx, q); return err })
}

// runPanels runs every ClickHouse variable and panel of every dashboard,
// expanded with the plugin's macros, over [from, to]: once with every
// variable on "All" for each ER method, once narrowed to one province and
// one platform.
func runPanels(t *testing.T, ch *store.ClickHouse, from, to time.Time) {
	t.Helper()
	dbs, err := dashboards.Load()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ran := 0
	for _, d := range dbs {
		for _, vars := range panelScenarios(t, ch, d, from, to) {
			q := dashboards.Query{From: from, To: to, Interval: time.Hour, Vars: vars}
			for _, p := range d.AllPanels() {
				for _, tg := range p.Targets {
					if tg.RawSQL == "" || (tg.Datasource != nil && tg.Datasource.UID != "humas-clickhouse") {
						continue
					}
					sql, err := dashboards.Expand(tg.RawSQL, q)
					if err != nil {
						t.Fatalf("%s panel %q: %v", d.Path, p.Title, err)
					}
					rows, err := ch.Query(ctx, sql)
					if err != nil {
						t.Fatalf("%s panel %q: %v", d.Path, p.Title, err)
					}
					rows.Close()
					ran++
				}
			}
		}
	}
	if ran == 0 {
		t.Fatal("no panel ran")
	}
}

// panelScenarios are the variable values the panels run with: every query
// variable's options come from running it (as Grafana does), in the
// dashboard's order so later variables see earlier ones.
func panelScenarios(t *testing.T, ch *store.ClickHouse, d dashboards.Dashboard, from, to time.Time) []map[string]dashboards.Value {
	t.Helper()
	ctx := context.Background()
	all := map[string]dashboards.Value{}
	single := map[string][]string{} // single-value variables: every option
	for _, v := range d.Templating.List {
		var opts []string
		switch {
		case v.Type == "query" && v.Datasource != nil && v.Datasource.UID == "humas-clickhouse":
			sql, err := dashboards.Expand(v.SQL(), dashboards.Query{From: from, To: to, Interval: time.Hour, Vars: all})
			if err != nil {
				t.Fatalf("%s variable %s: %v", d.Path, v.Name, err)
			}
			rows, err := ch.Query(ctx, sql)
			if err != nil {
				t.Fatalf("%s variable %s: %v", d.Path, v.Name, err)
			}
			for rows.Next() {
				vals := make([]any, len(rows.Columns()))
				var s string
				vals[0] = &s
				for i := 1; i < len(vals); i++ {
					vals[i] = new(string)
				}
				if err := rows.Scan(vals...); err != nil {
					t.Fatalf("%s variable %s: %v", d.Path, v.Name, err)
				}
				opts = append(opts, s)
			}
			rows.Close()
		case v.Type == "custom":
			for _, o := range v.Options {
				if s, ok := o.Value.(string); ok && s != "$__all" {
					opts = append(opts, s)
				}
			}
		default:
			continue
		}
		if v.Multi || v.IncludeAll {
			all[v.Name] = dashboards.AllOf(opts...)
		} else {
			single[v.Name] = opts
			if len(opts) > 0 {
				all[v.Name] = dashboards.Single(opts[0])
			}
		}
	}
	out := []map[string]dashboards.Value{all}
	for name, opts := range single {
		for _, o := range opts[min(1, len(opts)):] {
			m := clone(all)
			m[name] = dashboards.Single(o)
			out = append(out, m)
		}
	}
	narrow := clone(all)
	if _, ok := narrow["unit"]; ok {
		narrow["unit"] = dashboards.Many("2")
	}
	if _, ok := narrow["platform"]; ok {
		narrow["platform"] = dashboards.Many("instagram")
	}
	return append(out, narrow)
}

func clone(m map[string]dashboards.Value) map[string]dashboards.Value {
	out := make(map[string]dashboards.Value, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
