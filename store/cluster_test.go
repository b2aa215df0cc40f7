package store

import (
	"strings"
	"testing"
)

func TestClusterDDL(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"replacing engine keeps its version column",
			"CREATE TABLE IF NOT EXISTS posts\n(\n    version UInt64\n)\nENGINE = ReplacingMergeTree(version)\nORDER BY version",
			"CREATE TABLE IF NOT EXISTS posts ON CLUSTER `humas`\n(\n    version UInt64\n)\nENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db1/posts', '{replica}', version)\nORDER BY version"},
		{"engine without arguments",
			"CREATE TABLE IF NOT EXISTS post_latest\n(k String)\nENGINE = AggregatingMergeTree\nORDER BY k",
			"CREATE TABLE IF NOT EXISTS post_latest ON CLUSTER `humas`\n(k String)\nENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/db1/post_latest', '{replica}')\nORDER BY k"},
		{"plain MergeTree with empty parentheses",
			"CREATE TABLE t (x UInt8) ENGINE = MergeTree() ORDER BY x",
			"CREATE TABLE t ON CLUSTER `humas` (x UInt8) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/db1/t', '{replica}') ORDER BY x"},
		{"view: its tables qualified, subqueries and ARRAY JOIN left alone",
			"CREATE MATERIALIZED VIEW IF NOT EXISTS v TO target AS\nSELECT a FROM (SELECT a FROM src) AS s\nARRAY JOIN [1, 2] AS age\nLEFT JOIN dim USING a",
			"CREATE MATERIALIZED VIEW IF NOT EXISTS v ON CLUSTER `humas` TO `db1`.target AS\nSELECT a FROM (SELECT a FROM `db1`.src) AS s\nARRAY JOIN [1, 2] AS age\nLEFT JOIN `db1`.dim USING a"},
		{"view over an already qualified table",
			"CREATE MATERIALIZED VIEW v TO other.t AS SELECT 1 FROM other.src",
			"CREATE MATERIALIZED VIEW v ON CLUSTER `humas` TO other.t AS SELECT 1 FROM other.src"},
		{"drop", "DROP TABLE IF EXISTS post_latest", "DROP TABLE IF EXISTS post_latest ON CLUSTER `humas`"},
		{"alter replicates by itself", "ALTER TABLE posts ADD COLUMN x String DEFAULT ''", "ALTER TABLE posts ADD COLUMN x String DEFAULT ''"},
		{"truncate replicates by itself", "TRUNCATE TABLE post_age_facts", "TRUNCATE TABLE post_age_facts"},
		{"insert runs on one replica", "INSERT INTO post_latest (k) SELECT k FROM post_metrics", "INSERT INTO post_latest (k) SELECT k FROM post_metrics"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := clusterDDL(tc.in, "db1", "humas"); got != tc.want {
				t.Errorf("clusterDDL:\n got: %s\nwant: %s", got, tc.want)
			}
		})
	}
}

// TestClusterDDLMigrations: without a cluster every migration is sent as
// written (the path the differential test replays); with one, every table
// is replicated and made on every replica, and every view reads and writes
// qualified tables.
func TestClusterDDLMigrations(t *testing.T) {
	migs, err := ClickHouseMigrations()
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{qCreateMigrations}
	for _, m := range migs {
		stmts = append(stmts, m.Statements...)
	}
	tables := 0
	for _, s := range stmts {
		if got := clusterDDL(s, "db1", ""); got != s {
			t.Fatalf("without a cluster the statement changed:\n%s\n→\n%s", s, got)
		}
		got := clusterDDL(s, "db1", "humas")
		upper := strings.ToUpper(s)
		switch {
		case strings.HasPrefix(upper, "CREATE TABLE"):
			tables++
			if !strings.Contains(got, " ON CLUSTER `humas`") || !strings.Contains(got, "ENGINE = Replicated") ||
				!strings.Contains(got, "'/clickhouse/tables/{shard}/db1/") {
				t.Errorf("table not replicated:\n%s", got)
			}
		case strings.HasPrefix(upper, "CREATE MATERIALIZED VIEW"):
			if !strings.Contains(got, " ON CLUSTER `humas` TO `db1`.") || strings.Count(got, "`db1`.") < 2 {
				t.Errorf("view not made on every replica over qualified tables:\n%s", got)
			}
		case strings.HasPrefix(upper, "DROP TABLE"):
			if !strings.HasSuffix(got, " ON CLUSTER `humas`") {
				t.Errorf("drop not on every replica:\n%s", got)
			}
		default:
			if got != s {
				t.Errorf("statement changed though replication carries it:\n%s", got)
			}
		}
	}
	if tables < 10 {
		t.Fatalf("only %d CREATE TABLE statements seen", tables)
	}
}

// TestSyncDrop: on a cluster of servers that drop tables late, a dropped
// table is dropped SYNC (its ZooKeeper path is free for the CREATE after
// it); other statements are left as they are.
func TestSyncDrop(t *testing.T) {
	tests := []struct{ in, want string }{
		{clusterDDL("DROP TABLE IF EXISTS post_facts", "db1", "humas"), "DROP TABLE IF EXISTS post_facts ON CLUSTER `humas` SYNC"},
		{clusterDDL("DROP TABLE post_latest\n", "db1", "humas"), "DROP TABLE post_latest ON CLUSTER `humas` SYNC"},
		{"DROP TABLE IF EXISTS post_facts", "DROP TABLE IF EXISTS post_facts"}, // one server: dropped at once
		{"TRUNCATE TABLE post_facts_gens", "TRUNCATE TABLE post_facts_gens"},
		{"ALTER TABLE t DROP PARTITION 1", "ALTER TABLE t DROP PARTITION 1"},
	}
	for _, tc := range tests {
		if got := syncDrop(tc.in); got != tc.want {
			t.Errorf("syncDrop(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
