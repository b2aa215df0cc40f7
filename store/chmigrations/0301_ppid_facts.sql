-- PPID information requests mirrored from the state database (issue 19),
-- for Grafana: one row per request (the newest version wins), with its
-- outcome as of the mirror: answered on time or late, refused, open, or
-- open past its deadline.
CREATE TABLE IF NOT EXISTS ppid_facts
(
    request_id   UInt64,
    unit_id      UInt64,
    received_at  DateTime,
    outcome      String,
    version      UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY request_id
