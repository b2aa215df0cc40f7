-- Analytics read model for the hashtag report: the cells of post_cells
-- (0040) per hashtag, so a year's hashtag report sums a few thousand cells
-- instead of collapsing every version of the period's posts and joining
-- their hashtags to the per-post figures at read time.
--
-- A row is the (post, hashtag) pairs of the posts published on one local
-- day (grain 0) or in one week-month fragment (grain 1), in a time zone,
-- for one hashtag (lower-cased, as the report shows it) and, at level 36,
-- one platform (lvl 32: every platform, platform ''). A post carrying a
-- hashtag twice counts twice, as in the per-post report. The hashtags are
-- those of each post's latest posts row when the generation was built,
-- as the generation's other attributes are. The sums are post_cells'.
-- The cells of a generation are complete for a time zone once
-- post_cells_gens has its row with tags = 1; rows written before this
-- migration have tags = 0, and their generations' hashtag reports read the
-- posts.
CREATE TABLE IF NOT EXISTS post_tag_cells
(
    gen           UInt32,
    age           UInt32,
    tz            String,
    lvl           UInt8,
    grain         UInt8,
    day           Date,
    frag_first    Date,
    frag_last     Date,
    platform      String,
    tag           String,
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

-- The hashtags of a generation's posts, one row per (post, hashtag) as
-- above, for the hashtag reports the cells do not cover (filtered by unit,
-- channel, content type or campaign): they join these to the per-post
-- figures instead of collapsing the posts table's versions at read time.
-- Built with the hashtag cells, so complete when they are.
CREATE TABLE IF NOT EXISTS post_tags
(
    gen           UInt32,
    published_at  DateTime('UTC'),
    post_key      UInt64,
    tag           String
)
ENGINE = MergeTree
PARTITION BY gen
ORDER BY (published_at, post_key);

ALTER TABLE post_cells_gens ADD COLUMN tags UInt8 DEFAULT 0;
