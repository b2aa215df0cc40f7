// Command seeded compares what the reports say on 18.16 and on chDB 26.7
// over a data set seeded by `humas seed` (10 M snapshots by default): it
// mirrors the database into chDB (schema from SHOW CREATE; tables exported
// from the server as Native and loaded with INSERT … SELECT FROM file(), the
// materialized views filling their targets on chDB itself), then runs the
// read-model refresh, the 24 h / 7 d / 28 d / latest reports, the hashtag
// report and every Grafana panel on the server with the statements
// recorded, replays them on chDB (default settings and compatibility=25.8)
// and prints the figures side by side, then every difference.
//
//	humas seed --database humas_bench      # once
//	go run ./chdiff/seeded -database humas_bench
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/chdiff"
	"github.com/humas-id/humas/chdiff/capture"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/dashboards"
	"github.com/humas-id/humas/store"
)

func main() {
	chdiff.ServeWorkerIfAsked()
	database := flag.String("database", "humas_bench", "seeded ClickHouse `database` (humas seed --database …)")
	addr := flag.String("addr", "127.0.0.1:9000", "ClickHouse native address")
	httpAddr := flag.String("http", chdiff.ServerHTTPAddr(), "ClickHouse HTTP address")
	from := flag.String("from", "2025-01-01", "report period start")
	to := flag.String("to", "2025-12-31", "report period end (inclusive)")
	dir := flag.String("dir", "", "export directory (default: a temporary one, removed afterwards)")
	flag.Parse()
	if err := run(*database, *addr, *httpAddr, *from, *to, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "seeded:", err)
		os.Exit(1)
	}
}

