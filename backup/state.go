package backup

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/humas-id/humas/store"
)

// StateSource makes the state database's part of a backup: SQLiteSource
// (VACUUM INTO) or PostgresSource (pg_dump); SourceFor picks one.
type StateSource interface {
	// Kind names the database kind in the manifest (sqlite, postgres).
	Kind() string
	// Dump writes a consistent copy of the database under root (while
	// the service keeps writing) and describes the copy.
	Dump(ctx context.Context, root string) (StateManifest, []File, error)
}

// StateTarget is where a restore puts the state database.
type StateTarget interface {
	Kind() string
	// Holds says what the target holds that a restore would replace; ""
	// when it is empty (missing, or a schema without rows).
	Holds(ctx context.Context) (string, error)
	// Load installs the copy in the backup directory dir, checked against
	// m before and after; force replaces a target that holds data (the
	// old one is kept aside where the kind allows).
	Load(ctx context.Context, dir string, m StateManifest, force bool) error
}

// stateFile is the SQLite copy's path inside a backup.
const stateFile = stateDir + "/humas.db"

// SQLiteSource dumps an open SQLite state database with VACUUM INTO: a
// transactionally consistent copy made inside one read transaction, which
// writers (WAL mode) do not wait for.
type SQLiteSource struct {
	DB *store.SQLite
	// Dir is the folder beside the database whose StateFolders hold files
	// the state names (logos); "" leaves them out.
	Dir string
}

// Kind is "sqlite".
func (SQLiteSource) Kind() string { return "sqlite" }

// Dump writes state/humas.db under root.
func (s SQLiteSource) Dump(ctx context.Context, root string) (StateManifest, []File, error) {
	path := filepath.Join(root, filepath.FromSlash(stateFile))
	if err := os.MkdirAll(filepath.Dir(path), dirMode); err != nil {
		return StateManifest{}, nil, err
	}
	if _, err := s.DB.DB.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return StateManifest{}, nil, fmt.Errorf("copy the state database (VACUUM INTO): %w", err)
	}
	if err := os.Chmod(path, fileMode); err != nil {
		return StateManifest{}, nil, err
	}
	if err := syncFile(path); err != nil {
		return StateManifest{}, nil, err
	}
	m, err := describeSQLiteFile(ctx, path)
	if err != nil {
		return StateManifest{}, nil, fmt.Errorf("read the state copy: %w", err)
	}
	if m.mediaKeys, err = sqliteMediaKeys(ctx, path, m.Tables); err != nil {
		return StateManifest{}, nil, fmt.Errorf("list media: %w", err)
	}
	size, sum, err := hashFile(path)
	if err != nil {
		return StateManifest{}, nil, err
	}
	files := []File{{Path: stateFile, Size: size, SHA256: sum}}
	if s.Dir != "" {
		names, more, err := dumpStateFiles(s.Dir, root)
		if err != nil {
			return StateManifest{}, nil, err
		}
		m.Files = names
		files = append(files, more...)
	}
	return m, files, nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func sqliteMediaKeys(ctx context.Context, path string, tables map[string]int64) ([][2]string, error) {
	db, err := openReadOnly(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return mediaKeys(ctx, db, tables)
}

// openReadOnly opens a SQLite file without writing anything beside it
// (immutable: no journal, no WAL, no locks).
func openReadOnly(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&immutable=1")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// describeSQLiteFile checks a SQLite file's integrity and describes it.
func describeSQLiteFile(ctx context.Context, path string) (StateManifest, error) {
	db, err := openReadOnly(path)
	if err != nil {
		return StateManifest{}, err
	}
	defer db.Close()
	var ok string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil {
		return StateManifest{}, fmt.Errorf("integrity check: %w", err)
	}
	if ok != "ok" {
		return StateManifest{}, fmt.Errorf("integrity check: %s", ok)
	}
	m, err := describeSQLite(ctx, db)
	if err != nil {
		return StateManifest{}, err
	}
	m.File = stateFile
	return m, nil
}

// Catalog reads of a SQLite state: its tables and the audit log's columns.
const (
	qSQLiteTables       = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	qSQLiteAuditColumns = `SELECT name FROM pragma_table_info('audit_log') ORDER BY cid`
)

// describeSQLite counts every table's rows and fingerprints the audit log.
func describeSQLite(ctx context.Context, db *sql.DB) (StateManifest, error) {
	return describeState(ctx, db, "sqlite", qSQLiteTables, qSQLiteAuditColumns)
}

// describeState counts the rows of every table qTables lists, reads the
// schema versions and fingerprints the audit log (its columns listed by
// qAuditColumns): the engine-neutral part of a state manifest.
func describeState(ctx context.Context, q querier, kind, qTables, qAuditColumns string) (StateManifest, error) {
	m := StateManifest{Kind: kind, Tables: map[string]int64{}}
	names, err := queryStrings(ctx, q, qTables)
	if err != nil {
		return m, err
	}
	for _, n := range names {
		var c int64
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(n)).Scan(&c); err != nil {
			return m, fmt.Errorf("count %s: %w", n, err)
		}
		m.Tables[n] = c
	}
	if slices.Contains(names, "schema_migrations") {
		rows, err := q.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
		if err != nil {
			return m, err
		}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return m, err
			}
			m.Migrations = append(m.Migrations, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return m, err
		}
	}
	if slices.Contains(names, "audit_log") {
		cols, err := queryStrings(ctx, q, qAuditColumns)
		if err != nil {
			return m, err
		}
		if m.AuditLog, err = auditDigest(ctx, q, cols); err != nil {
			return m, err
		}
	}
	return m, nil
}

