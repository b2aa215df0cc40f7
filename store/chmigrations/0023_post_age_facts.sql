-- Analytics read model for fixed-age reports (age=24h|7d|28d): one plain
-- row per age and post (the snapshot nearest the age, from post_at_age,
-- with the post's latest attributes, from the post_facts generation built
-- just before), rebuilt with post_facts as the same generation by
-- analytics.Service.Refresh. A generation is complete once its row is in
-- post_age_facts_gens (a post_facts generation built before this table
-- existed has none: fixed-age reports then read post_metrics, slower,
-- same figures). Older partitions are dropped.
CREATE TABLE IF NOT EXISTS post_age_facts
(
    gen           UInt32,
    age           UInt32,
    post_key      UInt64,
    platform      String,
    post_id       String,
    published_at  DateTime('UTC'),
    content_type  String,
    unit_id       UInt64,
    channel_id    UInt64,
    campaign      String,
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
ENGINE = MergeTree
PARTITION BY gen
ORDER BY (age, published_at, post_key);

CREATE TABLE IF NOT EXISTS post_age_facts_gens
(
    gen        UInt32,
    rows       UInt64,
    built_at   DateTime('UTC'),
    took_ms    UInt64
)
ENGINE = MergeTree
ORDER BY gen;
