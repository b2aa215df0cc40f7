package collector

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// TestReplicaDownMidCollection runs humas on the replicated ClickHouse
// (clickhouse.cluster: two 18.16 replicas over ZooKeeper, started by
// scripts/chcluster.sh) and stops the replica it is connected to in the
// middle of a collection. The collection finishes (writes that met the
// dead replica wait in the on-disk buffer, later ones go to the other
// replica), reads answer from the other replica while the first is down,
// and once it is back both replicas hold every snapshot and give the same
// national roll-up, equal to the one read during the outage.
func TestReplicaDownMidCollection(t *testing.T) {
	cl := storetest.ReplicatedCluster(t)
	cfg := cl.Config()
	cfg.DialTimeout, cfg.ReadTimeout = config.Duration(time.Second), config.Duration(10*time.Second)
	ch := cl.Open(cfg)
	ctx := context.Background()
	if _, err := ch.Migrate(ctx); err != nil {
		t.Fatalf("migrate on the cluster: %v", err)
	}
	r1, r2 := cl.Replica(cfg, 1), cl.Replica(cfg, 2)
	for _, tbl := range []string{"post_metrics", "posts", "post_latest", "post_facts", "schema_migrations"} {
		var engine string
		if err := r2.QueryRow(ctx, "SELECT engine FROM system.tables WHERE database = ? AND name = ?", cfg.Database, tbl).Scan(&engine); err != nil {
			t.Fatalf("%s on replica 2: %v", tbl, err)
		}
		if engine[:10] != "Replicated" {
			t.Fatalf("%s is %s on replica 2, want a Replicated engine", tbl, engine)
		}
	}

	e := newEnv(t)
	e.addAccounts(3, true, 20, 5) // 6 channels, ~100 posts each
	want := uint64(e.visibleAll())
	if err := e.org.MirrorToClickHouse(ctx, ch); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	c := e.collector(ch, func(o *Options) {
		o.FlushRows = 150 // several writes per run, some after the replica stops
		o.Config.Concurrency = 1
	})
	st, err := c.Run(ctx, RunOptions{OnProgress: func(s RunStatus) {
		if s.ChannelsDone == 2 {
			once.Do(func() { cl.Stop(1) }) // the first address: the one connected
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if st.ChannelsFailed != 0 || st.RowsWritten == 0 {
		t.Fatalf("run with a replica down: %+v", st)
	}
	t.Logf("run: %d rows written, %d buffered while the replica went down", st.RowsWritten, st.RowsBuffered)
	// Replica 1 is still down: the buffer drains into replica 2.
	if err := c.Flush(ctx); err != nil {
		t.Fatalf("flush with one replica up: %v", err)
	}
	if bytes, segs := c.BufferSize(); bytes != 0 || segs != 0 {
		t.Fatalf("buffer not drained with one replica up: %d bytes, %d segments", bytes, segs)
	}
	// Reads fail over to replica 2.
	if got := countOn(t, ch, "SELECT count() FROM post_metrics FINAL"); got != want {
		t.Fatalf("snapshots read through the cluster store with replica 1 down = %d, want %d", got, want)
	}
	during := rollUp(t, ch, e)
	// humas starts again with replica 1 still down: nothing to make, so no
	// DDL waits for the missing replica.
	restarted := cl.Open(cfg)
	if ran, err := restarted.Migrate(ctx); err != nil || len(ran) != 0 {
		t.Fatalf("migrate at a restart with replica 1 down: ran %d migrations, err %v", len(ran), err)
	}
	if got := countOn(t, restarted, "SELECT count() FROM post_metrics FINAL"); got != want {
		t.Fatalf("snapshots read after a restart with replica 1 down = %d, want %d", got, want)
	}

	cl.Start(1)
	waitCount(t, r1, "SELECT count() FROM post_metrics FINAL", want)
	for _, q := range []string{
		"SELECT count() FROM post_metrics FINAL",
		"SELECT uniqExact(platform, post_id) FROM posts",
		"SELECT count() FROM account_metrics FINAL",
		"SELECT count() FROM post_latest FINAL",
		"SELECT count() FROM post_at_age FINAL",
	} {
		n2 := countOn(t, r2, q)
		waitCount(t, r1, q, n2)
	}
	if got := countOn(t, r1, "SELECT uniqExact(platform, post_id) FROM posts"); got != want {
		t.Fatalf("posts on replica 1 = %d, want %d", got, want)
	}
	a1, a2 := rollUp(t, r1, e), rollUp(t, r2, e)
	if a1 != a2 {
		t.Fatalf("national roll-up differs between the replicas:\nreplica 1: %s\nreplica 2: %s", a1, a2)
	}
	if a1 != during {
		t.Fatalf("national roll-up after the outage differs from the one read during it:\nafter:  %s\nduring: %s", a1, during)
	}

	// A day later both replicas go down mid-collection: the snapshots wait
	// in the on-disk buffer until one replica answers again.
	e.clock.Advance(25 * time.Hour)
	want2 := want + uint64(e.visibleAll())
	var once2 sync.Once
	st, err = c.Run(ctx, RunOptions{OnProgress: func(s RunStatus) {
		if s.ChannelsDone == 2 {
			once2.Do(func() { cl.Stop(1); cl.Stop(2) })
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if st.RowsBuffered == 0 {
		t.Fatalf("no rows buffered with both replicas down: %+v", st)
	}
	cl.Start(2)
	if err := c.Flush(ctx); err != nil {
		t.Fatalf("flush once replica 2 answers: %v", err)
	}
	if got := countOn(t, ch, "SELECT count() FROM post_metrics FINAL"); got != want2 {
		t.Fatalf("snapshots after replica 2 returned = %d, want %d", got, want2)
	}
	cl.Start(1)
	waitCount(t, r1, "SELECT count() FROM post_metrics FINAL", want2)
	if a1, a2 := rollUp(t, r1, e), rollUp(t, r2, e); a1 != a2 {
		t.Fatalf("national roll-up differs between the replicas after both returned:\nreplica 1: %s\nreplica 2: %s", a1, a2)
	}
}

// rollUp is the roll-up of the env's unit over the history, as JSON, with
// the answer cache off, read through ch.
func rollUp(t *testing.T, ch *store.ClickHouse, e *env) string {
	t.Helper()
	ctx := context.Background()
	svc, err := analytics.New(ch, analytics.Options{Logger: slog.New(slog.DiscardHandler), CacheTTL: -1, RefreshEvery: -1, ChangePoll: -1,
		Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Refresh(ctx); err != nil {
		t.Fatalf("read model: %v", err)
	}
	to := e.clock.Now().UTC().Truncate(24 * time.Hour)
	q, err := analytics.ParseQuery(url.Values{"from": {to.AddDate(0, 0, -30).Format(analytics.DateLayout)},
		"to": {to.Format(analytics.DateLayout)}, "unit": {strconv.FormatInt(e.unit.ID, 10)}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := svc.RollUp(ctx, q)
	if err != nil {
		t.Fatalf("roll-up: %v", err)
	}
	if r.Totals.Posts == 0 {
		t.Fatalf("roll-up counts no posts: %+v", r)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	// Rates are sums of per-post ratios: each replica's read model (its
	// cells) may add them in another order, which moves the last bits.
	// Compare them to 12 significant digits.
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if b, err = json.Marshal(roundFloats(v)); err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func roundFloats(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = roundFloats(e)
		}
	case []any:
		for i, e := range x {
			x[i] = roundFloats(e)
		}
	case float64:
		r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 12, 64), 64)
		return r
	}
	return v
}

func countOn(t *testing.T, ch *store.ClickHouse, q string) uint64 {
	t.Helper()
	var n uint64
	if err := ch.QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// waitCount waits (up to a minute) until replication brings q's count on
// ch to want.
func waitCount(t *testing.T, ch *store.ClickHouse, q string, want uint64) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var n uint64
		err := ch.QueryRow(context.Background(), q).Scan(&n)
		if err == nil && n == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s on the returned replica = %d (err %v), want %d within a minute", q, n, err, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
