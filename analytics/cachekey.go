package analytics

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
)

// reportKind says what a report reads from a Query, so parameters that do
// not change its answer do not split the answer cache, and its default
// period (days ending today when from or to is missing).
type reportKind struct {
	days int
	// Which query fields the answer depends on besides the period.
	groupBy, methodAge, postFilters, sortOrder, limit bool
}

// reportKinds lists every cached report. The days must match what the
// report passes to resolve: resolve fails loudly otherwise.
var reportKinds = map[string]reportKind{
	"engagement": {days: 30, groupBy: true, methodAge: true, postFilters: true},
	"posts":      {days: 30, methodAge: true, postFilters: true, sortOrder: true, limit: true},
	"hashtags":   {days: 30, methodAge: true, postFilters: true, limit: true},
	"besttimes":  {days: 84, methodAge: true, postFilters: true},
	"followers":  {days: 30},
}

// cacheKey is the canonical text of what a report's answer depends on:
// the report, the read-model generations and change marker it is computed
// from, the resolved period and time zone (so a missing from/to and the
// same dates written out share an answer), and only the fields the report
// reads. Platform, unit and channel filter every report.
func cacheKey(kind string, k reportKind, q Query, p period, mark uint64) string {
	f := []string{kind, strconv.FormatUint(uint64(p.gens.latest), 10), strconv.FormatUint(uint64(p.gens.age), 10),
		strconv.FormatUint(mark, 10), p.tz, p.fromDate.Format(DateLayout), p.toDate.Format(DateLayout),
		q.Platform, strconv.FormatUint(q.Unit, 10), strconv.FormatUint(q.Channel, 10)}
	if k.methodAge {
		f = append(f, q.Method, q.Age)
	}
	if k.postFilters {
		f = append(f, q.ContentType, q.Campaign)
	}
	if k.groupBy {
		f = append(f, strings.Join(q.GroupBy, ","))
	}
	if k.sortOrder {
		f = append(f, q.Sort, q.Order)
	}
	if k.limit {
		f = append(f, strconv.Itoa(q.Limit))
	}
	return strings.Join(f, "\x1f")
}

// canonicalGroups is groupBy in the order of GroupKeys: the engagement
// answer for one order is the answer for any other with its rows sorted
// again (inGroupOrder), so all orders share one cached answer.
func canonicalGroups(groupBy []string) []string {
	out := slices.Clone(groupBy)
	slices.SortFunc(out, func(a, b string) int { return slices.Index(GroupKeys, a) - slices.Index(GroupKeys, b) })
	return out
}

// inGroupOrder returns rep (computed for the canonical group order) as the
// query in groupBy's order answers it: GroupBy as asked and the rows
// sorted by the keys in that order, as the query's ORDER BY would (strings
// byte-wise like ClickHouse, ids numerically, weeks and months by date).
// rep itself (shared through the cache) is not changed.
func inGroupOrder(rep *EngagementReport, groupBy []string) *EngagementReport {
	if slices.Equal(rep.GroupBy, groupBy) {
		return rep
	}
	out := *rep
	out.GroupBy = slices.Clone(groupBy)
	out.Rows = slices.Clone(rep.Rows)
	slices.SortStableFunc(out.Rows, func(a, b EngagementRow) int {
		for _, k := range groupBy {
			if c := compareGroupKey(k, a, b); c != 0 {
				return c
			}
		}
		return 0
	})
	return &out
}

func compareGroupKey(k string, a, b EngagementRow) int {
	str := func(x, y *string) int { return cmp.Compare(deref(x), deref(y)) }
	switch k {
	case "content_type":
		return str(a.ContentType, b.ContentType)
	case "platform":
		return str(a.Platform, b.Platform)
	case "campaign":
		return str(a.Campaign, b.Campaign)
	case "week":
		return str(a.Week, b.Week)
	case "month":
		return str(a.Month, b.Month)
	case "unit":
		return cmp.Compare(deref(a.Unit), deref(b.Unit))
	case "channel":
		return cmp.Compare(deref(a.Channel), deref(b.Channel))
	}
	return 0
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// resolvedKey carries, in a report's context, the period its cache key
// was made from, so the report computes with exactly that period.
type resolvedKey struct{}

type resolved struct {
	q    Query
	days int
	p    period
}

func withResolved(ctx context.Context, r resolved) context.Context {
	return context.WithValue(ctx, resolvedKey{}, r)
}

func resolvedFrom(ctx context.Context) (resolved, bool) {
	r, ok := ctx.Value(resolvedKey{}).(resolved)
	return r, ok
}
