package backup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Scheduled backups live in one folder (backup.dir), each in a directory
// named after its start time; Prune keeps the newest of each of the last N
// days and of the last M months.

// NamePrefix starts the name of every scheduled backup's directory.
const NamePrefix = "humas-"

// NameFor is the directory name of a backup started at t.
func NameFor(t time.Time) string { return NamePrefix + t.UTC().Format("20060102T150405Z") }

// Entry is one complete backup in a folder.
type Entry struct {
	Name      string
	Dir       string
	CreatedAt time.Time
	Manifest  *Manifest
}

// List returns the complete backups in dir (those with a readable
// manifest), newest first. Unfinished (.partial) and foreign directories
// are left out.
func List(dir string) ([]Entry, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, e := range entries {
		if !e.IsDir() || strings.HasSuffix(e.Name(), partialSuffix) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		m, err := ReadManifest(p)
		if err != nil {
			continue
		}
		out = append(out, Entry{Name: e.Name(), Dir: p, CreatedAt: m.CreatedAt, Manifest: m})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].Name > out[j].Name
	})
	return out, nil
}

// Latest is the newest complete backup in dir (nil when there is none).
func Latest(dir string) (*Entry, error) {
	all, err := List(dir)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	return &all[0], nil
}

// Keep chooses which backups to keep: the newest one of each of the
// keepDaily most recent days that have one, and the newest of each of the
// keepMonthly most recent months (days and months in UTC). The newest
// backup is always kept. entries are newest first, as List returns them.
func Keep(entries []Entry, keepDaily, keepMonthly int) map[string]bool {
	keep := map[string]bool{}
	if len(entries) == 0 {
		return keep
	}
	keep[entries[0].Name] = true
	days, months := map[string]bool{}, map[string]bool{}
	for _, e := range entries {
		d := e.CreatedAt.UTC().Format("2006-01-02")
		if !days[d] && len(days) < keepDaily {
			days[d] = true
			keep[e.Name] = true
		}
		mo := e.CreatedAt.UTC().Format("2006-01")
		if !months[mo] && len(months) < keepMonthly {
			months[mo] = true
			keep[e.Name] = true
		}
	}
	return keep
}

// Prune deletes the backups in dir that Keep does not keep and unfinished
// ones older than a day (a backup that crashed), under the folder's lock.
// Files shared with kept backups through hard links stay with them.
func Prune(dir string, keepDaily, keepMonthly int, now time.Time) ([]string, error) {
	if keepDaily < 1 {
		return nil, fmt.Errorf("keep at least one daily backup (got %d)", keepDaily)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	all, err := List(dir)
	if err != nil {
		return nil, err
	}
	keep := Keep(all, keepDaily, keepMonthly)
	var removed []string
	for _, e := range all {
		if keep[e.Name] {
			continue
		}
		if err := os.RemoveAll(e.Dir); err != nil {
			return removed, fmt.Errorf("remove old backup %s: %w", e.Dir, err)
		}
		removed = append(removed, e.Name)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return removed, err
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasSuffix(e.Name(), partialSuffix) {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > 24*time.Hour {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err == nil {
				removed = append(removed, e.Name())
			}
		}
	}
	return removed, nil
}

// NewDir is a folder for a backup started at t inside dir that does not
// exist yet (a second backup within the same second gets a suffix). When
// dir itself is unusable the first name is returned: the backup then fails
// naming it.
func NewDir(dir string, t time.Time, suffix string) string {
	base := filepath.Join(dir, NameFor(t)+suffix)
	p := base
	for i := 2; i < 1000; i++ {
		_, errDir := os.Stat(p)
		_, errPartial := os.Stat(p + partialSuffix)
		if errDir != nil && errPartial != nil {
			return p
		}
		p = fmt.Sprintf("%s-%d", base, i)
	}
	return base
}
