package analytics

import (
	"context"
	"fmt"
	"time"
)

const (
	qCurrentGen    = `SELECT max(gen), count() FROM post_facts_gens`
	qCurrentAgeGen = `SELECT max(gen), count() FROM post_age_facts_gens`
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
	// The fixed-age rows of a generation: the snapshot nearest each age
	// (post_at_age, see store/chmigrations/0022) with the attributes of
	// the post_facts generation just built. FINAL keeps the row with the
	// highest ver (the nearest snapshot) per age and post, as a merge
	// would: about 4× faster on 18.16 than argMax over 11 columns. The
	// left side has a row per age and post, the right one row per post:
	// ALL INNER JOIN keeps every age on every ClickHouse version (ANY INNER
	// JOIN kept one row per key on both sides from 20.1: one age per post;
	// store/chmigrations/0025 drops generations built so). Arguments: gen,
	// gen.
	qBuildAgeFacts = `INSERT INTO post_age_facts (gen, age, post_key, platform, post_id, published_at, content_type, unit_id,
    channel_id, campaign, reach, views, reactions, likes, comments, shares, saves, clicks, video_views, interactions,
    has_insights)
SELECT ?, age, post_key, platform, post_id, published_at, content_type, unit_id, channel_id, campaign, reach, views,
    reactions, likes, comments, shares, saves, clicks, video_views, interactions, has_insights
FROM
(
    SELECT age, post_key, reach, views, reactions, likes, comments, shares, saves, clicks, video_views, interactions,
        has_insights
    FROM post_at_age FINAL
) AS a
ALL INNER JOIN
(
    SELECT post_key, platform, post_id, published_at, content_type, unit_id, channel_id, campaign
    FROM post_facts
    WHERE gen = ?
) AS d USING post_key`
	qFactsCount    = `SELECT count() FROM post_facts WHERE gen = ?`
	qAgeFactsCount = `SELECT count() FROM post_age_facts WHERE gen = ?`
	qRecordGen     = `INSERT INTO post_facts_gens (gen, posts, built_at, took_ms) SELECT ?, ?, ?, ?`
	qRecordAgeGen  = `INSERT INTO post_age_facts_gens (gen, rows, built_at, took_ms) SELECT ?, ?, ?, ?`
	qOldGens       = `SELECT DISTINCT partition FROM system.parts WHERE database = currentDatabase() AND table = ? AND active`
	qDropGen       = `ALTER TABLE post_facts DROP PARTITION ?`
	qDropAgeGen    = `ALTER TABLE post_age_facts DROP PARTITION ?`
	defaultEvery   = 5 * time.Minute
)

// Refresh rebuilds the read models from post_latest and post_at_age as a
// new generation, makes it current and drops generations older than the
// one before it: post_facts (each post's latest snapshot) and
// post_age_facts (each post's snapshot nearest 24h, 7d and 28d). Reports
// read the current generation; until the first refresh they collapse
// post_latest and scan post_metrics at read time (slower, same figures).
func (s *Service) Refresh(ctx context.Context) error {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	start := time.Now()
	var prev, prevAge uint32
	var n uint64
	if err := s.ch.QueryRow(ctx, qCurrentGen).Scan(&prev, &n); err != nil {
		return fmt.Errorf("read current generation: %w", err)
	}
	if err := s.ch.QueryRow(ctx, qCurrentAgeGen).Scan(&prevAge, &n); err != nil {
		return fmt.Errorf("read current fixed-age generation: %w", err)
	}
	gen := uint32(s.now().Unix())
	if gen <= max(prev, prevAge) {
		gen = max(prev, prevAge) + 1
	}
	if err := s.ch.Exec(ctx, qBuildFacts, gen); err != nil {
		return fmt.Errorf("build post_facts generation %d: %w", gen, err)
	}
	var posts, ageRows uint64
	if err := s.ch.QueryRow(ctx, qFactsCount, gen).Scan(&posts); err != nil {
		return fmt.Errorf("count post_facts generation %d: %w", gen, err)
	}
	tookLatest := time.Since(start)
	if err := s.ch.Exec(ctx, qBuildAgeFacts, gen, gen); err != nil {
		return fmt.Errorf("build post_age_facts generation %d: %w", gen, err)
	}
	if err := s.ch.QueryRow(ctx, qAgeFactsCount, gen).Scan(&ageRows); err != nil {
		return fmt.Errorf("count post_age_facts generation %d: %w", gen, err)
	}
	took := time.Since(start)
	builtAt := time.Now().UTC().Truncate(time.Second)
	if err := s.ch.Exec(ctx, qRecordGen, gen, posts, builtAt, uint64(tookLatest.Milliseconds())); err != nil {
		return fmt.Errorf("record post_facts generation %d: %w", gen, err)
	}
	if err := s.ch.Exec(ctx, qRecordAgeGen, gen, ageRows, builtAt, uint64((took - tookLatest).Milliseconds())); err != nil {
		return fmt.Errorf("record post_age_facts generation %d: %w", gen, err)
	}
	s.setGens(gens{latest: gen, age: gen}) // cached answers stay until their TTL: at most CacheTTL behind
	s.log.InfoContext(ctx, "analytics read model refreshed", "generation", gen, "posts", posts, "age_rows", ageRows,
		"took_ms", took.Milliseconds(), "latest_ms", tookLatest.Milliseconds(), "age_ms", (took - tookLatest).Milliseconds())
	if err := s.dropOldGens(ctx, "post_facts", qDropGen, prev, gen); err != nil {
		return err
	}
	return s.dropOldGens(ctx, "post_age_facts", qDropAgeGen, prevAge, gen)
}

