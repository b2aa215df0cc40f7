package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/humas-id/humas/store"
)

// LocalBlobs keeps blobs as files under a folder (0700 folders, 0600
// files, like the other state files).
type LocalBlobs struct {
	dir string
}

// NewLocalBlobs uses dir, creating it private when missing.
func NewLocalBlobs(dir string, log *slog.Logger) (*LocalBlobs, error) {
	if err := store.PrivateDir(dir, log); err != nil {
		return nil, fmt.Errorf("media folder %s: %w", dir, err)
	}
	return &LocalBlobs{dir: dir}, nil
}

func (l *LocalBlobs) path(key string) (string, error) {
	if key == "" || strings.Contains(key, "..") || strings.HasPrefix(key, "/") || strings.ContainsRune(key, '\\') {
		return "", fmt.Errorf("media: bad blob key %q", key)
	}
	return filepath.Join(l.dir, filepath.FromSlash(key)), nil
}

// Put writes the blob to a temporary file and renames it into place, so a
// reader never sees half a file. An *os.File source on the same disk is
// copied by the kernel where it can.
func (l *LocalBlobs) Put(ctx context.Context, key string, r io.Reader, size int64, _ string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := store.PrivateDir(filepath.Dir(p), nil); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, ctxReader{ctx, r})
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("media: wrote %d bytes of %d", n, size)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), store.PrivateFileMode)
	}
	if err != nil {
		return fmt.Errorf("media: store %s: %w", key, err)
	}
	return os.Rename(tmp.Name(), p)
}

type localObject struct {
	*os.File
	size int64
	mod  time.Time
}

func (o localObject) Size() int64        { return o.size }
func (o localObject) ModTime() time.Time { return o.mod }

// Open opens the blob's file.
func (l *LocalBlobs) Open(_ context.Context, key string) (Object, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrBlobNotFound, key)
	}
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return localObject{File: f, size: st.Size(), mod: st.ModTime()}, nil
}

// Delete removes the file.
func (l *LocalBlobs) Delete(_ context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// PresignGet: a folder has no URLs of its own; humas serves the file.
func (l *LocalBlobs) PresignGet(context.Context, string, time.Duration) (string, error) {
	return "", nil
}

// Describe names the folder.
func (l *LocalBlobs) Describe() string { return "local:" + l.dir }

// Ping checks the folder is writable.
func (l *LocalBlobs) Ping(context.Context) error {
	f, err := os.CreateTemp(l.dir, ".ping-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// ctxReader stops a copy when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
