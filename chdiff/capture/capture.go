// Package capture records every statement humas sends to ClickHouse, with
// its bound values inlined exactly as the driver sends them, so the
// differential test (package chdiff) can replay it on other engines.
//
// storetest installs it on every store a test opens when
// HUMAS_CH_CAPTURE_DIR names a directory (make test does): each process
// appends one JSON line per statement to <dir>/<database>.<pid>.jsonl.
// Nothing is kept by hand, so a query is covered the day it is written.
package capture

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/humas-id/humas/store"
)

// EnvDir names the capture directory.
const EnvDir = "HUMAS_CH_CAPTURE_DIR"

// Kinds of entries.
const (
	KindExec   = "exec"   // a statement without rows (DDL, INSERT … SELECT, ALTER)
	KindRead   = "read"   // a statement whose rows the caller reads
	KindInsert = "insert" // a batch, as INSERT … VALUES with its rows
)

// Entry is one statement as sent.
type Entry struct {
	DB   string `json:"db"`
	Seq  uint64 `json:"seq"` // order within this process and database
	T    int64  `json:"t"`   // unix ns when it finished, to merge processes
	Kind string `json:"kind"`
	SQL  string `json:"sql"`
	// Err is what the capturing server answered when it failed the
	// statement; Unsent marks a statement that never reached a server
	// (connection refused, cancelled), which a replay skips.
	Err    string `json:"err,omitempty"`
	Unsent bool   `json:"unsent,omitempty"`
	// Legacy marks history: a statement only servers of its time accept
	// (store.IsLegacy), replayed but not held to the modern engine's answer.
	Legacy bool `json:"legacy,omitempty"`
	// Volatile marks a read of the server's bookkeeping (store.IsVolatile:
	// part names, modification times, counts taken as a safety check),
	// replayed but not compared: its answer differs by engine and moment.
	Volatile bool `json:"volatile,omitempty"`
	// Unrecordable says why the statement could not be recorded (an API
	// the recorder does not translate yet); replays fail on it.
	Unrecordable string `json:"unrecordable,omitempty"`
	// Label is what the caller named the work in progress (WithLabel).
	Label string `json:"label,omitempty"`
	// At is the caller outside the store and the driver; Test the nearest
	// _test.go frame, if any.
	At   string `json:"at,omitempty"`
	Test string `json:"test,omitempty"`
}

// Recorder appends entries to per-database files in one directory.
type Recorder struct {
	dir   string
	mu    sync.Mutex
	files map[string]*dbFile
}

type dbFile struct {
	mu  sync.Mutex
	f   *os.File
	seq atomic.Uint64
	err error
}

// New records into dir (created if missing).
func New(dir string) (*Recorder, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("capture dir: %w", err)
	}
	return &Recorder{dir: dir, files: map[string]*dbFile{}}, nil
}

// Wrap returns conn recording into database's file; it has the shape of
// store.ConnHook.
func (r *Recorder) Wrap(database string, conn driver.Conn) driver.Conn {
	return &recConn{Conn: conn, db: database, rec: r}
}

func (r *Recorder) file(db string) *dbFile {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, ok := r.files[db]; ok {
		return f
	}
	f := &dbFile{}
	name := filepath.Join(r.dir, fmt.Sprintf("%s.%d.jsonl", db, os.Getpid()))
	f.f, f.err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	r.files[db] = f
	return f
}

func (r *Recorder) add(e Entry) {
	f := r.file(e.DB)
	if f.err != nil {
		fmt.Fprintf(os.Stderr, "capture: %v\n", f.err)
		return
	}
	e.At, e.Test = callers()
	f.mu.Lock()
	defer f.mu.Unlock()
	e.Seq = f.seq.Add(1)
	e.T = time.Now().UnixNano()
	b, err := json.Marshal(e)
	if err != nil {
		b, _ = json.Marshal(Entry{DB: e.DB, Seq: e.Seq, T: e.T, Kind: e.Kind, Unrecordable: "marshal: " + err.Error()})
	}
	if _, err := f.f.Write(append(b, '\n')); err != nil {
		fmt.Fprintf(os.Stderr, "capture: %v\n", err)
	}
}

type labelKey struct{}

// WithLabel names the statements sent with ctx in the capture (a report
// comparison groups its figures by it).
func WithLabel(ctx context.Context, l string) context.Context {
	return context.WithValue(ctx, labelKey{}, l)
}

