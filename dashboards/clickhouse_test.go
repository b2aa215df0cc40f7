package dashboards

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// kind is what a panel needs of a column.
type kind int

const (
	kTime kind = iota
	kNum
	kText
)

func (k kind) String() string { return [...]string{"time", "number", "text"}[k] }

func kindOf(dbType string) (kind, bool) {
	t := strings.TrimSuffix(strings.TrimPrefix(dbType, "Nullable("), ")")
	switch {
	case strings.HasPrefix(t, "DateTime"), t == "Date":
		return kTime, true
	case strings.HasPrefix(t, "UInt"), strings.HasPrefix(t, "Int"), strings.HasPrefix(t, "Float"), strings.HasPrefix(t, "Decimal"):
		return kNum, true
	case t == "String", strings.HasPrefix(t, "FixedString"), strings.HasPrefix(t, "Enum"):
		return kText, true
	}
	return 0, false
}

type col struct {
	name string
	kind kind
}

var (
	weekdays = []string{"Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"}
	heatCols = append([]col{{"jam", kNum}}, func() []col {
		var c []col
		for _, d := range weekdays {
			c = append(c, col{d, kNum})
		}
		return c
	}()...)
)

// panelColumns is what each ClickHouse panel must return, by panel title.
// A new panel needs an entry here: its columns are part of its contract.
var panelColumns = map[string][]col{
	"ER per jenis konten per minggu / ER by content type per week":         {{"time", kTime}, {"content_type", kText}, {"er", kNum}},
	"ER per platform / ER by platform":                                     {{"platform", kText}, {"pos", kNum}, {"interaksi", kNum}, {"jangkauan", kNum}, {"er", kNum}},
	"ER per unit beserta sub-unitnya / ER by unit with its sub-units":      {{"unit", kText}, {"pos", kNum}, {"interaksi", kNum}, {"jangkauan", kNum}, {"er", kNum}},
	"Jangkauan dan interaksi per minggu / Reach and interactions per week": {{"time", kTime}, {"jangkauan", kNum}, {"interaksi", kNum}},
	"Pengikut per kanal / Followers per channel":                           {{"time", kTime}, {"channel", kText}, {"followers", kNum}},
	"Pertumbuhan pengikut per kanal / Follower growth per channel": {{"channel", kText}, {"first_day", kTime}, {"followers_start", kNum},
		{"followers_end", kNum}, {"growth", kNum}, {"growth_pct", kNum}},
	"Pos teratas / Top posts": {{"published_at", kTime}, {"platform", kText}, {"content_type", kText}, {"channel", kText},
		{"caption", kText}, {"reach", kNum}, {"views", kNum}, {"interactions", kNum}, {"er", kNum}, {"permalink", kText}},
	"Waktu terbaik: median ER per jangkauan / Best time: median ER by reach": heatCols,
	"Jumlah pos per sel / Posts per cell":                                    heatCols,
	"Tanggapan komentar per kanal / Comment responses per channel": {{"channel", kText}, {"komentar", kNum}, {"dijawab", kNum},
		{"tingkat", kNum}, {"median_menit", kNum}},
	"Permohonan informasi per bulan / Information requests per month": {{"bulan", kTime}, {"diterima", kNum}, {"tepat_waktu", kNum},
		{"terlambat", kNum}, {"ditolak", kNum}, {"terbuka", kNum}},
}

// scenario is one set of variable values a user could pick.
type scenario struct {
	name string
	vars map[string]Value
	// rows: every panel must return rows (the fixture covers the selection).
	rows bool
}

