package chdiff

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// OutputFormat is how every engine writes a read's answer, so answers
// compare as text formatted by ClickHouse itself.
const OutputFormat = "TabSeparatedWithNamesAndTypes"

// Engine runs statements in a database of its own.
type Engine interface {
	Name() string
	// Run runs sql in database db; a read returns its answer in
	// OutputFormat.
	Run(db, sql string) ([]byte, error)
	// Reset drops and creates database db.
	Reset(db string) error
	// Drop drops database db.
	Drop(db string) error
}

// Server is a ClickHouse server reached over HTTP (18.16 in CI: the one
// scripts/clickhouse.sh starts; HTTP because it formats answers the same
// way chDB does).
type Server struct {
	addr   string
	client *http.Client
	name   string
}

// ServerHTTPAddr is the test server's HTTP address:
// $HUMAS_TEST_CLICKHOUSE_HTTP, else 127.0.0.1:$CH_HTTP_PORT (the port
// scripts/clickhouse.sh uses, default 8123).
func ServerHTTPAddr() string {
	if a := os.Getenv("HUMAS_TEST_CLICKHOUSE_HTTP"); a != "" {
		return a
	}
	if p := os.Getenv("CH_HTTP_PORT"); p != "" {
		return "127.0.0.1:" + p
	}
	return "127.0.0.1:8123"
}

// NewServer checks the server answers and names it by its version.
func NewServer(addr string) (*Server, error) {
	s := &Server{addr: addr, client: &http.Client{Timeout: 5 * time.Minute}}
	out, err := s.do("", "SELECT version()", "TabSeparated")
	if err != nil {
		return nil, err
	}
	s.name = "ClickHouse " + strings.TrimSpace(string(out))
	return s, nil
}

func (s *Server) Name() string { return s.name }

func (s *Server) do(db, sql, format string) ([]byte, error) {
	q := url.Values{}
	if db != "" {
		q.Set("database", db)
	}
	if format != "" {
		q.Set("default_format", format)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+s.addr+"/?"+q.Encode(), strings.NewReader(sql))
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("clickhouse %s: %w", s.addr, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("clickhouse %s: %w", s.addr, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s", errStatement, bytes.TrimSpace(body))
	}
	return body, nil
}

func (s *Server) Run(db, sql string) ([]byte, error) { return s.do(db, sql, OutputFormat) }

// Export streams the answer of sql in format into w (e.g. a table as
// Native, to load into another engine).
func (s *Server) Export(db, sql, format string, w io.Writer) error {
	q := url.Values{"database": {db}, "default_format": {format}}
	req, err := http.NewRequest(http.MethodPost, "http://"+s.addr+"/?"+q.Encode(), strings.NewReader(sql))
	if err != nil {
		return err
	}
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		return fmt.Errorf("clickhouse %s: %w", s.addr, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("%w: %s", errStatement, bytes.TrimSpace(body))
	}
	_, err = io.Copy(w, resp.Body)
	return err
}

func (s *Server) Reset(db string) error {
	if err := s.Drop(db); err != nil {
		return err
	}
	_, err := s.do("", "CREATE DATABASE `"+db+"`", "")
	return err
}

func (s *Server) Drop(db string) error {
	_, err := s.do("", "DROP DATABASE IF EXISTS `"+db+"`", "")
	return err
}
