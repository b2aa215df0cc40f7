package analytics

import (
	"context"
	"strings"
	"testing"

	"github.com/humas-id/humas/collector"
	"github.com/humas-id/humas/store/storetest"
)

// TestReadModelsCarryEveryMetric: each figure the collector's snapshot
// row describes (collector.MetricColumns) is a column of every read model
// built from snapshots, and the per-post report fragments select it. A
// new metric field fails here until the migrations and queries follow.
func TestReadModelsCarryEveryMetric(t *testing.T) {
	ch := storetest.ClickHouse(t)
	ctx := context.Background()
	metrics := collector.MetricColumns()
	if len(metrics) == 0 {
		t.Fatal("collector.MetricColumns() is empty")
	}
	tables := map[string]string{ // read model → column prefix
		"post_latest": "",
		"post_facts":  "",
		"post_at_age": "",
	}
	for table, prefix := range tables {
		cols := map[string]bool{}
		rows, err := ch.Query(ctx, `SELECT name FROM system.columns WHERE database = ? AND table = ?`, ch.Database(), table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			cols[name] = true
		}
		rows.Close()
		if len(cols) == 0 {
			t.Fatalf("%s has no columns: not migrated?", table)
		}
		for _, m := range metrics {
			if !cols[prefix+m] {
				t.Errorf("read model %s lacks column %s%s", table, prefix, m)
			}
		}
	}
	selected := map[string]bool{}
	for _, f := range strings.FieldsFunc(perPostColumns, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		selected[f] = true
	}
	for _, m := range metrics {
		if !selected[m] {
			t.Errorf("perPostColumns does not select %s", m)
		}
	}
}