var scenarios = []scenario{
	{"all", map[string]Value{
		"unit": AllOf("1", "2", "3", "4"), "platform": AllOf("facebook", "instagram"), "channel": AllOf("10", "11", "20", "30", "40"),
		"content_type": AllOf("photo", "video", "interactive", "text", "link"), "campaign": AllOf("pemilu-2029", "sosialisasi"),
		"er_method": Single("reach"),
	}, true},
	{"province subtree, facebook, two types, by views", map[string]Value{
		"unit": Many("2"), "platform": Many("facebook"), "channel": AllOf("20", "30"),
		"content_type": Many("photo", "video", "interactive", "text", "link"), "campaign": AllOf("pemilu-2029", "sosialisasi"),
		"er_method": Single("views"),
	}, false},
	{"two channels, one campaign, by followers", map[string]Value{
		"unit": AllOf("1", "2", "3", "4"), "platform": AllOf("facebook", "instagram"), "channel": Many("10", "11"),
		"content_type": AllOf("photo", "video", "interactive", "text", "link"), "campaign": Many("pemilu-2029"),
		"er_method": Single("followers"),
	}, true},
	{"nothing matches", map[string]Value{
		"unit": Many("4"), "platform": Many("instagram"), "channel": AllOf("40"),
		"content_type": Many("video"), "campaign": Many("pemilu-2029"), "er_method": Single("reach"),
	}, false},
}

type result struct {
	cols  []string
	types []string
	rows  [][]any
}

func run(t *testing.T, ch *store.ClickHouse, sql string) (result, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rows, err := ch.Query(ctx, sql)
	if err != nil {
		return result{}, err
	}
	defer rows.Close()
	var r result
	r.cols = rows.Columns()
	for _, ct := range rows.ColumnTypes() {
		r.types = append(r.types, ct.DatabaseTypeName())
	}
	for rows.Next() {
		vals := make([]any, len(r.cols))
		for i, ct := range rows.ColumnTypes() {
			vals[i] = newScan(ct.ScanType())
		}
		if err := rows.Scan(vals...); err != nil {
			return r, err
		}
		r.rows = append(r.rows, vals)
	}
	return r, rows.Err()
}

func TestClickHousePanels(t *testing.T) {
	ch := storetest.ClickHouse(t)
	seed(t, ch)
	dbs, _ := loadAll(t)
	ran := 0
	for _, d := range dbs {
		for _, sc := range scenarios {
			q := Query{From: fixFrom, To: fixTo, Interval: 6 * time.Hour, Vars: sc.vars}
			for _, v := range d.Templating.List {
				if v.Type != "query" || v.Datasource == nil || v.Datasource.UID != "humas-clickhouse" {
					continue
				}
				sql, err := Expand(v.SQL(), q)
				if err != nil {
					t.Errorf("%s variable %s: %v", d.Path, v.Name, err)
					continue
				}
				r, err := run(t, ch, sql)
				if err != nil {
					t.Errorf("%s variable %s [%s]: %v\n%s", d.Path, v.Name, sc.name, err, sql)
					continue
				}
				ran++
				// One column is the value; two are value then text (the
				// plugin's convention); both become strings.
				if len(r.cols) < 1 || len(r.cols) > 2 {
					t.Errorf("%s variable %s: want 1 or 2 columns (value[, text]), got %v", d.Path, v.Name, r.cols)
				}
				if sc.name == "all" && len(r.rows) == 0 {
					t.Errorf("%s variable %s: no options on the fixture", d.Path, v.Name)
				}
			}
			for _, p := range d.AllPanels() {
				for _, tg := range p.Targets {
					if tg.RawSQL == "" {
						continue
					}
					want, ok := panelColumns[p.Title]
					if !ok {
						t.Errorf("%s panel %q: declare its columns in panelColumns", d.Path, p.Title)
						continue
					}
					sql, err := Expand(tg.RawSQL, q)
					if err != nil {
						t.Errorf("%s panel %q: %v", d.Path, p.Title, err)
						continue
					}
					r, err := run(t, ch, sql)
					if err != nil {
						t.Errorf("%s panel %q [%s]: %v\n%s", d.Path, p.Title, sc.name, err, sql)
						continue
					}
					ran++
					checkColumns(t, fmt.Sprintf("%s panel %q [%s]", d.Path, p.Title, sc.name), r, want)
					if tg.QueryType == "timeSeries" && (len(want) == 0 || want[0].kind != kTime) {
						t.Errorf("%s panel %q: a time series query must return its time column first", d.Path, p.Title)
					}
					if sc.rows && len(r.rows) == 0 {
						t.Errorf("%s panel %q [%s]: no rows on the fixture\n%s", d.Path, p.Title, sc.name, sql)
					}
					if sc.name == "nothing matches" && !strings.HasPrefix(p.Title, "Waktu") && !strings.HasPrefix(p.Title, "Jumlah") &&
						!strings.HasPrefix(p.Title, "Pengikut") && !strings.HasPrefix(p.Title, "Pertumbuhan") && len(r.rows) > 0 {
						t.Errorf("%s panel %q [%s]: the filters let %d rows through", d.Path, p.Title, sc.name, len(r.rows))
					}
				}
			}
		}
	}
	if ran == 0 {
		t.Fatal("no ClickHouse query ran")
	}
	t.Logf("%d ClickHouse queries ran on %s", ran, version(ch))
}

