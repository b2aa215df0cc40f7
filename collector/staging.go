package collector

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
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
	qStagingExists = `SELECT count() FROM system.tables WHERE database = ? AND name = ?`
	qAttachStaged  = `ALTER TABLE ` + TableSnapshots + ` ATTACH PARTITION ID ? FROM %s`
	qUnstage       = `ALTER TABLE %s DROP PARTITION ID ?`
	// stagingTimeout bounds an attach of every staged partition (an
	// ALTER answers when it ends; see analytics.FillPerPost).
	stagingTimeout = 10 * time.Minute
)

// stagingName is the form of a staging table's name: a prefix and 12 hex
// digits of its own (two loads at once do not share one). Names are only
// ever ours, and checked before they go into a statement.
var stagingName = regexp.MustCompile(`^seed_post_metrics_[0-9a-f]{12}$`)

// Staging is one bulk load's staging table.
type Staging struct {
	ch    *store.ClickHouse
	table string
}

// NewStaging makes a staging table.
func NewStaging(ctx context.Context, ch *store.ClickHouse) (*Staging, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("staging table name: %w", err)
	}
	s := &Staging{ch: ch, table: "seed_post_metrics_" + hex.EncodeToString(b[:])}
	if err := ch.Exec(ctx, fmt.Sprintf(qCreateStaging, s.table)); err != nil {
		return nil, fmt.Errorf("create staging table %s: %w", s.table, err)
	}
	return s, nil
}

// OpenStaging opens the staging table a failed load left (to finish it).
func OpenStaging(ctx context.Context, ch *store.ClickHouse, table string) (*Staging, error) {
	if !stagingName.MatchString(table) {
		return nil, fmt.Errorf("%q is not a staging table's name (seed_post_metrics_ and 12 hex digits, as the failed load's error gave it)", table)
	}
	var n uint64
	if err := ch.QueryRow(store.Volatile(ctx), qStagingExists, ch.Database(), table).Scan(&n); err != nil {
		return nil, fmt.Errorf("find staging table %s: %w", table, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("no staging table %s in database %s (finished or dropped already?)", table, ch.Database())
	}
	return &Staging{ch: ch, table: table}, nil
}

// Table is the staging table's name.
func (s *Staging) Table() string { return s.table }

// Insert writes rows into the staging table as one insert.
func (s *Staging) Insert(ctx context.Context, rows []SnapshotRow) error {
	return insertRows(ctx, s.ch, insertInto(s.table, snapshotColumns), len(rows), snapshotSource(rows))
}

// Attach moves every staged partition into post_metrics: ATTACH PARTITION
// FROM links the parts into post_metrics and leaves them staged too, so
// each attached partition is then dropped from the staging table. Run
// again after a failure, it attaches what is still staged, once.
func (s *Staging) Attach(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, stagingTimeout)
	defer cancel()
	parts, err := s.ch.Partitions(ctx, s.table)
	if err != nil {
		return fmt.Errorf("staged partitions: %w", err)
	}
	for id := range parts {
		if err := s.ch.Exec(ctx, fmt.Sprintf(qAttachStaged, s.table), id); err != nil {
			return fmt.Errorf("attach partition %s of %s to %s: %w", id, s.table, TableSnapshots, err)
		}
		if err := s.ch.Exec(ctx, fmt.Sprintf(qUnstage, s.table), id); err != nil {
			return fmt.Errorf("drop attached partition %s from %s: %w", id, s.table, err)
		}
	}
	return nil
}

// Drop removes the staging table, with a context of its own: it runs
// after a cancel too.
func (s *Staging) Drop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.ch.Exec(ctx, fmt.Sprintf(qDropStaging, s.table)); err != nil {
		return fmt.Errorf("drop staging table %s: %w", s.table, err)
	}
	return nil
}
