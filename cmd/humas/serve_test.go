package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/humas-id/humas/store/storetest"
)

// servedHumas runs `humas serve --sandbox` as a real process on a free
// port with its own ClickHouse database and state directory.
type servedHumas struct {
	base string
	dir  string
	cmd  *exec.Cmd
	done chan error
}

func startServe(t *testing.T, extraEnv ...string) *servedHumas {
	t.Helper()
	return startServeArgs(t, []string{"serve", "--sandbox"}, extraEnv...)
}

func startServeArgs(t *testing.T, args []string, extraEnv ...string) *servedHumas {
	t.Helper()
	ch := storetest.ClickHouse(t) // a reachable server and a database dropped at the end
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	logf, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binPath, args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), "HUMAS_LISTEN="+addr, "HUMAS_STATE_PATH="+filepath.Join(dir, "var", "humas.db"),
		"HUMAS_COLLECTOR_BUFFER_PATH="+filepath.Join(dir, "var", "buffer"),
		"HUMAS_CLICKHOUSE_ADDR="+storetest.ClickHouseConfig(t).Addr, "HUMAS_CLICKHOUSE_DATABASE="+ch.Database())
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &servedHumas{base: "http://" + addr, dir: dir, cmd: cmd, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-s.done
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("serve log:\n%s", tailBytes(b, 4000))
		}
	})
	return s
}

// waitReady polls /readyz until 200 or the deadline.
func (s *servedHumas) waitReady(t *testing.T, within time.Duration) map[string]any {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			t.Fatalf("humas serve exited early: %v", err)
		default:
		}
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			var body map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return body
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("/readyz not 200 within %s", within)
	return nil
}

// TestServeSandbox: the README's run command brings humas up on embedded
// defaults, /readyz answers 200, the API asks for a token, and SIGTERM
// shuts it down cleanly.
func TestServeSandbox(t *testing.T) {
	s := startServe(t)
	body := s.waitReady(t, 90*time.Second)
	if body["status"] != "ready" {
		t.Fatalf("readyz body: %v", body)
	}
	// State files are the service's alone: 0600 files in 0700 folders.
	for name, want := range map[string]os.FileMode{"var": 0o700, "var/buffer": 0o700, "var/humas.db": 0o600,
		"var/humas.db-wal": 0o600, "var/humas.db-shm": 0o600, "var/sandbox-users.txt": 0o600, "var/sandbox-secret.key": 0o600} {
		info, err := os.Stat(filepath.Join(s.dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s is %04o, want %04o", name, got, want)
		}
	}
	users, err := os.ReadFile(filepath.Join(s.dir, "var", "sandbox-users.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var token, password string
	for _, line := range strings.Split(string(users), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "admin" {
			token, password = f[len(f)-1], f[len(f)-2]
		}
	}
	if token == "" || len(password) < 12 {
		t.Fatalf("no admin token and password in sandbox-users.txt:\n%s", users)
	}
	// The demo admin signs in on the web with the password.
	if loc := webSignin(t, s.base, "admin", password); loc != "/calendar" {
		t.Errorf("sandbox admin's password sign-in went to %q", loc)
	}
	for _, tc := range []struct {
		token  string
		status int
	}{{"", 401}, {"wrong", 401}, {token, 200}} {
		req, _ := http.NewRequest("GET", s.base+"/api/v1/channels", nil)
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("GET /api/v1/channels with token %q: %d, want %d", tc.token, resp.StatusCode, tc.status)
		}
	}
	// The container health check: exit 0 against the running server,
	// non-zero against a port nothing listens on.
	if out, err := exec.Command(binPath, "health", "--url", s.base+"/readyz").CombinedOutput(); err != nil {
		t.Errorf("humas health against a ready server: %v\n%s", err, out)
	}
	if err := exec.Command(binPath, "health", "--url", "http://127.0.0.1:1/readyz").Run(); err == nil {
		t.Error("humas health against a closed port exited 0")
	}

	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("serve exit after SIGTERM: %v", err)
		}
		s.done <- err // for Cleanup
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s of SIGTERM")
	}
}

func tailBytes(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// webSignin signs in on the sign-in page and answers where it redirects.
func webSignin(t *testing.T, base, name, pw string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := c.Get(base + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(r.Body)
	r.Body.Close()
	m := csrfField.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf on the sign-in page:\n%s", page)
	}
	r, err = c.PostForm(base+"/signin", url.Values{"csrf": {string(m[1])}, "username": {name}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	return r.Header.Get("Location")
}

// TestServeFirstRun: humas serve on an empty state database prints the
// one-time setup address (in the log and as a banner); it opens the
// first-run page. No command line is needed for a new installation.
func TestServeFirstRun(t *testing.T) {
	s := startServeArgs(t, []string{"serve"}, "HUMAS_SCHEDULER_ENABLED=false", "HUMAS_COLLECTOR_ENABLED=false",
		"HUMAS_MEMORY_LIMIT_BYTES=67108864", "GOMEMLIMIT=")
	s.waitReady(t, 60*time.Second)
	// memory_limit_bytes reaches the runtime (the start line says what is in effect).
	if b, _ := os.ReadFile(filepath.Join(s.dir, "serve.log")); !strings.Contains(string(b), "memory_limit=67108864 memory_limit_from=memory_limit_bytes") {
		t.Errorf("the start line does not show memory_limit_bytes applied:\n%s", tailBytes(b, 2000))
	}
	var link string
	deadline := time.Now().Add(30 * time.Second)
	re := regexp.MustCompile(`http://127\.0\.0\.1:\d+/setup/first/[A-Za-z0-9_-]{43}`)
	for link == "" && time.Now().Before(deadline) {
		b, _ := os.ReadFile(filepath.Join(s.dir, "serve.log"))
		if m := re.Find(b); m != nil && strings.Contains(string(b), "humas belum punya pengguna") {
			link = string(m)
		}
		if link == "" {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if link == "" {
		t.Fatal("serve printed no first-run address")
	}
	r, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != http.StatusOK || !strings.Contains(string(body), "Instalasi ini masih kosong") {
		t.Fatalf("first-run page: %d\n%s", r.StatusCode, body)
	}
}
