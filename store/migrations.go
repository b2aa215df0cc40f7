package store

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed chmigrations/*.sql
var chMigrationFS embed.FS

//go:embed sqlmigrations/*.sql
var sqlMigrationFS embed.FS

// Migration is one numbered schema file.
type Migration struct {
	Version    int
	Name       string
	Body       string   // the whole file
	Statements []string // Body split on trailing ";" (for ClickHouse)
	// SupersededBy is the later migration that builds everything this one
	// did in a form every supported server accepts; 0 if none.
	SupersededBy int
}

// chSuperseded lists ClickHouse migrations that a later one replaces whole.
// History is not edited: a database that applied the old migration keeps
// it, and the later one migrates it. A database that has not applied it yet
// (a new installation) records it as applied without running it, because
// it cannot run on every supported server:
//
//   - 0020 post_latest keeps platform and post_id outside the sorting key of
//     an AggregatingMergeTree, which ClickHouse 26.x refuses; 0024 creates
//     the table again with them in the key (and re-creates the views and
//     fills it). Nothing between them uses post_latest.
var chSuperseded = map[int]int{20: 24}

// ClickHouseMigrations returns the embedded ClickHouse migrations in order
// (for tools that read the schema, such as the SQL lint).
func ClickHouseMigrations() ([]Migration, error) {
	migs, err := loadMigrations(chMigrationFS, "chmigrations")
	if err != nil {
		return nil, err
	}
	for i := range migs {
		migs[i].SupersededBy = chSuperseded[migs[i].Version]
	}
	return migs, nil
}

// loadMigrations reads NNNN_name.sql files in order and splits each into
// statements on lines that end with ";".
func loadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations %s: %w", dir, err)
	}
	var out []Migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s/%s: name it NNNN_what.sql", dir, e.Name())
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share number %d", prev, e.Name(), v)
		}
		seen[v] = e.Name()
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, Body: string(b), Statements: splitStatements(string(b))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// splitStatements drops comment lines and splits on a trailing ";".
func splitStatements(sql string) []string {
	var stmts []string
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			stmts = append(stmts, s)
		}
		cur.Reset()
	}
	for _, line := range strings.Split(sql, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "--") {
			continue
		}
		if strings.HasSuffix(t, ";") {
			cur.WriteString(strings.TrimSuffix(strings.TrimRight(line, " \t"), ";"))
			flush()
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	flush()
	return stmts
}
