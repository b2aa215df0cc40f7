package collector

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/store/storetest"
)

// TestRowStructsMatchTables: the row structs' ch tags are the migrated
// tables' columns, every one and in order, so the writer's INSERT lists
// (derived from the structs) cover each table whole.
func TestRowStructsMatchTables(t *testing.T) {
	ch := storetest.ClickHouse(t)
	ctx := context.Background()
	for _, tc := range []struct {
		table string
		cols  []string
	}{
		{TablePosts, Columns[PostRow]()},
		{TableSnapshots, Columns[SnapshotRow]()},
		{TableAccounts, Columns[AccountRow]()},
	} {
		var got []string
		// system.columns lists a table's columns in their order (18.16 has
		// no position column to sort by).
		rows, err := ch.Query(ctx, `SELECT name FROM system.columns WHERE database = ? AND table = ?`,
			ch.Database(), tc.table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			got = append(got, name)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if len(got) == 0 {
			t.Fatalf("%s: no columns in system.columns", tc.table)
		}
		if !slices.Equal(got, tc.cols) {
			t.Errorf("%s: table columns\n  %v\nstruct columns\n  %v", tc.table, got, tc.cols)
		}
	}
	want := []string{"reach", "views", "reactions", "likes", "comments", "shares", "saves", "clicks", "video_views",
		"interactions", "has_insights"}
	if got := MetricColumns(); !slices.Equal(got, want) {
		t.Errorf("MetricColumns() = %v, want %v", got, want)
	}
}

// TestInsertRoundTrip writes one row of each struct through Insert (nil
// arrays included) and reads the snapshot back by column name.
func TestInsertRoundTrip(t *testing.T) {
	ch := storetest.ClickHouse(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 7, 0, 0, 0, time.UTC)
	b := Batch{
		Posts: []PostRow{{Platform: "facebook", PostID: "1_2", ChannelID: 3, AccountID: "1", UnitID: 4, ContentType: "photo",
			PublishedAt: at, UpdatedAt: at, Version: 1}},
		Snapshots: []SnapshotRow{{Slot: at, CollectedAt: at.Add(time.Second), Platform: "facebook", PostID: "1_2", ChannelID: 3,
			AccountID: "1", PublishedAt: at, Reach: 100, Views: 150, Reactions: 7, Comments: 2, Shares: 1, Clicks: 9,
			VideoViews: 5, Interactions: 10, HasInsights: 1, RunID: "r"}},
		Accounts: []AccountRow{{Day: at.Truncate(24 * time.Hour), CollectedAt: at, Platform: "facebook", ChannelID: 3,
			AccountID: "1", UnitID: 4, Followers: 1234, MetricSource: "followers_count"}},
	}
	if err := Insert(ctx, ch, b); err != nil {
		t.Fatal(err)
	}
	var got []SnapshotRow
	if err := ch.Select(ctx, &got, `SELECT `+strings.Join(snapshotColumns, ", ")+` FROM post_metrics`); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("read %d snapshots, want 1", len(got))
	}
	w := b.Snapshots[0]
	g := got[0]
	if g.Reach != w.Reach || g.Views != w.Views || g.Clicks != w.Clicks || g.Interactions != w.Interactions ||
		!g.Slot.Equal(w.Slot) || g.RunID != w.RunID || len(g.MetricFields) != 0 {
		t.Errorf("read back %+v, wrote %+v", g, w)
	}
	var posts, accounts uint64
	if err := ch.QueryRow(ctx, `SELECT count() FROM posts`).Scan(&posts); err != nil {
		t.Fatal(err)
	}
	if err := ch.QueryRow(ctx, `SELECT sum(followers) FROM account_metrics`).Scan(&accounts); err != nil {
		t.Fatal(err)
	}
	if posts != 1 || accounts != 1234 {
		t.Errorf("posts %d (want 1), followers %d (want 1234)", posts, accounts)
	}
}
