package collector

import (
	"context"
	"testing"
	"time"

	"github.com/humas-id/humas/meta"
)

// Scheduled runs follow the cadence: nothing is due again within the same
// hour; the next hour re-reads only the posts younger than a day, each in a
// new slot; older posts keep their one snapshot.
func TestScheduledRunsFollowCadence(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.addAccounts(1, false, 10, 6)
	c := e.collector(nil)
	for _, msg := range []string{"Rapat pleno hari ini", "Jadwal layanan informasi"} {
		if _, err := c.Graph().PublishPageFeed(ctx, "page-token-0", e.chans[0].ExternalID, meta.FeedPost{Message: msg}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
	}
	sched := RunOptions{Trigger: TriggerSchedule}
	if st, err := c.Run(ctx, sched); err != nil || st.Status != StatusDone {
		t.Fatalf("first run: %+v %v", st, err)
	}
	total := e.visibleAll()
	if n := e.count("SELECT count() FROM post_metrics FINAL"); n != uint64(total) {
		t.Fatalf("first scheduled run: %d snapshots, want %d", n, total)
	}

	e.clock.Advance(20 * time.Minute)
	e.sim.ResetCalls()
	if _, err := c.Run(ctx, sched); err != nil {
		t.Fatal(err)
	}
	if calls := e.sim.Calls().Total; calls != 0 {
		t.Fatalf("%d Graph calls in the same hour, want none", calls)
	}

	e.clock.Advance(time.Hour)
	young := 0
	for _, it := range e.sim.Published(e.chans[0].ExternalID) {
		if e.clock.Now().Sub(it.Created) < 24*time.Hour {
			young++
		}
	}
	if young == 0 {
		t.Fatal("the simulator seeded nothing from the last day")
	}
	if _, err := c.Run(ctx, sched); err != nil {
		t.Fatal(err)
	}
	if n := e.count("SELECT count() FROM post_metrics FINAL"); n != uint64(total+young) {
		t.Fatalf("after the next hour: %d snapshots, want %d (+%d posts younger than a day)", n, total+young, young)
	}
	if n := e.count("SELECT max(c) FROM (SELECT post_id, count() AS c FROM post_metrics FINAL GROUP BY post_id)"); n != 2 {
		t.Fatalf("a young post has %d snapshots, want 2 (one per hourly slot)", n)
	}
}