func run(db, addr, httpAddr, from, to, dir string) error {
	ctx := context.Background()
	srv, err := chdiff.NewServer(httpAddr)
	if err != nil {
		return err
	}
	var engines []*chdiff.ChDB
	for _, compat := range []string{"", "25.8"} {
		w, err := chdiff.StartChDB(compat)
		if err != nil {
			return err
		}
		defer w.Close()
		engines = append(engines, w)
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "humas-seeded-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	start := time.Now()
	if err := mirror(srv, engines, db, dir); err != nil {
		return err
	}
	fmt.Printf("mirrored %s into %s and %s in %s\n", db, engines[0].Name(), engines[1].Name(), time.Since(start).Round(time.Second))

	// The workload, on the server, recorded.
	capDir, err := os.MkdirTemp("", "humas-seeded-capture-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(capDir)
	rec, err := capture.New(capDir)
	if err != nil {
		return err
	}
	store.SetConnHook(rec.Wrap)
	cfg := config.Default().ClickHouse
	cfg.Addr, cfg.Database = addr, db
	ch, err := store.OpenClickHouse(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer ch.Close()
	end, err := time.Parse(analytics.DateLayout, to)
	if err != nil {
		return err
	}
	svc, err := analytics.New(ch, analytics.Options{Timezone: "Asia/Jakarta", CacheTTL: -1, RefreshEvery: -1,
		Now: func() time.Time { return end.Add(36 * time.Hour) }})
	if err != nil {
		return err
	}
	start = time.Now()
	if err := svc.Refresh(capture.WithLabel(ctx, "refresh")); err != nil {
		return err
	}
	for _, c := range []struct{ label, sql string }{
		{"read model: latest, rows", "SELECT count() FROM post_facts WHERE gen = (SELECT max(gen) FROM post_facts_gens)"},
		{"read model: fixed ages, rows (3 per post)", "SELECT count() FROM post_age_facts WHERE gen = (SELECT max(gen) FROM post_age_facts_gens)"},
		{"read model: fixed ages, posts", "SELECT uniqExact(post_key) FROM post_age_facts WHERE gen = (SELECT max(gen) FROM post_age_facts_gens)"},
		{"read model: cells", "SELECT count() FROM post_cells WHERE gen = (SELECT max(gen) FROM post_cells_gens)"},
		{"read model: cells, posts per level and grain", "SELECT sum(posts * (lvl * 2 + grain + 1)) FROM post_cells WHERE gen = (SELECT max(gen) FROM post_cells_gens)"},
		{"read model: cells, rated posts by followers", "SELECT sum(f_posts * (lvl * 2 + grain + 1)) FROM post_cells WHERE gen = (SELECT max(gen) FROM post_cells_gens)"},
	} {
		var n uint64
		if err := ch.QueryRow(capture.WithLabel(ctx, c.label), c.sql).Scan(&n); err != nil {
			return err
		}
	}
	for _, age := range analytics.Ages {
		q, err := analytics.ParseQuery(url.Values{"from": {from}, "to": {to}, "age": {age}, "method": {"reach"}})
		if err != nil {
			return err
		}
		if _, err := svc.Engagement(capture.WithLabel(ctx, "engagement age="+age), q); err != nil {
			return err
		}
		// The cells: by channel and month (channel level), by followers.
		qc, err := analytics.ParseQuery(url.Values{"from": {from}, "to": {to}, "age": {age}, "method": {"followers"},
			"group_by": {"channel,month"}})
		if err != nil {
			return err
		}
		if _, err := svc.Engagement(capture.WithLabel(ctx, "engagement by channel, month age="+age), qc); err != nil {
			return err
		}
		q.Limit = 100
		if _, err := svc.Hashtags(capture.WithLabel(ctx, "hashtags age="+age), q); err != nil {
			return err
		}
	}
	if err := panels(ctx, ch, from, end); err != nil {
		return err
	}
	fmt.Printf("ran the refresh, reports and panels on %s in %s\n", srv.Name(), time.Since(start).Round(time.Millisecond))

	// The replay on chDB, the server's reads again.
	logs, err := chdiff.LoadCorpus(capDir)
	if err != nil {
		return err
	}
	sum := newSummary()
	r := &chdiff.Replayer{Ref: srv, Others: []chdiff.Engine{engines[0], engines[1]}, InPlace: true, RefWritten: true,
		Observe: sum.observe}
	start = time.Now()
	if err := r.Replay(logs); err != nil {
		return err
	}
	fmt.Printf("replayed %d statements (%d reads) on chDB in %s\n\n", r.Stats.Statements, r.Stats.Reads, time.Since(start).Round(time.Millisecond))
	sum.print(os.Stdout, []string{srv.Name(), engines[0].Name(), engines[1].Name()})
	for _, p := range r.Problems {
		fmt.Println("replay problem:", p)
	}
	if len(r.Diffs) > 0 {
		fmt.Println()
		fmt.Println(r.Report())
		return fmt.Errorf("%d statements differ", len(r.Diffs))
	}
	fmt.Println("\nevery read gave the same answer on all three")
	return nil
}

var toTable = regexp.MustCompile("(?i)\\bTO\\s+`?(\\w+)`?\\.`?(\\w+)`?")

// mirror copies db's schema and contents into every chDB engine.
func mirror(srv *chdiff.Server, engines []*chdiff.ChDB, db, dir string) error {
	ans, err := srv.Run(db, "SELECT name, engine FROM system.tables WHERE database = currentDatabase() ORDER BY name")
	if err != nil {
		return err
	}
	var tables, views []string
	targets := map[string]bool{}
	for _, line := range lines(ans)[2:] {
		f := strings.Split(line, "\t")
		if f[1] == "MaterializedView" {
			views = append(views, f[0])
		} else {
			tables = append(tables, f[0])
		}
	}
	show := func(name string) (string, error) {
		out, err := srv.Run(db, "SHOW CREATE TABLE `"+name+"` FORMAT TabSeparatedRaw")
		return strings.TrimSpace(string(out)), err
	}
	var creates []string
	for _, t := range tables {
		c, err := show(t)
		if err != nil {
			return err
		}
		creates = append(creates, c)
	}
	for _, v := range views {
		c, err := show(v)
		if err != nil {
			return err
		}
		if m := toTable.FindStringSubmatch(c); m != nil {
			targets[m[2]] = true
		}
		creates = append(creates, c)
	}
	for _, e := range engines {
		if err := e.Reset(db); err != nil {
			return err
		}
		for _, c := range creates {
			if _, err := e.Run(db, c); err != nil {
				if !strings.Contains(err.Error(), "allow_dimensions_outside_sorting_key") {
					return fmt.Errorf("%s: %w\n%s", e.Name(), err, c)
				}
				// A table of the old schema (0020), as a server of its
				// time (25.8) created it.
				fmt.Printf("note: %s: creating it as 25.8 did (allow_dimensions_outside_sorting_key = 1)\n", firstLine(c))
				if _, err := e.Run(db, c+" SETTINGS allow_dimensions_outside_sorting_key = 1"); err != nil {
					return fmt.Errorf("%s: %w", e.Name(), err)
				}
			}
		}
	}
	for _, t := range tables {
		if targets[t] {
			continue // filled by the views as the sources load
		}
		path := filepath.Join(dir, t+".native")
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		start := time.Now()
		err = srv.Export(db, "SELECT * FROM `"+t+"`", "Native", bufio.NewWriterSize(f, 1<<20))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("export %s: %w", t, err)
		}
		st, _ := os.Stat(path)
		exported := time.Since(start)
		for _, e := range engines {
			start := time.Now()
			if _, err := e.Run(db, "INSERT INTO `"+t+"` SELECT * FROM file('"+path+"', Native)"); err != nil {
				return fmt.Errorf("%s: load %s: %w", e.Name(), t, err)
			}
			fmt.Printf("  %-22s %6.1f MB exported in %5.1fs, loaded into %s in %5.1fs\n", t, float64(st.Size())/1e6,
				exported.Seconds(), e.Name(), time.Since(start).Seconds())
		}
		os.Remove(path)
	}
	return nil
}

// panels runs every ClickHouse panel with every variable on "All" (and the
// ER method "reach") over the period.
func panels(ctx context.Context, ch *store.ClickHouse, from string, end time.Time) error {
	start, err := time.Parse(analytics.DateLayout, from)
	if err != nil {
		return err
	}
	jkt, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		return err
	}
	q := dashboards.Query{From: time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, jkt).UTC(),
		To: time.Date(end.Year(), end.Month(), end.Day(), 23, 59, 59, 0, jkt).UTC(), Interval: 24 * time.Hour,
		Vars: map[string]dashboards.Value{"er_method": dashboards.Single("reach")}}
	dbs, err := dashboards.Load()
	if err != nil {
		return err
	}
	for _, d := range dbs {
		for _, v := range d.Templating.List {
			if v.Type == "query" || v.Type == "custom" {
				if _, ok := q.Vars[v.Name]; !ok {
					q.Vars[v.Name] = dashboards.Value{Multi: true, All: true} // "All": the conditions become 1=1
				}
			}
		}
		for _, p := range d.AllPanels() {
			for _, t := range p.Targets {
				if t.RawSQL == "" {
					continue
				}
				sql, err := dashboards.Expand(t.RawSQL, q)
				if err != nil {
					return fmt.Errorf("%s panel %q: %w", d.Path, p.Title, err)
				}
				rows, err := ch.Query(capture.WithLabel(ctx, "panel "+p.Title), sql)
				if err != nil {
					return fmt.Errorf("%s panel %q: %w", d.Path, p.Title, err)
				}
				rows.Close()
			}
		}
	}
	return nil
}