func label(ctx context.Context) string {
	l, _ := ctx.Value(labelKey{}).(string)
	return l
}

// outcome fills Err/Unsent from the error the driver returned.
func outcome(e *Entry, err error) {
	if err == nil {
		return
	}
	e.Err = err.Error()
	var ex *clickhouse.Exception
	if !errors.As(err, &ex) {
		e.Unsent = true // refused, reset, timed out or cancelled: not an answer
	}
}

// callers finds the first frame outside this package, the store and the
// driver, and the nearest frame in a _test.go file.
func callers() (at, test string) {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		file := f.File
		fn := f.Function
		inside := strings.HasPrefix(fn, "github.com/humas-id/humas/chdiff/capture.") ||
			strings.HasPrefix(fn, "github.com/humas-id/humas/store.") ||
			strings.HasPrefix(fn, "github.com/ClickHouse/") || strings.HasPrefix(fn, "runtime.")
		short := shortPath(file) + fmt.Sprintf(":%d", f.Line)
		if at == "" && !inside {
			at = short
		}
		if test == "" && strings.HasSuffix(file, "_test.go") {
			test = short + " " + f.Function[strings.LastIndex(f.Function, "/")+1:]
		}
		if !more || (at != "" && test != "") {
			return at, test
		}
	}
}

// shortPath keeps the path from the module's directories on.
func shortPath(p string) string {
	for _, d := range []string{"/analytics/", "/api/", "/auth/", "/chdiff/", "/cmd/", "/collector/", "/dashboards/",
		"/meta/", "/org/", "/scheduler/", "/store/", "/web/", "/sqllint/"} {
		if i := strings.LastIndex(p, d); i >= 0 {
			return p[i+1:]
		}
	}
	return filepath.Base(p)
}

type recConn struct {
	driver.Conn
	db  string
	rec *Recorder
}

func (c *recConn) record(ctx context.Context, kind, query string, args []any, err error) {
	e := Entry{DB: c.db, Kind: kind, Legacy: store.IsLegacy(ctx), Volatile: store.IsVolatile(ctx), Label: label(ctx)}
	sql, berr := Bind(query, args...)
	if berr != nil {
		e.Unrecordable = "bind: " + berr.Error()
		sql = query
	}
	e.SQL = sql
	outcome(&e, err)
	c.rec.add(e)
}

func (c *recConn) Exec(ctx context.Context, query string, args ...any) error {
	err := c.Conn.Exec(ctx, query, args...)
	c.record(ctx, KindExec, query, args, err)
	return err
}

func (c *recConn) Select(ctx context.Context, dest any, query string, args ...any) error {
	err := c.Conn.Select(ctx, dest, query, args...)
	c.record(ctx, KindRead, query, args, err)
	return err
}

func (c *recConn) Query(ctx context.Context, query string, args ...any) (driver.Rows, error) {
	rows, err := c.Conn.Query(ctx, query, args...)
	c.record(ctx, KindRead, query, args, err)
	return rows, err
}

func (c *recConn) QueryRow(ctx context.Context, query string, args ...any) driver.Row {
	row := c.Conn.QueryRow(ctx, query, args...)
	c.record(ctx, KindRead, query, args, row.Err())
	return row
}

func (c *recConn) AsyncInsert(ctx context.Context, query string, wait bool, args ...any) error {
	//lint:ignore SA1019 driver.Conn still has the method; the recorder passes it on like every other
	err := c.Conn.AsyncInsert(ctx, query, wait, args...)
	c.record(ctx, KindExec, query, args, err)
	return err
}

func (c *recConn) PrepareBatch(ctx context.Context, query string, opts ...driver.PrepareBatchOption) (driver.Batch, error) {
	b, err := c.Conn.PrepareBatch(ctx, query, opts...)
	if err != nil {
		c.record(ctx, KindInsert, query, nil, err)
		return b, err
	}
	return &recBatch{Batch: b, conn: c, query: query, legacy: store.IsLegacy(ctx), label: label(ctx)}, nil
}

// recBatch keeps the rows appended since the last flush and records them
// as one INSERT … VALUES when they are sent.
type recBatch struct {
	driver.Batch
	conn         *recConn
	query        string
	rows         [][]any
	cols         map[int][]any // values appended column by column, by column index
	unrecordable string
	legacy       bool
	label        string
}

