package analytics

import (
	"context"
	"fmt"
	"time"
)

// topKeys finds a list's posts on the read model: their keys and ids.
//
// The order's last columns, post id and platform, only break ties of the
// sort value and the publish time, and the platform's strings are a
// quarter of what the step reads (18 MB for a year of the 10 M benchmark,
// 13.7 MB without them). So the first pass orders by sort value, publish
// time and post key and reads one post more than the list: unless the
// last listed post and the next one tie on sort value and publish time,
// the list's posts are the ones listed (their order among themselves is
// the list step's). On such a tie the keys are read again with the whole
// order.
func (s *Service) topKeys(ctx context.Context, q Query, p period) ([]uint64, []any, error) {
	keys, ids, tie, err := s.readTopKeys(ctx, q, p, false)
	if err != nil || !tie {
		return keys, ids, err
	}
	keys, ids, _, err = s.readTopKeys(ctx, q, p, true)
	return keys, ids, err
}

// readTopKeys runs one pass of topKeys: with the whole order when whole,
// otherwise by sort value and publish time with one post more, and tie
// reports whether that post ties with the last listed one.
func (s *Service) readTopKeys(ctx context.Context, q Query, p period, whole bool) (keys []uint64, ids []any, tie bool, err error) {
	var b sqlBuf
	b.add("SELECT post_key, post_id AS pid, published_at AS pub, ")
	if whole {
		b.add("platform AS plat, ")
	}
	flatRate(&b, q.Method, p)
	b.add(", toFloat64(" + sortExprs[q.Sort] + ") AS sv")
	flatFrom(&b, q, p)
	if q.Sort == "engagement_rate" {
		b.add(" AND den > 0")
	}
	if whole {
		topOrder(&b, q)
	} else {
		// post_key last: a tie's rows come in the same order on every
		// engine (the differential test compares the statement's answer).
		b.add("\nORDER BY "+sortExprs[q.Sort]+" "+orderWords[q.Order]+", pub DESC, post_key\nLIMIT ?", q.Limit+1)
	}
	rows, err := s.ch.Query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, nil, false, fmt.Errorf("top posts keys: %w", err)
	}
	defer rows.Close()
	keys, ids = []uint64{}, []any{}
	var last struct {
		v   float64
		pub time.Time
	}
	for rows.Next() {
		var k, den uint64
		var id, plat string
		var er, v float64
		var pub time.Time
		dest := []any{&k, &id, &pub, &den, &er, &v}
		if whole {
			dest = []any{&k, &id, &pub, &plat, &den, &er, &v}
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, false, fmt.Errorf("top posts keys scan: %w", err)
		}
		if len(keys) == q.Limit { // the extra post
			tie = v == last.v && pub.Equal(last.pub)
			continue
		}
		last.v, last.pub = v, pub
		keys, ids = append(keys, k), append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, false, fmt.Errorf("top posts keys rows: %w", err)
	}
	return keys, ids, tie, nil
}

// flatRate is topRate over the read model's columns: the list's
// denominator and rate (den, er).
func flatRate(b *sqlBuf, method string, p period) {
	b.add("toUInt64(")
	flatDen(b, method, p)
	b.add(") AS den, if(den > 0, interactions / den, 0) AS er")
}

// topListOf is the list step on the read model: the listed posts' rows of
// the current generation, read by key straight from the table (flat.go). The
// keys come from the same generation, where a post has one row (one per
// age), so no other condition is needed; the month range prunes by the
// sorting key.
func topListOf(b *sqlBuf, q Query, p period, keys []uint64) {
	b.add("SELECT platform AS plat, post_id AS pid, published_at AS pub, content_type AS ctype, channel_id AS chan, unit_id AS unit," +
		" campaign AS camp, reach, views, interactions, reactions, likes, comments, shares, saves, clicks, video_views\n")
	b.add("    , ")
	flatRate(b, q.Method, p)
	flatRows(b, q, p, keys)
	topOrder(b, q)
}
