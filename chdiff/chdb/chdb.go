// Package chdb runs SQL on chDB, the ClickHouse engine as a library
// (libchdb.so), in this process. It binds the library's C API with purego,
// so the library is found at run time (LibPath) and a process without it
// can still report why.
//
// chDB keeps one engine per process: Open returns the same session for the
// same data path, and a second path is an error.
package chdb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// Version is the chDB library the tests are written against; .ci/run and
// scripts/chdb.sh fetch exactly this build from the npm registry
// (@chdb/lib-linux-x64-gnu), which embeds ClickHouse 26.7.
const Version = "26.7.3-stable.1"

// LibPath is where libchdb.so is looked for: $HUMAS_CHDB_LIB, else the
// cache scripts/chdb.sh fills ($HUMAS_CACHE_DIR or $HOME/.cache/humas, then
// chdb/<Version>/libchdb.so).
func LibPath() string {
	if p := os.Getenv("HUMAS_CHDB_LIB"); p != "" {
		return p
	}
	dir := os.Getenv("HUMAS_CACHE_DIR")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = os.TempDir()
		}
		dir = filepath.Join(home, ".cache", "humas")
	}
	return filepath.Join(dir, "chdb", Version, "libchdb.so")
}

// api is the part of chdb.h this package uses.
type api struct {
	connect        func(argc int32, argv **byte) unsafe.Pointer // chdb_connection *
	closeConn      func(conn unsafe.Pointer)
	queryN         func(conn unsafe.Pointer, query *byte, queryLen uintptr, format *byte, formatLen uintptr) unsafe.Pointer
	destroyResult  func(res unsafe.Pointer)
	resultBuffer   func(res unsafe.Pointer) unsafe.Pointer
	resultLength   func(res unsafe.Pointer) uintptr
	resultError    func(res unsafe.Pointer) unsafe.Pointer
	setSigHandlers func(enabled int32)
	sigaction      func(sig int32, act, old unsafe.Pointer) int32
}

var (
	loadOnce sync.Once
	lib      api
	loadErr  error

	mu      sync.Mutex
	current *Session
)

// load opens the library once per process (the first path wins).
func load(path string) error {
	loadOnce.Do(func() {
		h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
		if err != nil {
			loadErr = fmt.Errorf("chdb library %s: %w", path, err)
			return
		}
		purego.RegisterLibFunc(&lib.connect, h, "chdb_connect")
		purego.RegisterLibFunc(&lib.closeConn, h, "chdb_close_conn")
		purego.RegisterLibFunc(&lib.queryN, h, "chdb_query_n")
		purego.RegisterLibFunc(&lib.destroyResult, h, "chdb_destroy_query_result")
		purego.RegisterLibFunc(&lib.resultBuffer, h, "chdb_result_buffer")
		purego.RegisterLibFunc(&lib.resultLength, h, "chdb_result_length")
		purego.RegisterLibFunc(&lib.resultError, h, "chdb_result_error")
		purego.RegisterLibFunc(&lib.setSigHandlers, h, "chdb_set_signal_handlers_enabled")
		libc, err := purego.Dlopen("", purego.RTLD_NOW)
		if err != nil {
			loadErr = fmt.Errorf("resolve sigaction: %w", err)
			return
		}
		purego.RegisterLibFunc(&lib.sigaction, libc, "sigaction")
		// libchdb would install its own SIGSEGV/SIGBUS/… handlers, which
		// take signals away from the Go runtime; turning that off resets
		// those signals, so Go's handlers are saved and put back.
		defer guardSignals()()
		lib.setSigHandlers(0)
	})
	return loadErr
}

// Signals the Go runtime relies on; a struct sigaction fits in 256 bytes.
var goSignals = []int32{4, 6, 7, 8, 11, 23} // SIGILL SIGABRT SIGBUS SIGFPE SIGSEGV SIGURG (linux)

func guardSignals() func() {
	saved := make([][256]byte, len(goSignals))
	for i, s := range goSignals {
		lib.sigaction(s, nil, unsafe.Pointer(&saved[i][0]))
	}
	return func() {
		for i, s := range goSignals {
			lib.sigaction(s, unsafe.Pointer(&saved[i][0]), nil)
		}
	}
}

// Session is the process's chDB engine on one data directory.
type Session struct {
	mu   sync.Mutex
	conn unsafe.Pointer // chdb_connection *
	path string
}

// Open loads the library at libPath (once per process) and opens the
// engine on dataPath, or returns the session already open on it. Settings
// ("name=value") are the engine's own from the start, as in a server's
// profile: unlike a SET, they also reach the MergeTree table settings the
// engine derives once (compatibility does that).
func Open(libPath, dataPath string, settings ...string) (*Session, error) {
	if _, err := os.Stat(libPath); err != nil {
		return nil, fmt.Errorf("chdb library %s: %w (fetch it with scripts/chdb.sh fetch, or set HUMAS_CHDB_LIB)", libPath, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if current != nil {
		if current.path != dataPath {
			return nil, fmt.Errorf("chdb: one engine per process, already open on %s", current.path)
		}
		return current, nil
	}
	if err := load(libPath); err != nil {
		return nil, err
	}
	args := []string{"clickhouse", "--path=" + dataPath}
	for _, kv := range settings {
		args = append(args, "--"+kv)
	}
	argv := make([]*byte, len(args)+1)
	keep := make([][]byte, len(args))
	for i, a := range args {
		keep[i] = append([]byte(a), 0)
		argv[i] = &keep[i][0]
	}
	var conn unsafe.Pointer
	func() {
		defer guardSignals()()
		conn = lib.connect(int32(len(args)), &argv[0])
	}()
	if conn == nil || *(*unsafe.Pointer)(conn) == nil {
		return nil, fmt.Errorf("chdb: connect on %s failed", dataPath)
	}
	current = &Session{conn: conn, path: dataPath}
	return current, nil
}

// ErrQuery marks an error the engine reported for a statement.
var ErrQuery = errors.New("chdb")

// Query runs one statement and returns its output in format (e.g.
// "TabSeparatedWithNamesAndTypes"; ignored by statements without output).
func (s *Session) Query(sql, format string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil, errors.New("chdb: session closed")
	}
	q := append([]byte(sql), 0)
	f := append([]byte(format), 0)
	res := lib.queryN(*(*unsafe.Pointer)(s.conn), &q[0], uintptr(len(sql)), &f[0], uintptr(len(format)))
	if res == nil {
		return nil, nil
	}
	defer lib.destroyResult(res)
	if e := lib.resultError(res); e != nil {
		if msg := cString(e); msg != "" {
			return nil, fmt.Errorf("%w: %s", ErrQuery, msg)
		}
	}
	n := lib.resultLength(res)
	buf := lib.resultBuffer(res)
	if n == 0 || buf == nil {
		return nil, nil
	}
	return append([]byte(nil), unsafe.Slice((*byte)(buf), n)...), nil
}

// Path is the data directory.
func (s *Session) Path() string { return s.path }

func cString(p unsafe.Pointer) string {
	var n int
	for *(*byte)(unsafe.Add(p, n)) != 0 {
		n++
	}
	return string(unsafe.Slice((*byte)(p), n))
}
