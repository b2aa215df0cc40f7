package analytics

import (
	"context"
	"testing"
	"time"

	"github.com/humas-id/humas/store/storetest"
)

// TestUnitZonesReadTogether: a unit's time zone comes from one read of
// every unit's; a unit mirrored after that read is found once the read is
// older than unitZoneMissTTL, and a unit still missing then is reported
// missing.
func TestUnitZonesReadTogether(t *testing.T) {
	ch := storetest.ClickHouse(t)
	ctx := context.Background()
	addUnit := func(id uint64, tz string) {
		t.Helper()
		if err := ch.Exec(ctx, `INSERT INTO units (unit_id, parent_id, name, timezone, ancestors, version) SELECT ?, 0, 'u', ?, [?], 1`,
			id, tz, id); err != nil {
			t.Fatal(err)
		}
	}
	addUnit(1, "Asia/Makassar")
	addUnit(2, "Asia/Jayapura")
	svc, err := New(ch, Options{CacheTTL: -1, RefreshEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	check := func(unit uint64, tz string, exists bool) {
		t.Helper()
		z, err := svc.unitZone(ctx, unit)
		if err != nil {
			t.Fatal(err)
		}
		if z.tz != tz || z.exists != exists {
			t.Errorf("unit %d: zone %q exists %v, want %q %v", unit, z.tz, z.exists, tz, exists)
		}
	}
	check(1, "Asia/Makassar", true)
	check(2, "Asia/Jayapura", true)
	if n := len(svc.zones.m); n != 2 {
		t.Fatalf("%d units remembered after the first read, want both (2)", n)
	}
	check(3, "", false)
	addUnit(3, "Asia/Jakarta")
	check(3, "", false) // the read is younger than unitZoneMissTTL
	svc.mu.Lock()
	svc.zones.at = time.Now().Add(-unitZoneMissTTL - time.Second)
	svc.mu.Unlock()
	check(3, "Asia/Jakarta", true)
	check(4, "", false)
}
