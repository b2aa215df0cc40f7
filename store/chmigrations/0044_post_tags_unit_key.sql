-- post_tags (0041) again, with each post's unit and the per-post read
-- models' sorting key (0042): a hashtag report filtered by a unit or a
-- channel (which the hashtag cells do not cover) reads the hashtags of
-- that unit's subtree instead of every post's in the period, and a period
-- still prunes by month. Reports add the month and unit conditions
-- themselves (analytics/hashtags.go): ClickHouse 18.16 does not carry them
-- over from the join's other side. On the 10 M benchmark a year of one
-- province's hashtags read 53 k rows instead of 526 k (18.16's CPU for
-- the report: 10-11 ms instead of 16-17).
--
-- The unit is the post's in post_facts of the same generation, so the
-- join keeps the rows it kept. The generations built before have no unit
-- here: a generation now records format = 2 (analytics/refresh.go) and
-- reports take only those. Until the analytics service builds one, which
-- it does at start because none is current, reports read post_latest and
-- post_metrics (slower, the same figures), as after 0042.
--
-- An older humas still running beside a new one (a rolling upgrade) finds
-- its current generation's post_tags gone, so its hashtag reports filtered
-- by unit, channel, content type or campaign come back empty until it
-- builds a generation; and it counts the new one's generations when it
-- drops superseded ones. Upgrade every humas process together (as 0043).
DROP TABLE IF EXISTS post_tags;

CREATE TABLE IF NOT EXISTS post_tags
(
    gen           UInt32,
    published_at  DateTime('UTC'),
    post_key      UInt64,
    unit_id       UInt64,
    tag           String
)
ENGINE = MergeTree
PARTITION BY gen
ORDER BY (toStartOfMonth(published_at), unit_id, published_at, post_key)
SETTINGS index_granularity = 1024
