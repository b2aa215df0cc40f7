package collector

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func snapBatch(postID string, reach uint64) Batch {
	at := testStart.Add(-time.Hour)
	return Batch{Snapshots: []SnapshotRow{{Slot: at, CollectedAt: at, Platform: "facebook", PostID: postID, ChannelID: 1,
		AccountID: "acct", PublishedAt: at.Add(-24 * time.Hour), Reach: reach, MetricFields: []string{}, MetricSources: []string{},
		RunID: "run"}}}
}

// segmentFiles lists the segment files in dir (not damaged/).
func segmentFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), segSuffix) {
			out = append(out, e.Name())
		}
	}
	return out
}

// Two processes (serve and humas collect) buffering into one folder keep
// every batch: neither overwrites the other's segments, and each replays
// what the other left.
func TestBufferSharedFolderKeepsBothProcessesBatches(t *testing.T) {
	dir := t.TempDir()
	a, err := openBuffer(dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	b, err := openBuffer(dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := a.Append(snapBatch(fmt.Sprintf("a%d", i), 1)); err != nil {
			t.Fatal(err)
		}
		if err := b.Append(snapBatch(fmt.Sprintf("b%d", i), 2)); err != nil {
			t.Fatal(err)
		}
	}
	if files := segmentFiles(t, dir); len(files) != 6 {
		t.Fatalf("%d segment files after 3 appends by each of two buffers, want 6: %v", len(files), files)
	}
	// A third process (a restart) finds all six, each intact.
	c, err := openBuffer(dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for {
		seg, batch, ok, err := c.Oldest()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		for _, s := range batch.Snapshots {
			got[s.PostID] = true
		}
		if err := c.Remove(seg); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 6 {
		t.Fatalf("posts replayed from the shared folder: %v, want a0..a2 and b0..b2", got)
	}
}

// A buffer sees segments another process appended after it opened the
// folder, and forgets those another process replayed.
func TestBufferSeesTheOtherProcessesSegments(t *testing.T) {
	dir := t.TempDir()
	serve, err := openBuffer(dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	cli, err := openBuffer(dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if err := cli.Append(snapBatch("from-cli", 1)); err != nil {
		t.Fatal(err)
	}
	serve.rescan()
	if _, segs := serve.Size(); segs != 1 {
		t.Fatalf("serve's buffer holds %d segments after the CLI buffered one, want 1", segs)
	}
	seg, batch, ok, err := serve.Oldest()
	if err != nil || !ok || batch.Snapshots[0].PostID != "from-cli" {
		t.Fatalf("serve's oldest segment: %+v %v %v", batch, ok, err)
	}
	if err := serve.Remove(seg); err != nil {
		t.Fatal(err)
	}
	cli.rescan()
	if bytes, segs := cli.Size(); segs != 0 || bytes != 0 {
		t.Fatalf("CLI's buffer holds %d segments (%d bytes) after serve replayed them, want none", segs, bytes)
	}
}

// A half-written temporary file of another live process is left alone by
// a buffer opening the folder; only old ones (of a crashed append) go.
func TestBufferOpenKeepsAFreshTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "x"+segSuffix+".tmp")
	old := filepath.Join(dir, "y"+segSuffix+".tmp")
	for _, p := range []string{fresh, old} {
		if err := os.WriteFile(p, []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-time.Hour)
	if err := os.Chtimes(old, long, long); err != nil {
		t.Fatal(err)
	}
	if _, err := openBuffer(dir, 1<<20); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a fresh temporary file (another process writing) was removed: %v", err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("an hour-old temporary file was kept: %v", err)
	}
}

// A damaged segment (truncated on disk) is moved to damaged/, counted in
// the metric and in /readyz, and the rest of the buffer and later writes
// go on; before, every later write failed until someone moved it by hand.
func TestBufferDamagedSegmentIsMovedAside(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := e.collector(nil)
	for _, b := range []Batch{snapBatch("broken", 1), snapBatch("fine", 2)} {
		if err := c.buf.Append(b); err != nil {
			t.Fatal(err)
		}
	}
	files := segmentFiles(t, c.cfg.BufferPath)
	if len(files) != 2 {
		t.Fatalf("segments %v", files)
	}
	first := filepath.Join(c.cfg.BufferPath, files[0]) // names sort oldest first
	data, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(first, data[:len(data)/2], 0o600); err != nil {
		t.Fatal(err)
	}

	if err := c.Flush(ctx); err != nil {
		t.Fatalf("flush with a damaged segment in the buffer: %v", err)
	}
	if err := c.w.write(ctx, pendingOf(snapBatch("later", 3))); err != nil {
		t.Fatalf("a later write: %v", err)
	}
	if got := e.count("SELECT count() FROM post_metrics WHERE post_id IN ('fine', 'later')"); got != 2 {
		t.Fatalf("%d of the intact and later snapshots in ClickHouse, want 2", got)
	}
	if _, segs := c.BufferSize(); segs != 0 {
		t.Fatalf("%d segments left in the buffer", segs)
	}
	moved := filepath.Join(c.cfg.BufferPath, "damaged", files[0])
	if b, err := os.ReadFile(moved); err != nil || len(b) != len(data)/2 {
		t.Fatalf("damaged segment not kept at %s: %v", moved, err)
	}
	if n := testutil.ToFloat64(c.m.bufferDamaged); n != 1 {
		t.Fatalf("humas_collector_buffer_damaged_segments_total = %v, want 1", n)
	}
	detail := c.ReadyDetail().(map[string]any)
	if detail["buffer_damaged_segments"] != 1 || !strings.HasSuffix(fmt.Sprint(detail["buffer_damaged_path"]), "damaged") {
		t.Fatalf("readyz detail %v, want buffer_damaged_segments 1 and the damaged/ path", detail)
	}
	// A restart still shows it (the folder is the record).
	c2 := e.collector(nil, func(o *Options) {
		o.Config.BufferPath = c.cfg.BufferPath
		o.Registerer = prometheus.NewRegistry()
	})
	if d := c2.ReadyDetail().(map[string]any); d["buffer_damaged_segments"] != 1 {
		t.Fatalf("readyz detail after a restart %v, want buffer_damaged_segments 1", d)
	}
}
