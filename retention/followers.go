package retention

import (
	"context"
	"fmt"
	"time"

	"github.com/humas-id/humas/store"
)

const qDropFollowers = `ALTER TABLE account_metrics DROP PARTITION ID ?`

// DropFollowers drops the account_metrics partitions (months of follower
// counts) before before (a partition id, YYYYMM). Only an institution that
// sets retention.followers_months gets here: follower history is kept
// forever by default.
func DropFollowers(ctx context.Context, ch *store.ClickHouse, before string, now time.Time) ([]PartitionResult, error) {
	parts, err := ch.Partitions(ctx, "account_metrics")
	if err != nil {
		return nil, err
	}
	var out []PartitionResult
	for _, id := range sortedIDs(parts) {
		if id >= before {
			continue
		}
		r := PartitionResult{Table: "account_metrics", Partition: id, Action: "dropped", RowsBefore: parts[id].Rows}
		if err := ch.Exec(ctx, qDropFollowers, id); err != nil {
			return out, fmt.Errorf("drop account_metrics partition %s: %w", id, err)
		}
		if err := ch.Exec(ctx, qRecord, now.UTC().Truncate(time.Second), r.Table, id, r.Action, r.RowsBefore, uint64(0), uint64(0), ""); err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}
