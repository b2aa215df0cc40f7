package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/humas-id/humas/store"
)

// Options configure one backup.
type Options struct {
	// Dir is where the backup goes: a directory that does not exist yet
	// (or is empty). It is written as Dir.partial and renamed at the end,
	// so a directory named Dir is always a complete backup.
	Dir string
	// Base is an earlier backup whose unchanged files are reused ("":
	// everything is read afresh).
	Base string
	// Version is this humas's version, recorded in the manifest.
	Version string
	// SecretKey is the key sealing stored tokens; only its fingerprint is
	// recorded.
	SecretKey []byte

	State      StateSource
	ClickHouse *store.ClickHouse
	// Media is the library's store; nil leaves media out (recorded).
	Media *MediaStore

	Logger *slog.Logger
	Now    func() time.Time
}

// Result is what a backup wrote.
type Result struct {
	Dir      string
	Manifest *Manifest
	// Bytes is the backup's size; NewBytes what it wrote afresh (the rest
	// is linked from the base backup).
	Bytes, NewBytes int64
	Took            time.Duration
}

// Fingerprint identifies a secret key without revealing it: the first 16
// bytes of SHA-256 over a fixed label and the key, in hex.
func Fingerprint(key []byte) string {
	if len(key) == 0 {
		return ""
	}
	h := sha256.New()
	h.Write([]byte("humas secret key fingerprint v1\x00"))
	h.Write(key)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Run makes a backup while the service runs: the state database's copy
// first (one consistent snapshot), then the ClickHouse partitions (each read
// in one query, itself a consistent snapshot of the partition's parts),
// then the media files the state's copy names.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.State == nil || o.ClickHouse == nil {
		return nil, errors.New("backup: a state source and a ClickHouse store are required")
	}
	start := time.Now()
	dir := filepath.Clean(o.Dir)
	if err := mustBeEmpty(dir); err != nil {
		return nil, err
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, dirMode); err != nil {
		return nil, fmt.Errorf("backup folder %s: %w", parent, err)
	}
	unlock, err := lockDir(parent)
	if err != nil {
		return nil, err
	}
	defer unlock()

	tmp := dir + partialSuffix
	if err := os.RemoveAll(tmp); err != nil { // a crashed run's leftovers; the lock is ours
		return nil, err
	}
	if err := os.Mkdir(tmp, dirMode); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()

	var base *Manifest
	if o.Base != "" {
		if base, err = ReadManifest(o.Base); err != nil {
			o.Logger.Warn("backup: the base backup cannot be read; making a full backup", "base", o.Base, "err", err)
			base = nil
		}
	}
	m := &Manifest{Format: FormatVersion, Humas: o.Version, CreatedAt: o.Now().UTC().Truncate(time.Second),
		SecretKeyFingerprint: Fingerprint(o.SecretKey), SecretKeyWarning: keyWarningText}
	if base != nil {
		m.Base = filepath.Base(o.Base)
	}

	sm, files, err := o.State.Dump(ctx, tmp)
	if err != nil {
		return nil, fmt.Errorf("backup: state database: %w", err)
	}
	m.State = sm
	m.Files = append(m.Files, files...)
	o.Logger.Info("backup: state database copied", "tables", len(sm.Tables), "audit_rows", sm.AuditLog.Rows)

	cm, files, err := exportClickHouse(ctx, o.ClickHouse, tmp, base, o.Base, o.Logger)
	if err != nil {
		return nil, fmt.Errorf("backup: clickhouse: %w", err)
	}
	m.ClickHouse = cm
	m.Files = append(m.Files, files...)

	if o.Media != nil {
		mm, files, err := exportMedia(ctx, *o.Media, filepath.Join(tmp, filepath.FromSlash(stateFile)), tmp, base, o.Base, o.Logger)
		if err != nil {
			return nil, fmt.Errorf("backup: media: %w", err)
		}
		m.Media = mm
		m.Files = append(m.Files, files...)
	}

	m.FinishedAt = o.Now().UTC().Truncate(time.Second)
	w, err := createFile(tmp, ReadmeName)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write([]byte(readme(m))); err != nil {
		w.abort()
		return nil, err
	}
	rf, err := w.finish()
	if err != nil {
		return nil, err
	}
	m.Files = append(m.Files, rf)
	if err := writeManifest(tmp, m); err != nil {
		return nil, err
	}
	// What was written reads back as the manifest says.
	if err := verifyFiles(tmp, m); err != nil {
		return nil, err
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return nil, err
	}
	if err := syncDir(parent); err != nil {
		return nil, err
	}
	ok = true
	res := &Result{Dir: dir, Manifest: m, Took: time.Since(start)}
	for _, f := range m.Files {
		res.Bytes += f.Size
		if !f.Reused {
			res.NewBytes += f.Size
		}
	}
	return res, nil
}

// mustBeEmpty accepts a missing directory or an empty one.
func mustBeEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("backup folder %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("backup folder %s is not empty: choose a new folder for each backup", dir)
	}
	return nil
}

const lockName = ".humas-backup.lock"

// lockDir takes an exclusive lock on dir for one backup or pruning at a
// time (serve's schedule and a `humas backup` by hand share the folder).
func lockDir(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return nil, fmt.Errorf("backup lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("another backup is writing into %s right now; try again when it is done", dir)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
