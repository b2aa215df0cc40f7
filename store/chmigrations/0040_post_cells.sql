-- Analytics read model for grouped reports (engagement, campaigns, the
-- office roll-up): additive cells of the posts of a generation, built by
-- analytics.Service.Refresh from post_facts and post_age_facts, so a year's
-- report sums thousands of cells instead of reading 250,000 posts.
--
-- A cell is the posts published on one local day (grain 0) or in one
-- "fragment" (grain 1: the days a week and a month share, at most 7) in a
-- time zone (tz), for one combination of the dimensions its level keeps
-- (lvl, a bit set: 1 unit, 2 channel, 4 platform, 8 content type,
-- 16 campaign; dimensions a level does not keep hold 0 or ''). A period
-- reads the fragments it covers whole and the days of the others, so its
-- sums are those of its posts, exactly; week and month groups never split
-- a fragment. Per-post rates are kept as sums per method (r_: reach,
-- v_: views, f_: followers on the channel's publish day): the posts with a
-- non-zero denominator, their interactions, the denominator and the sum of
-- interactions ÷ denominator. age is 0 for the latest snapshot, else the
-- fixed age in seconds. A generation's cells are complete for a time zone
-- once post_cells_gens has its row; older partitions are dropped.
CREATE TABLE IF NOT EXISTS post_cells
(
    gen           UInt32,
    age           UInt32,
    tz            String,
    lvl           UInt8,
    grain         UInt8,
    day           Date,
    frag_first    Date,
    frag_last     Date,
    unit_id       UInt64,
    channel_id    UInt64,
    platform      String,
    content_type  String,
    campaign      String,
    posts         UInt64,
    reach         UInt64,
    views         UInt64,
    interactions  UInt64,
    reactions     UInt64,
    likes         UInt64,
    comments      UInt64,
    shares        UInt64,
    saves         UInt64,
    clicks        UInt64,
    video_views   UInt64,
    r_posts       UInt64,
    r_inter       UInt64,
    r_den         UInt64,
    r_rate        Float64,
    v_posts       UInt64,
    v_inter       UInt64,
    v_den         UInt64,
    v_rate        Float64,
    f_posts       UInt64,
    f_inter       UInt64,
    f_den         UInt64,
    f_rate        Float64
)
ENGINE = MergeTree
PARTITION BY gen
ORDER BY (age, tz, lvl, grain, day)
SETTINGS index_granularity = 1024;

CREATE TABLE IF NOT EXISTS post_cells_gens
(
    gen       UInt32,
    tz        String,
    cells     UInt64,
    built_at  DateTime('UTC'),
    took_ms   UInt64
)
ENGINE = MergeTree
ORDER BY (gen, tz);