// auditDigest hashes every audit_log row (the given columns, in id order):
// each value as a type byte, a length and its bytes, so two logs digest
// alike only when every row is identical, byte for byte.
func auditDigest(ctx context.Context, db querier, cols []string) (AuditDigest, error) {
	d := AuditDigest{Columns: cols}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = quoteIdent(c)
	}
	rows, err := db.QueryContext(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM audit_log ORDER BY id`)
	if err != nil {
		return d, fmt.Errorf("read audit_log: %w", err)
	}
	defer rows.Close()
	h := sha256.New()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	idCol := slices.Index(cols, "id")
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return d, err
		}
		for _, v := range vals {
			hashValue(h, v)
		}
		d.Rows++
		if idCol >= 0 {
			if id, ok := vals[idCol].(int64); ok && id > d.MaxID {
				d.MaxID = id
			}
		}
	}
	if err := rows.Err(); err != nil {
		return d, err
	}
	d.SHA256 = hex.EncodeToString(h.Sum(nil))
	return d, nil
}

func hashValue(h io.Writer, v any) {
	var tag byte
	var b []byte
	switch x := v.(type) {
	case nil:
		tag = 'n'
	case int64:
		tag, b = 'i', binary.LittleEndian.AppendUint64(nil, uint64(x))
	case float64:
		tag, b = 'f', binary.LittleEndian.AppendUint64(nil, math.Float64bits(x))
	case string:
		tag, b = 's', []byte(x)
	case []byte:
		tag, b = 'b', x
	case time.Time:
		tag, b = 't', []byte(x.UTC().Format(time.RFC3339Nano))
	default:
		tag, b = '?', []byte(fmt.Sprint(x))
	}
	h.Write([]byte{tag})
	h.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(b))))
	h.Write(b)
}

func queryStrings(ctx context.Context, db querier, q string) ([]string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// compareState lists how got differs from want (table counts, the audit
// log, the migrations).
func compareState(want, got StateManifest) []string {
	var out []string
	names := make([]string, 0, len(want.Tables))
	for n := range want.Tables {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		g, ok := got.Tables[n]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("table %s is missing (%d rows in the manifest)", n, want.Tables[n]))
		case g != want.Tables[n]:
			out = append(out, fmt.Sprintf("table %s holds %d rows, the manifest says %d", n, g, want.Tables[n]))
		}
	}
	if want.AuditLog.SHA256 != got.AuditLog.SHA256 || want.AuditLog.Rows != got.AuditLog.Rows {
		out = append(out, fmt.Sprintf("the audit log differs from the manifest's (%d rows, digest %.12s; manifest: %d rows, %.12s)",
			got.AuditLog.Rows, got.AuditLog.SHA256, want.AuditLog.Rows, want.AuditLog.SHA256))
	}
	if !slices.Equal(want.Migrations, got.Migrations) {
		out = append(out, fmt.Sprintf("schema versions %v, the manifest says %v", got.Migrations, want.Migrations))
	}
	return out
}

// SQLiteTarget restores the state into a SQLite file.
type SQLiteTarget struct {
	Path string
	Now  func() time.Time
}

// Kind is "sqlite".
func (SQLiteTarget) Kind() string { return "sqlite" }

// Holds counts the rows a restore would replace (schema_migrations aside).
func (t SQLiteTarget) Holds(ctx context.Context) (string, error) {
	st, err := os.Stat(t.Path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && st.Size() == 0) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	db, err := sql.Open("sqlite", "file:"+t.Path+"?mode=ro")
	if err != nil {
		return "", err
	}
	defer db.Close()
	m, err := describeSQLite(ctx, db)
	if err != nil {
		return "", fmt.Errorf("state database %s: %w", t.Path, err)
	}
	var held []string
	var total int64
	for _, n := range sortedKeys(m.Tables) {
		if n == "schema_migrations" || m.Tables[n] == 0 {
			continue
		}
		total += m.Tables[n]
		held = append(held, fmt.Sprintf("%s %d", n, m.Tables[n]))
	}
	if total == 0 {
		return "", nil
	}
	return fmt.Sprintf("the state database %s holds %d rows (%s)", t.Path, total, strings.Join(held, ", ")), nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Load copies the backup's SQLite file into place (through a temporary
// file and a rename, so a failed restore leaves no half file), keeping a
// replaced database beside it as PATH.before-restore-TIME.
func (t SQLiteTarget) Load(ctx context.Context, dir string, m StateManifest, force bool) error {
	src := filepath.Join(dir, filepath.FromSlash(m.File))
	before, err := describeSQLiteFile(ctx, src)
	if err != nil {
		return fmt.Errorf("%s: %w", m.File, err)
	}
	if p := compareState(m, before); len(p) > 0 {
		return &DamageError{Dir: dir, Problems: prefix(m.File+": ", p)}
	}
	held, err := t.Holds(ctx)
	if err != nil {
		return err
	}
	if held != "" && !force {
		return fmt.Errorf("%s: refusing to replace it without --force", held)
	}
	if err := store.PrivateDir(filepath.Dir(t.Path), nil); err != nil {
		return err
	}
	// The files the rows name go first: a database in place is the last
	// step of a restore.
	if err := loadStateFiles(dir, filepath.Dir(t.Path), m.Files); err != nil {
		return err
	}
	tmp := t.Path + ".restoring"
	if err := copyFile(src, tmp); err != nil {
		return err
	}
	defer os.Remove(tmp)
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	// Whatever is there (an empty schema, or with --force a database with
	// data) is kept aside with its WAL, never deleted.
	aside := t.Path + ".before-restore-" + now().UTC().Format("20060102T150405Z")
	if _, err := os.Stat(t.Path); err == nil {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			if _, err := os.Stat(t.Path + suffix); err == nil {
				if err := os.Rename(t.Path+suffix, aside+suffix); err != nil {
					return err
				}
			}
		}
	}
	if err := os.Rename(tmp, t.Path); err != nil {
		return err
	}
	if err := syncDir(filepath.Dir(t.Path)); err != nil {
		return err
	}
	after, err := describeSQLiteFile(ctx, t.Path)
	if err != nil {
		return fmt.Errorf("restored state database %s: %w", t.Path, err)
	}
	if p := compareState(m, after); len(p) > 0 {
		return fmt.Errorf("restored state database %s differs from the manifest: %s", t.Path, strings.Join(p, "; "))
	}
	return nil
}

func prefix(p string, items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = p + s
	}
	return out
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, store.PrivateFileMode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
