-- Change marker for the report read models. Every write that changes what
-- reports show (a collection, a replayed buffer, a content type
-- correction), from any process sharing the database, adds a row here
-- (store.ClickHouse.MarkChanged). The analytics service of every server
-- polls count() every few seconds and rebuilds the read model (or picks up
-- the generation another process built) when it moved, so new figures
-- reach every server within seconds. count() only grows: rows are never
-- deleted (about one per collection; no TTL, which 18.16 lacks anyway).
CREATE TABLE IF NOT EXISTS data_changes
(
    changed_at  DateTime('UTC'),
    source      String,
    rows        UInt64
)
ENGINE = MergeTree
ORDER BY changed_at;

-- Which changes each read-model generation includes: the data_changes
-- count read before the generation was built (analytics.Service.Refresh).
-- A generation covers the marker when its count is at least the current
-- one; otherwise the data changed since it was built.
CREATE TABLE IF NOT EXISTS read_model_covers
(
    gen       UInt32,
    changes   UInt64,
    built_at  DateTime('UTC')
)
ENGINE = MergeTree
ORDER BY gen;

-- Generation numbers claimed by read-model builds, finished or not
-- (analytics.Service.claimGen): a build takes a number after every claimed
-- one and goes ahead only if no other claim has it, so two processes
-- rebuilding at the same moment never write the same partition.
CREATE TABLE IF NOT EXISTS read_model_builds
(
    gen         UInt32,
    builder     String,
    claimed_at  DateTime('UTC')
)
ENGINE = MergeTree
ORDER BY gen;
