package store

import (
	"context"
	"fmt"
	"slices"
)

// SourceTables are the ClickHouse tables whose rows humas cannot rebuild:
// what was collected (posts, snapshots, followers) and the mirrored units
// and channels. Backups export them; everything else (post_latest,
// post_at_age, the report read models, the change marker) is derived from
// them by materialized views or the analytics refresh and is rebuilt on a
// restore.
var SourceTables = []string{"posts", "post_metrics", "account_metrics", "units", "channels"}

// guardTables are the tables a migration must not lose rows of: the source
// tables and the per-post aggregates derived from every snapshot (rebuilt
// only by a full scan). Report read-model generations come and go by design
// and are not guarded.
var guardTables = append(slices.Clone(SourceTables), "post_latest", "post_at_age")

// chMayShrink lists guarded tables a migration may leave with fewer rows
// on purpose. 0043 makes post_latest again with a row only for posts that
// have a snapshot (0024 also kept a row for each post without one). Migration
// 0025 truncates the fixed-age read model, which is not guarded.
var chMayShrink = map[int][]string{43: {"post_latest"}}

const (
	// Rows per table before merges, to see whether there is anything to
	// guard (bookkeeping: read as Volatile).
	qTableRows = `SELECT table, sum(rows) FROM system.parts WHERE database = currentDatabase() AND active GROUP BY table`
)

// qLogicalCount counts a table's rows as its engine means them: FINAL
// collapses the rows a merge would (every guarded table is a Replacing or
// Aggregating MergeTree), so background merges never look like a loss.
func qLogicalCount(table string) string { return "SELECT count() FROM `" + table + "` FINAL" }

// guardCounts counts the guarded tables that hold rows before a migration
// (nil when the database holds none: a new installation has nothing to
// lose). The reads describe this server at this moment and are marked
// Volatile: the differential test replays them without comparing.
func (c *ClickHouse) guardCounts(ctx context.Context) (map[string]uint64, error) {
	vctx := Volatile(ctx)
	rows, err := c.Query(vctx, qTableRows)
	if err != nil {
		return nil, err
	}
	present := map[string]bool{}
	for rows.Next() {
		var table string
		var n uint64
		if err := rows.Scan(&table, &n); err != nil {
			rows.Close()
			return nil, err
		}
		if n > 0 && slices.Contains(guardTables, table) {
			present[table] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(present) == 0 {
		return nil, nil
	}
	counts := map[string]uint64{}
	for t := range present {
		var n uint64
		if err := c.QueryRow(vctx, qLogicalCount(t)).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, wrapCH(err))
		}
		counts[t] = n
	}
	return counts, nil
}

// checkCounts fails a migration that left a guarded table with fewer rows
// than before (or dropped it), unless chMayShrink allows it. ClickHouse
// DDL is not transactional: the error stops the upgrade before anything
// else runs and says how to get the data back.
func (c *ClickHouse) checkCounts(ctx context.Context, m Migration, before map[string]uint64) error {
	vctx := Volatile(ctx)
	for t, was := range before {
		if slices.Contains(chMayShrink[m.Version], t) {
			continue
		}
		var n uint64
		if err := c.QueryRow(vctx, qLogicalCount(t)).Scan(&n); err != nil {
			return fmt.Errorf("clickhouse migration %04d_%s: table %s held %d rows before and cannot be counted after (%w): "+
				"the upgrade stopped; restore the backup taken before it (humas restore)", m.Version, m.Name, t, was, wrapCH(err))
		}
		if n < was {
			return fmt.Errorf("clickhouse migration %04d_%s: table %s holds %d rows, %d before: the upgrade stopped; "+
				"restore the backup taken before it (humas restore)", m.Version, m.Name, t, n, was)
		}
	}
	return nil
}
