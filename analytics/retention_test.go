package analytics_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics/analyticstest"
	"github.com/humas-id/humas/analytics/seed"
	"github.com/humas-id/humas/backup"
	"github.com/humas-id/humas/retention"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// answersBothModes answers every request at read time (post_latest and
// post_metrics) and from a freshly built read model (post_facts,
// post_age_facts).
func answersBothModes(t *testing.T, ch *store.ClickHouse, reqs []analyticstest.Request) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	live, err := analyticstest.Answers(ctx, newService(t, ch), reqs)
	if err != nil {
		t.Fatal(err)
	}
	svc := newService(t, ch)
	if err := svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	model, err := analyticstest.Answers(ctx, svc, reqs)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for k, v := range live {
		out["live "+k] = v
	}
	for k, v := range model {
		out["read model "+k] = v
	}
	return out
}

func compareAnswers(t *testing.T, when string, want, got map[string][]byte) {
	t.Helper()
	if len(want) == 0 || len(got) != len(want) {
		t.Fatalf("%s: %d answers, want %d", when, len(got), len(want))
	}
	bad := 0
	for k, w := range want {
		if d := analyticstest.Diff(w, got[k]); d != "" {
			bad++
			if bad <= 5 {
				t.Errorf("%s: %s: %s", when, k, d)
			}
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d answers differ in all", when, bad)
	}
}

func metricRows(t *testing.T, ch *store.ClickHouse) uint64 {
	t.Helper()
	var n uint64
	// Rows before merges: bookkeeping, not compared between engines.
	if err := ch.QueryRow(store.Volatile(context.Background()), `SELECT count() FROM post_metrics`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestThinningKeepsEveryReport thins the analytics tests' data (the
// hand-computed fixture, and a generated year of posts with dense snapshot
// histories) as the retention job does and compares every report's figures
// before and after, at read time and from the read model, then again after
// the thinned data went through a backup and a restore (the views rebuild
// the per-post aggregates from the thinned snapshots alone). A second run
// thins nothing more.
func TestThinningKeepsEveryReport(t *testing.T) {
	cases := []struct {
		name    string
		fill    func(t *testing.T, ch *store.ClickHouse)
		now     time.Time // the retention job's clock
		units   []string
		periods []string
	}{
		{"hand fixture", seedHand, utc("2026-08-10 00:00"), []string{"2", "3"},
			[]string{"from=2025-02-01&to=2025-06-30", "from=2025-03-01&to=2025-03-31"}},
		{"generated year", func(t *testing.T, ch *store.ClickHouse) {
			if _, err := seed.Run(context.Background(), ch, seed.Options{Posts: 300, Snapshots: 300 * 60, Days: 240,
				End: utc("2025-06-30 23:00"), Batch: 5000, Seed: 21}); err != nil {
				t.Fatal(err)
			}
		}, utc("2026-03-15 00:00"), []string{"2", "5"},
			[]string{"from=2024-11-01&to=2025-08-31", "from=2025-01-01&to=2025-02-28", "from=2025-01-27&to=2025-02-09"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			ch := storetest.ClickHouse(t)
			tc.fill(t, ch)
			reqs := analyticstest.Requests(tc.units, tc.periods...)
			before := answersBothModes(t, ch, reqs)
			rowsBefore := metricRows(t, ch)

			svc, err := retention.New(ch, nil, retention.Policy{SnapshotsFullMonths: 13}, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := svc.Run(ctx, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			thinned := 0
			for _, r := range rep.Snapshots {
				if r.Action == "thinned" {
					thinned++
				}
			}
			rowsAfter := metricRows(t, ch)
			t.Logf("thinned %d of %d partitions: %d snapshot rows → %d", thinned, len(rep.Snapshots), rowsBefore, rowsAfter)
			if thinned == 0 || rowsAfter >= rowsBefore {
				t.Fatalf("nothing was thinned (%+v): the comparison would prove nothing", rep.Snapshots)
			}
			compareAnswers(t, "after thinning", before, answersBothModes(t, ch, reqs))

			again, err := svc.Run(ctx, tc.now.Add(24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range again.Snapshots {
				if r.Action == "thinned" {
					t.Errorf("the second run thinned %s again (%d → %d rows)", r.Partition, r.RowsBefore, r.RowsAfter)
				}
			}
			if n := metricRows(t, ch); n != rowsAfter {
				t.Errorf("the second run changed post_metrics: %d rows, %d before", n, rowsAfter)
			}

			// Backed up and restored, the thinned data rebuilds the same
			// per-post aggregates and answers the same.
			dir := filepath.Join(t.TempDir(), "b")
			if _, err := backup.Run(ctx, backup.Options{Dir: dir, State: backup.SQLiteSource{DB: storetest.SQLite(t)},
				ClickHouse: ch, Logger: slog.New(slog.DiscardHandler)}); err != nil {
				t.Fatal(err)
			}
			restored := storetest.ClickHouseEmpty(t)
			if _, err := backup.Restore(ctx, backup.RestoreOptions{From: dir, ClickHouse: restored,
				State: backup.SQLiteTarget{Path: filepath.Join(t.TempDir(), "state.db")}}); err != nil {
				t.Fatal(err)
			}
			compareAnswers(t, "after a backup and restore of the thinned data", before, answersBothModes(t, restored, reqs))
		})
	}
}
