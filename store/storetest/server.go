package storetest

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Server is a throwaway ClickHouse server of a test's own, on free
// loopback ports, that the test may stop and start again (same data).
// Use it for outage tests; everything else shares the main server.
type Server struct {
	t        testing.TB
	dir      string
	TCPPort  int
	HTTPPort int
	bin      string
	cmd      *exec.Cmd
	done     chan struct{}
}

// StartServer starts a private clickhouse-server. Without the binary it
// skips outside CI and fails in CI.
func StartServer(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("clickhouse-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("clickhouse-server is required in CI: %v", err)
		}
		t.Skipf("clickhouse-server not installed (scripts/clickhouse.sh start installs it): %v", err)
	}
	s := &Server{t: t, dir: t.TempDir(), TCPPort: freePort(t), HTTPPort: freePort(t)}
	cfg := fmt.Sprintf(`<?xml version="1.0"?>
<yandex>
    <logger><level>warning</level><log>%[1]s/log/server.log</log><errorlog>%[1]s/log/server.err.log</errorlog></logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>%[2]d</tcp_port>
    <http_port>%[3]d</http_port>
    <path>%[1]s/data/</path>
    <tmp_path>%[1]s/tmp/</tmp_path>
    <user_files_path>%[1]s/user_files/</user_files_path>
    <users_config>%[1]s/users.xml</users_config>
    <mark_cache_size>268435456</mark_cache_size>
    <timezone>UTC</timezone>
</yandex>
`, s.dir, s.TCPPort, s.HTTPPort)
	users := `<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
    <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
        <profile>default</profile><quota>default</quota></default></users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
        <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`
	for name, body := range map[string]string{"config.xml": cfg, "users.xml": users} {
		if err := os.WriteFile(filepath.Join(s.dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s.bin = bin
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Addr is the native-protocol address.
func (s *Server) Addr() string { return fmt.Sprintf("127.0.0.1:%d", s.TCPPort) }

// Start starts the server (again) and waits until it answers.
func (s *Server) Start() {
	s.t.Helper()
	if s.cmd != nil {
		return
	}
	cmd := exec.Command(s.bin, "--config-file="+filepath.Join(s.dir, "config.xml"))
	cmd.Dir = s.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start clickhouse-server: %v", err)
	}
	s.cmd = cmd
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/ping", s.HTTPPort))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.done = done
				return
			}
		}
		select {
		case <-done:
			log, _ := os.ReadFile(filepath.Join(s.dir, "log", "server.err.log"))
			s.t.Fatalf("clickhouse-server exited at start: %s", tail(log))
		default:
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("clickhouse-server did not answer within 60s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop stops the server and waits until it has exited.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func tail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
