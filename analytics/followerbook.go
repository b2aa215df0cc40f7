package analytics

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// The follower book: account_metrics reduced to each channel's last
// collection per day (per platform and unit the rows carry), held in
// memory, so the followers route answers without a ClickHouse statement.
// On ClickHouse 18.16 grouping a year of follower counts (100,000 channel
// days on the 10 M data set) costs 60-140 ms per request; the book holds
// a year of them in about 3 MB. It is read again before use when the
// change marker (read at most once a second) moved past it or this process
// changed data (Changed), and in the background once it is
// followerBookTTL old (the units mirror, whose subtrees filter by unit, is
// refreshed every minute and marks no change).

const (
	// followerBookTTL bounds how long a book is used without reading it
	// again, as the unit names and zones (unitZoneTTL).
	followerBookTTL = unitZoneTTL
	// followerBookStale: a book this old is not used while a new one is
	// read (the units mirror would be two refreshes behind).
	followerBookStale = 4 * followerBookTTL
	// followerBookRetry: after a failed read, the route reads
	// account_metrics per request this long before trying again.
	followerBookRetry = 5 * time.Second
	// followerBookTimeout bounds a read of the book (about 0.15 s for a
	// year of 274 channels).
	followerBookTimeout = 30 * time.Second
	// followerMarkEvery: the change marker is read at most this often.
	followerMarkEvery = time.Second

	// Each channel's last collection per day, per platform and unit (so a
	// platform or unit filter picks among the rows it keeps, as qFollowers
	// filters rows before grouping). Argument: followerBookMax + 1.
	qFollowerBook = `SELECT channel_id, platform, unit_id, day, max(collected_at), argMax(followers, collected_at)
FROM account_metrics
GROUP BY channel_id, platform, unit_id, day
ORDER BY channel_id, day
LIMIT ?`
	// Every mirrored unit's ancestors (a unit filter keeps the units that
	// have the unit among theirs, as qFollowers' subquery).
	qUnitAncestors = `SELECT unit_id, ancestors FROM units FINAL`
)

// followerBookMax bounds the channel days a book holds (about 32 bytes
// each); a larger table is read per request instead. A variable for tests.
var followerBookMax = 2_000_000

// followerPoint is a channel's last collection on a day among the rows
// with one platform and unit.
type followerPoint struct {
	day       int32 // days since 1970-01-01
	platform  uint8 // index into followerBook.platforms
	unit      uint64
	at        int64 // collected_at, Unix seconds
	followers uint64
}

// followerBook is account_metrics as the followers route reads it; read
// only once built.
type followerBook struct {
	channels  []uint64          // ascending
	points    [][]followerPoint // per channel, by day
	platforms []string
	ancestors map[uint64][]uint64 // per unit
	mark      uint64              // the change marker read before the book
	at        time.Time
}

// followerBooks holds the current book and reads a new one when needed,
// once for all callers at a time.
type followerBooks struct {
	mu      sync.Mutex
	book    *followerBook
	tooBig  time.Time // when the table was last found too large for a book
	failed  time.Time // when a read of the book last failed
	loading chan struct{}
	// epoch counts drops (this process changed data): a read or a marker
	// read that started before the last drop is thrown away.
	epoch uint64
	wg    sync.WaitGroup // background reads

	mark   uint64 // the change marker last read
	markAt time.Time
}

// drop forgets the current book (this process changed data).
func (b *followerBooks) drop() {
	b.mu.Lock()
	b.book = nil
	b.markAt = time.Time{}
	b.epoch++
	b.mu.Unlock()
}

