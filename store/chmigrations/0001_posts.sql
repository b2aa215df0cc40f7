-- One row per platform post; the row with the highest version wins
-- (read with FINAL or argMax). Content type lives here, not in the
-- snapshots, so an editor's correction applies to past and future reports.
CREATE TABLE IF NOT EXISTS posts
(
    platform            String,
    post_id             String,
    channel_id          UInt64,
    account_id          String,
    unit_id             UInt64,
    content_type        String,
    content_type_source String,
    media_type          String,
    media_product_type  String,
    caption             String,
    hashtags            Array(String),
    campaign            String,
    published_at        DateTime('UTC'),
    permalink           String,
    humas_post_id       UInt64,
    delivery_id         UInt64,
    updated_at          DateTime('UTC'),
    version             UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (platform, post_id)
