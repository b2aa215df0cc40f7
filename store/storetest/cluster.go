package storetest

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/store"
)

// Cluster is the replicated test ClickHouse that scripts/chcluster.sh runs:
// two 18.16 replicas of one shard over ZooKeeper. Tests that stop a
// replica must be the only ones using it: keep them in one package.
type Cluster struct {
	t      testing.TB
	Name   string   // the remote_servers cluster
	Addrs  []string // replica n is Addrs[n-1]
	script string
}

// ReplicatedCluster returns the test cluster (HUMAS_TEST_CH_CLUSTER and
// HUMAS_TEST_CH_CLUSTER_ADDRS; default the script's: humas on
// 127.0.0.1:19101,127.0.0.1:19102). Without it answering a test skips on a
// developer's machine and fails when CI is set.
func ReplicatedCluster(t testing.TB) *Cluster {
	t.Helper()
	c := &Cluster{t: t, Name: envOr("HUMAS_TEST_CH_CLUSTER", "humas"),
		Addrs:  strings.Split(envOr("HUMAS_TEST_CH_CLUSTER_ADDRS", "127.0.0.1:19101,127.0.0.1:19102"), ","),
		script: envOr("HUMAS_TEST_CH_CLUSTER_SCRIPT", scriptPath())}
	for _, a := range c.Addrs {
		cfg := config.Default().ClickHouse
		// With the cluster named, the probe is not recorded for the
		// differential test and sends no DDL (default exists).
		cfg.Addr, cfg.Database, cfg.Cluster, cfg.DialTimeout = a, "default", c.Name, config.Duration(2*time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		ch, err := store.OpenClickHouse(ctx, cfg, slog.New(slog.DiscardHandler))
		cancel()
		if err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("the replicated ClickHouse (scripts/chcluster.sh start) is required in CI; replica %s: %v", a, err)
			}
			t.Skipf("no replicated ClickHouse at %s (start it with scripts/chcluster.sh start): %v", a, err)
		}
		ch.Close()
	}
	return c
}

// Config is the cluster's configuration (every replica's address, the
// cluster name) with a fresh, uniquely named database.
func (c *Cluster) Config() config.ClickHouse {
	cfg := ClickHouseConfig(c.t)
	cfg.Addr = strings.Join(c.Addrs, ",")
	cfg.Cluster = c.Name
	return cfg
}

// Open opens cfg's database (made on every replica) and drops it when
// the test ends.
func (c *Cluster) Open(cfg config.ClickHouse) *store.ClickHouse {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ch, err := store.OpenClickHouse(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		c.t.Fatalf("open %s on cluster %s: %v", cfg.Database, cfg.Cluster, err)
	}
	c.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		_ = ch.DropDatabase(ctx)
		ch.Close()
	})
	return ch
}

// Replica opens cfg's database on replica n alone (1-based).
func (c *Cluster) Replica(cfg config.ClickHouse, n int) *store.ClickHouse {
	c.t.Helper()
	cfg.Addr = c.Addrs[n-1]
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ch, err := store.OpenClickHouse(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		c.t.Fatalf("open %s on replica %d: %v", cfg.Database, n, err)
	}
	c.t.Cleanup(func() { ch.Close() })
	return ch
}

// Stop stops replica n; the test starts it again when it ends, if it
// has not.
func (c *Cluster) Stop(n int) {
	c.t.Helper()
	c.run("stop-replica", n)
	c.t.Cleanup(func() { c.run("start-replica", n) })
}

// Start starts replica n again (same data) and waits until it answers.
func (c *Cluster) Start(n int) {
	c.t.Helper()
	c.run("start-replica", n)
}

func (c *Cluster) run(verb string, n int) {
	c.t.Helper()
	out, err := exec.Command(c.script, verb, string(rune('0'+n))).CombinedOutput()
	if err != nil {
		c.t.Fatalf("%s %s %d: %v\n%s", c.script, verb, n, err, out)
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// scriptPath is scripts/chcluster.sh of this source tree.
func scriptPath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "scripts", "chcluster.sh")
}