// followerBook returns a book that includes every recorded change, reading
// one when there is none or the marker moved past it. It returns nil (and
// no error) when the route should read account_metrics itself: the table
// is too large for a book, or a read of the book failed less than
// followerBookRetry ago. A book older than followerBookTTL is still used
// (up to followerBookStale) while a new one is read in the background: the
// first request after a quiet half minute does not wait for it.
func (s *Service) followerBook(ctx context.Context) (*followerBook, error) {
	fb := &s.books
	for {
		mark, err := s.followerMark(ctx)
		if err != nil {
			return nil, err
		}
		// The answer cache keys reports by the marker the refresh loop
		// read (currentMark): a book older than it must not answer.
		mark = max(mark, s.currentMark())
		fb.mu.Lock()
		if b := fb.book; b != nil && b.mark == mark {
			age := time.Since(b.at)
			if age < followerBookTTL {
				fb.mu.Unlock()
				return b, nil
			}
			if age < followerBookStale {
				if fb.loading == nil && time.Since(fb.failed) >= followerBookRetry {
					done := make(chan struct{})
					fb.loading = done
					fb.wg.Add(1)
					go func() {
						defer fb.wg.Done()
						_, _ = s.loadFollowerBook(context.WithoutCancel(ctx), mark, fb.epoch, done)
					}()
				}
				fb.mu.Unlock()
				return b, nil
			}
		}
		if time.Since(fb.tooBig) < followerBookTTL || time.Since(fb.failed) < followerBookRetry {
			fb.mu.Unlock()
			return nil, nil
		}
		if wait := fb.loading; wait != nil {
			fb.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		done := make(chan struct{})
		fb.loading = done
		epoch := fb.epoch
		fb.mu.Unlock()
		return s.loadFollowerBook(context.WithoutCancel(ctx), mark, epoch, done)
	}
}

// loadFollowerBook reads a book and makes it current (unless the book was
// dropped since epoch), then closes done: the callers waiting for it look
// again.
func (s *Service) loadFollowerBook(ctx context.Context, mark, epoch uint64, done chan struct{}) (*followerBook, error) {
	fb := &s.books
	ctx, cancel := context.WithTimeout(ctx, followerBookTimeout)
	defer cancel()
	b, err := s.readFollowerBook(ctx, mark)
	fb.mu.Lock()
	fb.loading = nil
	switch {
	case err != nil:
		fb.failed = time.Now()
		s.log.WarnContext(ctx, "read the follower book; the followers route reads account_metrics per request for now", "err", err)
	case b == nil:
		fb.book, fb.tooBig = nil, time.Now()
	case fb.epoch != epoch: // dropped while reading: this book may miss the change
		b = nil
	default:
		fb.book, fb.tooBig, fb.failed = b, time.Time{}, time.Time{}
	}
	fb.mu.Unlock()
	close(done)
	return b, err
}

// wait waits for a background read of the book to end (Stop).
func (b *followerBooks) wait(ctx context.Context) error { return waitCtx(ctx, &b.wg) }

// followerMark is the change marker, read from ClickHouse at most once per
// followerMarkEvery.
func (s *Service) followerMark(ctx context.Context) (uint64, error) {
	fb := &s.books
	fb.mu.Lock()
	if time.Since(fb.markAt) < followerMarkEvery {
		m := fb.mark
		fb.mu.Unlock()
		return m, nil
	}
	epoch := fb.epoch
	fb.mu.Unlock()
	m, err := s.ch.Changes(ctx)
	if err != nil {
		return 0, err
	}
	fb.mu.Lock()
	fb.mark = max(fb.mark, m)
	if fb.epoch == epoch { // a drop since makes the next caller read it again
		fb.markAt = time.Now()
	}
	m = fb.mark
	fb.mu.Unlock()
	return m, nil
}

// readFollowerBook reads a book (nil when the table holds more than
// followerBookMax channel days). mark is the change marker read before.
func (s *Service) readFollowerBook(ctx context.Context, mark uint64) (*followerBook, error) {
	b := &followerBook{mark: mark, at: time.Now(), ancestors: map[uint64][]uint64{}}
	rows, err := s.ch.Query(ctx, qUnitAncestors)
	if err != nil {
		return nil, fmt.Errorf("read unit ancestors: %w", err)
	}
	for rows.Next() {
		var id uint64
		var anc []uint64
		if err := rows.Scan(&id, &anc); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan unit ancestors: %w", err)
		}
		b.ancestors[id] = anc
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read unit ancestors: %w", err)
	}

	rows, err = s.ch.Query(ctx, qFollowerBook, uint64(followerBookMax+1))
	if err != nil {
		return nil, fmt.Errorf("read follower counts: %w", err)
	}
	defer rows.Close()
	var (
		ch, unit, n uint64
		platform    string
		day, at     time.Time
		count       int
	)
	plat := map[string]uint8{}
	for rows.Next() {
		if err := rows.Scan(&ch, &platform, &unit, &day, &at, &n); err != nil {
			return nil, fmt.Errorf("scan follower counts: %w", err)
		}
		if count++; count > followerBookMax {
			return nil, nil
		}
		pi, ok := plat[platform]
		if !ok {
			if len(b.platforms) == 255 {
				return nil, nil // not a real table: read per request
			}
			pi = uint8(len(b.platforms))
			plat[platform] = pi
			b.platforms = append(b.platforms, platform)
		}
		if len(b.channels) == 0 || b.channels[len(b.channels)-1] != ch {
			b.channels = append(b.channels, ch)
			b.points = append(b.points, nil)
		}
		i := len(b.points) - 1
		b.points[i] = append(b.points[i], followerPoint{day: int32(day.Unix() / 86400), platform: pi, unit: unit,
			at: at.Unix(), followers: n})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read follower counts: %w", err)
	}
	for i := range b.points { // exact lengths: append left up to twice the room
		b.points[i] = slices.Clone(b.points[i])
	}
	return b, nil
}

