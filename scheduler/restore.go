package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/humas-id/humas/store"
)

const qReconcileRestored = `UPDATE deliveries SET reconcile = 1, updated_at = ?
WHERE status IN ('scheduled', 'publishing') AND scheduled_at <= ?`

// ReconcileAfterRestore prepares a state database restored from a backup:
// a delivery due by now that the backup shows unsettled may have gone out
// after the backup was taken, so it is marked for reconciliation. The
// publisher then reads the channel before any send (see Publisher.attempt)
// and records a post it finds as published instead of sending it again.
// Deliveries due later cannot have gone out and are left as they are.
func ReconcileAfterRestore(ctx context.Context, db *store.SQLite, now time.Time) (int64, error) {
	t := store.FormatTime(now)
	res, err := db.DB.ExecContext(ctx, qReconcileRestored, t, t)
	if err != nil {
		return 0, fmt.Errorf("mark restored deliveries for reconciliation: %w", err)
	}
	return res.RowsAffected()
}
