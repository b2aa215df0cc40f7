package store

import "context"

// SplitStatementsForTest exposes splitStatements to the external tests.
var SplitStatementsForTest = splitStatements

// MigrateUpToForTest applies the SQLite migrations up to version upTo.
func (s *SQLite) MigrateUpToForTest(ctx context.Context, upTo int) ([]Migration, error) {
	return s.migrateUpTo(ctx, upTo)
}

// ApplyForTest runs one SQLite migration as Migrate would.
func (s *SQLite) ApplyForTest(ctx context.Context, m Migration) error { return s.apply(ctx, m) }

// GuardForTest counts the guarded ClickHouse tables, runs stmts as one
// migration would, and checks the counts.
func (c *ClickHouse) GuardForTest(ctx context.Context, m Migration) error {
	before, err := c.guardCounts(ctx)
	if err != nil {
		return err
	}
	for _, s := range m.Statements {
		if err := c.Exec(ctx, s); err != nil {
			return err
		}
	}
	return c.checkCounts(ctx, m, before)
}
