package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/store"
)

// EnvState picks the state driver of the tests: sqlite (default) or
// postgres. EnvPostgresDSN is the server the postgres tests use (default:
// the cluster scripts/postgres.sh starts); each test gets a database of
// its own on it.
const (
	EnvState       = "HUMAS_TEST_STATE"
	EnvPostgresDSN = "HUMAS_TEST_POSTGRES_DSN"
)

// DefaultPostgresDSN is where scripts/postgres.sh listens.
const DefaultPostgresDSN = "postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable"

// StateDriver is the state driver the tests run on.
func StateDriver() string {
	if v := os.Getenv(EnvState); v != "" {
		return v
	}
	return string(store.DialectSQLite)
}

// PostgresServerDSN is the DSN of the test PostgreSQL server (its
// maintenance database).
func PostgresServerDSN() string {
	if v := os.Getenv(EnvPostgresDSN); v != "" {
		return v
	}
	return DefaultPostgresDSN
}

// Postgres opens a migrated state database in a fresh PostgreSQL database
// that is dropped when the test ends. Without a server it skips on a
// developer's machine and fails in CI.
func Postgres(t testing.TB) *store.State {
	t.Helper()
	st := PostgresEmpty(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	return st
}

// PostgresEmpty opens a fresh, unmigrated PostgreSQL state database.
func PostgresEmpty(t testing.TB) *store.State {
	t.Helper()
	dsn := PostgresDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.OpenPostgres(ctx, dsn, filepath.Join(t.TempDir(), "humas.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open postgres state: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// PostgresDatabase creates an empty database on the test server, dropped
// (with its connections) when the test ends, and returns its DSN.
func PostgresDatabase(t testing.TB) string {
	t.Helper()
	server := PostgresServerDSN()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := store.OpenPostgres(ctx, server, "", slog.New(slog.DiscardHandler))
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL at %s is required in CI: %v", server, err)
		}
		t.Skipf("no PostgreSQL at %s (start one with scripts/postgres.sh start): %v", server, err)
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "test_" + hex.EncodeToString(b[:])
	// C collation: text compares by byte, as in SQLite.
	if _, err := admin.DB.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() { DropPostgresDatabase(server, name) })
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgresDSN, err)
	}
	u.Path = "/" + name
	return u.String()
}

// DropPostgresDatabase drops a test database, ending its connections.
func DropPostgresDatabase(server, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", server)
	if err != nil {
		return
	}
	defer db.Close()
	_, _ = db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
}

// StateConfig is the state section of a configuration that opens st's
// database (for tests that start humas's own wiring).
func StateConfig(t testing.TB, st *store.State, dsn string) config.State {
	t.Helper()
	c := config.Default().State
	c.Path = st.Path()
	if st.Postgres() {
		c.Driver = string(store.DialectPostgres)
		c.DSN = config.Secret(dsn)
	}
	return c
}
