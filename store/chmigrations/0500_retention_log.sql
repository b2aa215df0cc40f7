-- What the retention job did (issue 21): each partition it thinned
-- (post_metrics, rewritten whole with REPLACE PARTITION: TTL is not
-- available on 18.16) or dropped (account_metrics, when follower history
-- has a limit). parts fingerprints the partition's parts after the job
-- (names, rows, modification times): a partition whose parts still match
-- is not read again. Rows are only added.
CREATE TABLE IF NOT EXISTS retention_log
(
    at            DateTime('UTC'),
    table_name    String,
    partition_id  String,
    action        String,
    rows_before   UInt64,
    rows_after    UInt64,
    posts         UInt64,
    parts         String
)
ENGINE = MergeTree
ORDER BY (table_name, partition_id, at)
