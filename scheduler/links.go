package scheduler

import (
	"context"
	"fmt"

	"github.com/humas-id/humas/store"
)

// PublishedLink is a delivery that published a platform post, and the
// humas post behind it: the collector files the platform's figures under
// the humas post with it.
type PublishedLink struct {
	PlatformID  string // the platform's post id
	DeliveryID  int64
	PostID      int64
	UnitID      int64
	ContentType string
	Campaign    string
}

const qPublishedLinks = `SELECT d.platform_id, d.id, p.id, p.unit_id, p.content_type, p.campaign
FROM deliveries d JOIN posts p ON p.id = d.post_id
WHERE d.channel_id = ? AND d.platform_id <> ''`

// PublishedLinks lists the deliveries of a channel that have a platform
// post id, by that id. It needs only the state database, not a Service.
func PublishedLinks(ctx context.Context, db *store.SQLite, channelID int64) (map[string]PublishedLink, error) {
	rows, err := db.DB.QueryContext(ctx, qPublishedLinks, channelID)
	if err != nil {
		return nil, fmt.Errorf("read deliveries of channel %d: %w", channelID, err)
	}
	defer rows.Close()
	out := map[string]PublishedLink{}
	for rows.Next() {
		var l PublishedLink
		if err := rows.Scan(&l.PlatformID, &l.DeliveryID, &l.PostID, &l.UnitID, &l.ContentType, &l.Campaign); err != nil {
			return nil, fmt.Errorf("read deliveries of channel %d: %w", channelID, err)
		}
		out[l.PlatformID] = l
	}
	return out, rows.Err()
}
