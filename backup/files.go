package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
)

// Files and folders of a backup are private: it holds the audit log, users'
// password hashes and sealed tokens.
const (
	dirMode  = 0o700
	fileMode = 0o600
)

// fileWriter writes one backup file, hashing and counting what it writes.
type fileWriter struct {
	f    *os.File
	h    hash.Hash
	n    int64
	root string
	rel  string
}

// createFile creates rel (slashes) under root, with its folders.
func createFile(root, rel string) (*fileWriter, error) {
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), dirMode); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fileMode)
	if err != nil {
		return nil, err
	}
	return &fileWriter{f: f, h: sha256.New(), root: root, rel: rel}, nil
}

func (w *fileWriter) Write(b []byte) (int, error) {
	n, err := w.f.Write(b)
	w.h.Write(b[:n])
	w.n += int64(n)
	return n, err
}

// finish syncs and closes the file and describes it.
func (w *fileWriter) finish() (File, error) {
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return File{}, fmt.Errorf("write %s: %w", w.rel, err)
	}
	return File{Path: w.rel, Size: w.n, SHA256: hex.EncodeToString(w.h.Sum(nil))}, nil
}

// abort closes and removes the file.
func (w *fileWriter) abort() {
	w.f.Close()
	os.Remove(w.f.Name())
}

// hashFile reads a file and returns its size and SHA-256.
func hashFile(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// reuse puts the base backup's copy of a file into this backup: a hard
// link (the bytes are stored once; deleting either backup leaves the
// other complete), or a copy when the two are on different file systems.
// want is the base manifest's record of the file; the linked file must
// still have its size.
func reuse(baseDir, root string, want File) (File, error) {
	src := filepath.Join(baseDir, filepath.FromSlash(want.Path))
	dst := filepath.Join(root, filepath.FromSlash(want.Path))
	st, err := os.Stat(src)
	if err != nil {
		return File{}, err
	}
	if st.Size() != want.Size {
		return File{}, fmt.Errorf("%s in the base backup is %d bytes, its manifest says %d", want.Path, st.Size(), want.Size)
	}
	if err := os.MkdirAll(filepath.Dir(dst), dirMode); err != nil {
		return File{}, err
	}
	if err := os.Link(src, dst); err == nil {
		f := want
		f.Reused = true
		return f, nil
	}
	// Links fail across file systems and on some (FAT, some network
	// shares): copy instead.
	in, err := os.Open(src)
	if err != nil {
		return File{}, err
	}
	defer in.Close()
	w, err := createFile(root, want.Path)
	if err != nil {
		return File{}, err
	}
	if _, err := io.Copy(w, in); err != nil {
		w.abort()
		return File{}, err
	}
	f, err := w.finish()
	if err != nil {
		return File{}, err
	}
	if f.SHA256 != want.SHA256 {
		return File{}, fmt.Errorf("%s in the base backup differs from its manifest (SHA-256)", want.Path)
	}
	f.Reused = true
	return f, nil
}

// writeFileSync writes a small file and syncs it.
func writeFileSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fileMode)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a directory's entries (a rename into it) durable.
func syncDir(path string) error {
	d, err := os.Open(path)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
