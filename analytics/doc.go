// Package analytics answers the question division heads ask: which content
// reaches and engages the public, by content type, platform, unit, channel,
// campaign and period.
//
// Reports read ClickHouse: post_latest (a per-post pre-aggregate fed by
// materialized views over posts and post_metrics, migration 0020) for the
// latest snapshot, and post_metrics directly for a fixed post age. Every
// post counts once, in the period it was published in, and every answer
// carries the definition it used in English and Bahasa Indonesia.
package analytics
