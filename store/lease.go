package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// qLeaseTake takes the lease if it is free, expired or already ours,
	// and renews it in the same statement; RETURNING names the holder
	// after it (no row: someone else holds it).
	qLeaseTake = `INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)
ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
    acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END
WHERE leases.holder = excluded.holder OR leases.expires_at < excluded.acquired_at
RETURNING holder`
	qLeaseRelease = `UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?`
	qLeaseHolder  = `SELECT holder, expires_at FROM leases WHERE name = ?`
)

// ReplicaID names this process among the replicas sharing a state
// database: host, pid and a random suffix.
func ReplicaID() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// TakeLease takes or renews the lease name for holder until now+ttl, and
// reports whether holder has it.
func (s *State) TakeLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error) {
	var got string
	err := s.DB.QueryRowContext(ctx, qLeaseTake, name, holder, FormatTime(now), FormatTime(now.Add(ttl))).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", name, err)
	}
	return got == holder, nil
}

// ReleaseLease ends holder's lease at once, so another replica takes it
// without waiting for it to expire.
func (s *State) ReleaseLease(ctx context.Context, name, holder string, now time.Time) error {
	if _, err := s.DB.ExecContext(ctx, qLeaseRelease, FormatTime(now.Add(-time.Millisecond)), name, holder); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// LeaseHolder returns who holds the lease and until when ("" if nobody
// ever did).
func (s *State) LeaseHolder(ctx context.Context, name string) (string, time.Time, error) {
	var holder, until string
	err := s.DB.QueryRowContext(ctx, qLeaseHolder, name).Scan(&holder, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, err
	}
	t, _ := ParseTime(until)
	return holder, t, nil
}

// Elector keeps one lease for this replica while it can: it tries every
// third of the lease time, renews it while held, and releases it at Stop.
// The jobs that must run once across replicas ask Held before each run;
// when the holder dies, another replica's Elector takes the lease within
// the lease time, and the jobs move with it. It is a component (Start,
// Stop).
type Elector struct {
	db     *State
	name   string
	holder string
	ttl    time.Duration
	now    func() time.Time
	log    *slog.Logger

	held    atomic.Bool
	renewed time.Time // last successful renewal (loop goroutine only)
	cancel  context.CancelFunc
	done    chan struct{}
	once    sync.Once
}

// NewElector makes an Elector for the lease name held as holder.
func NewElector(db *State, name, holder string, ttl time.Duration, now func() time.Time, log *slog.Logger) *Elector {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Elector{db: db, name: name, holder: holder, ttl: ttl, now: now, log: log}
}

// Held reports whether this replica holds the lease now. A renewal that
// has not succeeded for the lease time counts as lost, so two replicas
// never both believe they hold it (clocks agreeing).
func (e *Elector) Held() bool { return e.held.Load() }

// Holder is the name this Elector holds the lease as.
func (e *Elector) Holder() string { return e.holder }

// Start tries to take the lease at once, then keeps trying or renewing in
// the background.
func (e *Elector) Start(ctx context.Context) error {
	e.try(ctx)
	loop, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e.cancel = cancel
	e.done = make(chan struct{})
	go func() {
		defer close(e.done)
		t := time.NewTicker(e.ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-loop.Done():
				return
			case <-t.C:
				e.try(loop)
			}
		}
	}()
	return nil
}

func (e *Elector) try(ctx context.Context) {
	at := e.now()
	c, cancel := context.WithTimeout(ctx, e.ttl/3)
	defer cancel()
	ok, err := e.db.TakeLease(c, e.name, e.holder, e.ttl, at)
	was := e.held.Load()
	switch {
	case err != nil:
		if was && e.now().Sub(e.renewed) >= e.ttl*2/3 {
			e.held.Store(false)
			e.log.WarnContext(ctx, "lease lost: no renewal succeeded", "lease", e.name, "err", err)
		}
		return
	case ok:
		e.renewed = at
		if !was {
			e.log.InfoContext(ctx, "lease taken: this replica runs the once-only jobs", "lease", e.name, "holder", e.holder)
		}
	case was:
		e.log.WarnContext(ctx, "lease taken by another replica", "lease", e.name)
	}
	e.held.Store(ok)
}

// Stop ends the renewals and releases the lease if held.
func (e *Elector) Stop(ctx context.Context) error {
	e.once.Do(func() {
		if e.cancel != nil {
			e.cancel()
			<-e.done
		}
	})
	if e.held.Swap(false) {
		return e.db.ReleaseLease(ctx, e.name, e.holder, e.now())
	}
	return nil
}
