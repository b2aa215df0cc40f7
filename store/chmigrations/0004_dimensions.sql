-- Units and channels mirrored from the calendar database, so Grafana and
-- reports can name them and roll units up (ancestors holds every unit
-- above, the unit itself included).
CREATE TABLE IF NOT EXISTS units
(
    unit_id    UInt64,
    parent_id  UInt64,
    name       String,
    timezone   String,
    ancestors  Array(UInt64),
    version    UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY unit_id;

CREATE TABLE IF NOT EXISTS channels
(
    channel_id  UInt64,
    platform    String,
    account_id  String,
    name        String,
    unit_id     UInt64,
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY channel_id
