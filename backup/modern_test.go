package backup_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/humas-id/humas/chdiff/chdb"
)

// TestPartitionFilesReadByModernEngine: the backup's partition files are
// plain zstd RowBinary that the current engine (chDB 26.7) reads by
// itself, with the manifest's column list: every partition gives the same
// row count and sums there as the 18.16 server it was read from.
func TestPartitionFilesReadByModernEngine(t *testing.T) {
	dir := filepath.Join(os.TempDir(), "humas-backup-chdb-"+filepath.Base(t.TempDir()))
	t.Cleanup(func() { os.RemoveAll(dir) })
	s, err := chdb.Open(chdb.LibPath(), dir, "session_timezone=UTC")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("chDB is required in CI: %v", err)
		}
		t.Skipf("chDB not available (scripts/chdb.sh fetch): %v", err)
	}
	in := newInstall(t)
	in.seed(t)
	b := filepath.Join(t.TempDir(), "b")
	m := in.backup(t, b, "").Manifest
	ctx := context.Background()
	checked := 0
	for _, tb := range m.ClickHouse.Tables {
		if tb.Name != "post_metrics" {
			continue
		}
		cols := make([]string, len(tb.Columns))
		for i, c := range tb.Columns {
			cols[i] = "`" + c.Name + "` " + c.Type
		}
		for _, p := range tb.Partitions {
			path, err := filepath.Abs(filepath.Join(b, filepath.FromSlash(p.File)))
			if err != nil {
				t.Fatal(err)
			}
			q := "SELECT count(), sum(reach), sum(likes), max(toUnixTimestamp(slot)) FROM file('" + path + "', 'RowBinary', '" +
				strings.ReplaceAll(strings.Join(cols, ", "), "'", "\\'") + "', 'zstd')"
			out, err := s.Query(q, "TabSeparated")
			if err != nil {
				t.Fatalf("chDB reading %s: %v", p.File, err)
			}
			var want string
			var n, reach, likes uint64
			var last uint32
			if err := in.ch.QueryRow(ctx, `SELECT count(), sum(reach), sum(likes), max(toUnixTimestamp(slot)) FROM post_metrics FINAL
				WHERE _partition_id = ?`, p.ID).Scan(&n, &reach, &likes, &last); err != nil {
				t.Fatal(err)
			}
			want = strings.Join([]string{u(n), u(reach), u(likes), u(uint64(last))}, "\t")
			if got := strings.TrimSpace(string(out)); got != want || n == 0 {
				t.Errorf("%s read by chDB: %s, 18.16 holds %s", p.File, got, want)
			}
			checked++
		}
	}
	if checked < 3 {
		t.Fatalf("checked %d partitions of post_metrics, want the seed's three months", checked)
	}
}

func u(n uint64) string { return strconv.FormatUint(n, 10) }