func (b *recBatch) Append(v ...any) error {
	err := b.Batch.Append(v...)
	if err == nil {
		b.rows = append(b.rows, append([]any(nil), v...))
	}
	return err
}

// AppendStruct records the struct as a row: each column's value is the
// field whose ch tag names it (the field's name when untagged), as the
// driver maps them.
func (b *recBatch) AppendStruct(v any) error {
	if err := b.Batch.AppendStruct(v); err != nil {
		return err
	}
	row, err := structRow(v, b.Batch.Columns())
	if err != nil {
		b.unrecordable = "AppendStruct: " + err.Error()
		return nil
	}
	b.rows = append(b.rows, row)
	return nil
}

func structRow(v any, cols []column.Interface) ([]any, error) {
	rv := reflect.Indirect(reflect.ValueOf(v))
	if rv.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%T is not a struct", v)
	}
	fields := map[string]reflect.Value{}
	for i := range rv.NumField() {
		f := rv.Type().Field(i)
		name := f.Tag.Get("ch")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = rv.Field(i)
	}
	row := make([]any, len(cols))
	for i, c := range cols {
		f, ok := fields[c.Name()]
		if !ok {
			return nil, fmt.Errorf("%T has no field for column %s", v, c.Name())
		}
		row[i] = f.Interface()
	}
	return row, nil
}

// Column records what is appended to column i; the columns are turned
// into rows when the batch is sent.
func (b *recBatch) Column(i int) driver.BatchColumn {
	if b.cols == nil {
		b.cols = map[int][]any{}
	}
	return &recColumn{BatchColumn: b.Batch.Column(i), b: b, i: i}
}

// recColumn keeps the values appended to one column of a batch.
type recColumn struct {
	driver.BatchColumn
	b *recBatch
	i int
}

// Append records every value of the slice v.
func (c *recColumn) Append(v any) error {
	if err := c.BatchColumn.Append(v); err != nil {
		return err
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		c.b.unrecordable = fmt.Sprintf("Column(%d).Append of a %T, not a slice", c.i, v)
		return nil
	}
	for j := range rv.Len() {
		c.b.cols[c.i] = append(c.b.cols[c.i], rv.Index(j).Interface())
	}
	return nil
}

// AppendRow records one value.
func (c *recColumn) AppendRow(v any) error {
	if err := c.BatchColumn.AppendRow(v); err != nil {
		return err
	}
	c.b.cols[c.i] = append(c.b.cols[c.i], v)
	return nil
}

// columnRows turns the values appended column by column into rows (after
// those appended as rows); every column must have as many.
func (b *recBatch) columnRows() error {
	if len(b.cols) == 0 {
		return nil
	}
	n := len(b.Batch.Columns())
	if len(b.cols) != n {
		return fmt.Errorf("%d of %d columns appended", len(b.cols), n)
	}
	rows := len(b.cols[0])
	for i := range n {
		if len(b.cols[i]) != rows {
			return fmt.Errorf("column %d has %d values, column 0 has %d", i, len(b.cols[i]), rows)
		}
	}
	for r := range rows {
		row := make([]any, n)
		for i := range n {
			row[i] = b.cols[i][r]
		}
		b.rows = append(b.rows, row)
	}
	b.cols = nil
	return nil
}

func (b *recBatch) Flush() error {
	err := b.Batch.Flush()
	b.emit(err)
	return err
}

func (b *recBatch) Send() error {
	err := b.Batch.Send()
	b.emit(err)
	return err
}

func (b *recBatch) Abort() error {
	b.rows, b.cols = nil, nil
	return b.Batch.Abort()
}

func (b *recBatch) emit(err error) {
	if cerr := b.columnRows(); cerr != nil && b.unrecordable == "" {
		b.unrecordable = "Column(i).Append: " + cerr.Error()
	}
	b.cols = nil
	if len(b.rows) == 0 && b.unrecordable == "" {
		return
	}
	e := Entry{DB: b.conn.db, Kind: KindInsert, Unrecordable: b.unrecordable, Legacy: b.legacy, Label: b.label}
	sql, rerr := Values(b.query, b.Batch.Columns(), b.rows)
	if rerr != nil && e.Unrecordable == "" {
		e.Unrecordable = "values: " + rerr.Error()
	}
	e.SQL = sql
	outcome(&e, err)
	b.conn.rec.add(e)
	b.rows, b.unrecordable = nil, ""
}

// Dir is the directory the recorder writes to.
func (r *Recorder) Dir() string { return r.dir }
