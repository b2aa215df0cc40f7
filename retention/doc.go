// Package retention keeps ClickHouse and the audit log to the institution's
// policy on a schedule, without TTL (ClickHouse 18.16 has none): snapshot
// history older than retention.snapshots_full_months is thinned one month
// partition at a time to the snapshots reports need, so every report over
// a thinned period answers exactly as before; follower history and the
// audit log are kept forever unless retention.followers_months or
// retention.audit_log_months say otherwise (the audit log is archived to a
// checked file first). Every partition it touches is recorded in
// retention_log (chmigrations/0500).
package retention
