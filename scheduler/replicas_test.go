package scheduler_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// The replica test runs several publisher processes (this test binary
// re-executed) over one PostgreSQL state database and a simulator in the
// parent, while deliveries fall due one after another; it SIGKILLs a
// random replica at random points and starts a new one in its place. Every
// caption must be on its channel exactly once. The claim lease is short
// (HUMAS_REPLICA_LEASE, default 2 s), so the lag of a delivery whose
// replica was killed (its claim, a third of the lease, must expire before
// another replica takes it over) is measured against it: the figures are
// logged, never asserted. HUMAS_REPLICA_DEBUG=1 also logs the slowest of
// those deliveries with their audit trail.
//
// HUMAS_REPLICA_DELIVERIES (default 1200), HUMAS_REPLICA_KILLS (default
// 50) and HUMAS_REPLICAS (default 3) size it.
const (
	envReplicaChild = "HUMAS_REPLICA_CHILD"
	envReplicaDSN   = "HUMAS_REPLICA_DSN"
	envReplicaID    = "HUMAS_REPLICA_ID"
)

func replicaLease() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("HUMAS_REPLICA_LEASE")); err == nil && d > 0 {
		return d
	}
	return 2 * time.Second
}

// TestReplicaChild is a publisher replica of TestReplicasKilled; it does
// nothing in a normal run.
func TestReplicaChild(t *testing.T) {
	if os.Getenv(envReplicaChild) != "1" {
		t.Skip("child process of TestReplicasKilled")
	}
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	db, err := store.OpenPostgres(ctx, os.Getenv(envReplicaDSN), "", log)
	if err != nil {
		t.Fatal(err)
	}
	orgs := org.NewStore(db, testKey)
	svc := scheduler.NewService(db, orgs, scheduler.ServiceOptions{Logger: log})
	client, err := meta.New(meta.Options{BaseURL: os.Getenv(envSim), Timeout: 2 * time.Second, Logger: log, RetryBackoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := scheduler.NewPublisher(svc, client, prometheus.NewRegistry(), scheduler.PublisherOptions{
		Tick: "@every 50ms", Workers: 8, BackoffBase: 10 * time.Millisecond, BackoffMax: 200 * time.Millisecond,
		ReadyCheck: 100 * time.Millisecond, RetryDeadline: time.Hour, Logger: log,
		Replica: os.Getenv(envReplicaID), ClaimLease: replicaLease(),
		PublishTimings: scheduler.PublishTimings{FetchBackoff: time.Millisecond, VideoDeadline: time.Hour, ImageDeadline: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {} // until killed
}

func TestReplicasKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	n, kills, replicas := envInt("HUMAS_REPLICA_DELIVERIES", 1200), envInt("HUMAS_REPLICA_KILLS", 50), envInt("HUMAS_REPLICAS", 3)
	lease := replicaLease()
	start := time.Now()
	ctx := context.Background()
	simURL, sim, stop, err := graphsim.Start(ctx, "127.0.0.1:0", graphsim.Options{
		Seed: 11, IGReadyDelay: time.Millisecond, FBVideoReadyDelay: 500 * time.Millisecond, DailyPublishQuota: 1 << 30, UsagePerCall: 1e-6,
		Faults: graphsim.FaultOptions{TransientRate: 0.1, LostAnswerRate: 0.05},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stop(ctx)
	dsn := storetest.PostgresDatabase(t)
	db, err := store.OpenPostgres(ctx, dsn, "", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, db, sim, simURL, scheduler.PublisherOptions{})
	var chans []org.Channel
	for i := range 20 {
		if i%5 == 4 {
			chans = append(chans, e.instagram(fmt.Sprintf("9%03d", i), fmt.Sprintf("178%03d", i)))
		} else {
			chans = append(chans, e.page(fmt.Sprintf("1%03d", i)))
		}
	}
	// The deliveries fall due over the run: 40 ms apart from 5 s after
	// planning ends (a kill lands among deliveries due at that moment).
	type want struct{ account, caption string }
	wants := make([]want, 0, n)
	drafts := make([]scheduler.Draft, 0, n)
	for i := range n {
		c := chans[i%len(chans)]
		d := textDraft(fmt.Sprintf("Kiriman replika %d untuk kanal %d", i, c.ID), time.Time{}, c.ID)
		switch {
		case c.Platform == org.Instagram:
			d.ContentType = "photo"
			d.Media = []scheduler.Media{{Type: "image", URL: fmt.Sprintf("https://cdn.example.org/r%d.jpg", i)}}
		case i%6 == 1:
			d.ContentType = "video"
			d.Media = []scheduler.Media{{Type: "video", URL: fmt.Sprintf("https://cdn.example.org/r%d.mp4", i)}}
		case i%6 == 3:
			d.ContentType = "photo"
			d.Media = []scheduler.Media{{Type: "image", URL: fmt.Sprintf("https://cdn.example.org/r%d.jpg", i)}}
		}
		drafts = append(drafts, d)
		wants = append(wants, want{c.ExternalID, d.Caption})
	}
	// Plan all, due well ahead; then move the due times to the run.
	for i := range drafts {
		drafts[i].ScheduledAt = time.Now().Add(30 * time.Minute)
		e.scheduled(drafts[i])
	}
	first := time.Now().Add(5 * time.Second)
	if _, err := db.DB.ExecContext(ctx, `UPDATE deliveries SET scheduled_at = ?, next_attempt_at = ?`,
		store.FormatTime(first), store.FormatTime(first)); err != nil {
		t.Fatal(err)
	}
	rows, err := db.DB.QueryContext(ctx, `SELECT id FROM deliveries ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	for i, id := range ids {
		at := store.FormatTime(first.Add(time.Duration(i) * 40 * time.Millisecond))
		if _, err := db.DB.ExecContext(ctx, `UPDATE deliveries SET scheduled_at = ?, next_attempt_at = ? WHERE id = ?`, at, at, id); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d deliveries planned in %v, due from %s, 40 ms apart", n, time.Since(start).Round(time.Millisecond), first.Format(time.TimeOnly))

	type replica struct {
		cmd *exec.Cmd
		id  string
	}
	seq := 0
	child := func() replica {
		seq++
		id := fmt.Sprintf("replica-%d", seq)
		cmd := exec.Command(os.Args[0], "-test.run=^TestReplicaChild$", "-test.v=false")
		cmd.Env = append(os.Environ(), envReplicaChild+"=1", envReplicaDSN+"="+dsn, envSim+"="+simURL, envReplicaID+"="+id)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return replica{cmd, id}
	}
	remaining := func() int {
		var left int
		if err := db.DB.QueryRow(`SELECT count(*) FROM deliveries WHERE status != 'published'`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		return left
	}
	running := make([]replica, 0, replicas)
	for range replicas {
		running = append(running, child())
	}
	// Kill a random replica at random points (0.2-1.2 s apart), start a
	// new one in its place, until `kills` kills; then let them finish.
	// The deliveries the killed replica held ('publishing', claimed by
	// it) are noted with the time of the kill.
	rng := rand.New(rand.NewPCG(3, 4))
	killed := 0
	orphaned := map[int64]time.Time{}
	deadline := time.Now().Add(10 * time.Minute)
	for killed < kills && time.Now().Before(deadline) {
		time.Sleep(time.Duration(200+rng.IntN(1000)) * time.Millisecond)
		i := rng.IntN(len(running))
		_ = running[i].cmd.Process.Signal(syscall.SIGKILL)
		_ = running[i].cmd.Wait()
		at := time.Now()
		rows, err := db.DB.QueryContext(ctx, `SELECT id FROM deliveries WHERE status = 'publishing' AND claimed_by = ?`, running[i].id)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			orphaned[id] = at
		}
		rows.Close()
		killed++
		running[i] = child()
	}
	for remaining() > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	for _, c := range running {
		_ = c.cmd.Process.Signal(syscall.SIGKILL)
		_ = c.cmd.Wait()
	}

	var missing, twice int
	for _, w := range wants {
		switch c := sim.CountText(w.account, w.caption); {
		case c == 0:
			missing++
		case c > 1:
			twice++
		}
	}
	// Lag: published_at - scheduled_at per delivery; for those a killed
	// replica held, published_at - the kill (the claim must expire first).
	lagRows, err := db.DB.QueryContext(ctx, `SELECT id, scheduled_at, published_at FROM deliveries WHERE status = 'published'`)
	if err != nil {
		t.Fatal(err)
	}
	var all, afterKill, untouched []time.Duration
	for lagRows.Next() {
		var id int64
		var sched, pub string
		if err := lagRows.Scan(&id, &sched, &pub); err != nil {
			t.Fatal(err)
		}
		s, _ := store.ParseTime(sched)
		p, _ := store.ParseTime(pub)
		all = append(all, p.Sub(s))
		if k, ok := orphaned[id]; ok {
			afterKill = append(afterKill, p.Sub(k))
		} else {
			untouched = append(untouched, p.Sub(s))
		}
	}
	lagRows.Close()
	if os.Getenv("HUMAS_REPLICA_DEBUG") != "" {
		type slow struct {
			id int64
			d  time.Duration
		}
		var ss []slow
		for id, k := range orphaned {
			var pub string
			_ = db.DB.QueryRow(`SELECT COALESCE(published_at, '') FROM deliveries WHERE id = ?`, id).Scan(&pub)
			p, _ := store.ParseTime(pub)
			ss = append(ss, slow{id, p.Sub(k)})
		}
		slices.SortFunc(ss, func(a, b slow) int { return int(b.d - a.d) })
		for _, s := range ss[:min(8, len(ss))] {
			k := orphaned[s.id]
			var path string
			var attempts int
			_ = db.DB.QueryRow(`SELECT publish_path, attempts FROM deliveries WHERE id = ?`, s.id).Scan(&path, &attempts)
			var claimed string
			_ = db.DB.QueryRow(`SELECT COALESCE(claimed_at, '') FROM deliveries WHERE id = ?`, s.id).Scan(&claimed)
			ct, _ := store.ParseTime(claimed)
			line := fmt.Sprintf("delivery %d after kill %v path %s attempts %d last claimed %v:", s.id, s.d, path, attempts, ct.Sub(k).Round(time.Millisecond))
			ar, _ := db.DB.Query(`SELECT at, action, reason FROM audit_log WHERE entity = 'delivery' AND entity_id = ? ORDER BY id`, s.id)
			for ar.Next() {
				var at, action, reason string
				_ = ar.Scan(&at, &action, &reason)
				t, _ := store.ParseTime(at)
				line += fmt.Sprintf(" [%v %s %s]", t.Sub(k).Round(time.Millisecond), action, reason)
			}
			ar.Close()
			t.Log(line)
		}
	}
	var reconciled, failed int
	_ = db.DB.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'reconciled'`).Scan(&reconciled)
	_ = db.DB.QueryRow(`SELECT count(*) FROM deliveries WHERE status = 'failed'`).Scan(&failed)
	t.Logf("replicas %d, deliveries %d, kills %d, missing %d, published twice %d, failed %d, settled by reading the channel %d, "+
		"lag p50 %v p99 %v max %v (p99 of those no kill touched %v); held by a killed replica: %d, published after the kill in p50 %v p99 %v max %v "+
		"(claim lease %v, a claim lasts %v unrenewed); took %v",
		replicas, n, killed, missing, twice, failed, reconciled, pct(all, 50), pct(all, 99), pct(all, 100), pct(untouched, 99),
		len(afterKill), pct(afterKill, 50), pct(afterKill, 99), pct(afterKill, 100), lease, scheduler.ClaimTTL(lease).Round(time.Millisecond), time.Since(start).Round(time.Second))
	if killed < kills {
		t.Fatalf("only %d of %d kills before the deadline", killed, kills)
	}
	if missing != 0 || twice != 0 || remaining() != 0 {
		logUnpublished(t, db)
		t.Fatalf("missing %d, published twice %d, not published in the database %d", missing, twice, remaining())
	}
}

// logUnpublished logs each delivery not published: its status, error,
// attempts and audit trail (what a failure of the test needs to be read).
func logUnpublished(t *testing.T, db *store.State) {
	t.Helper()
	rows, err := db.DB.Query(`SELECT id, status, attempts, COALESCE(error_class, ''), COALESCE(error_message, ''),
		COALESCE(claimed_by, '') FROM deliveries WHERE status != 'published' ORDER BY id LIMIT 20`)
	if err != nil {
		t.Logf("list unpublished deliveries: %v", err)
		return
	}
	type del struct {
		id                      int64
		status, class, msg, who string
		attempts                int
	}
	var ds []del
	for rows.Next() {
		var d del
		if err := rows.Scan(&d.id, &d.status, &d.attempts, &d.class, &d.msg, &d.who); err != nil {
			t.Logf("scan: %v", err)
			break
		}
		ds = append(ds, d)
	}
	rows.Close()
	for _, d := range ds {
		line := fmt.Sprintf("delivery %d: %s, attempts %d, error %s %q, claimed by %q; audit:", d.id, d.status, d.attempts,
			d.class, d.msg, d.who)
		ar, err := db.DB.Query(`SELECT at, actor_name, action, reason, detail FROM audit_log WHERE entity = 'delivery' AND entity_id = ? ORDER BY id`, d.id)
		if err == nil {
			for ar.Next() {
				var at, actor, action, reason, detail string
				_ = ar.Scan(&at, &actor, &action, &reason, &detail)
				line += fmt.Sprintf(" [%s %s %s %s %s]", at, actor, action, reason, detail)
			}
			ar.Close()
		}
		t.Log(line)
	}
}

// pct is the p-th percentile (nearest rank) of ds, rounded to ms.
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (p*len(s) + 99) / 100
	i = min(max(i, 1), len(s)) - 1
	return s[i].Round(time.Millisecond)
}
