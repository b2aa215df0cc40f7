package media

import (
	"context"
	"errors"
	"io"
	"time"
)

// Blobs stores the bytes of media items by key. The embedded default keeps
// them on local disk under the state folder (LocalBlobs); production may
// use any S3-compatible object store (S3Blobs). Keys are humas's own
// (e.g. "u3/2026/12/9f2c….jpg"), never a user's file name.
type Blobs interface {
	// Put stores size bytes from r under key. A ReaderAt (an *os.File)
	// lets an object store upload parts without buffering them.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Open reads the blob: its bytes, seekable (for HTTP ranges), and
	// its size.
	Open(ctx context.Context, key string) (Object, error)
	// Delete removes the blob; a missing one is no error.
	Delete(ctx context.Context, key string) error
	// PresignGet returns a URL anyone can fetch the blob from until ttl
	// passes, or "" when the store has none (the local folder: humas
	// serves the file itself).
	PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error)
	// Describe names the store for /readyz and logs (no secrets).
	Describe() string
	// Ping checks the store is reachable and writable.
	Ping(ctx context.Context) error
}

// Object is an open blob.
type Object interface {
	io.ReadSeekCloser
	io.ReaderAt
	Size() int64
	ModTime() time.Time
}

// ErrBlobNotFound is a key the store does not hold.
var ErrBlobNotFound = errors.New("media: blob not found")
