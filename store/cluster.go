package store

import (
	"regexp"
	"strings"
)

// With clickhouse.cluster set, humas runs on replicas of one shard: every
// table is a Replicated* engine whose parts ClickHouse copies between the
// replicas through ZooKeeper (or Keeper), and the schema is made on every
// replica with ON CLUSTER. The migrations stay written for one server;
// clusterDDL turns each statement into its cluster form when it runs:
//
//   - CREATE TABLE t … ENGINE = [Replacing|Aggregating|…]MergeTree[(args)]
//     becomes CREATE TABLE t ON CLUSTER c … ENGINE =
//     Replicated…MergeTree('/clickhouse/tables/{shard}/DB/t', '{replica}'[, args]);
//   - CREATE MATERIALIZED VIEW v … and DROP TABLE t get ON CLUSTER c, and
//     the view's TO, FROM and JOIN tables are qualified with the database
//     (a replica runs the distributed DDL in its default database: an
//     unqualified name there would mean default.t);
//   - CREATE/DROP DATABASE get ON CLUSTER c (see OpenClickHouse, DropDatabase);
//   - everything else runs on one replica as written: ALTER (columns,
//     DROP PARTITION, mutations), TRUNCATE and INSERT on a Replicated table
//     reach the other replicas through replication, and materialized views
//     fire on the replica that took the insert only, so nothing counts twice.
//
// The single-server path sends the migrations unchanged; the differential
// test (chdiff) replays that path. The cluster form needs a cluster and
// ZooKeeper, which its engines do not have: the replica tests on two 18.16
// servers (scripts/chcluster.sh) cover it.

var (
	reCreateTable = regexp.MustCompile(`(?is)^(\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?)([A-Za-z_][A-Za-z0-9_]*)\b`)
	reCreateView  = regexp.MustCompile(`(?is)^(\s*CREATE\s+MATERIALIZED\s+VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?)([A-Za-z_][A-Za-z0-9_]*)\b`)
	reDropTable   = regexp.MustCompile(`(?is)^(\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?)([A-Za-z_][A-Za-z0-9_]*)\s*$`)
	// A DROP TABLE in its cluster form (clusterDDL's).
	reDropOnCluster = regexp.MustCompile("(?is)^\\s*DROP\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?[A-Za-z_][A-Za-z0-9_]*\\s+ON\\s+CLUSTER\\s+`[^`]+`\\s*$")
	reEngine        = regexp.MustCompile(`(?is)\bENGINE\s*=\s*((?:Replacing|Aggregating|Summing|Collapsing|VersionedCollapsing)?MergeTree)\b(\s*\(([^()]*)\))?`)
	// A table a view reads or writes: TO t, FROM t, JOIN t (not a
	// subquery, not already qualified).
	reViewTable = regexp.MustCompile(`(?is)\b(TO|FROM|JOIN)(\s+)([A-Za-z_][A-Za-z0-9_]*)\b([^.(A-Za-z0-9_]|$)`)
)

// syncDrop makes a DROP TABLE of a cluster wait until the table is gone
// from every replica and from ZooKeeper. A migration that drops a table and
// creates it again (0024, 0042) reuses its ZooKeeper path; ClickHouse 20.10
// and later drop a table of an Atomic database (their default) some
// minutes after the DROP unless it says SYNC, so the CREATE would find the
// old replica there. 18.16 drops at once and refuses SYNC.
func syncDrop(stmt string) string {
	if reDropOnCluster.MatchString(stmt) {
		return strings.TrimRight(stmt, " \t\n") + " SYNC"
	}
	return stmt
}

// clusterDDL returns stmt as it runs on cluster (see above); db is the
// store's database. With no cluster it returns stmt unchanged.
func clusterDDL(stmt, db, cluster string) string {
	if cluster == "" {
		return stmt
	}
	on := onCluster(cluster)
	if m := reCreateTable.FindStringSubmatchIndex(stmt); m != nil {
		table := stmt[m[4]:m[5]]
		out := stmt[:m[5]] + on + stmt[m[5]:]
		return reEngine.ReplaceAllStringFunc(out, func(e string) string {
			sm := reEngine.FindStringSubmatch(e)
			args := "'/clickhouse/tables/{shard}/" + db + "/" + table + "', '{replica}'"
			if extra := strings.TrimSpace(sm[3]); extra != "" {
				args += ", " + extra
			}
			return "ENGINE = Replicated" + sm[1] + "(" + args + ")"
		})
	}
	if m := reCreateView.FindStringSubmatchIndex(stmt); m != nil {
		head, rest := stmt[:m[5]]+on, stmt[m[5]:]
		rest = reViewTable.ReplaceAllString(rest, "${1}${2}`"+db+"`.${3}${4}")
		return head + rest
	}
	if m := reDropTable.FindStringSubmatchIndex(stmt); m != nil {
		return strings.TrimRight(stmt, " \t\n") + on
	}
	return stmt
}
