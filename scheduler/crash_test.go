package scheduler_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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

// The crash test runs the publisher as a child process (this test binary
// re-executed) against a persistent SQLite file and a simulator that lives
// in the parent, and SIGKILLs the child at random points. The simulator
// then counts every caption: each must be on its channel exactly once.
// The mix holds Facebook text posts and photos, videos (which Meta lists on
// the Page only once processed) and vertical short videos (Reels, which
// /videos would keep as unpublished drafts), and Instagram photos. The
// simulator runs with Meta's quirks (issue 14): writes that take effect and
// still answer 500 / code 1 or 2 / is_transient, Reel drafts, video answers
// without post_id, strict container fields, intermittent media fetch
// failures, on top of transient errors and lost answers.
//
// HUMAS_CRASH_DELIVERIES (default 2000, or 500 under the race detector:
// about a minute either way) and HUMAS_CRASH_KILLS (default 50) size it;
// the acceptance run is HUMAS_CRASH_DELIVERIES=10000 HUMAS_CRASH_KILLS=60.
const (
	envChild = "HUMAS_CRASH_CHILD"
	envDB    = "HUMAS_CRASH_DB"
	envSim   = "HUMAS_CRASH_SIM"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// TestCrashChild is the publisher process of TestCrashSafety; it does
// nothing in a normal run.
func TestCrashChild(t *testing.T) {
	if os.Getenv(envChild) != "1" {
		t.Skip("child process of TestCrashSafety")
	}
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	db, err := store.OpenSQLite(ctx, os.Getenv(envDB), log)
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
		PublishTimings: scheduler.PublishTimings{FetchBackoff: time.Millisecond, VideoDeadline: time.Hour, ImageDeadline: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {} // until killed
}

func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	defDeliveries := 2000
	if raceDetector {
		defDeliveries = 500
	}
	n, kills := envInt("HUMAS_CRASH_DELIVERIES", defDeliveries), envInt("HUMAS_CRASH_KILLS", 50)
	start := time.Now()
	ctx := context.Background()
	simURL, sim, stop, err := graphsim.Start(ctx, "127.0.0.1:0", graphsim.Options{
		// Facebook videos stay processing (their post off /posts) long
		// enough for lost answers and kills to land in that window.
		Seed: 7, IGReadyDelay: time.Millisecond, FBVideoReadyDelay: time.Second, DailyPublishQuota: 1 << 30, UsagePerCall: 1e-6,
		Faults: graphsim.FaultOptions{TransientRate: 0.3, LostAnswerRate: 0.1},
		Quirks: graphsim.Quirks{PerformedThenErrorRate: 0.15, MediaFetchFailRate: 0.1, VerticalVideoAsReelDraft: true,
			OmitVideoPostID: true, StrictContainerFields: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stop(ctx)
	dbPath := filepath.Join(t.TempDir(), "humas.db")
	db, err := store.OpenSQLite(ctx, dbPath, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	_ = storetest.SQLite // (the file must outlive child processes: opened here by path)
	e := newEnvWith(t, db, sim, simURL, scheduler.PublisherOptions{})
	var chans []org.Channel
	for i := range 20 {
		if i%5 == 4 {
			chans = append(chans, e.instagram(fmt.Sprintf("9%03d", i), fmt.Sprintf("178%03d", i)))
		} else {
			chans = append(chans, e.page(fmt.Sprintf("1%03d", i)))
		}
	}
	type want struct{ account, caption string }
	wants := make([]want, 0, n)
	videos, reels := 0, 0
	for i := range n {
		c := chans[i%len(chans)]
		// Due already, and within the minute submit accepts however long
		// planning takes on a loaded machine.
		at := time.Now().Add(-30 * time.Second)
		d := textDraft(fmt.Sprintf("Kiriman uji %d untuk kanal %d", i, c.ID), at, c.ID)
		switch {
		case c.Platform == org.Instagram:
			d.ContentType = "photo"
			d.Media = []scheduler.Media{{Type: "image", URL: fmt.Sprintf("https://cdn.example.org/%d.jpg", i)}}
		case i%6 == 1: // a sixth of the Facebook deliveries are videos
			d.ContentType = "video"
			d.Media = []scheduler.Media{{Type: "video", URL: fmt.Sprintf("https://cdn.example.org/%d.mp4", i)}}
			videos++
		case i%6 == 4: // and a sixth Reels: vertical, 30 s
			d.ContentType = "video"
			u := fmt.Sprintf("https://cdn.example.org/reel-%d.mp4", i)
			d.Media = []scheduler.Media{{Type: "video", URL: u, Width: 1080, Height: 1920, Duration: 30}}
			sim.SetMediaFile(u, 1080, 1920, 30*time.Second)
			reels++
		case i%6 == 3:
			d.ContentType = "photo"
			d.Media = []scheduler.Media{{Type: "image", URL: fmt.Sprintf("https://cdn.example.org/%d.jpg", i)}}
		}
		e.scheduled(d)
		wants = append(wants, want{c.ExternalID, d.Caption})
	}
	t.Logf("%d deliveries planned in %v", n, time.Since(start).Round(time.Millisecond))

	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v=false")
		cmd.Env = append(os.Environ(), envChild+"=1", envDB+"="+dbPath, envSim+"="+simURL)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	remaining := func() int {
		var left int
		if err := db.DB.QueryRow(`SELECT count(*) FROM deliveries WHERE status != 'published'`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		return left
	}
	// Kill at random points (0.2-1 s into each run) until at least
	// `kills` kills happened and all is published, or the deadline passes;
	// after `kills`, every other run is left to finish.
	rng := rand.New(rand.NewPCG(1, 2))
	killed := 0
	deadline := time.Now().Add(10 * time.Minute)
	for remaining() > 0 && time.Now().Before(deadline) {
		cmd := child()
		if killed < kills || rng.IntN(2) == 0 {
			time.Sleep(time.Duration(200+rng.IntN(800)) * time.Millisecond)
			_ = cmd.Process.Signal(syscall.SIGKILL)
			killed++
		} else {
			for remaining() > 0 && time.Now().Before(deadline) {
				time.Sleep(100 * time.Millisecond)
			}
			_ = cmd.Process.Signal(syscall.SIGKILL)
		}
		_ = cmd.Wait()
	}
	if killed < kills {
		t.Fatalf("only %d kills before everything was published; raise HUMAS_CRASH_DELIVERIES", killed)
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
	var failed, reconciled, reelPaths int
	for q, dst := range map[string]*int{
		`SELECT count(*) FROM deliveries WHERE status = 'failed'`:     &failed,
		`SELECT count(*) FROM audit_log WHERE action = 'reconciled'`:  &reconciled,
		`SELECT count(*) FROM deliveries WHERE publish_path = 'reel'`: &reelPaths,
	} {
		if err := db.DB.QueryRow(q).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	calls := sim.Calls()
	t.Logf("deliveries %d (Facebook videos %d, Reels %d published as Reels %d), kills %d, missing %d, published twice %d, failed %d, "+
		"settled by reading the channel %d, Page video lists read %d, sim calls %d, faults %v, took %v", n, videos, reels, reelPaths, killed, missing,
		twice, failed, reconciled, calls.ByEndpoint["page_videos_list"], calls.Total, calls.Faults, time.Since(start).Round(time.Second))
	if missing != 0 || twice != 0 || remaining() != 0 || reelPaths != reels {
		t.Fatalf("missing %d, published twice %d, not published in the database %d", missing, twice, remaining())
	}
}
