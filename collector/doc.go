// Package collector reads every channel's posts and media with their counts
// and insights from the Graph API and writes them into ClickHouse as
// history: one posts row per platform post (content type, campaign, unit),
// one post_metrics snapshot per post per collection slot, and followers per
// channel per day. Collection follows a cadence that falls with a post's age,
// keeps within Meta's rate limits (field expansion, bounded concurrency,
// slowing down on usage headers, pausing on throttles), and survives a
// ClickHouse outage through a bounded on-disk buffer.
package collector
