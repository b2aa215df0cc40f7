package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// TimeLayout is how times are stored in SQLite: UTC, fixed width, so that
// text comparison orders them.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// FormatTime renders t for a SQLite column.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime reads a time written by FormatTime.
func ParseTime(s string) (time.Time, error) { return time.Parse(TimeLayout, s) }

// ParseNullTime reads a nullable time column; NULL (or text that is not a
// stored time) is nil.
func ParseNullTime(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t, err := ParseTime(s.String)
	if err != nil {
		return nil
	}
	return &t
}

// State is the state database: the content calendar, users and audit
// log, in an embedded SQLite file (the default) or in PostgreSQL
// (postgres.go). Every package's SQL is written once, in SQLite's
// dialect with "?" placeholders; on PostgreSQL the driver rebinds it
// (pgdriver.go), and the few statements that must differ ask Dialect.
type State struct {
	DB      *sql.DB
	path    string
	log     *slog.Logger
	dialect Dialect
	dsn     string // PostgreSQL's connection string (a secret: never logged)
}

// SQLite is the state database's older name, kept for the packages that
// use it.
type SQLite = State

// Dialect names the SQL engine behind a State.
type Dialect string

// The state database's engines.
const (
	DialectSQLite   Dialect = "sqlite"
	DialectPostgres Dialect = "postgres"
)

// Dialect is the engine behind the state database.
func (s *State) Dialect() Dialect { return s.dialect }

// Postgres reports whether the state is in PostgreSQL (several replicas
// may share it).
func (s *State) Postgres() bool { return s.dialect == DialectPostgres }

const (
	qSQLiteMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
)`
	qSQLiteApplied = `SELECT version FROM schema_migrations`
	qSQLiteRecord  = `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`
)

// OpenSQLite opens (creating when missing) the SQLite file at path with
// WAL, a busy timeout and foreign keys on.
func OpenSQLite(ctx context.Context, path string, log *slog.Logger) (*SQLite, error) {
	return OpenSQLiteDriver(ctx, "sqlite", path, log)
}

// OpenSQLiteDriver is OpenSQLite through a database/sql driver registered
// under another name that wraps the "sqlite" one (storetest counts
// statements that way).
func OpenSQLiteDriver(ctx context.Context, driverName, path string, log *slog.Logger) (*SQLite, error) {
	if log == nil {
		log = slog.Default()
	}
	if err := PrivateDir(filepath.Dir(path), log); err != nil {
		return nil, fmt.Errorf("state database %s: %w", path, err)
	}
	// SQLite creates the WAL and SHM files with the database file's mode:
	// creating that file 0600 first (and narrowing files left by an older
	// version) keeps all three private, whatever the umask.
	if err := PrivateFile(path); err != nil {
		return nil, fmt.Errorf("state database %s: %w", path, err)
	}
	for _, f := range []string{path + "-wal", path + "-shm", path + "-journal"} {
		if _, err := os.Stat(f); err == nil {
			if err := narrow(f); err != nil {
				return nil, fmt.Errorf("state database %s: %w", f, err)
			}
		}
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	// Immediate transactions take the write lock up front, so two writers
	// wait for each other instead of failing on a lock upgrade.
	q.Set("_txlock", "immediate")
	db, err := sql.Open(driverName, "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("state database %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	// Keep them all open: database/sql keeps two idle by default, and a
	// connection opened again reads the whole schema before its first
	// statement (with 16 publishing workers, a tenth of their time).
	db.SetMaxIdleConns(8)
	s := &State{DB: db, path: path, log: log, dialect: DialectSQLite}
	if err := s.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *State) Close() error { return s.DB.Close() }

// Path is the database file; files humas keeps beside it (logos) go in
// its folder.
func (s *State) Path() string { return s.path }

// Ping checks the database answers a query.
func (s *State) Ping(ctx context.Context) error {
	var one int
	if err := s.DB.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("state database %s: %w", s.path, err)
	}
	return nil
}

// Migrate applies the embedded state migrations not yet recorded, each in
// its own transaction, and returns the ones it applied.
func (s *State) Migrate(ctx context.Context) ([]Migration, error) { return s.migrateUpTo(ctx, 0) }

// migrateUpTo applies the migrations up to version upTo (0: all).
func (s *State) migrateUpTo(ctx context.Context, upTo int) ([]Migration, error) {
	migs, err := StateMigrations(s.dialect)
	if err != nil {
		return nil, err
	}
	if _, err := s.DB.ExecContext(ctx, qSQLiteMigrations); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	done := map[int]bool{}
	rows, err := s.DB.QueryContext(ctx, qSQLiteApplied)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, err
		}
		done[v] = true
	}
	rows.Close()
	var ran []Migration
	for _, m := range migs {
		if done[m.Version] || (upTo > 0 && m.Version > upTo) {
			continue
		}
		apply := s.apply
		if s.dialect == DialectPostgres {
			apply = s.applyPG
		}
		if err := apply(ctx, m); err != nil {
			return ran, err
		}
		s.log.Info("state migration applied", "driver", string(s.dialect), "version", m.Version, "name", m.Name)
		ran = append(ran, m)
	}
	return ran, nil
}

// foreignKeysOff marks a migration that rebuilds a table: it runs with
// foreign keys off and is checked with foreign_key_check before commit
// (SQLite's procedure for schema changes ALTER TABLE cannot make).
const foreignKeysOff = "-- humas:foreign_keys=off"

// apply runs one migration and records it, in one transaction. SQLite runs
// a whole file in one Exec (triggers contain ";").
func (s *State) apply(ctx context.Context, m Migration) error {
	conn, err := s.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	rebuild := strings.HasPrefix(m.Body, foreignKeysOff)
	if rebuild {
		// Not allowed inside a transaction; this connection alone has it off.
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
			return fmt.Errorf("sqlite migration %04d_%s: %w", m.Version, m.Name, err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON") //nolint:errcheck // best effort; the pool's DSN sets it on new connections
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	before, err := tableCounts(ctx, tx, DialectSQLite)
	if err != nil {
		return fmt.Errorf("sqlite migration %04d_%s: count rows before: %w", m.Version, m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, m.Body); err != nil {
		return fmt.Errorf("sqlite migration %04d_%s: %w", m.Version, m.Name, err)
	}
	if err := checkTableCounts(ctx, tx, DialectSQLite, m, before); err != nil {
		return err
	}
	if rebuild {
		rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
		if err != nil {
			return fmt.Errorf("sqlite migration %04d_%s: foreign key check: %w", m.Version, m.Name, err)
		}
		bad := rows.Next()
		rows.Close()
		if bad {
			return fmt.Errorf("sqlite migration %04d_%s: the rebuilt tables break a foreign key (PRAGMA foreign_key_check)", m.Version, m.Name)
		}
	}
	if _, err := tx.ExecContext(ctx, qSQLiteRecord, m.Version, m.Name, FormatTime(time.Now())); err != nil {
		return err
	}
	return tx.Commit()
}
