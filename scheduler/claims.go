package scheduler

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/store"
)

// Claims over PostgreSQL, where several replicas publish from one queue.
//
// A replica's claim on a delivery lasts a third of the claim lease
// (state.lease) and is renewed every quarter of that while its worker
// runs. Each replica wakes when the earliest claim of the others expires
// and returns the expired ones to the queue at once, marked "reconcile
// first", in their place in the queue: a replica that dies has its
// deliveries taken over a third of the lease after its last renewal at the
// latest, which leaves two thirds for a free worker to read the channel
// and publish, so they go out within the lease.
//
// A shorter claim must not let two replicas send: the worker's context
// ends a quarter of the claim before the expiry last confirmed (each
// renewal pushes it on), so a replica cut off from the database stops its
// Graph calls before another can take the delivery over; and just before
// every Graph write the claim is renewed synchronously (meta.WithWriteGuard):
// if another replica holds it, or the database does not confirm it before
// that end, nothing is sent and the delivery is left to the replica that
// reconciles it.
//
// Over SQLite (one process) claims keep the whole lease, renewed every
// third of it, and neither the guard nor the sweeper runs: no other
// replica can take a delivery over.

var (
	// errClaimUnsure: the database did not confirm the claim in time.
	errClaimUnsure = errors.New("this replica's claim on the delivery could not be confirmed")
	// errClaimLapsed: renewals failed until the claim was about to expire.
	errClaimLapsed = errors.New("this replica's claim on the delivery lapsed (not renewed in time)")
)

const (
	// qRenewHeld extends the claims this replica's workers hold (a JSON
	// array of ids) and names those still its own.
	qRenewHeld = `UPDATE deliveries SET claim_expires_at = ?
WHERE status = 'publishing' AND claimed_by = ? AND id IN (SELECT value FROM json_each(?))
RETURNING id`
	// qConfirmClaim renews one claim just before a Graph write.
	qConfirmClaim = `UPDATE deliveries SET claim_expires_at = ? WHERE id = ? AND status = 'publishing' AND claimed_by = ?`
	// qNextExpiry is when the first claim of another replica expires.
	qNextExpiry = `SELECT MIN(claim_expires_at) FROM deliveries WHERE status = 'publishing' AND claimed_by <> ?`
)

// minSweepWait keeps the sweeper from spinning on a claim about to expire
// (or on a test's stopped clock).
const minSweepWait = 10 * time.Millisecond

// claimTTL is how long a claim lasts unrenewed.
func (p *Publisher) claimTTL() time.Duration {
	if p.db.Postgres() {
		return ClaimTTL(p.opt.ClaimLease)
	}
	return p.opt.ClaimLease
}

// ClaimTTL is how long, over PostgreSQL, a replica's claim on a delivery
// lasts unrenewed for the claim lease (state.lease): a third of it.
func ClaimTTL(lease time.Duration) time.Duration { return lease / 3 }

// renewEvery is how often the claims being worked on are renewed.
func (p *Publisher) renewEvery() time.Duration {
	if p.db.Postgres() {
		return p.claimTTL() / 4
	}
	return p.opt.ClaimLease / 3
}

// claimMargin is how long before its claim expires a worker stops: the
// time a Graph write already sent may take to land, and the clocks of the
// replicas may differ by.
func (p *Publisher) claimMargin() time.Duration { return p.claimTTL() / 4 }

// claimHold is a claim a worker of this replica holds: its context ends
// claimMargin before the expiry last confirmed, or when the claim is found
// to be another replica's.
type claimHold struct {
	id     int64
	ctx    context.Context
	cancel context.CancelCauseFunc

	mu       sync.Mutex
	until    time.Time // the expiry last written
	timer    *time.Timer
	released bool
}

// holdClaim registers the claim on id, which expires at until, and
// returns it with the context its worker runs in.
func (p *Publisher) holdClaim(id int64, until time.Time) *claimHold {
	ctx, cancel := context.WithCancelCause(p.work)
	h := &claimHold{id: id, cancel: cancel, until: until}
	h.timer = time.AfterFunc(p.untilLapse(until), func() { cancel(errClaimLapsed) })
	h.ctx = meta.WithWriteGuard(ctx, func(c context.Context) error { return p.confirmClaim(c, h) })
	p.claimsMu.Lock()
	p.claims[id] = h
	p.claimsMu.Unlock()
	return h
}

