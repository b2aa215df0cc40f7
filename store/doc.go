// Package store opens humas's two databases and applies their embedded,
// numbered migrations: ClickHouse for every metric snapshot (clickhouse.go)
// and the state database for the content calendar, users and audit log:
// an embedded SQLite file (sqlite.go) or PostgreSQL shared by several
// replicas (postgres.go, pgdriver.go: the same SQL, rebound), with the
// leases that let one replica at a time run a job (lease.go) and the copy
// from one to the other (copystate.go).
//
// Every ClickHouse statement here must run on ClickHouse 18.16 (Debian)
// and on current releases: inserts go through PrepareBatch with a column
// list or INSERT ... SELECT, never INSERT ... VALUES.
//
// # Table owners
//
// store creates the tables (the migrations) but each belongs to one
// package: only the owner's SQL names it; every other package calls the
// owner's exported functions, so renaming a table or a column breaks the
// build, not production. TestTableOwners reads the lists below and checks
// every SQL string in the tree against them; a new table needs a line.
//
// SQLite, the state database (the same tables in PostgreSQL):
//
//	units                    org
//	channels                 org
//	unit_letterheads         org
//	users                    auth
//	api_tokens               auth
//	audit_log                auth
//	posts                    scheduler
//	deliveries               scheduler
//	web_sessions             auth
//	setup_links              auth
//	recovery_codes           auth
//	oidc_flows               auth/sso
//	media                    media
//	report_subscriptions     reportmail
//	report_deliveries        reportmail
//	media_uploads            media
//	collect_runs             collector
//	platform_post_overrides  collector
//	comments                 inbox
//	comment_cursors          inbox
//	comment_replies          inbox
//	ppid_requests            ppid
//	events                   agenda
//	event_posts              agenda
//	agenda_feeds             agenda
//	notifications            notify
//	notification_prefs       notify
//	notification_emails      notify
//	leases                   store
//	schema_migrations        store
//
// ClickHouse:
//
//	posts                    collector
//	post_metrics             collector
//	account_metrics          collector
//	units                    org
//	channels                 org
//	comment_facts            inbox
//	ppid_facts               ppid
//	post_latest              analytics
//	post_facts               analytics
//	post_facts_gens          analytics
//	post_at_age              analytics
//	post_age_facts           analytics
//	post_age_facts_gens      analytics
//	post_cells               analytics
//	post_cells_gens          analytics
//	post_tag_cells           analytics
//	post_tags                analytics
//	read_model_builds        analytics
//	read_model_covers        analytics
//	data_changes             store
//	retention_log            retention
//	schema_migrations        store
//
// The exceptions are listed with their reasons in TestTableOwners:
// analytics builds its read models inside ClickHouse (INSERT ... SELECT and
// joins for names), so its SQL reads the collector's and org's ClickHouse
// tables (TestReadModelsCarryEveryMetric ties those reads to the
// collector's row structs); the admin audit query (auth) finds the unit of
// each line's post, delivery or channel in the same statement; the
// differential test's seeded workload counts analytics' read-model rows;
// backup reads its own copy of the state database (media, schema versions,
// the audit digest); retention rewrites whole partitions of the snapshot
// and follower tables and archives audit rows before removing them.
package store
