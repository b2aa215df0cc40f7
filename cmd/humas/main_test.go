package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/humas-id/humas/store/storetest"
)

var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "humas-bin")
	if err != nil {
		panic(err)
	}
	binPath = filepath.Join(dir, "humas")
	out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	if err != nil {
		panic("build humas: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// TestConfigCheckBadFiles runs the real binary on every bad config file:
// it must exit non-zero and name the key the file gets wrong.
func TestConfigCheckBadFiles(t *testing.T) {
	f, err := os.Open("../../config/testdata/keys.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	keys := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		file, key, _ := strings.Cut(line, " ")
		keys[file] = key
	}
	files, _ := filepath.Glob("../../config/testdata/*.bad.yaml")
	if len(files) == 0 || len(files) != len(keys) {
		t.Fatalf("%d bad files, %d keys in keys.txt: every bad file needs its key", len(files), len(keys))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			cmd := exec.Command(binPath, "config", "check", "--config", file)
			cmd.Env = cleanEnv()
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() == 0 {
				t.Fatalf("exit: %v, want non-zero", err)
			}
			if want := keys[filepath.Base(file)]; !strings.Contains(stderr.String(), want) {
				t.Fatalf("stderr does not name %q:\n%s", want, stderr.String())
			}
		})
	}
}

func TestConfigCheckMasksSecrets(t *testing.T) {
	cmd := exec.Command(binPath, "config", "check")
	cmd.Env = append(cleanEnv(), "HUMAS_CLICKHOUSE_PASSWORD=hunter2", "HUMAS_SECRET_KEY="+strings.Repeat("ab", 32))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if bytes.Contains(out, []byte("hunter2")) || bytes.Contains(out, []byte("abababab")) {
		t.Fatalf("secrets shown:\n%s", out)
	}
	if !bytes.Contains(out, []byte("configuration is valid")) || !bytes.Contains(out, []byte("********")) {
		t.Fatalf("unexpected output:\n%s", out)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"version", "--nope"}} {
		cmd := exec.Command(binPath, args...)
		cmd.Env = cleanEnv()
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 {
			t.Errorf("humas %v: %v, want exit 2", args, err)
		}
	}
	out, err := exec.Command(binPath, "version").Output()
	if err != nil || !bytes.HasPrefix(out, []byte("humas ")) {
		t.Fatalf("version: %q %v", out, err)
	}
}

// TestMigrateTwice: the second run applies nothing.
func TestMigrateTwice(t *testing.T) {
	chCfg := storetest.ClickHouseConfig(t)
	ch := storetest.ClickHouse(t) // proves a server answers; its own database
	_ = ch
	state := filepath.Join(t.TempDir(), "humas.db")
	env := append(cleanEnv(), "HUMAS_CLICKHOUSE_ADDR="+chCfg.Addr, "HUMAS_CLICKHOUSE_DATABASE="+chCfg.Database,
		"HUMAS_STATE_PATH="+state, "HUMAS_LOG_LEVEL=warn")
	t.Cleanup(func() {
		_ = ch.Exec(context.Background(), "DROP DATABASE IF EXISTS `"+chCfg.Database+"`")
	})
	var outs []string
	for i := 0; i < 2; i++ {
		cmd := exec.Command(binPath, "migrate")
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("migrate #%d: %v\n%s", i+1, err, out)
		}
		outs = append(outs, string(out))
	}
	if strings.Contains(outs[0], "clickhouse: 0 migration") || strings.Contains(outs[0], "sqlite: 0 migration") {
		t.Fatalf("first migrate applied nothing: %s", outs[0])
	}
	if !strings.Contains(outs[1], "clickhouse: 0 migration(s) applied; state (sqlite): 0 migration(s) applied") {
		t.Fatalf("second migrate applied something: %s", outs[1])
	}
}

// cleanEnv drops HUMAS_* variables of the developer's shell.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HUMAS_") {
			env = append(env, kv)
		}
	}
	return env
}