// dropOldGens drops every generation of table but the current and the
// previous one (reports that started on the previous one may still be
// reading it).
func (s *Service) dropOldGens(ctx context.Context, table, drop string, prev, cur uint32) error {
	rows, err := s.ch.Query(ctx, qOldGens, table)
	if err != nil {
		return fmt.Errorf("list %s generations: %w", table, err)
	}
	var old []uint32
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return fmt.Errorf("scan %s generation: %w", table, err)
		}
		var g uint32
		if _, err := fmt.Sscan(p, &g); err == nil && g != prev && g != cur {
			old = append(old, g)
		}
	}
	rows.Close()
	for _, g := range old {
		if err := s.ch.Exec(ctx, drop, g); err != nil {
			return fmt.Errorf("drop %s generation %d: %w", table, g, err)
		}
	}
	return nil
}

// gens are the newest complete generations of the read models (0: none
// yet): post_facts (age=latest) and post_age_facts (fixed ages). They
// differ only for a post_facts generation built before post_age_facts
// existed.
type gens struct{ latest, age uint32 }

// gensTTL is how long a read generation is trusted before it is read
// again: another process (a second humas, humas-load) may rebuild the read
// models and drop the generation this one remembers; rebuilds are minutes
// apart and two generations are kept, so a few seconds is safe.
const gensTTL = 5 * time.Second

// currentGens returns the current generations, read again from ClickHouse
// when the remembered ones are older than gensTTL (Refresh sets them too).
func (s *Service) currentGens(ctx context.Context) (gens, error) {
	if g, at := s.getGens(); g.latest != 0 && g.age != 0 && time.Since(at) < gensTTL {
		return g, nil
	}
	var g gens
	var n, nAge uint64
	if err := s.ch.QueryRow(ctx, qCurrentGen).Scan(&g.latest, &n); err != nil {
		return gens{}, fmt.Errorf("read current generation: %w", err)
	}
	if err := s.ch.QueryRow(ctx, qCurrentAgeGen).Scan(&g.age, &nAge); err != nil {
		return gens{}, fmt.Errorf("read current fixed-age generation: %w", err)
	}
	if n == 0 {
		g.latest = 0
	}
	if nAge == 0 {
		g.age = 0
	}
	s.setGens(g)
	return g, nil
}

func (s *Service) getGens() (gens, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gens, s.gensAt
}

func (s *Service) setGens(g gens) {
	s.mu.Lock()
	s.gens, s.gensAt = g, time.Now()
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
	if g, err := s.currentGens(ctx); err == nil && g.latest != 0 && g.age == g.latest {
		if age := s.now().Sub(time.Unix(int64(g.latest), 0)); age >= 0 && age < every {
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
