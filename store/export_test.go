package store

import "context"

// SplitStatementsForTest exposes splitStatements to the external tests.
var SplitStatementsForTest = splitStatements

// MigrateUpToForTest applies the SQLite migrations up to version upTo.
func (s *SQLite) MigrateUpToForTest(ctx context.Context, upTo int) ([]Migration, error) {
	return s.migrateUpTo(ctx, upTo)
}
