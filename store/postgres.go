package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/humas-id/humas/config"
)

// OpenState opens the state database the configuration names: the SQLite
// file at state.path, or the PostgreSQL database at state.dsn (state.path's
// folder still holds the files kept beside the database, such as logos).
func OpenState(ctx context.Context, cfg config.State, log *slog.Logger) (*State, error) {
	switch cfg.Driver {
	case "", string(DialectSQLite):
		return OpenSQLite(ctx, cfg.Path, log)
	case string(DialectPostgres):
		return OpenPostgres(ctx, cfg.DSN.Reveal(), cfg.Path, log)
	default:
		return nil, fmt.Errorf("state.driver %q: want sqlite or postgres", cfg.Driver)
	}
}

// OpenPostgres opens the state database in PostgreSQL at dsn. path is the
// file a SQLite state would be (its folder keeps logos and media files);
// it is only used for Path.
func OpenPostgres(ctx context.Context, dsn, path string, log *slog.Logger) (*State, error) {
	if log == nil {
		log = slog.Default()
	}
	conn, err := newPGConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("state database (postgres): %w", err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if path == "" {
		path = filepath.Join(".", "var", "humas.db")
	}
	s := &State{DB: db, path: path, log: log, dialect: DialectPostgres}
	if err := s.Ping(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("state database (postgres): %w", err)
	}
	return s, nil
}

// applyPG runs one migration and records it in one transaction
// (PostgreSQL's DDL is transactional; the file runs as one
// multi-statement exec).
func (s *State) applyPG(ctx context.Context, m Migration) error {
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.Body); err != nil {
		return fmt.Errorf("postgres migration %04d_%s: %w", m.Version, m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, qSQLiteRecord, m.Version, m.Name, FormatTime(time.Now())); err != nil {
		return err
	}
	return tx.Commit()
}

// Querier runs a query returning one row: *sql.DB, *sql.Tx or *sql.Conn.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// InsertID runs an INSERT and returns the id of the row it made, through
// RETURNING id, which both engines support (PostgreSQL's driver has no
// LastInsertId).
func InsertID(ctx context.Context, q Querier, insert string, args ...any) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, insert+" RETURNING id", args...).Scan(&id)
	return id, err
}
