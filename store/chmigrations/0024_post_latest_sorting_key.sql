-- post_latest (0020) again, with platform and post_id in the sorting key.
-- 0020 kept them as plain columns beside ORDER BY post_key, which an
-- AggregatingMergeTree merges to an arbitrary value per key and which
-- ClickHouse 26.x refuses to create (allow_dimensions_outside_sorting_key
-- is 0 by default; 18.16 rejects the setting, so it cannot be set in the
-- DDL). post_key is cityHash64(platform, post_id), so the longer key never
-- splits a post: a post still merges into one row, and PRIMARY KEY post_key
-- keeps the index as it was. published_at stays a plain column: it is the
-- partition key, constant per post.
--
-- A database that ran 0020 gets the table rebuilt here: the views are
-- dropped, the table is dropped and created with the new key, the views
-- are created on it, then everything is filled again from post_metrics and
-- posts. A snapshot written while this runs is in post_metrics before the
-- backfill reads it or reaches the table through the new views; argMax and
-- max are idempotent, so one that does both is not counted twice. A new
-- database skips 0020 (store/migrations.go: superseded) and starts here.
-- Read it as before: GROUP BY post_key with argMaxMerge/maxMerge.
DROP TABLE IF EXISTS post_latest_from_metrics;

DROP TABLE IF EXISTS post_latest_from_posts;

DROP TABLE IF EXISTS post_latest;

