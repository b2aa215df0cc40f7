package backup

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/humas-id/humas/store"
)

// StateFolders are the folders beside the state database whose files
// belong to the state: rows name them (an office's letterhead logo is
// logos/unit-<id>.png, recorded in unit_letterheads).
var StateFolders = []string{"logos"}

// stateFilesDir holds the copies of StateFolders inside a backup.
const stateFilesDir = stateDir + "/files"

// dumpStateFiles copies the regular files of StateFolders under dir into
// root/state/files, keeping their paths, and names them (slashes, relative
// to dir). A folder that does not exist holds nothing. Files are copied
// after the database: a file replaced in between is copied as it is now.
func dumpStateFiles(dir, root string) ([]string, []File, error) {
	var names []string
	var files []File
	for _, folder := range StateFolders {
		base := filepath.Join(dir, folder)
		err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) && p == base {
					return fs.SkipDir
				}
				return err
			}
			if !d.Type().IsRegular() {
				return nil // folders are walked; links and devices are not state
			}
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			name := filepath.ToSlash(rel)
			f, err := copyIntoBackup(p, root, stateFilesDir+"/"+name)
			if err != nil {
				return fmt.Errorf("state file %s: %w", name, err)
			}
			names = append(names, name)
			files = append(files, f)
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	sort.Strings(names)
	return names, files, nil
}

// copyIntoBackup copies the file src to rel under root and describes it.
func copyIntoBackup(src, root, rel string) (File, error) {
	in, err := os.Open(src)
	if err != nil {
		return File{}, err
	}
	defer in.Close()
	w, err := createFile(root, rel)
	if err != nil {
		return File{}, err
	}
	if _, err := io.Copy(w, in); err != nil {
		w.abort()
		return File{}, err
	}
	return w.finish()
}

// checkStateFileName refuses a name that would leave the state folder or
// is not in one of StateFolders.
func checkStateFileName(name string) error {
	if !filepath.IsLocal(filepath.FromSlash(name)) || path.Clean(name) != name {
		return fmt.Errorf("state file %q: not a path inside the state folder", name)
	}
	for _, f := range StateFolders {
		if strings.HasPrefix(name, f+"/") {
			return nil
		}
	}
	return fmt.Errorf("state file %q: not in a state folder (%s)", name, strings.Join(StateFolders, ", "))
}

// loadStateFiles copies the backup's state files beside the restored
// database in dir (0600 files in 0700 folders), each through a temporary
// file and a rename; a file of the same name is replaced.
func loadStateFiles(from, dir string, names []string) error {
	for _, name := range names {
		if err := checkStateFileName(name); err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if err := store.PrivateDir(filepath.Dir(dst), nil); err != nil {
			return err
		}
		tmp := dst + ".restoring"
		if err := copyFile(filepath.Join(from, filepath.FromSlash(stateFilesDir+"/"+name)), tmp); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("restore state file %s: %w", name, err)
		}
		if err := os.Rename(tmp, dst); err != nil {
			os.Remove(tmp)
			return err
		}
		if err := syncDir(filepath.Dir(dst)); err != nil {
			return err
		}
	}
	return nil
}
