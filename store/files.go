package store

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

// Modes of state files (the SQLite database with its WAL and SHM, key
// files, token files) and of the folders humas creates for them. They
// hold tokens and unpublished posts: only the service's user reads them.
const (
	PrivateFileMode fs.FileMode = 0o600
	PrivateDirMode  fs.FileMode = 0o700
)

// PrivateDir creates dir and any missing parents as 0700, whatever the
// umask. A folder that already exists keeps its mode (it may be shared,
// such as the working directory); a warning names it when others can
// read it.
func PrivateDir(dir string, log *slog.Logger) error {
	if dir == "" || dir == "." {
		return nil
	}
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		missing = append(missing, d)
		if parent := filepath.Dir(d); parent == d {
			break
		}
	}
	if err := os.MkdirAll(dir, PrivateDirMode); err != nil {
		return err
	}
	for _, d := range missing { // exactly 0700, even under an odd umask
		if err := os.Chmod(d, PrivateDirMode); err != nil {
			return err
		}
	}
	if len(missing) == 0 && log != nil {
		if info, err := os.Stat(dir); err == nil && info.Mode().Perm()&0o077 != 0 {
			log.Warn("state folder is open to other users; chmod 700 it", "dir", dir, "mode", fmt.Sprintf("%04o", info.Mode().Perm()))
		}
	}
	return nil
}

// PrivateFile creates path as an empty 0600 file when it is missing and
// narrows it to 0600 when it exists with a wider mode, whatever the umask.
func PrivateFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, PrivateFileMode)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return narrow(path)
}

// WritePrivateFile writes data to path as a 0600 file (in a 0700 folder
// when the folder is missing).
func WritePrivateFile(path string, data []byte) error {
	if err := PrivateDir(filepath.Dir(path), nil); err != nil {
		return err
	}
	if err := os.WriteFile(path, data, PrivateFileMode); err != nil {
		return err
	}
	return narrow(path) // WriteFile keeps the mode of a file that existed
}

// narrow sets path to 0600 unless it is already (or narrower).
func narrow(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if info.Mode().Perm()&^PrivateFileMode != 0 {
		return os.Chmod(path, PrivateFileMode)
	}
	return nil
}
