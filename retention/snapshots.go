package retention

import (
	"context"
	"fmt"
	"time"

	"github.com/humas-id/humas/store"
)

// Snapshot history older than the full-resolution period is thinned one
// whole month partition at a time: the rows to keep are copied into a
// staging table of the same structure, checked, and the partition is
// swapped for them with ALTER TABLE … REPLACE PARTITION (atomic on the
// server; 18.16 has no TTL). Materialized views do not see the swap, so
// post_latest and post_at_age keep what they were built from every
// snapshot, and a rebuild from the thinned table gives the same answers.
//
// A post keeps, in a thinned partition:
//   - its latest snapshot (the highest slot, then the latest collection:
//     what "latest" reports and post_latest take);
//   - for each fixed age (24 h, 7 d, 28 d: analytics' ageSeconds and
//     post_at_age in chmigrations/0022), every snapshot at the smallest
//     distance key, the same key reports use (nearest slot, then the
//     latest collection);
//   - one snapshot per age bucket (the latest in the bucket), so the shape
//     of its history stays: under 1 h, 6 h, 12 h, 1 d, 2 d, 3 d, 7 d,
//     14 d, 28 d, 60 d, 90 d, 180 d, 1 year, then one bucket per year.
//
// The latest and nearest choices are made over the whole table (a post's
// snapshots span months), so a row that decides a report is never removed
// while a nearer or later one lives in another partition.

// Expressions over post_metrics rows.
const (
	exprVer    = `toUInt64(slot) * 4294967296 + toUInt64(collected_at)`
	exprNear   = `abs(toInt64(slot) - toInt64(published_at) - toInt64(age)) * 4294967296 + (4294967295 - toUInt64(collected_at))`
	exprAges   = `[86400, 604800, 2419200]`
	exprBucket = `multiIf(a < 3600, 0, a < 21600, 1, a < 43200, 2, a < 86400, 3, a < 172800, 4, a < 259200, 5, a < 604800, 6,
        a < 1209600, 7, a < 2419200, 8, a < 5184000, 9, a < 7776000, 10, a < 15552000, 11, a < 31536000, 12,
        13 + intDiv(a - 31536000, 31536000))`
	postsOfPartition = `(platform, post_id) IN (SELECT platform, post_id FROM post_metrics WHERE _partition_id = ?)`

	metricColumns = `slot, collected_at, platform, post_id, channel_id, account_id, published_at, reach, views, reactions, likes,
    comments, shares, saves, clicks, video_views, interactions, has_insights, metric_fields, metric_sources, run_id`

	qDropStaging   = `DROP TABLE IF EXISTS post_metrics_thinning`
	qCreateStaging = `CREATE TABLE post_metrics_thinning AS post_metrics`
	// The rows of one partition to keep. Arguments: partition id four
	// times (the rows, and the posts whose picks are made over the table),
	// then the partition id for the buckets.
	qStageKept = `INSERT INTO post_metrics_thinning (` + metricColumns + `)
SELECT ` + metricColumns + `
FROM post_metrics
WHERE _partition_id = ?
  AND (
    (platform, post_id, ` + exprVer + `) IN
    (
        SELECT platform, post_id, max(` + exprVer + `)
        FROM post_metrics
        WHERE ` + postsOfPartition + `
        GROUP BY platform, post_id
    )
    OR (platform, post_id, slot, collected_at) IN
    (
        SELECT platform, post_id, slot, collected_at
        FROM
        (
            SELECT platform, post_id, slot, collected_at, age, ` + exprNear + ` AS k
            FROM post_metrics
            ARRAY JOIN ` + exprAges + ` AS age
            WHERE ` + postsOfPartition + `
        ) AS c
        WHERE (platform, post_id, age, k) IN
        (
            SELECT platform, post_id, age, min(` + exprNear + `)
            FROM post_metrics
            ARRAY JOIN ` + exprAges + ` AS age
            WHERE ` + postsOfPartition + `
            GROUP BY platform, post_id, age
        )
    )
    OR (platform, post_id, ` + exprVer + `) IN
    (
        SELECT platform, post_id, max(v)
        FROM
        (
            SELECT platform, post_id, toInt64(slot) - toInt64(published_at) AS a, ` + exprBucket + ` AS bucket,
                ` + exprVer + ` AS v
            FROM post_metrics
            WHERE _partition_id = ?
        ) AS b
        GROUP BY platform, post_id, bucket
    )
  )`
	qCountPartition = `SELECT count(), uniqExact(platform, post_id) FROM post_metrics WHERE _partition_id = ?`
	qCountStaging   = `SELECT count(), uniqExact(platform, post_id) FROM post_metrics_thinning`
	qReplace        = `ALTER TABLE post_metrics REPLACE PARTITION ID ? FROM post_metrics_thinning`
	qRecord         = `INSERT INTO retention_log (at, table_name, partition_id, action, rows_before, rows_after, posts, parts)
SELECT ?, ?, ?, ?, ?, ?, ?, ?`
	// The parts fingerprint each partition had after the job last handled
	// it. Argument: table.
	qLastParts = `SELECT partition_id, argMax(parts, at) FROM retention_log WHERE table_name = ? GROUP BY partition_id`
)

