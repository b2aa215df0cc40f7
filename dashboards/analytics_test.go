package dashboards

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/store/storetest"
)

// panelByTitle finds a ClickHouse panel's SQL.
func panelSQL(t *testing.T, title string) string {
	t.Helper()
	dbs, _ := loadAll(t)
	for _, d := range dbs {
		for _, p := range d.AllPanels() {
			if p.Title == title && len(p.Targets) > 0 {
				return p.Targets[0].RawSQL
			}
		}
	}
	t.Fatalf("no panel %q", title)
	return ""
}

// TestFiguresMatchAnalytics runs the dashboard's "ER by platform" and "ER
// by unit" panels and the analytics service (what GET /engagement answers)
// on the same data, for every ER method, and compares the figures.
func TestFiguresMatchAnalytics(t *testing.T) {
	ch := storetest.ClickHouse(t)
	seed(t, ch)
	svc, err := analytics.New(ch, analytics.Options{Timezone: "Asia/Jakarta", CacheTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	jkt, _ := time.LoadLocation("Asia/Jakarta")
	// The API's period is calendar dates in WIB, "to" inclusive; Grafana's
	// is the same instants.
	from := time.Date(2025, 3, 1, 0, 0, 0, 0, jkt)
	to := time.Date(2025, 3, 31, 23, 59, 59, 0, jkt)
	ctx := context.Background()
	byPlatform := panelSQL(t, "ER per platform / ER by platform")
	byUnit := panelSQL(t, "ER per unit beserta sub-unitnya / ER by unit with its sub-units")
	checked := 0
	for _, method := range []string{"reach", "views", "followers"} {
		vars := map[string]Value{}
		for k, v := range scenarios[0].vars {
			vars[k] = v
		}
		vars["er_method"] = Single(method)
		q := Query{From: from.UTC(), To: to.UTC(), Interval: time.Hour, Vars: vars}

		rep, err := svc.Engagement(ctx, analytics.Query{From: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
			To: time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC), GroupBy: []string{"platform"}, Method: method, Age: "latest"})
		if err != nil {
			t.Fatalf("analytics %s: %v", method, err)
		}
		api := map[string]analytics.Figures{}
		for _, r := range rep.Rows {
			api[*r.Platform] = r.Figures
		}
		sql, err := Expand(byPlatform, q)
		if err != nil {
			t.Fatal(err)
		}
		res, err := run(t, ch, sql)
		if err != nil {
			t.Fatalf("%v\n%s", err, sql)
		}
		if len(res.rows) != len(api) || len(api) != 2 {
			t.Fatalf("method %s: dashboard has %d platforms, API %d", method, len(res.rows), len(api))
		}
		for _, row := range res.rows {
			plat := deref(row[0]).(string)
			f := api[plat]
			compare(t, "platform "+plat+" method "+method, row[1:], f)
			checked++
		}

		// Unit roll-up: the API's unit filter includes sub-units, so each
		// unit row of the dashboard equals the API total for that unit.
		sql, err = Expand(byUnit, q)
		if err != nil {
			t.Fatal(err)
		}
		res, err = run(t, ch, sql)
		if err != nil {
			t.Fatalf("%v\n%s", err, sql)
		}
		if len(res.rows) != len(fixUnits) {
			t.Fatalf("method %s: %d unit rows, want %d", method, len(res.rows), len(fixUnits))
		}
		names := map[string]uint64{}
		for _, u := range fixUnits {
			names[u.name] = u.id
		}
		for _, row := range res.rows {
			name := deref(row[0]).(string)
			rep, err := svc.Engagement(ctx, analytics.Query{From: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
				To: time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC), Method: method, Age: "latest", Unit: names[name]})
			if err != nil {
				t.Fatalf("analytics unit %s: %v", name, err)
			}
			compare(t, "unit "+name+" method "+method, row[1:], rep.Totals)
			checked++
		}
	}
	t.Logf("%d groups compared with the analytics service", checked)
}

// compare checks pos, interaksi, jangkauan, er against the API's figures.
func compare(t *testing.T, where string, got []any, f analytics.Figures) {
	t.Helper()
	num := func(v any) float64 {
		switch x := deref(v).(type) {
		case uint64:
			return float64(x)
		case float64:
			return x
		case nil:
			return -1
		}
		t.Fatalf("%s: unexpected %T", where, deref(v))
		return 0
	}
	if num(got[0]) != float64(f.Posts) || num(got[1]) != float64(f.Interactions) || num(got[2]) != float64(f.Reach) {
		t.Errorf("%s: dashboard posts/interactions/reach %v/%v/%v, API %d/%d/%d", where,
			num(got[0]), num(got[1]), num(got[2]), f.Posts, f.Interactions, f.Reach)
	}
	if f.EngagementRate == nil {
		t.Errorf("%s: the API has no rate on the fixture", where)
		return
	}
	if er := num(got[3]); !approx(er, *f.EngagementRate) {
		t.Errorf("%s: dashboard ER %s, API %s", where, strconv.FormatFloat(er, 'g', 12, 64),
			strconv.FormatFloat(*f.EngagementRate, 'g', 12, 64))
	}
}
