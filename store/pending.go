package store

import (
	"context"
	"fmt"
)

// Pending returns the ClickHouse migrations Migrate would apply (none
// recorded yet; superseded ones, which are only recorded, left out).
func (c *ClickHouse) Pending(ctx context.Context) ([]Migration, error) {
	migs, err := ClickHouseMigrations()
	if err != nil {
		return nil, err
	}
	var exists uint64
	if err := c.QueryRow(ctx, `SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'schema_migrations'`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", wrapCH(err))
	}
	applied := map[int]string{}
	if exists > 0 {
		if applied, err = c.AppliedMigrations(ctx); err != nil {
			return nil, err
		}
	}
	var out []Migration
	for _, m := range migs {
		if _, ok := applied[m.Version]; !ok && m.SupersededBy == 0 {
			out = append(out, m)
		}
	}
	return out, nil
}

// Pending returns the SQLite migrations Migrate would apply.
func (s *SQLite) Pending(ctx context.Context) ([]Migration, error) {
	migs, err := loadMigrations(sqlMigrationFS, "sqlmigrations")
	if err != nil {
		return nil, err
	}
	var exists int
	if err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("state database %s: %w", s.path, err)
	}
	done := map[int]bool{}
	if exists > 0 {
		rows, err := s.DB.QueryContext(ctx, qSQLiteApplied)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return nil, err
			}
			done[v] = true
		}
		rows.Close()
	}
	var out []Migration
	for _, m := range migs {
		if !done[m.Version] {
			out = append(out, m)
		}
	}
	return out, nil
}
