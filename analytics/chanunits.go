package analytics

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// A report filtered by channel reads the per-post read model, whose
// sorting key starts with the month and the unit (0042), not the channel:
// alone, a channel filter reads every post of the period (250,000 for a
// year of the 10 M data set, 30-60 ms on 18.16). The units a channel's
// posts have in a generation (one, unless the channel moved) are read
// once per generation; reports add them as a unit condition, which the
// key prunes by. It is implied by the channel filter, so the answer is
// the same.

const (
	// The units of each channel's posts in a generation. Argument: gen.
	qChannelUnitsLatest = `SELECT channel_id, groupUniqArray(unit_id) FROM post_facts WHERE gen = ? GROUP BY channel_id`
	qChannelUnitsAge    = `SELECT channel_id, groupUniqArray(unit_id) FROM post_age_facts WHERE gen = ? GROUP BY channel_id`

	// chanUnitsKept: generations whose channel units are remembered (the
	// current per-post and fixed-age ones, and the two before them).
	chanUnitsKept = 4
	// chanUnitsTimeout bounds the read (about 20 ms per generation here).
	chanUnitsTimeout = time.Minute
)

// chanUnitsKey names a generation of one of the two per-post tables.
type chanUnitsKey struct {
	gen uint32
	age bool // post_age_facts
}

// chanUnitsCache holds the channel units of recent generations; a
// generation's are read once for all callers.
type chanUnitsCache struct {
	mu    sync.Mutex
	m     map[chanUnitsKey]*chanUnitsEntry
	order []chanUnitsKey // oldest first
}

type chanUnitsEntry struct {
	done  chan struct{}
	units map[uint64][]uint64 // read only once done is closed
	err   error
}

// channelUnits returns the units the posts of channel have in the
// generation q reads (ok false: no generation, or they could not be read;
// the report then reads without the condition).
func (s *Service) channelUnits(ctx context.Context, q Query, p period) (units []uint64, ok bool) {
	if q.Channel == 0 || !readsFacts(q, p) {
		return nil, false
	}
	key := chanUnitsKey{gen: p.gens.latest, age: q.Age != "latest"}
	query := qChannelUnitsLatest
	if key.age {
		key.gen, query = p.gens.age, qChannelUnitsAge
	}
	c := &s.chanUnits
	c.mu.Lock()
	if c.m == nil {
		c.m = map[chanUnitsKey]*chanUnitsEntry{}
	}
	e, found := c.m[key]
	if !found {
		e = &chanUnitsEntry{done: make(chan struct{})}
		c.m[key] = e
		c.order = append(c.order, key)
		if len(c.order) > chanUnitsKept {
			delete(c.m, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.mu.Unlock()
	if !found {
		e.units, e.err = s.readChannelUnits(context.WithoutCancel(ctx), query, key.gen)
		if e.err != nil {
			s.log.WarnContext(ctx, "read the units of each channel's posts; channel reports read every post", "generation",
				key.gen, "err", e.err)
			c.mu.Lock()
			if c.m[key] == e { // the next report tries again
				delete(c.m, key)
				c.order = slices.DeleteFunc(c.order, func(k chanUnitsKey) bool { return k == key })
			}
			c.mu.Unlock()
		}
		close(e.done)
	}
	select {
	case <-e.done:
	case <-ctx.Done():
		return nil, false
	}
	if e.err != nil {
		return nil, false
	}
	units, ok = e.units[q.Channel]
	return units, ok && len(units) > 0
}

func (s *Service) readChannelUnits(ctx context.Context, query string, gen uint32) (map[uint64][]uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, chanUnitsTimeout)
	defer cancel()
	rows, err := s.ch.Query(ctx, query, gen)
	if err != nil {
		return nil, fmt.Errorf("read channel units of generation %d: %w", gen, err)
	}
	defer rows.Close()
	m := map[uint64][]uint64{}
	for rows.Next() {
		var ch uint64
		var units []uint64
		if err := rows.Scan(&ch, &units); err != nil {
			return nil, fmt.Errorf("scan channel units: %w", err)
		}
		slices.Sort(units)
		m[ch] = units
	}
	return m, rows.Err()
}
