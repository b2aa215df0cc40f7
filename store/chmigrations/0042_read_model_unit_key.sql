-- The per-post read models (post_facts 0021, post_age_facts 0023) again,
-- with two changes that make a report on them read less:
--
--   - Sorting key (month, unit_id, published_at, post_key): a report on
--     one unit (unit IN its subtree) reads about 1/100 of a generation's
--     rows instead of all of them, and a period still prunes by month.
--     Reports add the month condition themselves (analytics/sql.go):
--     ClickHouse 18.16 does not derive it from a published_at range. On
--     the 10 M benchmark a year of one unit's posts read 26 k rows
--     instead of 250 k (pruning whole 1,024-row granules).
--   - fol_prev, fol_day, fol_next: the followers of the post's channel on
--     the UTC day before its publish day, on that day and on the day
--     after (argMax by collected_at per channel and day, 0 when none was
--     collected). A post's local publish day in any time zone is one of
--     the three, so method=followers picks one column instead of joining
--     account_metrics at read time (the join doubled a year's report).
--
-- Older generations have neither: their rows in the generation lists go
-- first (so no report looks for them in the new tables), then the tables
-- are made again; reports read post_latest and post_metrics (slower, the
-- same figures) until the analytics service builds a generation, which it
-- does at start because none is current. A generation records format = 1
-- (the form made here); reports take only those, so a humas from before
-- this migration still running beside a new one (a rolling upgrade) cannot
-- make its generations, which lack the followers, current. A new database
-- creates the tables in 0021/0023 and replaces them here while they are
-- empty. Over a cluster the drops are SYNC on servers that accept it
-- (store/cluster.go, syncDrop): the tables are made again on the same
-- ZooKeeper paths.
ALTER TABLE post_facts_gens ADD COLUMN format UInt8 DEFAULT 0;

ALTER TABLE post_age_facts_gens ADD COLUMN format UInt8 DEFAULT 0;

TRUNCATE TABLE post_facts_gens;

TRUNCATE TABLE post_age_facts_gens;

DROP TABLE IF EXISTS post_facts;

CREATE TABLE IF NOT EXISTS post_facts
(
    gen           UInt32,
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
    has_insights  UInt8,
    fol_prev      UInt64,
    fol_day       UInt64,
    fol_next      UInt64
)
ENGINE = MergeTree
PARTITION BY gen
ORDER BY (toStartOfMonth(published_at), unit_id, published_at, post_key)
SETTINGS index_granularity = 1024;

DROP TABLE IF EXISTS post_age_facts;

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
    has_insights  UInt8,
    fol_prev      UInt64,
    fol_day       UInt64,
    fol_next      UInt64
)
ENGINE = MergeTree
PARTITION BY gen
ORDER BY (age, toStartOfMonth(published_at), unit_id, published_at, post_key)
SETTINGS index_granularity = 1024
