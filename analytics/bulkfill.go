package analytics

import (
	"context"
	"fmt"
	"regexp"

	"golang.org/x/sync/errgroup"

	"github.com/humas-id/humas/store"
)

// A bulk load of snapshots (the seeder's) writes them into a staging table
// without post_metrics' views (collector.Staging) and fills the views'
// tables once from it: post_latest (migration 0043) and post_at_age (0022)
// get the row each view's table keeps per post, or per age and post, by the
// migrations' own fills. Readers take FINAL or argMax by the same
// versions, so they see what the views would have left after merges.
//
// Without FINAL on the staged table, so the caller must stage each
// (post, slot) once with one collected_at (the seeder does): then no two
// rows of a post share a version and each argMax takes every column from
// one row. Run again over the same rows (a load resumed after a failure),
// a fill adds rows with the same versions, which readers see once.

// identifier is a plain table name (the table goes into the statements).
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

const (
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

// FillPerPost fills post_latest and post_at_age from the snapshots in
// table (a table of post_metrics' columns whose rows its views have not
// seen), as the views would have.
func FillPerPost(ctx context.Context, ch *store.ClickHouse, table string) error {
	if !identifier.MatchString(table) {
		return fmt.Errorf("fill the per-post tables from %q: not a table name", table)
	}
	// An INSERT … SELECT answers when it ends: a deadline replaces the
	// connection's read timeout (as a generation's build does).
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	// The two fills at once: each keeps one of ClickHouse's threads busy
	// most of its time.
	g, gctx := errgroup.WithContext(ctx)
	for _, q := range []struct{ name, query string }{{"post_latest", qFillLatest}, {"post_at_age", qFillAtAge}} {
		g.Go(func() error {
			if err := ch.Exec(gctx, fmt.Sprintf(q.query, table)); err != nil {
				return fmt.Errorf("fill %s from %s: %w", q.name, table, err)
			}
			return nil
		})
	}
	return g.Wait()
}
