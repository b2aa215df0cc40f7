package chdiff

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/humas-id/humas/chdiff/chdb"
)

// EnvWorker makes a process that calls ServeWorkerIfAsked a chDB worker;
// its value is the compatibility setting ("" for the engine's defaults).
const EnvWorker = "HUMAS_CHDIFF_WORKER"

// A process holds one chDB engine, and part of its state is process-wide:
// the MergeTree table settings (allow_dimensions_outside_sorting_key among
// them) are derived once and shared by every session. So each engine
// variant is a worker process of its own, started from this same binary,
// with its settings given at start as a server's profile would, speaking
// JSON lines on stdin and stdout; the variants and the server then replay
// in parallel.

type request struct {
	Op  string `json:"op"` // "run", "reset", "drop", "version"
	DB  string `json:"db,omitempty"`
	SQL string `json:"sql,omitempty"`
}

type response struct {
	Out []byte `json:"out,omitempty"`
	Err string `json:"err,omitempty"`
}

// ServeWorkerIfAsked turns this process into a chDB worker when EnvWorker
// is set, and then exits; otherwise it returns at once. Call it first in
// TestMain.
func ServeWorkerIfAsked() {
	compat, ok := os.LookupEnv(EnvWorker)
	if !ok {
		return
	}
	if err := serveWorker(compat, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "chdb worker: %v\n", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func serveWorker(compat string, in io.Reader, out io.Writer) error {
	dir, err := os.MkdirTemp("", "humas-chdb-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	enc := json.NewEncoder(out)
	// UTC like every server humas runs on (scripts/clickhouse.sh, compose).
	settings := []string{"session_timezone=UTC"}
	if compat != "" {
		settings = append(settings, "compatibility="+compat)
	}
	s, err := chdb.Open(chdb.LibPath(), dir, settings...)
	if err != nil {
		_ = enc.Encode(response{Err: err.Error()})
		return nil
	}
	if err := enc.Encode(response{}); err != nil { // ready
		return err
	}
	dec := json.NewDecoder(bufio.NewReaderSize(in, 1<<20))
	cur := ""
	for {
		var req request
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		var resp response
		var qerr error
		switch req.Op {
		case "version":
			resp.Out, qerr = s.Query("SELECT version()", "TabSeparated")
		case "reset":
			if _, qerr = s.Query("DROP DATABASE IF EXISTS `"+req.DB+"`", ""); qerr == nil {
				_, qerr = s.Query("CREATE DATABASE `"+req.DB+"`", "")
			}
		case "drop":
			if req.DB == cur {
				_, _ = s.Query("USE default", "")
				cur = ""
			}
			_, qerr = s.Query("DROP DATABASE IF EXISTS `"+req.DB+"`", "")
		case "run":
			if req.DB != cur {
				if _, qerr = s.Query("USE `"+req.DB+"`", ""); qerr == nil {
					cur = req.DB
				}
			}
			if qerr == nil {
				resp.Out, qerr = s.Query(req.SQL, OutputFormat)
			}
		default:
			qerr = fmt.Errorf("unknown op %q", req.Op)
		}
		if qerr != nil {
			resp.Err = strings.TrimPrefix(qerr.Error(), "chdb: ")
		}
		if err := enc.Encode(resp); err != nil {
			return err
		}
	}
}

// ChDB is a chDB worker process: the ClickHouse engine of libchdb with
// its default settings (Compat "") or with compatibility=Compat.
type ChDB struct {
	Compat  string
	version string
	mu      sync.Mutex
	cmd     *exec.Cmd
	in      io.WriteCloser
	enc     *json.Encoder
	dec     *json.Decoder
}

// StartChDB starts a worker from this process's own binary, which must call
// ServeWorkerIfAsked first thing (chdiff's TestMain does).
func StartChDB(compat string) (*ChDB, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), EnvWorker+"="+compat)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start chdb worker: %w", err)
	}
	c := &ChDB{Compat: compat, cmd: cmd, in: in, enc: json.NewEncoder(in), dec: json.NewDecoder(bufio.NewReaderSize(out, 1<<20))}
	var ready response
	if err := c.dec.Decode(&ready); err != nil || ready.Err != "" {
		c.Close()
		if err == nil {
			err = errors.New(ready.Err)
		}
		return nil, err
	}
	v, err := c.call(request{Op: "version"})
	if err != nil {
		c.Close()
		return nil, err
	}
	c.version = strings.TrimSpace(string(v))
	return c, nil
}

func (c *ChDB) call(req request) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.enc.Encode(req); err != nil {
		return nil, fmt.Errorf("chdb worker: %w", err)
	}
	var resp response
	if err := c.dec.Decode(&resp); err != nil {
		return nil, fmt.Errorf("chdb worker: %w", err)
	}
	if resp.Err != "" {
		return nil, fmt.Errorf("%w: %s", errStatement, resp.Err)
	}
	return resp.Out, nil
}

// Close ends the worker.
func (c *ChDB) Close() error {
	c.in.Close()
	return c.cmd.Wait()
}

func (c *ChDB) Name() string {
	if c.Compat == "" {
		return "chDB " + c.version + " (default settings)"
	}
	return "chDB " + c.version + " (compatibility=" + c.Compat + ")"
}

func (c *ChDB) Run(db, sql string) ([]byte, error) {
	return c.call(request{Op: "run", DB: db, SQL: sql})
}
func (c *ChDB) Reset(db string) error { _, err := c.call(request{Op: "reset", DB: db}); return err }
func (c *ChDB) Drop(db string) error  { _, err := c.call(request{Op: "drop", DB: db}); return err }