// PartitionResult is what the job did to one partition.
type PartitionResult struct {
	Table      string `json:"table"`
	Partition  string `json:"partition"`
	Action     string `json:"action"` // thinned, unchanged (already thin), dropped
	RowsBefore uint64 `json:"rows_before"`
	RowsAfter  uint64 `json:"rows_after"`
}

// monthID is the partition id (toYYYYMM) of the month t falls in.
func monthID(t time.Time) string { return t.UTC().Format("200601") }

// cutoff is the first month kept whole: partitions before it are older
// than months full months.
func cutoff(now time.Time, months int) string {
	first := time.Date(now.UTC().Year(), now.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	return monthID(first.AddDate(0, -months, 0))
}

// lastParts reads the fingerprint each partition had when the job last
// handled it.
func lastParts(ctx context.Context, ch *store.ClickHouse, table string) (map[string]string, error) {
	rows, err := ch.Query(ctx, qLastParts, table)
	if err != nil {
		return nil, fmt.Errorf("read retention_log: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, parts string
		if err := rows.Scan(&id, &parts); err != nil {
			return nil, err
		}
		out[id] = parts
	}
	return out, rows.Err()
}

// ThinSnapshots thins every post_metrics partition of a month before
// before (a partition id, YYYYMM) that changed since the job last handled
// it.
func ThinSnapshots(ctx context.Context, ch *store.ClickHouse, before string, now time.Time) ([]PartitionResult, error) {
	parts, err := ch.Partitions(ctx, "post_metrics")
	if err != nil {
		return nil, err
	}
	done, err := lastParts(ctx, ch, "post_metrics")
	if err != nil {
		return nil, err
	}
	var out []PartitionResult
	for _, id := range sortedIDs(parts) {
		if id >= before || done[id] == parts[id].Parts {
			continue
		}
		r, err := thinPartition(ctx, ch, id, parts[id].Parts, now)
		if err != nil {
			return out, fmt.Errorf("thin post_metrics partition %s: %w", id, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// thinPartition stages the rows to keep, checks them, and swaps them in.
func thinPartition(ctx context.Context, ch *store.ClickHouse, id, print string, now time.Time) (PartitionResult, error) {
	r := PartitionResult{Table: "post_metrics", Partition: id}
	if err := ch.Exec(ctx, qDropStaging); err != nil {
		return r, err
	}
	if err := ch.Exec(ctx, qCreateStaging); err != nil {
		return r, err
	}
	defer ch.Exec(context.WithoutCancel(ctx), qDropStaging) //nolint:errcheck // dropped again at the next run
	if err := ch.Exec(ctx, qStageKept, id, id, id, id, id); err != nil {
		return r, fmt.Errorf("stage the rows to keep: %w", err)
	}
	// Row counts before merges (a modern server may collapse duplicate
	// keys within one insert), so read as bookkeeping.
	var posts, keptPosts uint64
	if err := ch.QueryRow(store.Volatile(ctx), qCountPartition, id).Scan(&r.RowsBefore, &posts); err != nil {
		return r, err
	}
	if err := ch.QueryRow(store.Volatile(ctx), qCountStaging).Scan(&r.RowsAfter, &keptPosts); err != nil {
		return r, err
	}
	// Checked before anything is removed: every post of the partition
	// keeps at least one snapshot (its latest in the partition at least),
	// and the staged rows are a subset.
	if keptPosts != posts || r.RowsAfter > r.RowsBefore || (r.RowsBefore > 0 && r.RowsAfter == 0) {
		return r, fmt.Errorf("the staged rows fail the check (%d rows of %d posts staged from %d rows of %d posts): nothing was changed",
			r.RowsAfter, keptPosts, r.RowsBefore, posts)
	}
	r.Action = "unchanged"
	if r.RowsAfter < r.RowsBefore {
		// The partition must not have changed since it was read.
		cur, err := ch.Partitions(ctx, "post_metrics")
		if err != nil {
			return r, err
		}
		if cur[id].Parts != print {
			return r, fmt.Errorf("the partition changed while it was thinned (a late write): nothing was changed; the next run tries again")
		}
		if err := ch.Exec(ctx, qReplace, id); err != nil {
			return r, fmt.Errorf("replace the partition: %w", err)
		}
		r.Action = "thinned"
	}
	after, err := ch.Partitions(ctx, "post_metrics")
	if err != nil {
		return r, err
	}
	if err := ch.Exec(ctx, qRecord, now.UTC().Truncate(time.Second), r.Table, id, r.Action, r.RowsBefore, r.RowsAfter, posts,
		after[id].Parts); err != nil {
		return r, err
	}
	return r, nil
}

func sortedIDs(parts map[string]store.Partition) []string {
	ids := make([]string, 0, len(parts))
	for id := range parts {
		ids = append(ids, id)
	}
	sortStrings(ids)
	return ids
}
