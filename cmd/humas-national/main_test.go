package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/humas-id/humas/store/storetest"
)

// TestNationalSmall runs the whole benchmark at a tiny size against the
// test ClickHouse: every phase ends, every post due is published, and the
// roll-up has a row per office and counts the collected posts.
func TestNationalSmall(t *testing.T) {
	ch := storetest.ClickHouseEmpty(t) // fails in CI without a server; drops the database at the end
	cfg, err := parseFlags([]string{"--units", "5", "--provinces", "2", "--days", "3", "--publish", "40", "--rollup-runs", "2",
		"--clickhouse", storetest.ClickHouseConfig(t).Addr, "--database", ch.Database(), "--state", t.TempDir() + "/state.db"})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), cfg, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("figure line %q: want name, value, unit", line)
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			t.Fatalf("figure line %q: %v", line, err)
		}
		got[f[0]] = v
	}
	checks := []struct {
		name string
		ok   func(v float64) bool
		want string
	}{
		{"channels", func(v float64) bool { return v == 10 }, "10 (a Page and an Instagram account per office)"},
		{"collect_posts", func(v float64) bool { return v > 0 && v <= got["collect_posts_seeded"] }, "some, at most the seeded posts"},
		{"collect_rows", func(v float64) bool { return v >= got["collect_posts"] }, "at least a row per post"},
		{"collect_graph_calls_per_1000_posts", func(v float64) bool { return v > 0 }, "positive"},
		{"publish_published", func(v float64) bool { return v == 40 }, "40"},
		{"publish_not_published", func(v float64) bool { return v == 0 }, "0"},
		{"publish_lag_p99", func(v float64) bool { return v >= got["publish_lag_p50"] }, "at least p50"},
		{"rollup_rows", func(v float64) bool { return v == 5 }, "5 offices"},
		{"rollup_posts", func(v float64) bool { return v > 0 && v <= got["collect_posts"] }, "some, at most the collected posts"},
	}
	for _, c := range checks {
		v, ok := got[c.name]
		if !ok || !c.ok(v) {
			t.Errorf("%s = %v (reported: %v), want %s\n%s", c.name, v, ok, c.want, out.String())
		}
	}
}
