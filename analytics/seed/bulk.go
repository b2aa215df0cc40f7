package seed

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/humas-id/humas/collector"
	"github.com/humas-id/humas/store"
)

// The bulk load. Two materialized views on post_metrics keep the read
// model's per-post tables (post_latest, migration 0043; post_at_age, 0022)
// as snapshots arrive: on ClickHouse 18.16 they cost the insert 1.6 and
// 5.3 µs a row on top of the table's 3.2 (the view of post_at_age writes
// three rows a snapshot). The collector needs them; a bulk load of
// millions of snapshots does not need them row by row. So the seeder
// writes its snapshots into a staging table made AS post_metrics (the same
// columns, engine and partitions, no views), fills the two tables from it
// with one grouped insert each (the migrations' backfills: the row each
// view's table keeps per post, or per age and post), attaches the staged
// partitions to post_metrics (their parts are linked, not copied) and
// drops the staging table. The tables end as the views would leave them
// after their merges (TestBulkMatchesViews), which is all any reader sees:
// readers take FINAL or argMax by the same versions.
//
// Without FINAL on the staging table: the seeder writes each (post, slot)
// once, so no two rows of a post share a version and each argMax takes
// every column from one row.

const (
	qCreateStaging = `CREATE TABLE %s AS post_metrics`
	qDropStaging   = `DROP TABLE IF EXISTS %s`
	qStagedParts   = `SELECT DISTINCT partition FROM system.parts WHERE database = ? AND table = ? AND active ORDER BY partition`
	// The partition is a value read from system.parts (toYYYYMM(slot)).
	qAttachStaged = `ALTER TABLE post_metrics ATTACH PARTITION %s FROM %s`
	// As migration 0043's fill of post_latest.
	qFillLatest = `INSERT INTO post_latest (post_key, platform, post_id, published_at, snap_ver, channel_id, reach, views, reactions, likes, comments, shares, saves, clicks, video_views, interactions, has_insights)
SELECT
    cityHash64(platform, post_id) AS post_key,
    platform,
    post_id,
    argMax(published_at, v),
    max(v),
    argMax(channel_id, v),
    argMax(reach, v),
    argMax(views, v),
    argMax(reactions, v),
    argMax(likes, v),
    argMax(comments, v),
    argMax(shares, v),
    argMax(saves, v),
    argMax(clicks, v),
    argMax(video_views, v),
    argMax(interactions, v),
    argMax(has_insights, v)
FROM
(
    SELECT platform, post_id, published_at, toUInt64(slot) * 4294967296 + toUInt64(collected_at) AS v, channel_id, reach,
        views, reactions, likes, comments, shares, saves, clicks, video_views, interactions, has_insights
    FROM %s
) AS m
GROUP BY platform, post_id`
	// As migration 0022's fill of post_at_age.
	qFillAtAge = `INSERT INTO post_at_age (age, post_key, ver, reach, views, reactions, likes, comments, shares, saves, clicks, video_views, interactions, has_insights)
SELECT
    age,
    post_key,
    max(v) AS ver,
    argMax(reach, v),
    argMax(views, v),
    argMax(reactions, v),
    argMax(likes, v),
    argMax(comments, v),
    argMax(shares, v),
    argMax(saves, v),
    argMax(clicks, v),
    argMax(video_views, v),
    argMax(interactions, v),
    argMax(has_insights, v)
FROM
(
    SELECT
        age,
        cityHash64(platform, post_id) AS post_key,
        toUInt64(18446744073709551615 - toUInt64(abs(toInt64(slot) - toInt64(published_at) - toInt64(age)) * 4294967296 + (4294967295 - toUInt64(collected_at)))) AS v,
        reach, views, reactions, likes, comments, shares, saves, clicks, video_views, interactions, has_insights
    FROM %s
    ARRAY JOIN [86400, 604800, 2419200] AS age
) AS s
GROUP BY age, post_key`
)

// staging is the seeder's staging table for one run.
type staging struct {
	ch    *store.ClickHouse
	table string
}

// newStaging makes a staging table with a name of its own (two seeders
// at once do not share one).
func newStaging(ctx context.Context, ch *store.ClickHouse) (*staging, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("seed: staging table name: %w", err)
	}
	s := &staging{ch: ch, table: "seed_post_metrics_" + hex.EncodeToString(b[:])}
	if err := ch.Exec(ctx, fmt.Sprintf(qCreateStaging, s.table)); err != nil {
		return nil, fmt.Errorf("seed: create staging table %s: %w", s.table, err)
	}
	return s, nil
}

func (s *staging) insert(ctx context.Context, rows []collector.SnapshotRow) error {
	return collector.InsertSnapshotsInto(ctx, s.ch, s.table, rows)
}

// finish fills post_latest and post_at_age from the staged snapshots and
// moves them into post_metrics.
func (s *staging) finish(ctx context.Context) error {
	// The two fills at once: each is one thread of ClickHouse's most of
	// its time.
	g, gctx := errgroup.WithContext(ctx)
	for _, q := range []struct{ name, query string }{{"post_latest", qFillLatest}, {"post_at_age", qFillAtAge}} {
		g.Go(func() error {
			if err := s.ch.Exec(gctx, fmt.Sprintf(q.query, s.table)); err != nil {
				return fmt.Errorf("seed: fill %s from %s: %w", q.name, s.table, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	rows, err := s.ch.Query(ctx, qStagedParts, s.ch.Database(), s.table)
	if err != nil {
		return fmt.Errorf("seed: partitions of %s: %w", s.table, err)
	}
	var parts []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return fmt.Errorf("seed: partitions of %s: %w", s.table, err)
		}
		parts = append(parts, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("seed: partitions of %s: %w", s.table, err)
	}
	for _, p := range parts {
		if err := s.ch.Exec(ctx, fmt.Sprintf(qAttachStaged, p, s.table)); err != nil {
			return fmt.Errorf("seed: attach partition %s of %s to post_metrics: %w", p, s.table, err)
		}
	}
	return nil
}

// drop removes the staging table, with a context of its own: it runs
// after a failure or a cancel too.
func (s *staging) drop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.ch.Exec(ctx, fmt.Sprintf(qDropStaging, s.table)); err != nil {
		return fmt.Errorf("seed: drop staging table %s: %w", s.table, err)
	}
	return nil
}