func version(ch *store.ClickHouse) string {
	v, err := ch.ServerVersion()
	if err != nil {
		return err.Error()
	}
	return "ClickHouse " + v
}

func checkColumns(t *testing.T, where string, r result, want []col) {
	t.Helper()
	if len(r.cols) != len(want) {
		t.Errorf("%s: columns %v, want %v", where, r.cols, want)
		return
	}
	for i, w := range want {
		k, ok := kindOf(r.types[i])
		if r.cols[i] != w.name || !ok || k != w.kind {
			t.Errorf("%s: column %d is %s %s, want %s (%s)", where, i, r.cols[i], r.types[i], w.name, w.kind)
		}
	}
}

func approx(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// TestCommentResponsePanel: the panel's figures on the fixture, computed
// by hand: KPU RI has comments 1, 6, 11, 16; 6 and 11 are answered (10×6
// and 10×11 minutes); comment 1's newer mirror says unanswered.
func TestCommentResponsePanel(t *testing.T) {
	ch := storetest.ClickHouse(t)
	seed(t, ch)
	dbs, _ := loadAll(t)
	for _, d := range dbs {
		for _, p := range d.AllPanels() {
			if !strings.HasPrefix(p.Title, "Tanggapan komentar") {
				continue
			}
			sql, err := Expand(p.Targets[0].RawSQL, Query{From: fixFrom, To: fixTo, Interval: time.Hour, Vars: scenarios[0].vars})
			if err != nil {
				t.Fatal(err)
			}
			r, err := run(t, ch, sql)
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range r.rows {
				if *(row[0].(*string)) != "KPU RI" {
					continue
				}
				n, a := *(row[1].(*uint64)), *(row[2].(*uint64))
				rate, med := *(row[3].(*float64)), *(row[4].(*float64))
				if n != 4 || a != 2 || !approx(rate, 0.5) || !approx(med, 85) {
					t.Fatalf("KPU RI: %d comments, %d answered, rate %v, median %v; want 4, 2, 0.5, 85", n, a, rate, med)
				}
				return
			}
			t.Fatalf("no KPU RI row: %v", r.rows)
		}
	}
	t.Fatal("no comment response panel")
}

// TestPPIDPanel: March's six requests, request 1's newer mirror (late)
// replacing its older one (open).
func TestPPIDPanel(t *testing.T) {
	ch := storetest.ClickHouse(t)
	seed(t, ch)
	dbs, _ := loadAll(t)
	for _, d := range dbs {
		for _, p := range d.AllPanels() {
			if !strings.HasPrefix(p.Title, "Permohonan informasi") {
				continue
			}
			sql, err := Expand(p.Targets[0].RawSQL, Query{From: fixFrom, To: fixTo, Interval: time.Hour, Vars: scenarios[0].vars})
			if err != nil {
				t.Fatal(err)
			}
			r, err := run(t, ch, sql)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.rows) != 1 {
				t.Fatalf("rows %v", r.rows)
			}
			var got []uint64
			for _, v := range r.rows[0][1:] {
				got = append(got, *(v.(*uint64)))
			}
			if fmt.Sprint(got) != "[6 2 2 1 1]" {
				t.Fatalf("received, on time, late, refused, open = %v, want [6 2 2 1 1]", got)
			}
			return
		}
	}
	t.Fatal("no information request panel")
}
