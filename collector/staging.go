package collector

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/humas-id/humas/store"
)

// A staging table for a bulk load of snapshots (the seeder's): made AS
// post_metrics (the same columns, engine and partitions) but without its
// materialized views, so an insert costs ClickHouse the table only. The
// loader fills what the views would have (analytics.FillPerPost), then
// Attach moves the staged parts into post_metrics (ClickHouse links
// them, no copy, and no view fires) and Drop removes the table.

const (
	qCreateStaging = `CREATE TABLE %s AS ` + TableSnapshots
	qDropStaging   = `DROP TABLE IF EXISTS %s`
	qStagedParts   = `SELECT DISTINCT partition FROM system.parts WHERE database = ? AND table = ? AND active ORDER BY partition`
	// The partition is a value read from system.parts (toYYYYMM(slot)).
	qAttachStaged = `ALTER TABLE ` + TableSnapshots + ` ATTACH PARTITION %s FROM %s`
)

// Staging is one bulk load's staging table.
type Staging struct {
	ch *store.ClickHouse
	// Table is the staging table's name (seed_post_metrics_ and 12 hex
	// digits: two loads at once do not share one).
	Table string
}

// NewStaging makes a staging table.
func NewStaging(ctx context.Context, ch *store.ClickHouse) (*Staging, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("staging table name: %w", err)
	}
	s := &Staging{ch: ch, Table: "seed_post_metrics_" + hex.EncodeToString(b[:])}
	if err := ch.Exec(ctx, fmt.Sprintf(qCreateStaging, s.Table)); err != nil {
		return nil, fmt.Errorf("create staging table %s: %w", s.Table, err)
	}
	return s, nil
}

// Insert writes rows into the staging table as one insert.
func (s *Staging) Insert(ctx context.Context, rows []SnapshotRow) error {
	return insertRows(ctx, s.ch, insertInto(s.Table, snapshotColumns), len(rows), snapshotSource(rows))
}

// Attach moves every staged partition into post_metrics.
func (s *Staging) Attach(ctx context.Context) error {
	rows, err := s.ch.Query(ctx, qStagedParts, s.ch.Database(), s.Table)
	if err != nil {
		return fmt.Errorf("partitions of %s: %w", s.Table, err)
	}
	var parts []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return fmt.Errorf("partitions of %s: %w", s.Table, err)
		}
		parts = append(parts, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("partitions of %s: %w", s.Table, err)
	}
	for _, p := range parts {
		if err := s.ch.Exec(ctx, fmt.Sprintf(qAttachStaged, p, s.Table)); err != nil {
			return fmt.Errorf("attach partition %s of %s to %s: %w", p, s.Table, TableSnapshots, err)
		}
	}
	return nil
}

// Drop removes the staging table, with a context of its own: it runs
// after a failure or a cancel too.
func (s *Staging) Drop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.ch.Exec(ctx, fmt.Sprintf(qDropStaging, s.Table)); err != nil {
		return fmt.Errorf("drop staging table %s: %w", s.Table, err)
	}
	return nil
}
