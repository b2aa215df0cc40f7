package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// The PostgreSQL side of the state database goes through pgx's
// database/sql driver, wrapped once here so that every package's SQL (the
// SQLite dialect, "?" placeholders) runs unchanged:
//
//   - placeholders are rebound: "?" becomes $1, $2, ... (outside quoted
//     text, identifiers and comments);
//   - a few SQLite fragments with no common spelling are rewritten to their
//     PostgreSQL equivalents (pgRewrites: a fixed table, never user text);
//   - booleans are sent as 0 and 1, as SQLite stores them (the columns are
//     integers on both);
//   - statements go through the simple protocol: pgx quotes every argument
//     as a literal on the client, so PostgreSQL types it from where it
//     stands (INSERT ... SELECT ?, a string for an integer column), as
//     SQLite does, and a migration file runs as one multi-statement exec;
//   - constraint errors read as SQLite's ("UNIQUE constraint failed:
//     table.column", "FOREIGN KEY constraint failed"), the original
//     *pgconn.PgError wrapped inside (IsUniqueViolation finds either);
//   - every transaction first takes one database-wide advisory lock, the
//     single-writer discipline SQLite's BEGIN IMMEDIATE gives: the code
//     that reads and then writes in a transaction stays correct with
//     several replicas. Statements outside a transaction (the delivery
//     claim, heartbeats) do not take it.

// txLockKey is the advisory lock every state transaction holds.
const txLockKey = 0x68756d6173 // "humas"

// pgRewrites maps SQLite-only fragments used by the packages' SQL to
// PostgreSQL. json_each(?) over a JSON array of ids is the one list
// parameter the code uses.
var pgRewrites = []struct {
	from *regexp.Regexp
	to   string
}{
	{regexp.MustCompile(`SELECT value FROM json_each\((\?\d*)\)`), "SELECT value::bigint FROM json_array_elements_text(${1}::json)"},
}

type pgConnector struct {
	inner driver.Connector
}

func newPGConnector(dsn string) (driver.Connector, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["timezone"] = "UTC"
	return pgConnector{inner: stdlib.GetConnector(*cfg)}, nil
}

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{Conn: conn.(*stdlib.Conn)}, nil
}

func (c pgConnector) Driver() driver.Driver { return c.inner.Driver() }

type pgConn struct {
	*stdlib.Conn
}

func (c *pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	switch v := nv.Value.(type) {
	case bool:
		if v {
			nv.Value = int64(1)
		} else {
			nv.Value = int64(0)
		}
		return nil
	case driver.Valuer:
		dv, err := v.Value()
		if err != nil {
			return err
		}
		nv.Value = dv
		return c.CheckNamedValue(nv)
	}
	return nil
}

func (c *pgConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	r, err := c.Conn.ExecContext(ctx, Rebind(q), args)
	return r, pgError(err)
}

func (c *pgConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	r, err := c.Conn.QueryContext(ctx, Rebind(q), args)
	return r, pgError(err)
}

func (c *pgConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, Rebind(q))
}

func (c *pgConn) Prepare(q string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), q)
}

func (c *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.Conn.BeginTx(ctx, opts)
	if err != nil {
		return nil, pgError(err)
	}
	if _, err := c.Conn.ExecContext(ctx, "SELECT pg_advisory_xact_lock("+strconv.Itoa(txLockKey)+")", nil); err != nil {
		_ = tx.Rollback()
		return nil, fmt.Errorf("state transaction lock: %w", pgError(err))
	}
	return pgTx{tx}, nil
}

type pgTx struct{ driver.Tx }

func (t pgTx) Commit() error { return pgError(t.Tx.Commit()) }

// Rebind turns "?" placeholders into PostgreSQL's $1, $2, ... and applies
// pgRewrites. Quoted strings, quoted identifiers and comments are copied
// as they are.
func Rebind(q string) string {
	for _, r := range pgRewrites {
		if strings.Contains(q, "json_each(") {
			q = r.from.ReplaceAllString(q, r.to)
		}
	}
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		ch := q[i]
		switch {
		case ch == '\'' || ch == '"':
			j := i + 1
			for j < len(q) {
				if q[j] == ch {
					if j+1 < len(q) && q[j+1] == ch { // doubled quote
						j += 2
						continue
					}
					break
				}
				j++
			}
			b.WriteString(q[i:min(j+1, len(q))])
			i = j
		case ch == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j - 1
		case ch == '?':
			// ?NNN names parameter NNN (SQLite); a bare ? is the one
			// after the highest so far.
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			if j > i+1 {
				k, _ := strconv.Atoi(q[i+1 : j])
				n = max(n, k)
				b.WriteByte('$')
				b.WriteString(q[i+1 : j])
				i = j - 1
				continue
			}
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// ConstraintError is a PostgreSQL constraint violation worded as SQLite
// words it, so code that matches SQLite's messages reads both.
type ConstraintError struct {
	Msg string
	Err *pgconn.PgError
}

func (e *ConstraintError) Error() string { return e.Msg }
func (e *ConstraintError) Unwrap() error { return e.Err }

var keyCols = regexp.MustCompile(`^Key \((.*)\)=\(`)

func pgError(err error) error {
	var pe *pgconn.PgError
	if err == nil || !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "23505":
		cols := pe.ConstraintName
		if m := keyCols.FindStringSubmatch(pe.Detail); m != nil {
			var parts []string
			for _, c := range strings.Split(m[1], ", ") {
				parts = append(parts, pe.TableName+"."+c)
			}
			cols = strings.Join(parts, ", ")
		}
		return &ConstraintError{Msg: "UNIQUE constraint failed: " + cols + " (" + pe.Message + ")", Err: pe}
	case "23503":
		return &ConstraintError{Msg: "FOREIGN KEY constraint failed (" + pe.Message + ")", Err: pe}
	case "23514":
		return &ConstraintError{Msg: "CHECK constraint failed: " + pe.ConstraintName + " (" + pe.Message + ")", Err: pe}
	case "23502":
		return &ConstraintError{Msg: "NOT NULL constraint failed: " + pe.TableName + "." + pe.ColumnName + " (" + pe.Message + ")", Err: pe}
	}
	return err
}

// IsUniqueViolation reports whether err is a unique constraint violation
// on either driver.
func IsUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
