package collector

import (
	"context"
	"errors"
	"testing"

	"github.com/humas-id/humas/org"
)

// TestPostUnitFollowsTheChannel: a collected post belongs to its
// channel's unit, also after the channel moved to another unit; an
// unknown post or platform is said so.
func TestPostUnitFollowsTheChannel(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.addAccounts(1, false, 3, 1)
	c := e.collector(nil)
	if _, err := c.Run(ctx, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	fb := e.chans[0]
	items := e.sim.Published(fb.ExternalID)
	if len(items) == 0 {
		t.Fatal("the simulator published nothing")
	}
	if u, err := c.PostUnit(ctx, "facebook", items[0].ID); err != nil || u != e.unit.ID {
		t.Fatalf("PostUnit = %d, %v; want %d", u, err, e.unit.ID)
	}
	other, err := e.org.CreateUnit(ctx, org.Unit{Name: "KPU Kota Magelang", Slug: "kpu-kota-magelang", Level: "city"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.org.UpdateChannel(ctx, fb.ID, org.ChannelPatch{UnitID: &other.ID}); err != nil {
		t.Fatal(err)
	}
	if u, err := c.PostUnit(ctx, "facebook", items[0].ID); err != nil || u != other.ID {
		t.Fatalf("after the move PostUnit = %d, %v; want %d", u, err, other.ID)
	}
	if _, err := c.PostUnit(ctx, "facebook", "999_999"); !errors.Is(err, ErrPostNotFound) {
		t.Errorf("unknown post: %v", err)
	}
	var ie *InputError
	if _, err := c.PostUnit(ctx, "tiktok", "1"); !errors.As(err, &ie) || ie.Field != "platform" {
		t.Errorf("unknown platform: %v", err)
	}
}
