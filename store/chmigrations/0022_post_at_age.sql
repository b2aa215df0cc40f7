-- Analytics fixed-age candidates: for each post and each fixed age
-- (24h = 86400 s, 7d = 604800 s, 28d = 2419200 s; analytics/params.go
-- ageSeconds), the snapshot nearest that age. The analytics service turns
-- it into the post_age_facts read model at each refresh (a plain argMax
-- over a few rows per post), so fixed-age reports never scan post_metrics.
--
-- "Nearest" is exactly the read-time definition in analytics/sql.go
-- (qPostsAgeHead): the smallest k = |slot - published_at - age| * 2^32 +
-- (2^32 - 1 - collected_at), so a nearer slot wins and, at the same slot
-- distance (a re-collected slot), the later collection wins, as in
-- post_metrics' ReplacingMergeTree(collected_at). ver = 2^64 - 1 - k, so
-- ReplacingMergeTree(ver) keeps the nearest row on merges and readers take
-- argMax(…, ver) over whatever is not merged yet. Idempotent: the backfill
-- below may overlap rows the view already wrote.
CREATE TABLE IF NOT EXISTS post_at_age
(
    age           UInt32,
    post_key      UInt64,
    ver           UInt64,
    reach         UInt64,
    views         UInt64,
    reactions     UInt64,
    likes         UInt64,
    comments      UInt64,
    shares        UInt64,
    saves         UInt64,
    clicks        UInt64,
    video_views   UInt64,
    interactions  UInt64,
    has_insights  UInt8
)
ENGINE = ReplacingMergeTree(ver)
ORDER BY (age, post_key);

CREATE MATERIALIZED VIEW IF NOT EXISTS post_at_age_from_metrics TO post_at_age AS
SELECT
    age,
    cityHash64(platform, post_id) AS post_key,
    toUInt64(18446744073709551615 - toUInt64(abs(toInt64(slot) - toInt64(published_at) - toInt64(age)) * 4294967296 + (4294967295 - toUInt64(collected_at)))) AS ver,
    reach, views, reactions, likes, comments, shares, saves, clicks, video_views, interactions, has_insights
FROM post_metrics
ARRAY JOIN [86400, 604800, 2419200] AS age;

-- Backfill what was written before the view existed (one row per age and
-- post).
INSERT INTO post_at_age (age, post_key, ver, reach, views, reactions, likes, comments, shares, saves, clicks, video_views, interactions, has_insights)
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
    FROM post_metrics
    ARRAY JOIN [86400, 604800, 2419200] AS age
) AS s
GROUP BY age, post_key;
