// Package analytics answers the question division heads ask: which content
// reaches and engages the public, by content type, platform, unit, channel,
// campaign and period.
//
// Reports read ClickHouse read models rebuilt as one generation by
// Service.Refresh (every 5 minutes): post_facts (migration 0021; each
// post's latest snapshot, from the post_latest pre-aggregate of migration
// 0020) and post_age_facts (migration 0023; each post's snapshot nearest
// 24h, 7d and 28d, from the post_at_age table of migration 0022). Before
// the first refresh they compute the same figures at read time from
// post_latest and post_metrics (slower). Every
// post counts once, in the period it was published in, and every answer
// carries the definition it used in English and Bahasa Indonesia.
package analytics
