package scheduler

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps the publisher's hot statements prepared. SQLite parses
// and plans a statement on every unprepared call; on the publishing path
// (a claim, a job read, an outcome with its audit lines and the post's
// state per delivery) that was a third of the CPU. A statement is
// prepared once per database here, and database/sql prepares it once per
// connection (the SQLite connections stay open: store.OpenSQLite).
// Over PostgreSQL (simple protocol: pgx sends each statement as text) the
// calls pass through unchanged.
type stmtCache struct {
	db *sql.DB
	on bool

	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB, on bool) *stmtCache {
	return &stmtCache{db: db, on: on, m: map[string]*sql.Stmt{}}
}

// stmt is q prepared, or nil (not cached, or it could not be prepared:
// the caller runs q unprepared and meets the error there).
func (c *stmtCache) stmt(ctx context.Context, q string) *sql.Stmt {
	if !c.on {
		return nil
	}
	c.mu.Lock()
	s, ok := c.m[q]
	c.mu.Unlock()
	if ok {
		return s
	}
	// Prepared outside the lock: preparing takes a connection, and a
	// caller inside a transaction (holding SQLite's write lock) must not
	// wait for it behind another caller's preparation.
	s, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[q]; ok {
		_ = s.Close() // another caller prepared it meanwhile
		return prev
	}
	c.m[q] = s
	return s
}

// cachedDB runs statements on the database through the cache.
type cachedDB struct{ c *stmtCache }

func (d cachedDB) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if s := d.c.stmt(ctx, q); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return d.c.db.ExecContext(ctx, q, args...)
}

func (d cachedDB) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s := d.c.stmt(ctx, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return d.c.db.QueryContext(ctx, q, args...)
}

func (d cachedDB) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if s := d.c.stmt(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return d.c.db.QueryRowContext(ctx, q, args...)
}

// cachedTx runs statements in tx through the cache (tx.StmtContext reuses
// the statement already prepared on the transaction's connection).
type cachedTx struct {
	c  *stmtCache
	tx *sql.Tx
}

func (t cachedTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if s := t.c.stmt(ctx, q); s != nil {
		return t.tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, q, args...)
}

func (t cachedTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s := t.c.stmt(ctx, q); s != nil {
		return t.tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, q, args...)
}

func (t cachedTx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if s := t.c.stmt(ctx, q); s != nil {
		return t.tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, q, args...)
}
