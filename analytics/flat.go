package analytics

import (
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// Statements over the read model that read its table directly, not
// through perPost's subquery: 18.16 spends about 2 ms more on a statement
// whose rows come through a subquery (top posts' key step on a year of the
// 10 M benchmark: 10 ms through perPost, 8 ms direct). They read the same
// rows under the same conditions; only the names differ (the table's
// columns for perPost's aliases).

// qFlatFollowers is perPost's followers column (factsFollowers) over the
// read model's columns. Arguments: tz, tz.
const qFlatFollowers = `multiIf(toDate(published_at, ?) = toDate(published_at, 'UTC'), fol_day,
        toDate(published_at, ?) > toDate(published_at, 'UTC'), fol_next, fol_prev)`

// flatDen writes the method's per-post denominator over the read model's
// columns (the expression denominators names in perPost's).
func flatDen(s *sqlBuf, method string, p period) {
	if method == "followers" {
		s.add(qFlatFollowers, p.tz, p.tz)
		return
	}
	s.add(denominators[method])
}

// flatFrom writes the FROM and WHERE of a direct read of the current
// generation (readsFacts must hold): the posts published in [p.from, p.to)
// that q's filters keep.
func flatFrom(s *sqlBuf, q Query, p period) {
	flatRows(s, q, p, nil)
	platformFilter(s, q)
	filtersOn(s, q, " AND ", factsNames)
	if q.Channel != 0 && len(p.chanUnits) > 0 {
		s.add(" AND unit_id IN ?", clickhouse.GroupSet{Value: keySet(p.chanUnits)})
	}
}

// flatRows writes the table of q's age, only the posts keys lists when
// keys is not nil (PREWHERE: the other columns are read only for the
// granules that hold one), then the generation and the publish range.
func flatRows(s *sqlBuf, q Query, p period, keys []uint64) {
	from, where, args := qPostsFactsFrom, qPostsFactsWhere, []any{p.gens.latest}
	if q.Age != "latest" {
		from, where, args = qPostsAgeFactsFrom, qPostsAgeFactsWhere, []any{p.gens.age, ageSeconds[q.Age]}
	}
	s.add("\n" + from)
	if keys != nil {
		s.add(qPostKeysIn, clickhouse.GroupSet{Value: keySet(keys)})
	}
	s.add(where, args...)
	s.add("", p.from, p.to, p.from, p.to.Add(-time.Second))
}