// untilLapse is how long from now a claim expiring at until may be worked on.
func (p *Publisher) untilLapse(until time.Time) time.Duration {
	return until.Add(-p.claimMargin()).Sub(p.opt.Now())
}

// extend moves the end of the hold's context on to the new expiry.
func (p *Publisher) extend(h *claimHold, until time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.released || h.ctx.Err() != nil {
		return
	}
	if until.After(h.until) {
		h.until = until
	}
	h.timer.Reset(p.untilLapse(h.until))
}

// releaseClaim ends the hold once the worker is done.
func (p *Publisher) releaseClaim(h *claimHold) {
	p.claimsMu.Lock()
	delete(p.claims, h.id)
	p.claimsMu.Unlock()
	h.mu.Lock()
	h.released = true
	h.timer.Stop()
	h.mu.Unlock()
	h.cancel(nil)
}

// confirmClaim renews the claim just before a Graph write: the write is
// sent only if the database confirms, before the hold's context ends, that
// the claim is still this replica's.
func (p *Publisher) confirmClaim(ctx context.Context, h *claimHold) error {
	if err := context.Cause(h.ctx); err != nil {
		return err
	}
	until := p.opt.Now().Add(p.claimTTL())
	res, err := p.db.DB.ExecContext(h.ctx, qConfirmClaim, store.FormatTime(until), h.id, p.opt.Replica)
	if err != nil {
		if c := context.Cause(h.ctx); c != nil {
			err = c
		}
		return fmt.Errorf("%w: %w", errClaimUnsure, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errClaimLost
	}
	p.extend(h, until)
	return ctx.Err()
}

// renewHeld extends the claims of this replica's running workers; a claim
// found to be no longer this replica's ends its worker's context.
func (p *Publisher) renewHeld(ctx context.Context) error {
	p.claimsMu.Lock()
	holds := make([]*claimHold, 0, len(p.claims))
	ids := make([]int64, 0, len(p.claims))
	for id, h := range p.claims {
		holds = append(holds, h)
		ids = append(ids, id)
	}
	p.claimsMu.Unlock()
	if len(ids) == 0 {
		return nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	until := p.opt.Now().Add(p.claimTTL())
	rows, err := p.db.DB.QueryContext(ctx, qRenewHeld, store.FormatTime(until), p.opt.Replica, string(list))
	if err != nil {
		return err
	}
	defer rows.Close()
	mine := make(map[int64]bool, len(ids))
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		mine[id] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, h := range holds {
		if mine[h.id] {
			p.extend(h, until)
		} else {
			// Settled by its worker meanwhile, or taken over: either way
			// its worker has nothing more to send.
			h.cancel(errClaimLost)
		}
	}
	return nil
}

// sweepClaims returns expired claims to the queue (reconcile first) as
// soon as they expire: it sleeps until the earliest claim of another
// replica expires, or a quarter of the claim time, whichever is sooner
// (a replica renews its claims more often than that, so a dead replica's
// last expiry is always seen before it passes). Over PostgreSQL only.
func (p *Publisher) sweepClaims() {
	defer close(p.sweepDone)
	every := p.claimTTL() / 4
	for {
		wait := every
		// A slow database (a loaded machine) may take longer than the
		// wait: a sweep that ends late still takes the expired claims.
		ctx, cancel := context.WithTimeout(p.work, p.claimTTL())
		if _, err := p.RecoverExpired(ctx); err != nil && p.work.Err() == nil {
			p.log.Error("recover expired claims", "err", err, "replica", p.opt.Replica)
		}
		var next sql.NullString
		if err := p.db.DB.QueryRowContext(ctx, qNextExpiry, p.opt.Replica).Scan(&next); err == nil && next.Valid {
			if at, err := store.ParseTime(next.String); err == nil {
				// A millisecond after it: the sweep takes claims that
				// expired strictly before its time.
				wait = min(wait, max(at.Sub(p.opt.Now())+time.Millisecond, minSweepWait))
			}
		}
		cancel()
		t := time.NewTimer(wait)
		select {
		case <-p.stopping:
			t.Stop()
			return
		case <-t.C:
		}
	}
}
