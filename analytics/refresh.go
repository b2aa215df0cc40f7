package analytics

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/humas-id/humas/store"
)

const (
	// The newest generations in today's form (format 1, migration 0042:
	// followers per post; format 2, 0044: post_tags keyed by unit); a
	// humas from before them may still write others.
	qCurrentGen    = `SELECT max(gen), count() FROM post_facts_gens WHERE format >= 2`
	qCurrentAgeGen = `SELECT max(gen), count() FROM post_age_facts_gens WHERE format >= 2`
	// Arguments: gen.
	qBuildFacts = `INSERT INTO post_facts (gen, post_key, platform, post_id, published_at, content_type, unit_id, channel_id,
    campaign, reach, views, reactions, likes, comments, shares, saves, clicks, video_views, interactions, has_insights,
    fol_prev, fol_day, fol_next)
SELECT ?, post_key, plat, pid, pub, content_type, unit_id, channel_id, campaign, reach, views, reactions, likes, comments,
    shares, saves, clicks, video_views, interactions, has_insights, fol_prev, fol_day, fol_next
FROM
(
    SELECT post_key, plat, pid, pub, ctype AS content_type, unit AS unit_id, if(pver > 0, pchan, mchan) AS channel_id,
        camp AS campaign, reach, views, reactions, likes, comments, shares, saves, clicks, video_views, interactions,
        has_insights, toDate(pub, 'UTC') AS uday
    FROM
    (
        SELECT post_key, platform AS plat, post_id AS pid, published_at AS pub, channel_id AS mchan, reach, views,
            reactions, likes, comments, shares, saves, clicks, video_views, interactions, has_insights
        FROM post_latest FINAL
    ) AS l
    ANY LEFT JOIN
    (` + qPostAttrs + `
    ) AS d USING post_key
) AS p
ANY LEFT JOIN
(` + qChannelDayFollowers + `
) AS f USING (channel_id, uday)`
	// The followers of each channel on the UTC day before, on and after
	// each day (fol_prev, fol_day, fol_next of a post published that UTC
	// day, see store/chmigrations/0042): every (channel, day) figure,
	// the latest collected, counts for the day after (as its prev), the
	// day itself and the day before (as its next).
	qChannelDayFollowers = `
    SELECT channel_id, addDays(day, -o) AS uday, sumIf(f, o = -1) AS fol_prev, sumIf(f, o = 0) AS fol_day,
        sumIf(f, o = 1) AS fol_next
    FROM
    (
        SELECT channel_id, day, argMax(followers, collected_at) AS f
        FROM account_metrics
        GROUP BY channel_id, day
    )
    ARRAY JOIN [-1, 0, 1] AS o
    GROUP BY channel_id, uday`
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
    has_insights, fol_prev, fol_day, fol_next)
SELECT ?, age, post_key, platform, post_id, published_at, content_type, unit_id, channel_id, campaign, reach, views,
    reactions, likes, comments, shares, saves, clicks, video_views, interactions, has_insights, fol_prev, fol_day, fol_next
