package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store/storetest"
)

// liveServer is the API with the calendar routes on a real listener,
// so bodies travel over TCP as a client sends them.
type liveServer struct {
	base, addr string
	adminTok   string
}

func startLive(t *testing.T, opts api.Options) liveServer {
	t.Helper()
	ctx := context.Background()
	db := storetest.SQLite(t)
	orgs := org.NewStore(db, bytes.Repeat([]byte{1}, 32))
	as := auth.NewStore(db)
	unit, err := orgs.CreateUnit(ctx, org.Unit{Name: "KPU RI", Slug: "kpu-ri", RequiresApproval: true})
	if err != nil {
		t.Fatal(err)
	}
	_, adminTok, err := as.CreateUser(ctx, "admin", unit.ID, auth.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	opts.Listen = "127.0.0.1:0"
	opts.Registry = prometheus.NewRegistry()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	srv, err := api.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	api.MountScheduler(srv.V1().Group("", api.RequireAuth(as)), api.SchedulerDeps{Org: orgs, Auth: as,
		Calendar: scheduler.NewService(db, orgs, scheduler.ServiceOptions{Logger: opts.Logger})})
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop(context.Background()) })
	return liveServer{base: "http://" + srv.Addr(), addr: srv.Addr(), adminTok: adminTok}
}

type errorBody struct {
	Error struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		MessageID string `json:"message_id"`
		Fields    []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"fields"`
		Details map[string]any `json:"details"`
	} `json:"error"`
}

// onlyReader hides a reader's length, so the client sends it chunked.
type onlyReader struct{ io.Reader }

// TestBodyLimit: a body over api.max_body_bytes is answered 413 naming the
// limit, whether it announces its length (refused before it is read) or
// comes chunked (cut at the limit); a body within the limit still works.
func TestBodyLimit(t *testing.T) {
	s := startLive(t, api.Options{MaxBodyBytes: 1024})
	big := `{"name": "` + strings.Repeat("x", 2000) + `", "slug": "besar"}`
	post := func(body io.Reader) (*http.Response, errorBody) {
		t.Helper()
		req, _ := http.NewRequest("POST", s.base+"/api/v1/units", body)
		req.Header.Set("Authorization", "Bearer "+s.adminTok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e errorBody
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return resp, e
	}
	for name, body := range map[string]io.Reader{
		"with Content-Length": strings.NewReader(big),
		"chunked":             onlyReader{strings.NewReader(big)},
	} {
		t.Run(name, func(t *testing.T) {
			resp, e := post(body)
			if resp.StatusCode != http.StatusRequestEntityTooLarge || e.Error.Code != "body_too_large" ||
				!strings.Contains(e.Error.Message, "1024 bytes (1 KiB)") || !strings.Contains(e.Error.MessageID, "1024 byte") ||
				e.Error.Details["limit_bytes"] != float64(1024) {
				t.Fatalf("status %d body %+v, want 413 naming the 1024-byte limit", resp.StatusCode, e)
			}
		})
	}
	t.Run("within the limit", func(t *testing.T) {
		resp, e := post(strings.NewReader(`{"name": "KPU Kota Salatiga", "slug": "kpu-salatiga", "parent": "kpu-ri", "level": "city"}`))
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("status %d %+v, want 201", resp.StatusCode, e)
		}
	})
	t.Run("a form page gets a page", func(t *testing.T) {
		resp, err := http.Post(s.base+"/signin", "application/x-www-form-urlencoded", strings.NewReader("token="+strings.Repeat("a", 2000)))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(string(b), "1 KiB (1024 byte)") || !strings.Contains(string(b), "Kiriman terlalu besar") {
			t.Fatalf("status %d %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
	})
	// A client announcing 100 MB and sending nothing gets its 413 at once:
	// the server never waits for (or holds) the body.
	t.Run("announced 100 MB, never sent", func(t *testing.T) {
		conn, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /api/v1/units HTTP/1.1\r\nHost: humas\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n", s.adminTok)
		_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("no answer without the body: %v", err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "1024 bytes") {
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
	})
}

// TestSlowBodyIsCutOff: a client that sends its headers and then trickles
// the body a byte at a time is cut off once api.read_timeout passes (408,
// or the connection closes), long before it has sent the body. A raw TCP
// client plays the slow client.
func TestSlowBodyIsCutOff(t *testing.T) {
	s := startLive(t, api.Options{ReadHeaderTimeout: 300 * time.Millisecond, ReadTimeout: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const length = 4096
	fmt.Fprintf(conn, "POST /api/v1/units HTTP/1.1\r\nHost: humas\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{",
		s.adminTok, length)
	sent := make(chan int, 1)
	stop := make(chan struct{})
	go func() { // one byte every 20 ms: the whole body would take 80 s
		n := 1
		defer func() { sent <- n }()
		for n < length {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
			n++
		}
	}()
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	close(stop)
	n := <-sent
	var ne net.Error
	switch {
	case err == nil:
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(b), "body_timeout") {
			t.Fatalf("status %d: %s, want 408 body_timeout", resp.StatusCode, b)
		}
	case errors.As(err, &ne) && ne.Timeout():
		t.Fatalf("the server still waited for the trickled body after 30 s (%d of %d bytes sent)", n, length)
	default:
		// The server closed the connection: cut off as well.
	}
	if n >= length {
		t.Fatalf("the whole body (%d bytes) went through; the slow client was not cut off", n)
	}
	t.Logf("cut off after %d of %d body bytes (%v)", n, length, err)
}
