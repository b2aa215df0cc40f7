package backup_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/humas-id/humas/backup"
)

// TestKeepDailyAndMonthly: of backups taken twice a day for 100 days, 7
// daily and 3 monthly keep the newest of each of the last 7 days and the
// newest of each of the last 3 months.
func TestKeepDailyAndMonthly(t *testing.T) {
	start := time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)
	var entries []backup.Entry
	for i := range 200 {
		at := start.Add(time.Duration(i) * 12 * time.Hour)
		entries = append(entries, backup.Entry{Name: backup.NameFor(at), CreatedAt: at})
	}
	slices.Reverse(entries) // newest first
	keep := backup.Keep(entries, 7, 3)
	var kept []string
	for _, e := range entries {
		if keep[e.Name] {
			kept = append(kept, e.Name)
		}
	}
	want := []string{
		"humas-20260410T140000Z", "humas-20260409T140000Z", "humas-20260408T140000Z", "humas-20260407T140000Z",
		"humas-20260406T140000Z", "humas-20260405T140000Z", "humas-20260404T140000Z", // 7 days (Apr 10 is the newest, also April's)
		"humas-20260331T140000Z", "humas-20260228T140000Z", // March and February
	}
	if !slices.Equal(kept, want) {
		t.Errorf("kept %v\nwant %v", kept, want)
	}
	if k := backup.Keep(entries[:1], 0, 0); !k[entries[0].Name] {
		t.Error("the newest backup is not kept")
	}
}

// TestPruneRemovesOldAndUnfinished: Prune deletes what Keep drops and an
// unfinished backup older than a day, and leaves foreign folders alone.
func TestPruneRemovesOldAndUnfinished(t *testing.T) {
	in := newInstall(t)
	in.seed(t)
	root := t.TempDir()
	res := in.backup(t, filepath.Join(root, "humas-a"), "")
	// Two more "backups" with older manifests (copies with earlier dates).
	for i, days := range []int{1, 40} {
		dir := filepath.Join(root, []string{"humas-b", "humas-c"}[i])
		if err := os.CopyFS(dir, os.DirFS(res.Dir)); err != nil {
			t.Fatal(err)
		}
		rewriteCreated(t, dir, res.Manifest.CreatedAt.AddDate(0, 0, -days))
	}
	partial := filepath.Join(root, "humas-d.partial")
	if err := os.Mkdir(partial, 0o700); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(partial, old, old); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "notes"), 0o700); err != nil {
		t.Fatal(err)
	}
	removed, err := backup.Prune(root, 1, 0, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	if !slices.Equal(removed, []string{"humas-b", "humas-c", "humas-d.partial"}) {
		t.Errorf("removed %v", removed)
	}
	for _, keep := range []string{"humas-a", "notes"} {
		if _, err := os.Stat(filepath.Join(root, keep)); err != nil {
			t.Errorf("%s: %v", keep, err)
		}
	}
	if _, err := backup.Prune(root, 0, 0, time.Now()); err == nil {
		t.Error("keep_daily 0 accepted")
	}
}

func rewriteCreated(t *testing.T, dir string, at time.Time) {
	t.Helper()
	if err := backup.RewriteCreatedForTest(dir, at); err != nil {
		t.Fatal(err)
	}
}
