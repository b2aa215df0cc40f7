package analytics

import (
	"context"
	"fmt"
	"time"
)

const (
	qCurrentGen = `SELECT max(gen), count() FROM post_facts_gens`
	// Arguments: gen.
	qBuildFacts = `INSERT INTO post_facts (gen, post_key, platform, post_id, published_at, content_type, unit_id, channel_id,
    campaign, reach, views, reactions, likes, comments, shares, saves, clicks, video_views, interactions, has_insights)
SELECT ?, post_key, any(platform), any(post_id), any(published_at), argMaxMerge(d_content_type), argMaxMerge(d_unit_id),
    argMaxMerge(d_channel_id), argMaxMerge(d_campaign), argMaxMerge(m_reach), argMaxMerge(m_views),
    argMaxMerge(m_reactions), argMaxMerge(m_likes), argMaxMerge(m_comments), argMaxMerge(m_shares),
    argMaxMerge(m_saves), argMaxMerge(m_clicks), argMaxMerge(m_video_views), argMaxMerge(m_interactions),
    argMaxMerge(m_has_insights)
FROM post_latest
GROUP BY post_key
HAVING maxMerge(snap_ver) > 0`
	qFactsCount  = `SELECT count() FROM post_facts WHERE gen = ?`
	qRecordGen   = `INSERT INTO post_facts_gens (gen, posts, built_at, took_ms) SELECT ?, ?, ?, ?`
	qOldGens     = `SELECT DISTINCT partition FROM system.parts WHERE database = currentDatabase() AND table = 'post_facts' AND active`
	qDropGen     = `ALTER TABLE post_facts DROP PARTITION ?`
	defaultEvery = 5 * time.Minute
)

// Refresh rebuilds the read model (post_facts) from post_latest as a new
// generation, makes it current and drops generations older than the one
// before it. Reports with age=latest read the current generation; until
// the first refresh they collapse post_latest at read time (slower, same
// figures).
func (s *Service) Refresh(ctx context.Context) error {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	start := time.Now()
	var prev uint32
	var n uint64
	if err := s.ch.QueryRow(ctx, qCurrentGen).Scan(&prev, &n); err != nil {
		return fmt.Errorf("read current generation: %w", err)
	}
	gen := uint32(s.now().Unix())
	if gen <= prev {
		gen = prev + 1
	}
	if err := s.ch.Exec(ctx, qBuildFacts, gen); err != nil {
		return fmt.Errorf("build post_facts generation %d: %w", gen, err)
	}
	var posts uint64
	if err := s.ch.QueryRow(ctx, qFactsCount, gen).Scan(&posts); err != nil {
		return fmt.Errorf("count post_facts generation %d: %w", gen, err)
	}
	took := time.Since(start)
	if err := s.ch.Exec(ctx, qRecordGen, gen, posts, time.Now().UTC().Truncate(time.Second), uint64(took.Milliseconds())); err != nil {
		return fmt.Errorf("record post_facts generation %d: %w", gen, err)
	}
	s.setGen(gen) // cached answers stay until their TTL: at most CacheTTL behind
	s.log.InfoContext(ctx, "analytics read model refreshed", "generation", gen, "posts", posts, "took_ms", took.Milliseconds())
	return s.dropOldGens(ctx, prev, gen)
}

// dropOldGens drops every generation but the current and the previous one
// (reports that started on the previous one may still be reading it).
func (s *Service) dropOldGens(ctx context.Context, prev, cur uint32) error {
	rows, err := s.ch.Query(ctx, qOldGens)
	if err != nil {
		return fmt.Errorf("list post_facts generations: %w", err)
	}
	var old []uint32
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return fmt.Errorf("scan post_facts generation: %w", err)
		}
		var g uint32
		if _, err := fmt.Sscan(p, &g); err == nil && g != prev && g != cur {
			old = append(old, g)
		}
	}
	rows.Close()
	for _, g := range old {
		if err := s.ch.Exec(ctx, qDropGen, g); err != nil {
			return fmt.Errorf("drop post_facts generation %d: %w", g, err)
		}
	}
	return nil
}

// currentGen is the newest complete generation (0: none yet).
func (s *Service) currentGen(ctx context.Context) (uint32, error) {
	if g := s.getGen(); g != 0 {
		return g, nil
	}
	var g uint32
	var n uint64
	if err := s.ch.QueryRow(ctx, qCurrentGen).Scan(&g, &n); err != nil {
		return 0, fmt.Errorf("read current generation: %w", err)
	}
	if n > 0 {
		s.setGen(g)
	}
	return g, nil
}

func (s *Service) getGen() uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gen
}

func (s *Service) setGen(g uint32) {
	s.mu.Lock()
	s.gen = g
	s.mu.Unlock()
}

func (s *Service) clearCache() {
	s.mu.Lock()
	s.cache = map[string]cached{}
	s.mu.Unlock()
}

// refreshLoop refreshes now and then every interval until ctx ends.
func (s *Service) refreshLoop(ctx context.Context, every time.Duration) {
	defer close(s.loopDone)
	// A generation built less than an interval ago (another process, or a
	// restart) is fresh enough: wait for the rest of the interval first.
	if g, err := s.currentGen(ctx); err == nil && g != 0 {
		if age := s.now().Sub(time.Unix(int64(g), 0)); age >= 0 && age < every {
			select {
			case <-ctx.Done():
				return
			case <-time.After(every - age):
			}
		}
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "analytics read model refresh failed; reports use the previous generation", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
