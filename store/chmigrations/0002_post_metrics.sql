-- Append-only metric snapshots: one row per post per collection slot.
-- A repeated collection of the same slot replaces, never adds (the key
-- ends in slot), and reports read one snapshot per post, so nothing is
-- counted twice. metric_fields[i] was read from Graph metric metric_sources[i].
CREATE TABLE IF NOT EXISTS post_metrics
(
    slot            DateTime('UTC'),
    collected_at    DateTime('UTC'),
    platform        String,
    post_id         String,
    channel_id      UInt64,
    account_id      String,
    published_at    DateTime('UTC'),
    reach           UInt64,
    views           UInt64,
    reactions       UInt64,
    likes           UInt64,
    comments        UInt64,
    shares          UInt64,
    saves           UInt64,
    clicks          UInt64,
    video_views     UInt64,
    interactions    UInt64,
    has_insights    UInt8,
    metric_fields   Array(String),
    metric_sources  Array(String),
    run_id          String
)
ENGINE = ReplacingMergeTree(collected_at)
PARTITION BY toYYYYMM(slot)
ORDER BY (platform, post_id, slot)
