package chdb

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dir is this test process's one engine directory.
var dir = filepath.Join(os.TempDir(), "humas-chdb-test-"+strings.ReplaceAll(filepath.Base(os.Args[0]), ".", "_"))

func TestMain(m *testing.M) {
	_ = os.RemoveAll(dir)
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// session gives the test the process's chDB engine, failing in CI when the
// library is missing and skipping elsewhere.
func session(t *testing.T) *Session {
	t.Helper()
	s, err := Open(LibPath(), dir, "session_timezone=UTC")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("chDB is required in CI: %v", err)
		}
		t.Skipf("chDB not available (scripts/chdb.sh fetch): %v", err)
	}
	return s
}

func TestQueryRoundTrip(t *testing.T) {
	s := session(t)
	out, err := s.Query("SELECT version()", "TabSeparated")
	if err != nil {
		t.Fatal(err)
	}
	if v := strings.TrimSpace(string(out)); !strings.HasPrefix(v, "26.7.") {
		t.Errorf("engine version %q, want 26.7.x (chdb.Version %s)", v, Version)
	}
	for _, q := range []string{
		"CREATE DATABASE IF NOT EXISTS rt",
		"CREATE TABLE rt.t (a UInt64, b String, c DateTime('UTC')) ENGINE = MergeTree ORDER BY a",
		"INSERT INTO rt.t (a, b, c) VALUES (2, 'tab\there', '2025-03-01 00:00:00'), (1, 'x', '2025-03-01 07:00:00')",
	} {
		if _, err := s.Query(q, ""); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	out, err = s.Query("SELECT a, b, c, toDateTime('2025-03-01 00:00:00') AS u FROM rt.t ORDER BY a", "TabSeparatedWithNamesAndTypes")
	if err != nil {
		t.Fatal(err)
	}
	want := "a\tb\tc\tu\nUInt64\tString\tDateTime(\\'UTC\\')\tDateTime\n" +
		"1\tx\t2025-03-01 07:00:00\t2025-03-01 00:00:00\n2\ttab\\there\t2025-03-01 00:00:00\t2025-03-01 00:00:00\n"
	if string(out) != want {
		t.Errorf("got\n%q\nwant\n%q", out, want)
	}
}

func TestQueryError(t *testing.T) {
	s := session(t)
	_, err := s.Query("SELECT no_such_function()", "TabSeparated")
	if !errors.Is(err, ErrQuery) || !strings.Contains(err.Error(), "UNKNOWN_FUNCTION") {
		t.Fatalf("err = %v, want an ErrQuery naming UNKNOWN_FUNCTION", err)
	}
	if _, err := s.Query("SELECT 1", "TabSeparated"); err != nil {
		t.Fatalf("the session does not recover after an error: %v", err)
	}
}

func TestOneEnginePerProcess(t *testing.T) {
	s := session(t)
	again, err := Open(LibPath(), dir)
	if err != nil || again != s {
		t.Fatalf("Open on the same path: %v, %v; want the same session", again, err)
	}
	if _, err := Open(LibPath(), t.TempDir()); err == nil {
		t.Fatal("a second engine directory in one process was accepted")
	}
}

func TestMissingLibrary(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "libchdb.so"), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "scripts/chdb.sh fetch") {
		t.Fatalf("err = %v, want one that says how to fetch the library", err)
	}
}
