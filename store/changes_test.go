package store_test

import (
	"context"
	"testing"

	"github.com/humas-id/humas/store/storetest"
)

// The change marker counts every recorded change, from any connection.
func TestChangeMarkerCounts(t *testing.T) {
	ctx := context.Background()
	ch := storetest.ClickHouse(t)
	n, err := ch.Changes(ctx)
	if err != nil || n != 0 {
		t.Fatalf("marker of a new database: %d, %v; want 0", n, err)
	}
	for i, source := range []string{"collect", "replay", "correction"} {
		if err := ch.MarkChanged(ctx, source, int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := ch.Changes(ctx); err != nil || n != 3 {
		t.Fatalf("marker after three changes: %d, %v; want 3", n, err)
	}
}
