package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// sortingKey reads a table's sorting and primary key from system.tables.
func sortingKey(ctx context.Context, t *testing.T, ch *store.ClickHouse, table string) (sorting, primary string) {
	t.Helper()
	if err := ch.QueryRow(ctx, "SELECT sorting_key, primary_key FROM system.tables WHERE database = ? AND name = ?",
		ch.Database(), table).Scan(&sorting, &primary); err != nil {
		t.Fatalf("keys of %s: %v", table, err)
	}
	return sorting, primary
}

func appliedName(t *testing.T, ch *store.ClickHouse, version uint32) string {
	t.Helper()
	var name string
	if err := ch.QueryRow(context.Background(), "SELECT name FROM schema_migrations WHERE version = ?", version).Scan(&name); err != nil {
		t.Fatalf("schema_migrations %d: %v", version, err)
	}
	return name
}

// TestNewDatabaseSkipsSupersededMigration: a new database records 0020
// without running it and gets post_latest from 0024, with platform and
// post_id in the sorting key (ClickHouse 26.x refuses 0020's table).
func TestNewDatabaseSkipsSupersededMigration(t *testing.T) {
	ch := storetest.ClickHouse(t)
	if name := appliedName(t, ch, 20); !strings.Contains(name, "superseded by 0024") {
		t.Errorf("0020 recorded as %q, want it marked superseded by 0024", name)
	}
	if sorting, primary := sortingKey(context.Background(), t, ch, "post_latest"); sorting != "post_key, platform, post_id" || primary != "post_key" {
		t.Errorf("post_latest sorting key %q, primary key %q; want post_key, platform, post_id and post_key", sorting, primary)
	}
	migs, err := store.ClickHouseMigrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range migs {
		if m.SupersededBy != 0 && m.SupersededBy <= m.Version {
			t.Errorf("migration %04d is superseded by %04d, which runs before it", m.Version, m.SupersededBy)
		}
	}
}

type latestRow struct {
	PostID      string `ch:"post_id"`
	Reach       uint64 `ch:"reach"`
	Likes       uint64 `ch:"likes"`
	ContentType string `ch:"ctype"`
	Unit        uint64 `ch:"unit"`
}

// qLatest reads post_latest as 0043 made it (each post's latest snapshot
// as a row) with the attributes from posts, as the analytics readers do.
const qLatest = `SELECT post_id, reach, likes, ctype, unit
FROM
(
    SELECT post_key, post_id, reach, likes FROM post_latest FINAL
) AS l
ANY LEFT JOIN
(
    SELECT cityHash64(platform, post_id) AS post_key, content_type AS ctype, unit_id AS unit FROM posts FINAL
) AS d USING post_key
ORDER BY post_id`

// TestUpgradeRebuildsPostLatest: a database that ran 0020 as it was gets
// post_latest rebuilt by 0024 with the new sorting key and again by 0043
// as rows, filled from what was written before, and kept up to date by the
// new view afterwards.
func TestUpgradeRebuildsPostLatest(t *testing.T) {
	ch := storetest.ClickHouseAsOf(t, 23)
	ctx := context.Background()
	// The old schema, which only servers of its time create.
	if sorting, _ := sortingKey(store.Legacy(ctx), t, ch, "post_latest"); sorting != "post_key" {
		t.Fatalf("as of 0023 post_latest is sorted by %q, want 0020's post_key", sorting)
	}
	pub := time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)
	send := func(q string, rows ...[]any) {
		t.Helper()
		b, err := ch.PrepareBatch(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := b.Append(r...); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Send(); err != nil {
			t.Fatal(err)
		}
	}
	const qSnap = "INSERT INTO post_metrics (slot, collected_at, platform, post_id, channel_id, published_at, reach, likes, metric_fields, metric_sources)"
	snap := func(post string, age time.Duration, reach, likes uint64) []any {
		slot := pub.Add(age)
		return []any{slot, slot.Add(time.Minute), "instagram", post, uint64(7), pub, reach, likes, []string{"reach"}, []string{"reach"}}
	}
	send("INSERT INTO posts (platform, post_id, channel_id, unit_id, content_type, published_at, version)",
		[]any{"instagram", "a", uint64(7), uint64(3), "photo", pub, uint64(1)},
		[]any{"instagram", "b", uint64(7), uint64(3), "video", pub, uint64(1)},
		[]any{"instagram", "a", uint64(7), uint64(3), "interactive", pub, uint64(2)}) // a correction
	send(qSnap, snap("a", time.Hour, 10, 1), snap("a", 24*time.Hour, 50, 5), snap("b", time.Hour, 20, 2))

	ran, err := ch.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var versions []int
	for _, m := range ran {
		versions = append(versions, m.Version)
	}
	if len(versions) < 2 || versions[0] != 24 || versions[1] != 25 || !slices.Contains(versions, 43) {
		t.Fatalf("the upgrade applied %v, want 24 and 25 first, and 43", versions)
	}
	if sorting, primary := sortingKey(ctx, t, ch, "post_latest"); sorting != "post_key, platform, post_id" || primary != "post_key" {
		t.Errorf("after the upgrade post_latest sorting key %q, primary key %q", sorting, primary)
	}
	var got []latestRow
	if err := ch.Select(ctx, &got, qLatest); err != nil {
		t.Fatal(err)
	}
	want := []latestRow{{"a", 50, 5, "interactive", 3}, {"b", 20, 2, "video", 3}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("post_latest after the upgrade: %+v, want %+v (filled from what was written before)", got, want)
	}

	// The views feed the new table.
	send(qSnap, snap("b", 24*time.Hour, 70, 9))
	got = nil
	if err := ch.Select(ctx, &got, qLatest); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1] != (latestRow{"b", 70, 9, "video", 3}) {
		t.Fatalf("a snapshot written after the upgrade: %+v, want b at 70 reach", got)
	}
}