// unit reports whether the book can filter by unit u (0: no filter): it
// knows u's place in the units tree. A nil book knows nothing.
func (b *followerBook) unit(u uint64) (ancestors []uint64, known bool) {
	if b == nil {
		return nil, false
	}
	if u == 0 {
		return nil, true
	}
	ancestors, known = b.ancestors[u]
	return ancestors, known
}

// each calls fn for every channel day of [first, last] (UTC dates) that
// has rows passing q's platform, channel and unit filters, by channel and
// day, with the values qFollowers gives: the platform of the channel's
// first such row, and the unit and followers of the day's last collection
// among them (the larger count when two collections share the second).
func (b *followerBook) each(q Query, first, last time.Time, fn func(ch uint64, platform string, unit uint64, day time.Time, n uint64)) {
	lo, hi := int32(first.Unix()/86400), int32(last.Unix()/86400)
	c0, c1 := 0, len(b.channels)
	if q.Channel != 0 {
		i, ok := slices.BinarySearch(b.channels, q.Channel)
		if !ok {
			return
		}
		c0, c1 = i, i+1
	}
	var units map[uint64]bool
	if q.Unit != 0 {
		units = map[uint64]bool{}
		for id, anc := range b.ancestors {
			if slices.Contains(anc, q.Unit) {
				units[id] = true
			}
		}
	}
	keep := func(p *followerPoint) bool {
		return (q.Platform == "" || b.platforms[p.platform] == q.Platform) && (units == nil || units[p.unit])
	}
	for ci := c0; ci < c1; ci++ {
		pts := b.points[ci]
		j, _ := slices.BinarySearchFunc(pts, lo, func(p followerPoint, d int32) int { return int(p.day) - int(d) })
		platform, seen := "", false
		for j < len(pts) && pts[j].day <= hi {
			var best *followerPoint
			for d := pts[j].day; j < len(pts) && pts[j].day == d; j++ {
				p := &pts[j]
				if !keep(p) {
					continue
				}
				if best == nil || p.at > best.at || (p.at == best.at && p.followers > best.followers) {
					best = p
				}
				if !seen {
					platform, seen = b.platforms[p.platform], true
				}
			}
			if best != nil {
				fn(b.channels[ci], platform, best.unit, time.Unix(int64(best.day)*86400, 0).UTC(), best.followers)
			}
		}
	}
}