// summary keeps a few figures of each labelled read per engine.
type summary struct {
	order []string
	rows  map[string][]string // label → figures per engine
}

func newSummary() *summary { return &summary{rows: map[string][]string{}} }

func (s *summary) observe(ent capture.Entry, ref chdiff.Outcome, others []chdiff.Outcome) {
	label := ent.Label
	if label == "" || label == "refresh" {
		return
	}
	outs := append([]chdiff.Outcome{ref}, others...)
	var figs []string
	for _, o := range outs {
		f, ok := figures(o)
		if !ok {
			return
		}
		figs = append(figs, f)
	}
	if _, seen := s.rows[label]; !seen {
		s.order = append(s.order, label)
	}
	s.rows[label] = figs
}

// figures: engagement (posts, interactions, ER of the period), hashtags
// (hashtags, post×hashtag pairs, the first), unit panel (units, posts of
// the whole tree, its ER), other panels (rows).
func figures(o chdiff.Outcome) (string, bool) {
	if o.Err != nil {
		return "error: " + firstLine(o.Err.Error()), true
	}
	a := o.Answer
	col := map[string]int{}
	for i, n := range a.Names {
		col[n] = i
	}
	num := func(row []string, name string) float64 {
		f, _ := strconv.ParseFloat(row[col[name]], 64)
		return f
	}
	switch {
	case has(col, "tag", "n_posts"):
		var pairs float64
		for _, r := range a.Rows {
			pairs += num(r, "n_posts")
		}
		first := "-"
		if len(a.Rows) > 0 {
			first = fmt.Sprintf("%s %0.f", a.Rows[0][col["tag"]], num(a.Rows[0], "n_posts"))
		}
		return fmt.Sprintf("%d tags, %.0f post×tag, top %s", len(a.Rows), pairs, first), true
	case has(col, "cur", "n_posts", "s_interactions", "s_den"):
		var posts, inter, den float64
		for _, r := range a.Rows {
			if r[col["cur"]] == "1" {
				posts += num(r, "n_posts")
				inter += num(r, "s_rated_interactions")
				den += num(r, "s_den")
			}
		}
		return fmt.Sprintf("%.0f posts, ER %.6f", posts, inter/den), true
	case has(col, "unit", "pos", "er"):
		var top string
		for _, r := range a.Rows {
			if top == "" || num(r, "pos") > 0 && r[col["unit"]] == "Nasional" {
				top = fmt.Sprintf("%s: %.0f posts, ER %.6f", r[col["unit"]], num(r, "pos"), num(r, "er"))
			}
		}
		return fmt.Sprintf("%d units; %s", len(a.Rows), top), true
	case len(a.Names) == 1 && len(a.Rows) == 1:
		return a.Rows[0][0], true
	case len(a.Names) > 0:
		return fmt.Sprintf("%d rows", len(a.Rows)), true
	}
	return "", false
}

func has(col map[string]int, names ...string) bool {
	for _, n := range names {
		if _, ok := col[n]; !ok {
			return false
		}
	}
	return true
}

func (s *summary) print(w *os.File, engines []string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "report\t%s\n", strings.Join(engines, "\t"))
	labels := append([]string(nil), s.order...)
	rank := func(l string) int {
		for i, p := range []string{"read model", "engagement", "hashtags"} {
			if strings.HasPrefix(l, p) {
				return i
			}
		}
		return 3
	}
	sort.SliceStable(labels, func(i, j int) bool { return rank(labels[i]) < rank(labels[j]) })
	for _, l := range labels {
		fmt.Fprintf(tw, "%s\t%s\n", l, strings.Join(s.rows[l], "\t"))
	}
	tw.Flush()
}

func lines(b []byte) []string { return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