FROM
(
    SELECT age, post_key, reach, views, reactions, likes, comments, shares, saves, clicks, video_views, interactions,
        has_insights
    FROM post_at_age FINAL
) AS a
ALL INNER JOIN
(
    SELECT post_key, platform, post_id, published_at, content_type, unit_id, channel_id, campaign, fol_prev, fol_day,
        fol_next
    FROM post_facts
    WHERE gen = ?
) AS d USING post_key`

	qFactsCount    = `SELECT count() FROM post_facts WHERE gen = ?`
	qAgeFactsCount = `SELECT count() FROM post_age_facts WHERE gen = ?`
	qRecordGen     = `INSERT INTO post_facts_gens (gen, posts, built_at, took_ms, format) SELECT ?, ?, ?, ?, 2`
	qRecordAgeGen  = `INSERT INTO post_age_facts_gens (gen, rows, built_at, took_ms, format) SELECT ?, ?, ?, ?, 2`
	qOldGens       = `SELECT DISTINCT partition FROM system.parts WHERE database = currentDatabase() AND table = ? AND active`
	qDropGen       = `ALTER TABLE post_facts DROP PARTITION ?`
	qDropAgeGen    = `ALTER TABLE post_age_facts DROP PARTITION ?`
	// When the first generation after one was built. Argument: gen.
	qSuperseded    = `SELECT min(built_at), count() FROM post_facts_gens WHERE gen > ?`
	qAgeSuperseded = `SELECT min(built_at), count() FROM post_age_facts_gens WHERE gen > ?`
	keepSuperseded = 2 * time.Minute
	// Which changes (the data_changes count, store/chmigrations/0030) a
	// generation includes. Arguments: gen, changes, built_at / gen.
	qRecordCover = `INSERT INTO read_model_covers (gen, changes, built_at) SELECT ?, ?, ?`
	qCover       = `SELECT max(changes), count() FROM read_model_covers WHERE gen = ?`
	// A build claims its generation number first (read_model_builds,
	// 0030); it is its own when no other claim has it. Arguments: gen,
	// builder, claimed_at / - / gen.
	qClaimGen    = `INSERT INTO read_model_builds (gen, builder, claimed_at) SELECT ?, ?, ?`
	qMaxClaimed  = `SELECT max(gen) FROM read_model_builds`
	qGenClaims   = `SELECT count() FROM read_model_builds WHERE gen = ?`
	claimRetries = 8

	// buildTimeout bounds one generation's build. A build's INSERT …
	// SELECT sends nothing back until it ends, and a context deadline
	// replaces the connection's read timeout (clickhouse.read_timeout,
	// 60 s), which would cut a national-scale build (2.5 M posts) short.
	buildTimeout = 30 * time.Minute

	defaultEvery = 5 * time.Minute
	defaultPoll  = 2 * time.Second
	defaultGrace = 3 * time.Second
)

// Refresh rebuilds the read models from post_latest and post_at_age as a
// new generation, makes it current and drops generations older than the
// one before it: post_facts (each post's latest snapshot) and
// post_age_facts (each post's snapshot nearest 24h, 7d and 28d), then
// builds the generation's cells (post_cells). Reports read the current
// generation; until the first refresh they collapse post_latest and scan
// post_metrics at read time (slower, same figures). The generation
// records the change marker read before it was built, so every server
// knows which changes it includes.
//
// The generation is current (in every process) before its cells are
// built: until they are, reports read its posts (same figures, slower),
// so new data never waits for the cells.
func (s *Service) Refresh(ctx context.Context) error {
	gen, err := s.refreshFacts(ctx)
	if err != nil {
		return err
	}
	s.cellsOf(ctx, gen)
	return ctx.Err()
}

// refreshFacts builds, records and adopts a new generation of post_facts
// and post_age_facts (without cells) and returns its number. A cells
// build the refresh loop runs in the background is stopped first: its
// generation is about to be superseded.
func (s *Service) refreshFacts(ctx context.Context) (uint32, error) {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	s.stopCells()
	start := time.Now()
	changes, err := s.ch.Changes(ctx)
	if err != nil {
		return 0, err
	}
	var prev, prevAge uint32
	var n uint64
	if err := s.ch.QueryRow(ctx, qCurrentGen).Scan(&prev, &n); err != nil {
		return 0, fmt.Errorf("read current generation: %w", err)
	}
	if err := s.ch.QueryRow(ctx, qCurrentAgeGen).Scan(&prevAge, &n); err != nil {
		return 0, fmt.Errorf("read current fixed-age generation: %w", err)
	}
	gen, err := s.claimGen(ctx, max(prev, prevAge))
	if err != nil {
		return 0, err
	}
	bctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	if err := s.ch.Exec(bctx, qBuildFacts, gen); err != nil {
		return 0, fmt.Errorf("build post_facts generation %d: %w", gen, err)
	}
	var posts, ageRows uint64
	if err := s.ch.QueryRow(ctx, qFactsCount, gen).Scan(&posts); err != nil {
		return 0, fmt.Errorf("count post_facts generation %d: %w", gen, err)
	}
	tookLatest := time.Since(start)
	if err := s.ch.Exec(bctx, qBuildAgeFacts, gen, gen); err != nil {
		return 0, fmt.Errorf("build post_age_facts generation %d: %w", gen, err)
	}
	if err := s.ch.QueryRow(ctx, qAgeFactsCount, gen).Scan(&ageRows); err != nil {
		return 0, fmt.Errorf("count post_age_facts generation %d: %w", gen, err)
	}
	took := time.Since(start)
	builtAt := s.now().UTC().Truncate(time.Second)
	if err := s.ch.Exec(ctx, qRecordGen, gen, posts, builtAt, uint64(tookLatest.Milliseconds())); err != nil {
		return 0, fmt.Errorf("record post_facts generation %d: %w", gen, err)
	}
	if err := s.ch.Exec(ctx, qRecordAgeGen, gen, ageRows, builtAt, uint64((took - tookLatest).Milliseconds())); err != nil {
		return 0, fmt.Errorf("record post_age_facts generation %d: %w", gen, err)
	}
	if err := s.ch.Exec(ctx, qRecordCover, gen, changes, builtAt); err != nil {
		return 0, fmt.Errorf("record the changes generation %d includes: %w", gen, err)
	}
	// Answers are keyed by generation: the next request computes afresh.
	// Another process may have finished a newer one meanwhile: take the
	// newest.
	if g, cover, err := s.readCover(ctx); err == nil && g.latest > gen {
		s.adopt(g, cover)
	} else {
		s.adopt(gens{latest: gen, age: gen}, changes)
	}
	s.log.InfoContext(ctx, "analytics read model refreshed", "generation", gen, "posts", posts, "age_rows", ageRows,
		"changes", changes, "took_ms", took.Milliseconds(), "latest_ms", tookLatest.Milliseconds(),
		"age_ms", (took - tookLatest).Milliseconds())
	if err := s.dropOldGens(ctx, "post_facts", qDropGen, qSuperseded, prev); err != nil {
		return 0, err
	}
	if err := s.dropOldGens(ctx, "post_cells", qDropCellGen, qSuperseded, prev); err != nil {
		return 0, err
	}
	if err := s.dropOldGens(ctx, "post_tag_cells", qDropTagCellGen, qSuperseded, prev); err != nil {
		return 0, err
	}
	if err := s.dropOldGens(ctx, "post_tags", qDropPostTagsGen, qSuperseded, prev); err != nil {
		return 0, err
	}
	return gen, s.dropOldGens(ctx, "post_age_facts", qDropAgeGen, qAgeSuperseded, prevAge)
}

// claimGen picks the number of a new generation: after every generation
// built or being built (by any process), at least the clock's seconds,
// and claimed by this build alone. Two processes rebuilding at once (a
// server and humas collect) would otherwise write one partition twice.
// Claims are rows of one table on one server: if this build's read of the
// claims did not see another's claim, that other read sees this one, so at
// most one of two claims of a number goes ahead (both may back off).
func (s *Service) claimGen(ctx context.Context, built uint32) (uint32, error) {
	for range claimRetries {
		var claimed uint32
		if err := s.ch.QueryRow(ctx, qMaxClaimed).Scan(&claimed); err != nil {
			return 0, fmt.Errorf("read claimed generations: %w", err)
		}
		gen := max(uint32(s.now().Unix()), built+1, claimed+1)
		if err := s.ch.Exec(ctx, qClaimGen, gen, s.builder, time.Now().UTC().Truncate(time.Second)); err != nil {
			return 0, fmt.Errorf("claim generation %d: %w", gen, err)
		}
		var n uint64
		if err := s.ch.QueryRow(ctx, qGenClaims, gen).Scan(&n); err != nil {
			return 0, fmt.Errorf("check the claim of generation %d: %w", gen, err)
		}
		if n == 1 {
			return gen, nil
		}
		// Another process claimed the same number: try a higher one after
		// a random pause, so two contenders part.
		t := time.NewTimer(time.Duration(rand.N(50)+1) * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return 0, ctx.Err()
		case <-t.C:
		}
	}
	return 0, fmt.Errorf("no generation number claimed in %d attempts: other processes keep rebuilding at the same moment", claimRetries)
}

// dropOldGens drops the generations of table older than prev (the
// current one when this build started) that were superseded more than
// keepSuperseded ago: servers take a new generation within seconds, but a
// report that started on an older one may still be reading it, and with
// rebuilds on every change the previous generation can be seconds old.
// Newer partitions are left alone: another process may be building one.
func (s *Service) dropOldGens(ctx context.Context, table, drop, superseded string, prev uint32) error {
	rows, err := s.ch.Query(store.Volatile(ctx), qOldGens, table)
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
		if _, err := fmt.Sscan(p, &g); err == nil && g < prev {
			old = append(old, g)
		}
	}
	rows.Close()
	for _, g := range old {
		var at time.Time
		var n uint64
		if err := s.ch.QueryRow(ctx, superseded, g).Scan(&at, &n); err != nil {
			return fmt.Errorf("read when %s generation %d was superseded: %w", table, g, err)
		}
		if n > 0 && s.now().Sub(at) < keepSuperseded {
			continue
		}
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
type gens struct {
	latest, age uint32
	// cellZones are the time zones the latest generation has cells for
	// (post_cells), sorted and joined by commas.
	cellZones string
	// tagZones are those it has hashtag cells for (post_tag_cells).
	tagZones string
}

// gensTTL is how long a read generation is trusted before it is read
// again: another process (a second humas, humas-load) may rebuild the read
// models and drop the generation this one remembers; rebuilds are minutes
// apart and two generations are kept, so a few seconds is safe.
const gensTTL = 5 * time.Second

// gensStaleMax is how old remembered generations may grow while another
// caller reads them again; past it, callers wait for that read (a
// superseded generation is dropped keepSuperseded after it was replaced).
const gensStaleMax = 30 * time.Second

// gensReadTimeout bounds a read of the current generations, which callers
// that did not start it may be waiting on.
const gensReadTimeout = 10 * time.Second

// currentGens returns the current generations, read again from ClickHouse
// when the remembered ones are older than gensTTL (Refresh and the refresh
// loop set them too). One caller reads at a time: while it does, the
// others keep the remembered ones (up to gensStaleMax old), or wait for
// its answer. Every caller reading at once was 19% of the statements of a
// 200-concurrent load run (three reads each, 40 callers at a time), and
// 600 statements in its first second after a start.
func (s *Service) currentGens(ctx context.Context) (gens, error) {
	g, at := s.getGens()
	known := g.latest != 0 && g.age != 0
	if known && time.Since(at) < gensTTL {
		return g, nil
	}
	s.gensMu.Lock()
	r := s.gensRead
	if r == nil {
		r = &gensRead{done: make(chan struct{})}
		s.gensRead = r
		s.gensMu.Unlock()
		s.runGensRead(ctx, r)
		return r.g, r.err
	}
	s.gensMu.Unlock()
	if known && time.Since(at) < gensStaleMax {
		return g, nil
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		return gens{}, fmt.Errorf("wait for the read-model generations: %w", ctx.Err())
	}
	// Refresh or the refresh loop may have set newer ones meanwhile.
	if cur, at := s.getGens(); cur.latest != 0 && cur.age != 0 && time.Since(at) < gensTTL {
		return cur, nil
	}
	return r.g, r.err
}

// gensRead is a read of the current generations in progress.
type gensRead struct {
	done chan struct{} // closed when g and err are set
	g    gens
	err  error
}

// runGensRead reads the current generations for r and ends r, even if the
// read panics. Others may wait on it: the caller that started it leaving
// does not cancel it; gensReadTimeout does.
func (s *Service) runGensRead(ctx context.Context, r *gensRead) {
	defer func() {
		s.gensMu.Lock()
		s.gensRead = nil
		s.gensMu.Unlock()
		close(r.done)
	}()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), gensReadTimeout)
	defer cancel()
	r.g, r.err = s.readCurrentGens(rctx)
}

// readCurrentGens reads the current generations and remembers them; when
// ClickHouse does not answer it keeps answering from the last known ones
// (a report it must compute fails at its own query).
func (s *Service) readCurrentGens(ctx context.Context) (gens, error) {
	started := time.Now()
	g, err := s.readGensFn(ctx)
	if err != nil {
		if old, _ := s.getGens(); old.latest != 0 {
			s.log.DebugContext(ctx, "read model generation not read; using the last known one", "err", err)
			return old, nil
		}
		return gens{}, err
	}
	return s.setGens(g, started), nil
}

// readGens reads the newest complete generations from ClickHouse.
func (s *Service) readGens(ctx context.Context) (gens, error) {
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
	if g.latest != 0 {
		var err error
		if g.cellZones, g.tagZones, err = s.readCellZones(ctx, g.latest); err != nil {
			return gens{}, err
		}
	}
	return g, nil
}

// readCover reads the current generations and the change count the
// latest one includes (0 when it recorded none: built before 0030, or by a
// process that stopped before recording it).
func (s *Service) readCover(ctx context.Context) (gens, uint64, error) {
	g, err := s.readGens(ctx)
	if err != nil || g.latest == 0 {
		return g, 0, err
	}
	var cover, n uint64
	if err := s.ch.QueryRow(ctx, qCover, g.latest).Scan(&cover, &n); err != nil {
		return g, 0, fmt.Errorf("read the changes generation %d includes: %w", g.latest, err)
	}
	return g, cover, nil
}

func (s *Service) getGens() (gens, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gens, s.gensAt
}

// setGens remembers g, read by a read that began at started, and returns
// the generations now current: newer ones made current during the read (a
// refresh that finished meanwhile adopts its own) stay, so a read that
// began before them does not put the older ones back.
func (s *Service) setGens(g gens, started time.Time) gens {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gensAt.After(started) && s.gens.latest > g.latest {
		return s.gens
	}
	// The cells of a generation are built after it (cellsOf records their
	// zones then): a read that began before that found none yet.
	if g.latest == s.gens.latest && g.cellZones == "" && g.tagZones == "" {
		g.cellZones, g.tagZones = s.gens.cellZones, s.gens.tagZones
	}
	s.gens, s.gensAt = g, time.Now()
	return g
}

// adopt makes g current, known to include the first cover changes.
func (s *Service) adopt(g gens, cover uint64) {
	s.mu.Lock()
	s.gens, s.gensAt, s.cover = g, time.Now(), cover
	s.mark = max(s.mark, cover)
	s.mu.Unlock()
}

// currentMark is the change marker last read (0 before the first read, or
// without the refresh loop): part of every cache key, so answers computed
// from tables read at query time (followers, reports before the first
// generation) are not served after a change.
func (s *Service) currentMark() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mark
}

// refreshLoop rebuilds the read model (see Start) until ctx ends; the
// rebuild in progress then stops with it.
func (s *Service) refreshLoop(ctx context.Context) {
	defer close(s.loopDone)
	var poll <-chan time.Time
	if s.poll > 0 {
		t := time.NewTicker(s.poll)
		defer t.Stop()
		poll = t.C
	}
	// A generation built less than an interval ago (another process, or a
	// restart) that includes every change is fresh enough: wait for the
	// rest of the interval first.
	first := time.Duration(0)
	if g, cover, err := s.readCover(ctx); err == nil && g.latest != 0 && g.age == g.latest {
		if m, err := s.ch.Changes(ctx); err == nil && cover >= m {
			if age := s.now().Sub(time.Unix(int64(g.latest), 0)); age >= 0 && age < s.every {
				s.adopt(g, cover)
				first = s.every - age
			}
		}
	}
	periodic := time.NewTimer(first)
	defer periodic.Stop()
	var pending time.Time // when a change no generation includes was first seen
	for {
		select {
		case <-ctx.Done():
			return
		case <-periodic.C:
			if s.once == nil || s.once() {
				s.refreshLogged(ctx, "periodic")
			}
			periodic.Reset(s.every)
		case <-s.nudge:
			s.refreshLogged(ctx, "a change in this process")
			pending = time.Time{}
		case <-poll:
			if s.changedElsewhere(ctx, &pending) && (s.once == nil || s.once()) {
				s.refreshLogged(ctx, "a change in another process no generation includes")
				pending = time.Time{}
			}
		}
	}
}

// refreshLogged refreshes the read model and starts building the new
// generation's cells in the background (the next refresh stops that build
// if it is still running).
func (s *Service) refreshLogged(ctx context.Context, why string) {
	gen, err := s.refreshFacts(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.ErrorContext(ctx, "analytics read model refresh failed; reports use the previous generation", "why", why, "err", err)
		}
		return
	}
	s.startCells(ctx, gen)
}

// changedElsewhere reads the change marker. When it moved past what the
// current generation includes, it takes a newer generation that includes
// it (another process rebuilt), or reports true (rebuild) once the change
// has waited ChangeGrace for the process that made it to rebuild.
func (s *Service) changedElsewhere(ctx context.Context, pending *time.Time) bool {
	m, err := s.ch.Changes(ctx)
	if err != nil {
		s.log.DebugContext(ctx, "read the data change marker", "err", err)
		return false
	}
	s.mu.Lock()
	s.mark = max(s.mark, m)
	covered := m <= s.cover
	s.mu.Unlock()
	if covered {
		*pending = time.Time{}
		return false
	}
	if g, cover, err := s.readCover(ctx); err == nil && g.latest != 0 && cover >= m {
		if cur, _ := s.getGens(); g.latest > cur.latest {
			s.stopCells() // this process's generation is superseded
		}
		s.adopt(g, cover)
		*pending = time.Time{}
		return false
	}
	if pending.IsZero() {
		*pending = time.Now()
	}
	return time.Since(*pending) >= s.grace
}
