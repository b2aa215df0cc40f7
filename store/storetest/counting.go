package storetest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"modernc.org/sqlite"

	"github.com/humas-id/humas/store"
)

// Counter counts the statements a SQLite handle runs: every query and
// exec, prepared or not (a transaction's BEGIN and COMMIT are not counted).
type Counter struct{ n atomic.Int64 }

// Load returns the count so far.
func (c *Counter) Load() int64 { return c.n.Load() }

// Reset sets the count to zero and returns what it was.
func (c *Counter) Reset() int64 { return c.n.Swap(0) }

var (
	countingOnce sync.Once
	countersMu   sync.Mutex
	counters     = map[string]*Counter{} // DSN → counter
)

const countingDriver = "sqlite-counting"

// CountingSQLite is SQLite with every statement counted: the handle runs
// through a driver that wraps the real one and adds to the Counter.
func CountingSQLite(t testing.TB) (*store.SQLite, *Counter) {
	t.Helper()
	countingOnce.Do(func() { sql.Register(countingDriver, countingDrv{inner: &sqlite.Driver{}}) })
	path := filepath.Join(t.TempDir(), "humas.db")
	c := &Counter{}
	countersMu.Lock()
	counters[path] = c
	countersMu.Unlock()
	ctx := context.Background()
	db, err := store.OpenSQLiteDriver(ctx, countingDriver, path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	c.Reset()
	return db, c
}

type countingDrv struct{ inner driver.Driver }

func (d countingDrv) Open(dsn string) (driver.Conn, error) {
	conn, err := d.inner.Open(dsn)
	if err != nil {
		return nil, err
	}
	countersMu.Lock()
	c := counterFor(dsn)
	countersMu.Unlock()
	return &countingConn{Conn: conn, n: c}, nil
}

// counterFor finds the counter whose path the DSN ("file:PATH?...") opens.
func counterFor(dsn string) *Counter {
	for path, c := range counters {
		if strings.HasPrefix(dsn, "file:"+path+"?") {
			return c
		}
	}
	return &Counter{}
}

type countingConn struct {
	driver.Conn
	n *Counter
}

func (c *countingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	qc, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	c.n.n.Add(1)
	return qc.QueryContext(ctx, q, args)
}

func (c *countingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	ec, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	c.n.n.Add(1)
	return ec.ExecContext(ctx, q, args)
}

func (c *countingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	var st driver.Stmt
	var err error
	if pc, ok := c.Conn.(driver.ConnPrepareContext); ok {
		st, err = pc.PrepareContext(ctx, q)
	} else {
		st, err = c.Conn.Prepare(q)
	}
	if err != nil {
		return nil, err
	}
	return &countingStmt{Stmt: st, n: c.n}, nil
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if bc, ok := c.Conn.(driver.ConnBeginTx); ok {
		return bc.BeginTx(ctx, opts)
	}
	//lint:ignore SA1019 the fallback database/sql itself uses
	return c.Conn.Begin()
}

func (c *countingConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *countingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *countingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

type countingStmt struct {
	driver.Stmt
	n *Counter
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.n.n.Add(1)
	if ec, ok := s.Stmt.(driver.StmtExecContext); ok {
		return ec.ExecContext(ctx, args)
	}
	return nil, driver.ErrSkip
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.n.n.Add(1)
	if qc, ok := s.Stmt.(driver.StmtQueryContext); ok {
		return qc.QueryContext(ctx, args)
	}
	return nil, driver.ErrSkip
}
