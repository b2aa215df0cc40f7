// Package analytics answers the question division heads ask: which content
// reaches and engages the public, by content type, platform, unit, channel,
// campaign and period.
//
// Reports read ClickHouse read models rebuilt as one generation by
// Service.Refresh (after every change of the data from any process, see
// Options.ChangePoll and migration 0030, and every 5 minutes): post_facts
// (migration 0021; each post's latest snapshot, from post_latest, rows kept
// by ReplacingMergeTree since migration 0043, with the attributes from
// posts) and post_age_facts (migration 0023;
// each post's snapshot nearest 24h, 7d and 28d, from the post_at_age table
// of migration 0022). Before the first refresh they compute the same
// figures at read time from post_latest and post_metrics (slower).
// Grouped reports (engagement, campaigns, the office roll-up) read the
// generation's cells (post_cells, migration 0040, cells.go) when a cell
// level keeps every dimension they group and filter by: sums per local
// day and week-month fragment, exact for any period. A generation's cells
// are built after it is current (cellsbuild.go); until then reports read
// its posts, so new data never waits for them. Every
// post counts once, in the period it was published in, and every answer
// carries the definition it used in English and Bahasa Indonesia.
//
// Answers are cached by what they depend on (the generation, the change
// marker, the resolved period and the fields each report reads), in a
// cache bounded by bytes; concurrent equal requests share one computation
// that stops when nobody waits for it.
package analytics
