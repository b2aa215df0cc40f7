// Package backup makes, checks and restores backups of a humas
// installation while it runs: the state database (a consistent SQLite copy
// through VACUUM INTO, behind StateSource so PostgreSQL can add pg_dump),
// the ClickHouse tables humas cannot rebuild (store.SourceTables, one
// RowBinary file per partition, readable by ClickHouse 18.16 and current
// releases), the media library's files (local folder or S3), the secret
// key's fingerprint (never the key), and a manifest with every file's size
// and SHA-256, row counts, the audit log's digest, humas's version and the
// schema versions. A backup reuses the files of an earlier one for the
// partitions and media that did not change (hard links), so daily backups
// cost what changed. Verify checks a backup without restoring it; Restore
// loads one into an empty installation; List, Keep and Prune rotate the
// scheduled ones.
package backup
