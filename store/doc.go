// Package store opens humas's two databases and applies their embedded,
// numbered migrations: ClickHouse for every metric snapshot (clickhouse.go)
// and SQLite for the content calendar, users and audit log (sqlite.go).
//
// Every ClickHouse statement here must run on ClickHouse 18.16 (Debian)
// and on current releases: inserts go through PrepareBatch with a column
// list or INSERT ... SELECT, never INSERT ... VALUES.
package store
