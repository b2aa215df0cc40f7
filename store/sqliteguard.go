package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// mayShrinkMark declares, on a line of its own in a SQLite migration, the
// tables it empties or drops on purpose: "-- humas:may_shrink=a,b".
const mayShrinkMark = "-- humas:may_shrink="

const qUserTables = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`

// tableCounts counts the rows of every table, inside the migration's
// transaction.
func tableCounts(ctx context.Context, tx *sql.Tx) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, qUserTables)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	counts := make(map[string]int64, len(names))
	for _, n := range names {
		var c int64
		// Names come from sqlite_master; quoted as identifiers.
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM "`+strings.ReplaceAll(n, `"`, `""`)+`"`).Scan(&c); err != nil {
			return nil, fmt.Errorf("count %s: %w", n, err)
		}
		counts[n] = c
	}
	return counts, nil
}

// checkTableCounts refuses a migration that leaves a table with fewer rows
// than it had, or without a table that had rows, unless the migration
// declares it (mayShrinkMark). It runs before the commit: a rebuild copies
// first (INSERT … SELECT into the new table, then DROP and RENAME), and the
// counts are verified before the removal becomes permanent.
func checkTableCounts(ctx context.Context, tx *sql.Tx, m Migration, before map[string]int64) error {
	after, err := tableCounts(ctx, tx)
	if err != nil {
		return fmt.Errorf("sqlite migration %04d_%s: count rows after: %w", m.Version, m.Name, err)
	}
	allowed := declaredShrinks(m.Body)
	for t, was := range before {
		if was == 0 || slices.Contains(allowed, t) {
			continue
		}
		n, ok := after[t]
		if !ok {
			return fmt.Errorf("sqlite migration %04d_%s: table %s held %d rows and is gone: nothing was changed "+
				"(declare %s%s in the migration if that is meant)", m.Version, m.Name, t, was, mayShrinkMark, t)
		}
		if n < was {
			return fmt.Errorf("sqlite migration %04d_%s: table %s would hold %d rows, %d before: nothing was changed "+
				"(declare %s%s in the migration if that is meant)", m.Version, m.Name, t, n, was, mayShrinkMark, t)
		}
	}
	return nil
}

func declaredShrinks(body string) []string {
	var out []string
	for _, line := range strings.Split(body, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), mayShrinkMark); ok {
			for _, t := range strings.Split(rest, ",") {
				if t = strings.TrimSpace(t); t != "" {
					out = append(out, t)
				}
			}
		}
	}
	return out
}
