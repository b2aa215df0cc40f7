package collector

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Two collectors over the same SQLite file (as serve and humas collect
// are): while one runs, the other's run is refused naming the running run;
// once it ended, the other runs.
func TestOneRunAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.addAccounts(2, false, 3, 2)
	a := e.collector(nil)
	b := e.collector(nil, func(o *Options) { o.Registerer = prometheus.NewRegistry() })

	var aID string
	checked := false
	stA, err := a.Run(ctx, RunOptions{OnProgress: func(st RunStatus) {
		if checked || st.Status != StatusRunning {
			return
		}
		checked = true
		aID = st.ID
		_, err := b.Run(ctx, RunOptions{Trigger: TriggerSchedule})
		var busy *RunInProgressError
		if !errors.As(err, &busy) || busy.ID != st.ID {
			t.Errorf("second process's run while %s goes: %v, want RunInProgressError naming it", st.ID, err)
		}
		if _, err := b.StartRun(ctx, RunOptions{Trigger: TriggerAPI}); !errors.As(err, &busy) || busy.ID != st.ID {
			t.Errorf("second process's API run while %s goes: %v, want RunInProgressError naming it", st.ID, err)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !checked || stA.Status != StatusDone || stA.ID != aID {
		t.Fatalf("first run = %+v (checked %v), want done", stA, checked)
	}
	stB, err := b.Run(ctx, RunOptions{})
	if err != nil || stB.Status != StatusDone {
		t.Fatalf("second process's run after the first ended: %+v, %v", stB, err)
	}
	var running int
	if err := e.sql.DB.QueryRowContext(ctx, `SELECT count(*) FROM collect_runs WHERE status = 'running'`).Scan(&running); err != nil || running != 0 {
		t.Fatalf("running rows after both ended: %d, %v", running, err)
	}
}

// A run whose process died (it claimed the lease, then stopped renewing it)
// blocks others until its lease expires, then is closed as failed and the
// next run goes.
func TestAbandonedRunLeaseExpires(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.addAccounts(1, false, 2, 2)
	dead := e.collector(nil)
	live := e.collector(nil, func(o *Options) { o.Registerer = prometheus.NewRegistry() })

	r, _, err := dead.begin(ctx, RunOptions{}) // claimed, never executed: the process "crashed"
	if err != nil {
		t.Fatal(err)
	}
	var busy *RunInProgressError
	if _, err := live.Run(ctx, RunOptions{}); !errors.As(err, &busy) || busy.ID != r.id {
		t.Fatalf("run while %s holds the lease: %v, want RunInProgressError naming it", r.id, err)
	}
	e.clock.Advance(time.Minute)
	if _, err := live.Run(ctx, RunOptions{}); !errors.As(err, &busy) {
		t.Fatalf("run one minute into the 2-minute lease: %v, want RunInProgressError", err)
	}
	e.clock.Advance(61 * time.Second)
	st, err := live.Run(ctx, RunOptions{})
	if err != nil || st.Status != StatusDone {
		t.Fatalf("run after the lease expired: %+v, %v", st, err)
	}
	old, err := live.RunStatus(ctx, r.id)
	if err != nil {
		t.Fatal(err)
	}
	if old.Status != StatusFailed || old.FinishedAt == nil || len(old.Errors) != 1 || old.Errors[0].Reason != "abandoned" {
		t.Fatalf("abandoned run = %+v, want failed with reason abandoned", old)
	}
}

// A run that loses its lease (another process found it expired and may
// have started its own) stops at once, is recorded failed with the reason,
// and the collector component reports the failure so the process stops;
// before, the loss was only logged and the run went on.
func TestLostLeaseStopsTheRunAndFailsTheComponent(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.addAccounts(1, false, 2, 2)
	e.sim.SetThrottle(e.chans[0].ExternalID, e.clock.Now().Add(5*time.Minute))
	waiting := make(chan struct{}, 1)
	c := e.collector(nil, func(o *Options) {
		o.Config.Schedule = "0 0 3 * * *"
		o.LeaseTTL = 200 * time.Millisecond // renewed every 50 ms
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			select { // the run waits out the throttle until stopped
			case waiting <- struct{}{}:
			default:
			}
			<-ctx.Done()
			return ctx.Err()
		}
	})
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Stop(context.Background())
	id, err := c.StartRun(ctx, RunOptions{Trigger: TriggerAPI})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-waiting:
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not reach the throttle wait within 10s")
	}
	// Another process sharing the state database expires the lease.
	if _, err := e.sql.DB.ExecContext(ctx, `UPDATE collect_runs SET status = 'failed' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}

	deadline := time.Now().Add(10 * time.Second)
	var st RunStatus
	for {
		if st, err = c.RunStatus(ctx, id); err != nil {
			t.Fatal(err)
		}
		if st.FinishedAt != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run still going 10s after it lost its lease: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st.Status != StatusFailed || st.ChannelsDone != 0 || !hasReason(st.Errors, "lease_lost") {
		t.Fatalf("run after losing its lease = %+v, want failed (its one channel cancelled) with reason lease_lost", st)
	}
	select {
	case err := <-c.Failed():
		if !errors.Is(err, ErrLeaseLost) || !strings.Contains(err.Error(), id) {
			t.Fatalf("component failure %v, want ErrLeaseLost naming run %s", err, id)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the collector component did not report the lost lease")
	}
}

func hasReason(errs []ChannelError, reason string) bool {
	for _, e := range errs {
		if e.Reason == reason {
			return true
		}
	}
	return false
}
