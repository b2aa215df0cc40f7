package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

type readyBody struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
	Checks map[string]struct {
		Status string `json:"status"`
		Code   string `json:"code"`
	} `json:"checks"`
	raw string
}

func getReady(t *testing.T, base string) (int, readyBody) {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var b readyBody
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	b.raw = string(raw)
	return resp.StatusCode, b
}

// TestReadyzFollowsClickHouse stops a real ClickHouse under a running
// server and starts it again: /readyz goes 200 → 503 naming ClickHouse →
// 200, with no restart of the server.
func TestReadyzFollowsClickHouse(t *testing.T) {
	chSrv := storetest.StartServer(t)
	cfg := storetest.ClickHouseConfig(t)
	cfg.Addr = chSrv.Addr()
	ctx := context.Background()
	var logBuf syncBuffer
	log := slog.New(slog.NewTextHandler(&logBuf, nil))
	ch, err := store.OpenClickHouse(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	sq := storetest.SQLite(t)

	srv, err := api.New(api.Options{Listen: "127.0.0.1:0", Logger: log, Registry: prometheus.NewRegistry(),
		Checks: []api.Check{{Name: "clickhouse", Ping: ch.Ping}, {Name: "sqlite", Ping: sq.Ping}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(ctx)
	base := "http://" + srv.Addr()

	if code, b := getReady(t, base); code != 200 || b.Status != "ready" {
		t.Fatalf("before: %d %+v", code, b)
	}

	chSrv.Stop()
	code, b := getReady(t, base)
	if code != http.StatusServiceUnavailable {
		t.Fatalf("with ClickHouse stopped: %d, want 503", code)
	}
	if b.Reason != "clickhouse: unavailable" || b.Checks["clickhouse"].Status != "down" || b.Checks["clickhouse"].Code != "unavailable" ||
		b.Checks["sqlite"].Status != "up" {
		t.Fatalf("503 body does not name ClickHouse as the one down: %+v", b)
	}
	// The driver's error (addresses, "dial tcp", "connection refused")
	// goes to the log, not to whoever asks /readyz.
	for _, leak := range []string{chSrv.Addr(), "dial", "refused", "connect", "clickhouse [", "error"} {
		if strings.Contains(b.raw, leak) {
			t.Errorf("/readyz body reveals %q: %s", leak, b.raw)
		}
	}
	if logged := logBuf.String(); !strings.Contains(logged, `msg="readiness check down" check=clickhouse code=unavailable err=`) {
		t.Errorf("the cause is not logged:\n%s", logged)
	}

	chSrv.Start()
	// The pool reconnects by itself; the first ping after the restart may
	// still meet a dead pooled connection, so allow a few probes.
	var last int
	for i := 0; i < 20; i++ {
		last, b = getReady(t, base)
		if last == 200 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if last != 200 || b.Status != "ready" {
		t.Fatalf("after ClickHouse came back: %d %+v", last, b)
	}
}

// syncBuffer is a bytes.Buffer safe for a logger and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestHealthzMetricsAndErrors(t *testing.T) {
	reg := prometheus.NewRegistry()
	srv, err := api.New(api.Options{Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler), Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	srv.Engine().GET("/boom", func(c *gin.Context) { panic("secret internals") })
	srv.V1().GET("/typed", api.Handle(func(c *gin.Context) (any, error) {
		return nil, api.BadRequest("bad_param", "from: want YYYY-MM-DD")
	}))
	srv.V1().GET("/plain", api.Handle(func(c *gin.Context) (any, error) {
		return nil, io.ErrUnexpectedEOF
	}))
	ctx := context.Background()
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(ctx)
	base := "http://" + srv.Addr()

	cases := []struct {
		path       string
		status     int
		contains   string
		notContain string
	}{
		{"/healthz", 200, `"ok"`, ""},
		{"/boom", 500, `"internal"`, "secret internals"},
		{"/api/v1/typed", 400, `"bad_param"`, ""},
		{"/api/v1/plain", 500, `"internal"`, "unexpected EOF"},
		{"/nope", 404, `"not_found"`, ""},
		{"/metrics", 200, `humas_http_request_duration_seconds_bucket{method="GET",route="/healthz",status="200"`, ""},
	}
	for _, tc := range cases {
		resp, err := http.Get(base + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.contains) {
			t.Errorf("%s: %d %s, want %d containing %s", tc.path, resp.StatusCode, body, tc.status, tc.contains)
		}
		if tc.notContain != "" && strings.Contains(string(body), tc.notContain) {
			t.Errorf("%s leaks %q: %s", tc.path, tc.notContain, body)
		}
	}
}
