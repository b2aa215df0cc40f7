package collector

import (
	"context"
	"fmt"

	"github.com/humas-id/humas/org"
)

// PostUnit is the unit a collected platform post belongs to: its
// channel's unit now (a channel may have moved), or the unit recorded at
// collection when the channel is gone. The API asks it before letting a
// user correct the post's content type.
func (c *Collector) PostUnit(ctx context.Context, platform, postID string) (int64, error) {
	if platform != org.Facebook && platform != org.Instagram {
		return 0, &InputError{Field: "platform", Message: fmt.Sprintf("unknown platform %q: use facebook or instagram", platform),
			MessageID: fmt.Sprintf("platform %q tidak dikenal: gunakan facebook atau instagram", platform)}
	}
	if postID == "" || len(postID) > 128 {
		return 0, &InputError{Field: "id", Message: "give the platform's post or media id", MessageID: "isi id posting atau media dari platform"}
	}
	row, err := c.postRow(ctx, platform, postID)
	if err != nil {
		return 0, err
	}
	chans, err := c.chans.Channels(ctx)
	if err != nil {
		return 0, fmt.Errorf("channels: %w", err)
	}
	for _, ch := range chans {
		if uint64(ch.ID) == row.ChannelID {
			return ch.UnitID, nil
		}
	}
	return int64(row.UnitID), nil
}
