package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/humas-id/humas/media"
)

// Media files are copied through the library's blob store, whichever it
// is: a local folder or an S3-compatible bucket. For S3 that means every
// object the state names is read and stored in the backup (an office's
// library is gigabytes, not terabytes); the bucket's own versioning or
// replication is a second line, not a replacement. Only the blobs the
// state database's copy names are taken (the media table's files and
// thumbnails, deleted items aside): an upload that finished after the
// state was copied belongs to no row of the backup.

// MediaStore is the media library's blob store.
type MediaStore struct {
	Blobs media.Blobs
	// Kind is local or s3 (media.store).
	Kind string
}

const qMediaBlobs = `SELECT storage_key, thumb_key, mime FROM media WHERE deleted_at IS NULL ORDER BY id`

// mediaKeys lists the blobs a state database names, with content types;
// q reads the state's copy (or the snapshot it was dumped in).
func mediaKeys(ctx context.Context, q querier, tables map[string]int64) ([][2]string, error) {
	if _, ok := tables["media"]; !ok {
		return nil, nil // a state from before the media library has none
	}
	rows, err := q.QueryContext(ctx, qMediaBlobs)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var key, thumb, mime string
		if err := rows.Scan(&key, &thumb, &mime); err != nil {
			return nil, err
		}
		out = append(out, [2]string{key, mime})
		if thumb != "" {
			out = append(out, [2]string{thumb, "image/jpeg"})
		}
	}
	return out, rows.Err()
}

func mediaFile(key string) string { return mediaDir + "/" + key }

// exportMedia copies every blob the state copy names. A blob the base
// backup holds under the same key and size is reused (keys are random and
// never rewritten).
func exportMedia(ctx context.Context, st MediaStore, keys [][2]string, root string, base *Manifest, baseDir string, log *slog.Logger) (MediaManifest, []File, error) {
	m := MediaManifest{Store: st.Kind, Location: st.Blobs.Describe(), Included: true}
	var files []File
	for _, k := range keys {
		key, ctype := k[0], k[1]
		if !safeKey(key) {
			return m, nil, fmt.Errorf("media key %q is not a safe relative path", key)
		}
		obj, err := st.Blobs.Open(ctx, key)
		if errors.Is(err, media.ErrBlobNotFound) {
			m.Missing = append(m.Missing, key)
			log.Warn("backup: a media file the state names is not in the store", "key", key, "store", m.Location)
			continue
		}
		if err != nil {
			return m, nil, fmt.Errorf("media %s: %w", key, err)
		}
		b := Blob{Key: key, Size: obj.Size(), ContentType: ctype, File: mediaFile(key)}
		if f, ok := reuseBlob(base, baseDir, root, b, log); ok {
			obj.Close()
			m.Blobs = append(m.Blobs, b)
			files = append(files, f)
			continue
		}
		w, err := createFile(root, b.File)
		if err != nil {
			obj.Close()
			return m, nil, err
		}
		_, err = io.Copy(w, ctxReader{ctx, obj})
		obj.Close()
		if err != nil {
			w.abort()
			return m, nil, fmt.Errorf("media %s: %w", key, err)
		}
		f, err := w.finish()
		if err != nil {
			return m, nil, err
		}
		if f.Size != b.Size {
			return m, nil, fmt.Errorf("media %s: read %d bytes, the store says %d", key, f.Size, b.Size)
		}
		m.Blobs = append(m.Blobs, b)
		files = append(files, f)
	}
	return m, files, nil
}

func reuseBlob(base *Manifest, baseDir, root string, b Blob, log *slog.Logger) (File, bool) {
	if base == nil {
		return File{}, false
	}
	i := slices.IndexFunc(base.Media.Blobs, func(x Blob) bool { return x.Key == b.Key && x.Size == b.Size })
	if i < 0 {
		return File{}, false
	}
	j := slices.IndexFunc(base.Files, func(f File) bool { return f.Path == base.Media.Blobs[i].File })
	if j < 0 {
		return File{}, false
	}
	f, err := reuse(baseDir, root, base.Files[j])
	if err != nil {
		log.Warn("backup: the base backup's copy of a media file cannot be reused; copying it again", "key", b.Key, "err", err)
		return File{}, false
	}
	return f, true
}

// safeKey is a relative slash path without "..", as the library makes.
func safeKey(key string) bool {
	return key != "" && !strings.HasPrefix(key, "/") && !strings.Contains(key, "..") && !strings.ContainsRune(key, '\\') &&
		filepath.IsLocal(filepath.FromSlash(key))
}

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

// mediaHolds says which of the backup's blobs the target store already
// has ("" when none).
func mediaHolds(ctx context.Context, blobs media.Blobs, m MediaManifest) (string, error) {
	var held []string
	for _, b := range m.Blobs {
		obj, err := blobs.Open(ctx, b.Key)
		if errors.Is(err, media.ErrBlobNotFound) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("media store: %w", err)
		}
		obj.Close()
		held = append(held, b.Key)
	}
	if len(held) == 0 {
		return "", nil
	}
	return fmt.Sprintf("the media store %s already holds %d of the backup's files (e.g. %s)", blobs.Describe(), len(held), held[0]), nil
}

// importMedia stores every blob and checks each one's size afterwards.
func importMedia(ctx context.Context, blobs media.Blobs, dir string, m MediaManifest) error {
	for _, b := range m.Blobs {
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(b.File)))
		if err != nil {
			return err
		}
		err = blobs.Put(ctx, b.Key, f, b.Size, b.ContentType)
		f.Close()
		if err != nil {
			return fmt.Errorf("restore media %s: %w", b.Key, err)
		}
		obj, err := blobs.Open(ctx, b.Key)
		if err != nil {
			return fmt.Errorf("restored media %s: %w", b.Key, err)
		}
		size := obj.Size()
		obj.Close()
		if size != b.Size {
			return fmt.Errorf("restored media %s holds %d bytes, the manifest says %d", b.Key, size, b.Size)
		}
	}
	return nil
}
