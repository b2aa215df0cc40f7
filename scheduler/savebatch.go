package scheduler

import (
	"context"
	"database/sql"
	"sync"
)

// Group commit of the workers' outcomes. With one transaction per
// outcome, the workers of a burst (1,000 deliveries due in the same
// second) queue for the state database's single writer lock, and over
// SQLite each loser sleeps in the busy handler (1, 2, 5, 10 ms and up)
// before it tries again. Instead, a worker hands its outcome to the
// group: the first one to arrive writes every outcome queued meanwhile in
// one transaction, and each worker returns once its own is committed, so
// the guarantee is the one save gives (the outcome is durable before the
// worker's slot is free). A batch that fails as a whole (one outcome's
// error rolls it back) is written again one outcome per transaction, so
// that one delivery's error is its own.
//
// Over PostgreSQL each outcome keeps its own transaction: there writers do
// not queue for one lock, and a batch would lock several deliveries and
// posts in arrival order, against claim renewals and other replicas'
// batches locking them in another (deadlocks PostgreSQL would abort).

// maxSaveBatch bounds one group transaction (the writer lock is held for it).
const maxSaveBatch = 64

type saveReq struct {
	ctx  context.Context
	j    job
	o    outcome
	r    saved
	done chan error
}

type saveGroup struct {
	mu       sync.Mutex
	queue    []*saveReq
	draining bool
	received int64 // outcomes handed in so far
}

// saveGrouped saves the outcome with those of the other workers finishing
// at the same time, and returns once it is committed (or failed).
func (p *Publisher) saveGrouped(ctx context.Context, j job, o outcome) error {
	if p.db.Postgres() {
		return p.save(ctx, j, o)
	}
	req := &saveReq{ctx: ctx, j: j, o: o, done: make(chan error, 1)}
	g := &p.saves
	g.mu.Lock()
	g.queue = append(g.queue, req)
	g.received++
	if !g.draining {
		g.draining = true
		go p.drainSaves()
	}
	g.mu.Unlock()
	if err := <-req.done; err != nil {
		return err
	}
	p.afterSave(ctx, j, o, req.r)
	return nil
}

// drainSaves writes the queued outcomes, a batch at a time, until none is
// left.
func (p *Publisher) drainSaves() {
	g := &p.saves
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxSaveBatch)
		if n == 0 {
			g.draining = false
			g.mu.Unlock()
			return
		}
		batch := g.queue[:n:n]
		g.queue = g.queue[n:]
		if len(g.queue) == 0 {
			g.queue = nil
		}
		g.mu.Unlock()
		p.saveBatch(batch)
	}
}

// saveBatch writes the batch in one transaction. If one outcome's
// statements fail, each outcome is written in its own transaction, so
// that the error is that outcome's alone; if the transaction itself could
// not begin or commit (the database busy past its timeout, the context
// ended), that is every outcome's error and none is tried again here.
func (p *Publisher) saveBatch(batch []*saveReq) {
	if len(batch) > 1 {
		// Every worker's save context is the publisher's work context.
		ctx := batch[0].ctx
		outcomeFailed := false
		err := p.svc.withTx(ctx, func(tx *sql.Tx) error {
			for _, req := range batch {
				r, err := p.saveTx(req.ctx, tx, req.j, req.o)
				if err != nil {
					outcomeFailed = true
					return err
				}
				req.r = r
			}
			return nil
		})
		if err == nil || !outcomeFailed {
			for _, req := range batch {
				req.done <- err
			}
			return
		}
	}
	for _, req := range batch {
		req.done <- p.svc.withTx(req.ctx, func(tx *sql.Tx) error {
			var err error
			req.r, err = p.saveTx(req.ctx, tx, req.j, req.o)
			return err
		})
	}
}
