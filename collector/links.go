package collector

import (
	"context"
	"fmt"

	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store"
)

const (
	qOverrides      = `SELECT post_id, content_type FROM platform_post_overrides WHERE platform = ?`
	qOverrideOne    = `SELECT content_type FROM platform_post_overrides WHERE platform = ? AND post_id = ?`
	qUpsertOverride = `INSERT INTO platform_post_overrides (platform, post_id, content_type, updated_by, updated_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (platform, post_id) DO UPDATE SET content_type = excluded.content_type,
    updated_by = excluded.updated_by, updated_at = excluded.updated_at`
)

// deliveryLinks maps the platform ids of a channel's deliveries to the
// humas posts behind them (the scheduler's tables: it reads them).
func deliveryLinks(ctx context.Context, db *store.SQLite, channelID int64) (map[string]scheduler.PublishedLink, error) {
	return scheduler.PublishedLinks(ctx, db, channelID)
}

// overrides maps a platform's post ids to the content types editors set.
func overrides(ctx context.Context, db *store.SQLite, platform string) (map[string]string, error) {
	rows, err := db.DB.QueryContext(ctx, qOverrides, platform)
	if err != nil {
		return nil, fmt.Errorf("read content type overrides: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, ct string
		if err := rows.Scan(&id, &ct); err != nil {
			return nil, fmt.Errorf("read content type overrides: %w", err)
		}
		out[id] = ct
	}
	return out, rows.Err()
}
