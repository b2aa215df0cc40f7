package collector

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The component: Start, a run started in the background (as the API
// does), one run at a time, progress readable while it goes and after it
// ended (from SQLite), Stop.
func TestBackgroundRunProgressAndExclusion(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.addAccounts(2, false, 3, 2)
	e.sim.SetThrottle(e.chans[0].ExternalID, e.clock.Now().Add(5*time.Minute))
	release := make(chan struct{})
	c := e.collector(nil, func(o *Options) {
		o.Config.Schedule = "0 0 3 * * *"
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			<-release // hold the run while the test looks at it
			e.clock.Advance(d)
			return nil
		}
	})
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	id, err := c.StartRun(ctx, RunOptions{Trigger: TriggerAPI, RequestedBy: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	var busy *RunInProgressError
	if _, err := c.StartRun(ctx, RunOptions{Trigger: TriggerAPI}); !errors.As(err, &busy) || busy.ID != id {
		t.Fatalf("second run: %v, want RunInProgressError naming %s", err, id)
	}
	st, err := c.RunStatus(ctx, id)
	if err != nil || st.Status != StatusRunning || st.Trigger != TriggerAPI || st.RequestedBy != "admin" {
		t.Fatalf("status while running = %+v, %v", st, err)
	}
	close(release)
	for deadline := time.Now().Add(30 * time.Second); st.Status == StatusRunning; {
		if time.Now().After(deadline) {
			t.Fatalf("run still running 30s after it was released: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
		if st, err = c.RunStatus(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if st.Status != StatusDone || st.ChannelsDone != 2 || st.Posts == 0 || st.GraphCalls == 0 || st.FinishedAt == nil {
		t.Fatalf("final status = %+v", st)
	}
	stored, err := c.runs.get(ctx, id)
	if err != nil || stored.Status != StatusDone || stored.Posts != st.Posts || stored.RowsWritten != st.RowsWritten {
		t.Fatalf("stored run = %+v, %v; want %+v", stored, err, st)
	}
	if _, err := c.RunStatus(ctx, "no-such-run"); !errors.Is(err, ErrRunNotFound) {
		t.Fatalf("unknown run: %v", err)
	}
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
}
