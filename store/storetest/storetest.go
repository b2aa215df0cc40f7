// Package storetest gives tests a real, migrated ClickHouse database and a
// real SQLite file of their own.
//
// With HUMAS_CH_CAPTURE_DIR set (make test sets it), every statement a test
// process sends to ClickHouse through a store is recorded there for the
// differential test (package chdiff), which replays them on a modern engine.
//
// ClickHouse comes from HUMAS_TEST_CLICKHOUSE_ADDR (default 127.0.0.1:9000,
// the server scripts/clickhouse.sh starts). Without a server a test skips on
// a developer's machine, but fails when CI is set: CI must never go green
// without running the storage tests.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/humas-id/humas/chdiff/capture"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/store"
)

func init() {
	dir := os.Getenv(capture.EnvDir)
	if dir == "" {
		return
	}
	rec, err := capture.New(dir)
	if err != nil {
		panic(err) // asked to capture and cannot: the differential test would miss statements
	}
	store.SetConnHook(rec.Wrap)
}

// ClickHouseConfig is the test server's configuration with a fresh,
// uniquely named database.
func ClickHouseConfig(t testing.TB) config.ClickHouse {
	t.Helper()
	cfg := config.Default().ClickHouse
	if addr := os.Getenv("HUMAS_TEST_CLICKHOUSE_ADDR"); addr != "" {
		cfg.Addr = addr
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	cfg.Database = "test_" + hex.EncodeToString(b[:])
	cfg.DialTimeout = config.Duration(2 * time.Second)
	return cfg
}

// ClickHouse opens a migrated database that is dropped when the test ends.
func ClickHouse(t testing.TB) *store.ClickHouse {
	t.Helper()
	ch := ClickHouseEmpty(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := ch.Migrate(ctx); err != nil {
		t.Fatalf("migrate clickhouse: %v", err)
	}
	return ch
}

// ClickHouseAsOf opens a database migrated as the humas of migration
// version did (superseded migrations included), for upgrade tests.
func ClickHouseAsOf(t testing.TB, version int) *store.ClickHouse {
	t.Helper()
	ch := ClickHouseEmpty(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := ch.MigrateAsOf(ctx, version); err != nil {
		t.Fatalf("migrate clickhouse as of %04d: %v", version, err)
	}
	return ch
}

// ClickHouseWithout opens a database with every migration but the ones
// listed, for tests of upgrading through exactly those.
func ClickHouseWithout(t testing.TB, versions ...int) *store.ClickHouse {
	t.Helper()
	ch := ClickHouseEmpty(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := ch.MigrateExcept(ctx, versions...); err != nil {
		t.Fatalf("migrate clickhouse without %v: %v", versions, err)
	}
	return ch
}

// ClickHouseEmpty opens a database without migrating it; it is dropped
// when the test ends.
func ClickHouseEmpty(t testing.TB) *store.ClickHouse {
	t.Helper()
	cfg := ClickHouseConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ch, err := store.OpenClickHouse(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("ClickHouse at %s is required in CI: %v", cfg.Addr, err)
		}
		t.Skipf("no ClickHouse at %s (start one with scripts/clickhouse.sh start): %v", cfg.Addr, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = ch.Exec(ctx, "DROP DATABASE IF EXISTS `"+cfg.Database+"`")
		ch.Close()
	})
	return ch
}

// ClickHouseUnrecorded is ClickHouseEmpty without the differential
// test's recording: for a store whose statements are not a humas workload
// to compare between engines (a restore drops and rebuilds its own
// database mid-test, which the replay cannot reproduce in order). Other
// stores opened at the same moment may go unrecorded too; they only lose
// coverage.
func ClickHouseUnrecorded(t testing.TB) *store.ClickHouse {
	t.Helper()
	prev := store.SetConnHook(nil)
	defer func() { store.SetConnHook(prev) }()
	return ClickHouseEmpty(t)
}

// SQLite opens a migrated state database of the test's own: a SQLite file
// in the test's temporary directory, or, with HUMAS_TEST_STATE=postgres, a
// fresh PostgreSQL database (State) dropped when the test ends.
func SQLite(t testing.TB) *store.SQLite {
	t.Helper()
	if StateDriver() == string(store.DialectPostgres) {
		return Postgres(t)
	}
	return SQLiteFile(t)
}

// SQLiteFile opens a migrated SQLite file in the test's temporary
// directory, whatever HUMAS_TEST_STATE says.
func SQLiteFile(t testing.TB) *store.SQLite {
	t.Helper()
	ctx := context.Background()
	db, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "humas.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return db
}
