package collector

import (
	"context"
	"fmt"

	"github.com/humas-id/humas/store"
)

// link is the humas post and delivery that published a platform post.
type link struct {
	DeliveryID, HumasPostID, UnitID int64
	ContentType, Campaign           string
}

const (
	qDeliveryLinks = `SELECT d.platform_id, d.id, p.id, p.unit_id, p.content_type, p.campaign
FROM deliveries d JOIN posts p ON p.id = d.post_id
WHERE d.channel_id = ? AND d.platform_id <> ''`
	qOverrides      = `SELECT post_id, content_type FROM platform_post_overrides WHERE platform = ?`
	qOverrideOne    = `SELECT content_type FROM platform_post_overrides WHERE platform = ? AND post_id = ?`
	qUpsertOverride = `INSERT INTO platform_post_overrides (platform, post_id, content_type, updated_by, updated_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (platform, post_id) DO UPDATE SET content_type = excluded.content_type,
    updated_by = excluded.updated_by, updated_at = excluded.updated_at`
	qAuditOverride = `INSERT INTO audit_log (at, actor_id, actor_name, entity, entity_id, action, from_state, to_state, reason, detail)
VALUES (?, ?, ?, 'platform_post', 0, 'set_content_type', ?, ?, '', ?)`
)

// deliveryLinks maps the platform ids of a channel's deliveries to the
// humas posts behind them.
func deliveryLinks(ctx context.Context, db *store.SQLite, channelID int64) (map[string]link, error) {
	rows, err := db.DB.QueryContext(ctx, qDeliveryLinks, channelID)
	if err != nil {
		return nil, fmt.Errorf("read deliveries of channel %d: %w", channelID, err)
	}
	defer rows.Close()
	out := map[string]link{}
	for rows.Next() {
		var id string
		var l link
		if err := rows.Scan(&id, &l.DeliveryID, &l.HumasPostID, &l.UnitID, &l.ContentType, &l.Campaign); err != nil {
			return nil, fmt.Errorf("read deliveries of channel %d: %w", channelID, err)
		}
		out[id] = l
	}
	return out, rows.Err()
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
