package seed

import (
	"context"
	"fmt"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/collector"
	"github.com/humas-id/humas/store"
)

// The bulk load. Two materialized views on post_metrics keep the read
// model's per-post tables (post_latest, migration 0043; post_at_age, 0022)
// as snapshots arrive: on ClickHouse 18.16 they cost an insert 1.6 and
// 5.3 µs a row on top of the table's 3.2 (the view of post_at_age writes
// three rows a snapshot). The collector needs them; a bulk load of
// millions of snapshots does not need them row by row. So the seeder
// writes its snapshots into a staging table without the views
// (collector.Staging), fills the two tables from it with one grouped insert
// each (analytics.FillPerPost: the migrations' fills), attaches the staged
// partitions to post_metrics and drops the staging table. The tables end
// as the views would leave them (TestBulkMatchesViews).

// staging is the seeder's staging table for one run.
type staging struct {
	ch *store.ClickHouse
	*collector.Staging
}

func newStaging(ctx context.Context, ch *store.ClickHouse) (*staging, error) {
	s, err := collector.NewStaging(ctx, ch)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	return &staging{ch: ch, Staging: s}, nil
}

func (s *staging) insert(ctx context.Context, rows []collector.SnapshotRow) error {
	return s.Insert(ctx, rows)
}

// finish fills post_latest and post_at_age from the staged snapshots and
// moves them into post_metrics.
func (s *staging) finish(ctx context.Context) error {
	if err := analytics.FillPerPost(ctx, s.ch, s.Table); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if err := s.Attach(ctx); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}

func (s *staging) drop() error {
	if err := s.Drop(); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}
