-- The comments inbox's facts mirrored from the state database (issue 19),
-- for Grafana: one row per public comment (the newest version wins):
-- whether the office answered it and how many minutes after.
CREATE TABLE IF NOT EXISTS comment_facts
(
    comment_id        UInt64,
    channel_id        UInt64,
    unit_id           UInt64,
    platform          String,
    created_at        DateTime,
    is_question       UInt8,
    answered          UInt8,
    response_minutes  Float64,
    version           UInt64
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(created_at)
ORDER BY comment_id
