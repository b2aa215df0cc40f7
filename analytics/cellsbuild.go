package analytics

import (
	"context"
	"time"
)

// How a generation gets its cells. A refresh first makes the generation
// current without cells (reports read its posts, same figures), then
// builds them: Refresh in the caller's goroutine, the refresh loop in the
// background. A background build still running when the next refresh
// starts is cancelled: its generation is being superseded, and a new
// collection must not wait behind it. Its partial rows never count (a
// generation's cells are read once post_cells_gens records them for a
// time zone) and go with its partition.

// cellsStopWait bounds how long a refresh waits for a cancelled cells
// build to return (ClickHouse stops the statement on cancel).
const cellsStopWait = 10 * time.Second

// cellsOf builds gen's cells and, when gen is still the current
// generation, lets reports read them. A failure is logged: reports keep
// reading the posts.
func (s *Service) cellsOf(ctx context.Context, gen uint32) {
	if cur, _ := s.getGens(); cur.latest > gen {
		return // superseded already
	}
	if s.beforeCells != nil {
		s.beforeCells(ctx, gen)
	}
	start := time.Now()
	if err := s.buildCells(ctx, gen); err != nil {
		if ctx.Err() == nil {
			s.log.ErrorContext(ctx, "analytics cells not built; grouped reports read the posts", "generation", gen, "err", err)
		} else {
			s.log.InfoContext(ctx, "analytics cells build stopped: a newer generation is being built", "generation", gen)
		}
		return
	}
	zones, tagZones, err := s.readCellZones(ctx, gen)
	if err != nil {
		s.log.ErrorContext(ctx, "analytics cells built but not read back", "generation", gen, "err", err)
		return
	}
	s.mu.Lock()
	if s.gens.latest == gen {
		s.gens.cellZones, s.gens.tagZones = zones, tagZones
	}
	s.mu.Unlock()
	s.log.InfoContext(ctx, "analytics cells built", "generation", gen, "zones", zones, "took_ms", time.Since(start).Milliseconds())
}

// startCells builds gen's cells in the background, stopping a build
// still running first.
func (s *Service) startCells(ctx context.Context, gen uint32) {
	s.stopCells()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	s.mu.Lock()
	s.cellsCancel, s.cellsDone = cancel, done
	s.mu.Unlock()
	go func() {
		defer close(done)
		defer cancel()
		s.cellsOf(ctx, gen)
	}()
}

// stopCells cancels the background cells build, if any, and waits (at
// most cellsStopWait) for it to return.
func (s *Service) stopCells() {
	s.mu.Lock()
	cancel, done := s.cellsCancel, s.cellsDone
	s.cellsCancel, s.cellsDone = nil, nil
	s.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	t := time.NewTimer(cellsStopWait)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		s.log.Warn("analytics cells build did not stop in time; refreshing anyway")
	}
}