CREATE TABLE IF NOT EXISTS post_latest
(
    post_key      UInt64,
    platform      String,
    post_id       String,
    published_at  DateTime('UTC'),
    snap_ver      AggregateFunction(max, UInt64),
    m_reach AggregateFunction(argMax, UInt64, UInt64),
    m_views AggregateFunction(argMax, UInt64, UInt64),
    m_reactions AggregateFunction(argMax, UInt64, UInt64),
    m_likes AggregateFunction(argMax, UInt64, UInt64),
    m_comments AggregateFunction(argMax, UInt64, UInt64),
    m_shares AggregateFunction(argMax, UInt64, UInt64),
    m_saves AggregateFunction(argMax, UInt64, UInt64),
    m_clicks AggregateFunction(argMax, UInt64, UInt64),
    m_video_views AggregateFunction(argMax, UInt64, UInt64),
    m_interactions AggregateFunction(argMax, UInt64, UInt64),
    m_has_insights AggregateFunction(argMax, UInt8, UInt64),
    d_content_type AggregateFunction(argMax, String, UInt64),
    d_unit_id AggregateFunction(argMax, UInt64, UInt64),
    d_channel_id AggregateFunction(argMax, UInt64, UInt64),
    d_campaign AggregateFunction(argMax, String, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(published_at)
PRIMARY KEY post_key
ORDER BY (post_key, platform, post_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS post_latest_from_metrics TO post_latest AS
SELECT
    cityHash64(platform, post_id) AS post_key,
    platform,
    post_id,
    published_at,
    maxState(toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS snap_ver,
    argMaxState(reach, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_reach,
    argMaxState(views, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_views,
    argMaxState(reactions, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_reactions,
    argMaxState(likes, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_likes,
    argMaxState(comments, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_comments,
    argMaxState(shares, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_shares,
    argMaxState(saves, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_saves,
    argMaxState(clicks, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_clicks,
    argMaxState(video_views, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_video_views,
    argMaxState(interactions, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_interactions,
    argMaxState(has_insights, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_has_insights,
    argMaxState('', toUInt64(0)) AS d_content_type,
    argMaxState(toUInt64(0), toUInt64(0)) AS d_unit_id,
    argMaxState(channel_id, toUInt64(0)) AS d_channel_id,
    argMaxState('', toUInt64(0)) AS d_campaign
FROM post_metrics
GROUP BY post_key, platform, post_id, published_at;

CREATE MATERIALIZED VIEW IF NOT EXISTS post_latest_from_posts TO post_latest AS
SELECT
    cityHash64(platform, post_id) AS post_key,
    platform,
    post_id,
    published_at,
    maxState(toUInt64(0)) AS snap_ver,
    argMaxState(toUInt64(0), toUInt64(0)) AS m_reach,
    argMaxState(toUInt64(0), toUInt64(0)) AS m_views,
    argMaxState(toUInt64(0), toUInt64(0)) AS m_reactions,
    argMaxState(toUInt64(0), toUInt64(0)) AS m_likes,
    argMaxState(toUInt64(0), toUInt64(0)) AS m_comments,
    argMaxState(toUInt64(0), toUInt64(0)) AS m_shares,
    argMaxState(toUInt64(0), toUInt64(0)) AS m_saves,
    argMaxState(toUInt64(0), toUInt64(0)) AS m_clicks,
    argMaxState(toUInt64(0), toUInt64(0)) AS m_video_views,
    argMaxState(toUInt64(0), toUInt64(0)) AS m_interactions,
    argMaxState(toUInt8(0), toUInt64(0)) AS m_has_insights,
    argMaxState(content_type, toUInt64(version) + 1) AS d_content_type,
    argMaxState(unit_id, toUInt64(version) + 1) AS d_unit_id,
    argMaxState(channel_id, toUInt64(version) + 1) AS d_channel_id,
    argMaxState(campaign, toUInt64(version) + 1) AS d_campaign
FROM posts
GROUP BY post_key, platform, post_id, published_at;

-- Fill it from everything written so far.
INSERT INTO post_latest (post_key, platform, post_id, published_at, snap_ver, m_reach, m_views, m_reactions, m_likes, m_comments, m_shares, m_saves, m_clicks, m_video_views, m_interactions, m_has_insights, d_content_type, d_unit_id, d_channel_id, d_campaign)
SELECT
    cityHash64(platform, post_id) AS post_key,
    platform,
    post_id,
    published_at,
    maxState(toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS snap_ver,
    argMaxState(reach, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_reach,
    argMaxState(views, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_views,
    argMaxState(reactions, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_reactions,
    argMaxState(likes, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_likes,
    argMaxState(comments, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_comments,
    argMaxState(shares, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_shares,
    argMaxState(saves, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_saves,
    argMaxState(clicks, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_clicks,
    argMaxState(video_views, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_video_views,
    argMaxState(interactions, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_interactions,
    argMaxState(has_insights, toUInt64(slot) * 4294967296 + toUInt64(collected_at)) AS m_has_insights,
    argMaxState('', toUInt64(0)) AS d_content_type,
    argMaxState(toUInt64(0), toUInt64(0)) AS d_unit_id,
    argMaxState(channel_id, toUInt64(0)) AS d_channel_id,
    argMaxState('', toUInt64(0)) AS d_campaign
FROM post_metrics
GROUP BY post_key, platform, post_id, published_at;

INSERT INTO post_latest (post_key, platform, post_id, published_at, snap_ver, m_reach, m_views, m_reactions, m_likes, m_comments, m_shares, m_saves, m_clicks, m_video_views, m_interactions, m_has_insights, d_content_type, d_unit_id, d_channel_id, d_campaign)
SELECT
    cityHash64(platform, post_id) AS post_key,
    platform,
    post_id,
    published_at,
    maxState(toUInt64(0)) AS snap_ver,
    argMaxState(toUInt64(0), toUInt64(0)) AS m_reach,
    argMaxState(toUInt64(0), toUInt64(0)) AS m_views,
    argMaxState(toUInt64(0), toUInt64(0)) AS m_reactions,
    argMaxState(toUInt64(0), toUInt64(0)) AS m_likes,
    argMaxState(toUInt64(0), toUInt64(0)) AS m_comments,
    argMaxState(toUInt64(0), toUInt64(0)) AS m_shares,
    argMaxState(toUInt64(0), toUInt64(0)) AS m_saves,
    argMaxState(toUInt64(0), toUInt64(0)) AS m_clicks,
    argMaxState(toUInt64(0), toUInt64(0)) AS m_video_views,
    argMaxState(toUInt64(0), toUInt64(0)) AS m_interactions,
    argMaxState(toUInt8(0), toUInt64(0)) AS m_has_insights,
    argMaxState(content_type, toUInt64(version) + 1) AS d_content_type,
    argMaxState(unit_id, toUInt64(version) + 1) AS d_unit_id,
    argMaxState(channel_id, toUInt64(version) + 1) AS d_channel_id,
    argMaxState(campaign, toUInt64(version) + 1) AS d_campaign
FROM posts
GROUP BY post_key, platform, post_id, published_at;
