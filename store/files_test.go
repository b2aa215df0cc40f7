package store_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/humas-id/humas/store"
)

// withUmask runs the test body under umask (process-wide: these tests
// do not run in parallel).
func withUmask(t *testing.T, mask int) {
	t.Helper()
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

// TestStateDatabaseIsPrivate: the SQLite database, its WAL and SHM are
// 0600 and the folders created for them 0700, under a permissive umask
// (0) as under the usual one (022); a database left 0644 by an older
// version is narrowed on open.
func TestStateDatabaseIsPrivate(t *testing.T) {
	for _, mask := range []int{0, 0o022} {
		withUmask(t, mask)
		ctx := context.Background()
		root := t.TempDir()
		path := filepath.Join(root, "var", "state", "humas.db")
		db, err := store.OpenSQLite(ctx, path, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil { // writes: the WAL and SHM exist now
			t.Fatal(err)
		}
		for _, f := range []string{path, path + "-wal", path + "-shm"} {
			if m := mode(t, f); m != 0o600 {
				t.Errorf("umask %04o: %s is %04o, want 0600", mask, filepath.Base(f), m)
			}
		}
		for _, d := range []string{filepath.Join(root, "var"), filepath.Join(root, "var", "state")} {
			if m := mode(t, d); m != 0o700 {
				t.Errorf("umask %04o: folder %s is %04o, want 0700", mask, d, m)
			}
		}
		db.Close()
	}
	// Files from before: narrowed when opened.
	withUmask(t, 0)
	dir := t.TempDir()
	path := filepath.Join(dir, "old.db")
	for _, f := range []string{path, path + "-wal"} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db, err := store.OpenSQLite(context.Background(), path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, f := range []string{path, path + "-wal"} {
		if m := mode(t, f); m != 0o600 {
			t.Errorf("an existing %s stays %04o, want 0600", filepath.Base(f), m)
		}
	}
}

// TestWritePrivateFile: key and token files are 0600 in a 0700 folder,
// also when the file existed with a wider mode.
func TestWritePrivateFile(t *testing.T) {
	withUmask(t, 0)
	root := t.TempDir()
	path := filepath.Join(root, "var", "sandbox-secret.key")
	if err := store.WritePrivateFile(path, []byte("k\n")); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, path); m != 0o600 {
		t.Errorf("new file %04o, want 0600", m)
	}
	if m := mode(t, filepath.Dir(path)); m != 0o700 {
		t.Errorf("new folder %04o, want 0700", m)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := store.WritePrivateFile(path, []byte("k2\n")); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, path); m != 0o600 {
		t.Errorf("rewritten file %04o, want 0600", m)
	}
}

// TestPrivateDirWarnsAboutOpenFolder: an existing folder keeps its mode
// (it may be shared) but the log says others can read it.
func TestPrivateDirWarnsAboutOpenFolder(t *testing.T) {
	withUmask(t, 0)
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := store.PrivateDir(dir, slog.New(slog.NewTextHandler(&buf, nil))); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, dir); m != 0o755 {
		t.Errorf("an existing folder changed to %04o", m)
	}
	if !strings.Contains(buf.String(), `msg="state folder is open to other users; chmod 700 it"`) || !strings.Contains(buf.String(), "mode=0755") {
		t.Errorf("no warning: %s", buf.String())
	}
}
