package collector

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// A throttle on one channel: it waits for the regain time without holding
// a worker, the other channels finish meanwhile, and it resumes afterwards.
func TestThrottledChannelResumesOthersFinish(t *testing.T) {
	e := newEnv(t)
	e.addAccounts(3, false, 10, 4)
	throttled, others := e.chans[0], e.chans[1:]
	until := e.clock.Now().Add(10 * time.Minute)
	e.sim.SetThrottle(throttled.ExternalID, until)

	othersDone := make(chan struct{})
	var closeOnce sync.Once
	c := e.collector(nil, func(o *Options) {
		o.Config.Concurrency = 1 // a waiting channel holding the only worker would stall the rest
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			select {
			case <-othersDone:
			case <-time.After(30 * time.Second):
				return errors.New("the other channels did not finish while the throttled one waited")
			}
			e.clock.Advance(d)
			return nil
		}
	})
	st, err := c.Run(context.Background(), RunOptions{OnProgress: func(s RunStatus) {
		if s.ChannelsDone >= len(others) {
			closeOnce.Do(func() { close(othersDone) })
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != StatusDone || st.ChannelsDone != 3 {
		t.Fatalf("run = %+v, want all 3 channels done", st)
	}
	for _, ch := range others {
		n := e.count("SELECT count() FROM post_metrics FINAL WHERE account_id = ? AND collected_at < ?", ch.ExternalID, until)
		if n != uint64(e.visible(ch)) {
			t.Fatalf("channel %d: %d snapshots before the regain time, want %d (it must not wait for the throttled one)", ch.ID, n, e.visible(ch))
		}
	}
	n := e.count("SELECT count() FROM post_metrics FINAL WHERE account_id = ? AND collected_at >= ?", throttled.ExternalID, until)
	if n != uint64(e.visible(throttled)) {
		t.Fatalf("throttled channel: %d snapshots after the regain time, want %d", n, e.visible(throttled))
	}
	ch, err := e.org.Channel(context.Background(), throttled.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ch.PausedUntil != nil {
		t.Errorf("pause not lifted after the channel resumed: %v", ch.PausedUntil)
	}
	if ch.LastCollectedAt == nil {
		t.Error("throttled channel has no last collection time")
	}
}

// A regain time beyond what a run waits: the channel stays paused, a run
// before the regain time skips it, a run after collects it.
func TestLongThrottlePausesUntilRegain(t *testing.T) {
	e := newEnv(t)
	e.addAccounts(2, false, 5, 2)
	throttled := e.chans[0]
	until := e.clock.Now().Add(2 * time.Hour)
	e.sim.SetThrottle(throttled.ExternalID, until)
	c := e.collector(nil)

	st, err := c.Run(context.Background(), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != StatusPartial || st.ChannelsDone != 1 || st.ChannelsPaused != 1 || len(st.Errors) != 1 || st.Errors[0].Reason != "throttled" {
		t.Fatalf("first run = %+v, want the other channel done and the throttled one paused", st)
	}
	ch, _ := e.org.Channel(context.Background(), throttled.ID)
	if ch.PausedUntil == nil || ch.PausedUntil.Before(until.Add(-time.Minute)) {
		t.Fatalf("paused_until = %v, want about %v", ch.PausedUntil, until)
	}
	e.sim.ResetCalls()
	e.clock.Advance(time.Hour)
	if st, _ = c.Run(context.Background(), RunOptions{ChannelID: throttled.ID}); st.ChannelsPaused != 1 {
		t.Fatalf("run before the regain time = %+v, want the channel still paused", st)
	}
	if calls := e.sim.Calls().Total; calls != 0 {
		t.Fatalf("%d Graph calls for a paused channel, want none", calls)
	}
	e.clock.Advance(61 * time.Minute)
	if st, _ = c.Run(context.Background(), RunOptions{ChannelID: throttled.ID}); st.Status != StatusDone {
		t.Fatalf("run after the regain time = %+v, want done", st)
	}
	if n := e.count("SELECT count() FROM post_metrics FINAL WHERE account_id = ?", throttled.ExternalID); n != uint64(e.visible(throttled)) {
		t.Fatalf("%d snapshots of the resumed channel, want %d", n, e.visible(throttled))
	}
}
