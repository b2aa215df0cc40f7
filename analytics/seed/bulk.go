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
//
// When the fills or the attach fail, the staging table is kept and the
// error names it: Resume (humas seed --resume) runs both again (they may
// run twice: see FillPerPost and Staging.Attach) and drops it.

// failAfterFill, when set (tests), fails a load after its fills.
var failAfterFill func() error

// finishStaged fills post_latest and post_at_age from the staged
// snapshots and moves them into post_metrics.
func finishStaged(ctx context.Context, ch *store.ClickHouse, st *collector.Staging) error {
	if err := analytics.FillPerPost(ctx, ch, st.Table()); err != nil {
		return err
	}
	if failAfterFill != nil {
		if err := failAfterFill(); err != nil {
			return err
		}
	}
	return st.Attach(ctx)
}

// StagedError is a bulk load that failed after its snapshots were staged:
// they are kept in Table, and Resume finishes the load.
type StagedError struct {
	Table string
	Err   error
}

func (e *StagedError) Error() string {
	return fmt.Sprintf("seed: %v; the snapshots are kept in staging table %s: resume the load to finish it", e.Err, e.Table)
}

func (e *StagedError) Unwrap() error { return e.Err }

// Resume finishes a bulk load that failed after staging its snapshots in
// table (a StagedError's): the fills and the attach again, then the
// staging table is dropped.
func Resume(ctx context.Context, ch *store.ClickHouse, table string) error {
	st, err := collector.OpenStaging(ctx, ch, table)
	if err != nil {
		return fmt.Errorf("seed resume: %w", err)
	}
	if err := finishStaged(ctx, ch, st); err != nil {
		return &StagedError{Table: table, Err: err}
	}
	if err := st.Drop(); err != nil {
		return fmt.Errorf("seed resume: %w", err)
	}
	return nil
}
