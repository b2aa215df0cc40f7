-- Followers per channel per day; the last collection of a day wins.
CREATE TABLE IF NOT EXISTS account_metrics
(
    day           Date,
    collected_at  DateTime('UTC'),
    platform      String,
    channel_id    UInt64,
    account_id    String,
    unit_id       UInt64,
    followers     UInt64,
    metric_source String
)
ENGINE = ReplacingMergeTree(collected_at)
PARTITION BY toYYYYMM(day)
ORDER BY (platform, account_id, day)
