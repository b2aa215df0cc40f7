package backup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Verify checks a backup without restoring it: the manifest against its
// checksum, every file's size and SHA-256, the state copy's integrity and
// row counts, and every ClickHouse partition file decoded to the end with
// the manifest's row count. Each problem names its file; any problem is a
// *DamageError.
func Verify(ctx context.Context, dir string) (*Manifest, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	if err := verifyFiles(dir, m); err != nil {
		return m, err
	}
	var problems []string
	st, err := describeSQLiteFile(ctx, filepath.Join(dir, filepath.FromSlash(m.State.File)))
	if err != nil {
		problems = append(problems, fmt.Sprintf("%s: %v", m.State.File, err))
	} else {
		problems = append(problems, prefix(m.State.File+": ", compareState(m.State, st))...)
	}
	listed := make(map[string]bool, len(m.Files))
	for _, f := range m.Files {
		listed[f.Path] = true
	}
	for _, name := range m.State.Files {
		if err := checkStateFileName(name); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", ManifestName, err))
		} else if rel := stateFilesDir + "/" + name; !listed[rel] {
			problems = append(problems, fmt.Sprintf("%s: not among the manifest's checked files", rel))
		}
	}
	for _, t := range m.ClickHouse.Tables {
		for _, p := range t.Partitions {
			if err := ctx.Err(); err != nil {
				return m, err
			}
			n, err := countPartitionRows(dir, t, p)
			switch {
			case err != nil:
				problems = append(problems, fmt.Sprintf("%s: cannot be read back: %v", p.File, err))
			case n != p.Rows:
				problems = append(problems, fmt.Sprintf("%s: %d rows, the manifest says %d", p.File, n, p.Rows))
			}
		}
	}
	if len(problems) > 0 {
		return m, &DamageError{Dir: dir, Problems: problems}
	}
	return m, nil
}

// verifyFiles checks every listed file's size and SHA-256.
func verifyFiles(dir string, m *Manifest) error {
	var problems []string
	for _, f := range m.Files {
		if !filepath.IsLocal(filepath.FromSlash(f.Path)) {
			problems = append(problems, fmt.Sprintf("%s: not a path inside the backup", f.Path))
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			problems = append(problems, fmt.Sprintf("%s: missing", f.Path))
			continue
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", f.Path, err))
			continue
		}
		if st.Size() != f.Size {
			what := "truncated"
			if st.Size() > f.Size {
				what = "grown"
			}
			problems = append(problems, fmt.Sprintf("%s: %d bytes, the manifest says %d (%s)", f.Path, st.Size(), f.Size, what))
			continue
		}
		_, sum, err := hashFile(p)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", f.Path, err))
			continue
		}
		if sum != f.SHA256 {
			problems = append(problems, fmt.Sprintf("%s: its SHA-256 differs from the manifest's (the content changed)", f.Path))
		}
	}
	if len(problems) > 0 {
		return &DamageError{Dir: dir, Problems: problems}
	}
	return nil
}
