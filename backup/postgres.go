package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/humas-id/humas/store"
)

// pgStateFile is the PostgreSQL dump's path inside a backup: pg_dump's
// custom format (compressed; pg_restore reads it table by table).
const pgStateFile = stateDir + "/humas.pgdump"

// Catalog reads of a PostgreSQL state database: the current schema's
// tables, the audit log's columns, and what a restore drops.
const (
	qPGTables = `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	qPGAuditColumns = `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'audit_log' ORDER BY ordinal_position`
	qPGRelations = `SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
		  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))`
	qPGFunctions = `SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = current_schema()`
)

// SourceFor is the state source of an open state database: VACUUM INTO
// for SQLite, pg_dump for PostgreSQL (pgBinDir: where pg_dump is, ""
// for PATH). dir is the folder of the files kept beside the state.
func SourceFor(st *store.State, dir, pgBinDir string) StateSource {
	if st.Postgres() {
		return PostgresSource{DB: st, Dir: dir, BinDir: pgBinDir}
	}
	return SQLiteSource{DB: st, Dir: dir}
}

// PostgresSource dumps a PostgreSQL state database with pg_dump while
// replicas keep writing. The manifest's row counts and audit digest are
// read in the very snapshot pg_dump copies (pg_export_snapshot), so a
// restore can check the copy row for row.
type PostgresSource struct {
	DB *store.State
	// Dir is the folder beside the database whose StateFolders hold files
	// the state names (logos); "" leaves them out.
	Dir string
	// BinDir holds pg_dump; "" finds it on PATH.
	BinDir string
}

// Kind is "postgres".
func (PostgresSource) Kind() string { return string(store.DialectPostgres) }

// Dump writes state/humas.pgdump under root.
func (s PostgresSource) Dump(ctx context.Context, root string) (StateManifest, []File, error) {
	path := filepath.Join(root, filepath.FromSlash(pgStateFile))
	if err := os.MkdirAll(filepath.Dir(path), dirMode); err != nil {
		return StateManifest{}, nil, err
	}
	// One connection holds a read-only repeatable-read transaction for
	// the whole dump. It is begun by hand: the state driver's own
	// transactions take the writers' lock, which would stop every
	// replica's writes while pg_dump runs.
	conn, err := s.DB.DB.Conn(ctx)
	if err != nil {
		return StateManifest{}, nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`); err != nil {
		return StateManifest{}, nil, fmt.Errorf("copy the state database: begin a snapshot: %w", err)
	}
	ended := false
	defer func() {
		if !ended {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
		}
	}()
	var snapshot string
	if err := conn.QueryRowContext(ctx, `SELECT pg_export_snapshot()`).Scan(&snapshot); err != nil {
		return StateManifest{}, nil, fmt.Errorf("copy the state database: export the snapshot: %w", err)
	}
	m, err := describePostgres(ctx, conn)
	if err != nil {
		return StateManifest{}, nil, fmt.Errorf("read the state database: %w", err)
	}
	if m.mediaKeys, err = mediaKeys(ctx, conn, m.Tables); err != nil {
		return StateManifest{}, nil, fmt.Errorf("list media: %w", err)
	}
	if _, err := runPGTool(ctx, s.BinDir, "pg_dump", s.DB.PostgresDSN(), "--format=custom", "--no-owner", "--no-privileges",
		"--snapshot="+snapshot, "--file="+path); err != nil {
		return StateManifest{}, nil, fmt.Errorf("copy the state database: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		return StateManifest{}, nil, err
	}
	ended = true
	if err := os.Chmod(path, fileMode); err != nil {
		return StateManifest{}, nil, err
	}
	if err := syncFile(path); err != nil {
		return StateManifest{}, nil, err
	}
	if err := checkArchive(ctx, s.BinDir, path, m); err != nil {
		return StateManifest{}, nil, err
	}
	m.File = pgStateFile
	size, sum, err := hashFile(path)
	if err != nil {
		return StateManifest{}, nil, err
	}
	files := []File{{Path: pgStateFile, Size: size, SHA256: sum}}
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

// querier is a connection or a pool (of either engine).
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// describePostgres describes the current schema as describeSQLite does a
// file, with the server's version.
func describePostgres(ctx context.Context, q querier) (StateManifest, error) {
	m, err := describeState(ctx, q, string(store.DialectPostgres), qPGTables, qPGAuditColumns)
	if err != nil {
		return m, err
	}
	if err := q.QueryRowContext(ctx, `SHOW server_version`).Scan(&m.Server); err != nil {
		return m, err
	}
	return m, nil
}

// checkArchive reads a dump's table of contents (pg_restore --list) and
// checks it holds the data of every table the manifest counts.
func checkArchive(ctx context.Context, binDir, path string, m StateManifest) error {
	toc, err := runPGTool(ctx, binDir, "pg_restore", "", "--list", path)
	if err != nil {
		return fmt.Errorf("read the dump's table of contents: %w", err)
	}
	data := map[string]bool{}
	for _, line := range strings.Split(string(toc), "\n") {
		// "3344; 0 531241 TABLE DATA public audit_log humas"
		if i := strings.Index(line, " TABLE DATA "); i >= 0 && !strings.HasPrefix(line, ";") {
			if f := strings.Fields(line[i+len(" TABLE DATA "):]); len(f) >= 2 {
				data[f[1]] = true
			}
		}
	}
	var missing []string
	for _, n := range sortedKeys(m.Tables) {
		if !data[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the dump holds no data for %s", strings.Join(missing, ", "))
	}
	return nil
}

// PostgresTarget restores the state into a PostgreSQL database.
type PostgresTarget struct {
	DB *store.State
	// BinDir holds pg_dump and pg_restore; "" finds them on PATH.
	BinDir string
	// AsideDir is where a database that --force replaces is first dumped
	// (humas-before-restore-TIME.pgdump); required for --force.
	AsideDir string
	Now      func() time.Time
}

// Kind is "postgres".
func (PostgresTarget) Kind() string { return string(store.DialectPostgres) }

// Holds counts the rows a restore would replace (schema_migrations aside).
func (t PostgresTarget) Holds(ctx context.Context) (string, error) {
	m, err := describePostgres(ctx, t.DB.DB)
	if err != nil {
		return "", fmt.Errorf("state database (postgres): %w", err)
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
	var name string
	if err := t.DB.DB.QueryRowContext(ctx, `SELECT current_database()`).Scan(&name); err != nil {
		return "", err
	}
	return fmt.Sprintf("the state database (PostgreSQL database %s) holds %d rows (%s)", name, total, strings.Join(held, ", ")), nil
}

// Load drops what the target's schema holds (after dumping it to AsideDir
// when it holds data) and loads the dump with pg_restore in one
// transaction, then checks every count and the audit log against the
// manifest.
func (t PostgresTarget) Load(ctx context.Context, dir string, m StateManifest, force bool) error {
	src := filepath.Join(dir, filepath.FromSlash(m.File))
	if err := checkArchive(ctx, t.BinDir, src, m); err != nil {
		return &DamageError{Dir: dir, Problems: []string{m.File + ": " + err.Error()}}
	}
	held, err := t.Holds(ctx)
	if err != nil {
		return err
	}
	if held != "" && !force {
		return fmt.Errorf("%s: refusing to replace it without --force", held)
	}
	if err := loadStateFiles(dir, filepath.Dir(t.DB.Path()), m.Files); err != nil {
		return err
	}
	aside := ""
	if held != "" {
		if t.AsideDir == "" {
			return errors.New("no folder to keep the replaced state database in before the restore (PostgresTarget.AsideDir)")
		}
		now := time.Now
		if t.Now != nil {
			now = t.Now
		}
		if err := store.PrivateDir(t.AsideDir, nil); err != nil {
			return err
		}
		aside = filepath.Join(t.AsideDir, "humas-before-restore-"+now().UTC().Format("20060102T150405Z")+".pgdump")
		if _, err := runPGTool(ctx, t.BinDir, "pg_dump", t.DB.PostgresDSN(), "--format=custom", "--no-owner", "--no-privileges",
			"--file="+aside); err != nil {
			return fmt.Errorf("keep the replaced state database aside before the restore: %w", err)
		}
	}
	if err := dropSchemaObjects(ctx, t.DB); err != nil {
		return fmt.Errorf("empty the state database before the restore: %w", err)
	}
	if _, err := runPGTool(ctx, t.BinDir, "pg_restore", t.DB.PostgresDSN(), "--no-owner", "--no-privileges",
		"--single-transaction", "--exit-on-error", src); err != nil {
		if aside != "" {
			return fmt.Errorf("load the state database: %w (the replaced database was saved to %s: load it back with pg_restore --no-owner -d DSN %s)", err, aside, aside)
		}
		return fmt.Errorf("load the state database: %w", err)
	}
	after, err := describePostgres(ctx, t.DB.DB)
	if err != nil {
		return fmt.Errorf("restored state database: %w", err)
	}
	if p := compareState(m, after); len(p) > 0 {
		return fmt.Errorf("restored state database differs from the manifest: %s", strings.Join(p, "; "))
	}
	return nil
}

// dropSchemaObjects drops every table, view, sequence and function of the
// current schema in one transaction (names read from the catalog).
func dropSchemaObjects(ctx context.Context, st *store.State) error {
	type rel struct{ name, kind string }
	rows, err := st.DB.QueryContext(ctx, qPGRelations)
	if err != nil {
		return err
	}
	var rels []rel
	for rows.Next() {
		var r rel
		if err := rows.Scan(&r.name, &r.kind); err != nil {
			rows.Close()
			return err
		}
		rels = append(rels, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	funcs, err := queryStrings(ctx, st.DB, qPGFunctions)
	if err != nil {
		return err
	}
	kinds := map[string]string{"r": "TABLE", "p": "TABLE", "f": "FOREIGN TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}
	tx, err := st.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	for _, r := range rels {
		if _, err := tx.ExecContext(ctx, `DROP `+kinds[r.kind]+` IF EXISTS `+quoteIdent(r.name)+` CASCADE`); err != nil {
			return fmt.Errorf("drop %s: %w", r.name, err)
		}
	}
	for _, f := range funcs { // regprocedure text: the function's quoted name and argument types
		if _, err := tx.ExecContext(ctx, `DROP FUNCTION IF EXISTS `+f+` CASCADE`); err != nil {
			return fmt.Errorf("drop %s: %w", f, err)
		}
	}
	return tx.Commit()
}

// runPGTool runs one of PostgreSQL's client programs. The password of dsn
// goes in PGPASSWORD, never on the command line (where ps shows it); the
// error carries the program's own message.
func runPGTool(ctx context.Context, binDir, tool, dsn string, args ...string) ([]byte, error) {
	path := filepath.Join(binDir, tool)
	if binDir == "" {
		p, err := exec.LookPath(tool)
		if err != nil {
			return nil, fmt.Errorf("%s was not found on PATH: install PostgreSQL's client programs of the server's major version or "+
				"newer (Debian: postgresql-client) or set backup.pg_bin_dir (HUMAS_BACKUP_PG_BIN_DIR) to their folder", tool)
		}
		path = p
	}
	env := os.Environ()
	if dsn != "" {
		conn, password := splitPassword(dsn)
		args = append([]string{"--dbname=" + conn}, args...)
		if password != "" {
			env = append(env, "PGPASSWORD="+password)
		}
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w (set backup.pg_bin_dir to the folder of PostgreSQL's client programs)", path, err)
		}
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 2000 {
			msg = msg[:2000] + "…"
		}
		return nil, fmt.Errorf("%s: %w: %s", tool, err, msg)
	}
	return out, nil
}

var kvPassword = regexp.MustCompile(`(^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)`)

// splitPassword takes the password out of a connection string (URL or
// key=value form) so it can travel in the environment instead.
func splitPassword(dsn string) (conn, password string) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil || u.User == nil {
			return dsn, ""
		}
		p, ok := u.User.Password()
		if !ok {
			return dsn, ""
		}
		u.User = url.User(u.User.Username())
		return u.String(), p
	}
	m := kvPassword.FindStringSubmatchIndex(dsn)
	if m == nil {
		return dsn, ""
	}
	password = dsn[m[4]:m[5]]
	if strings.HasPrefix(password, "'") {
		password = strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(password[1 : len(password)-1])
	}
	return strings.TrimSpace(dsn[:m[0]] + dsn[m[1]:]), password
}
