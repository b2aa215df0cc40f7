package collector

import (
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestBufferFilesArePrivate: the on-disk buffer folder is 0700 and its
// files 0600, even under umask 0 (they hold collected rows).
func TestBufferFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "buffer")
	b, err := openBuffer(dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Append(Batch{Snapshots: []SnapshotRow{{PostID: "p1", Slot: time.Unix(1, 0).UTC()}}}); err != nil {
		t.Fatal(err)
	}
	files := 0
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		} else {
			files++
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s is %04o, want %04o", path, got, want)
		}
		return nil
	})
	if err != nil || files == 0 {
		t.Fatalf("walk: %v, %d files", err, files)
	}
}
