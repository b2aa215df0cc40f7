package store

import (
	"context"
	"fmt"
	"time"
)

const (
	// Arguments: changed_at, source, rows (a single-row INSERT … SELECT:
	// 18.16 ignores inline VALUES over the native protocol).
	qMarkChanged = `INSERT INTO data_changes (changed_at, source, rows) SELECT ?, ?, ?`
	qChanges     = `SELECT count() FROM data_changes`
)

// MarkChanged records that rows reports read changed (source: collect,
// replay, correction), so every server's reports rebuild within seconds
// (table data_changes, migration 0030). Write it after the rows.
func (c *ClickHouse) MarkChanged(ctx context.Context, source string, rows int64) error {
	if err := c.Exec(ctx, qMarkChanged, time.Now().UTC().Truncate(time.Second), source, uint64(max(rows, 0))); err != nil {
		return fmt.Errorf("record data change: %w", err)
	}
	return nil
}

// Changes is the change marker: how many changes were recorded so far. It
// only grows; a reader compares it with the count its read model covers.
func (c *ClickHouse) Changes(ctx context.Context) (uint64, error) {
	var n uint64
	if err := c.QueryRow(ctx, qChanges).Scan(&n); err != nil {
		return 0, fmt.Errorf("read data change marker: %w", wrapCH(err))
	}
	return n, nil
}
