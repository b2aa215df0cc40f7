package analytics

import (
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// Fixed SQL fragments. Request values never reach the text: identifiers
// and expressions come from the maps below (keyed by validated names) and
// every value is a bound argument.
const (
	qUnitTimezones = `SELECT unit_id, argMax(timezone, version) FROM units GROUP BY unit_id`
	qUnitNames     = `SELECT unit_id, argMax(name, version) FROM units GROUP BY unit_id`
	qChannelNames  = `SELECT channel_id, argMax(name, version) FROM channels GROUP BY channel_id`

	// One row per post with its latest snapshot (post_latest FINAL: the
	// highest snap_ver, store/chmigrations/0043) and its attributes at
	// their highest version (posts FINAL; the snapshot's channel when posts
	// has no row for it). Arguments: tz, tz, current-period start, range
	// start, range end; a platform condition may follow, then
	// qPostsAttrsJoin and the attribute filters (WHERE).
	qPostsLatestHead = `SELECT
    post_key, plat, pid, pub,
    toTimeZone(pub, ?) AS lt,
    toDate(pub, ?) AS pday,
    pub >= ? AS cur,
    ctype, unit, if(pver > 0, pchan, mchan) AS chan, camp, sv,
    reach, views, reactions, likes, comments, shares, saves, clicks, video_views, interactions, has_insights
FROM
(` + qLatestRows
	// qLatestRows is the latest snapshot of each post published in the
	// range. Arguments: range start, range end.
	qLatestRows = `
    SELECT post_key, platform AS plat, post_id AS pid, published_at AS pub, snap_ver AS sv, channel_id AS mchan,
        reach, views, reactions, likes, comments, shares, saves, clicks, video_views, interactions, has_insights
    FROM post_latest FINAL
    WHERE published_at >= ? AND published_at < ?`
	// factsColumns are what both read models give per post; the first
	// three arguments are tz, tz, current-period start.
	factsColumns = `    post_key,
    platform AS plat,
    post_id AS pid,
    published_at AS pub,
    toTimeZone(published_at, ?) AS lt,
    toDate(published_at, ?) AS pday,
    published_at >= ? AS cur,
    content_type AS ctype,
    unit_id AS unit,
    channel_id AS chan,
    campaign AS camp,
    reach, views, reactions, likes, comments, shares, saves, clicks, video_views, interactions, has_insights
`

	// One row per post from the current read-model generation: the head
	// (arguments tz, tz, current-period start), factsFollowers when the
	// method needs them, then the table (arguments gen, then factsRange's).
	qPostsFactsHead = `SELECT
` + factsColumns
	qPostsFactsFrom  = `FROM post_facts`
	qPostsFactsWhere = `
WHERE gen = ?` + factsRange

	// One row per post from the current fixed-age read-model generation
	// (after qPostsFactsHead): its snapshot nearest the age (the same
	// choice as qPostsAgeHead). Arguments: gen, age seconds, then
	// factsRange's.
	qPostsAgeFactsFrom  = `FROM post_age_facts`
	qPostsAgeFactsWhere = `
WHERE gen = ? AND age = ?` + factsRange

	// Only the listed posts (top posts' second step): PREWHERE reads the
	// other columns only for the granules that hold one. Argument: the
	// post keys (a set).
	qPostKeysIn = `
PREWHERE post_key IN ?`

	// The publish range of a read-model query: range start and end, then
	// the first and last month they touch, a condition on the sorting
	// key's first column (store/chmigrations/0042) that 18.16 does not
	// derive from the range. Arguments: start, end, start, end - 1s.
	factsRange = ` AND published_at >= ? AND published_at < ?
    AND toStartOfMonth(published_at) >= toStartOfMonth(?) AND toStartOfMonth(published_at) <= toStartOfMonth(?)`

	// The followers of the post's channel on its local publish day
	// (pday), from the three days the read model keeps (0042): the
	// same figure qFollowersJoin finds.
	factsFollowers = `    , multiIf(pday = toDate(published_at, 'UTC'), fol_day, pday > toDate(published_at, 'UTC'), fol_next, fol_prev)
        AS followers
`

	// The posts' attributes joined to qPostsLatestHead or qPostsDimsHead.
	qPostsAttrsJoin = `
) AS l
ANY LEFT JOIN
(` + qPostAttrs + `
) AS d USING post_key`
	// Each post's attributes at their highest version. pver is 0 for a
	// post posts has no row for (the join's default; its snapshot's
	// channel counts then). It is a column, not a constant: ClickHouse
	// has carried constants of a join's right side into unmatched rows.
	qPostAttrs = `
    SELECT cityHash64(platform, post_id) AS post_key, content_type AS ctype, unit_id AS unit, channel_id AS pchan,
        campaign AS camp, version + 1 AS pver
    FROM posts FINAL`

	// Post attributes for the fixed-age path (the snapshot comes from
	// post_metrics), then qPostsAttrsJoin. Arguments as
	// qPostsLatestHead.
	qPostsDimsHead = `SELECT
    post_key, plat, pid, pub,
    toTimeZone(pub, ?) AS lt,
    toDate(pub, ?) AS pday,
    pub >= ? AS cur,
    ctype, unit, if(pver > 0, pchan, mchan) AS chan, camp
FROM
(` + qLatestRows

	// The snapshot nearest a fixed age: smallest |slot - published_at -
	// age|, ties to the latest collection. The read model (post_at_age in
	// store/chmigrations/0022, then post_age_facts) makes the same choice
	// with the same key. Arguments: age seconds, range start, range end.
	qPostsAgeHead = `SELECT
    post_key,
    argMin(reach, k) AS reach,
    argMin(views, k) AS views,
    argMin(reactions, k) AS reactions,
    argMin(likes, k) AS likes,
    argMin(comments, k) AS comments,
    argMin(shares, k) AS shares,
    argMin(saves, k) AS saves,
    argMin(clicks, k) AS clicks,
    argMin(video_views, k) AS video_views,
    argMin(interactions, k) AS interactions,
    argMin(has_insights, k) AS has_insights
FROM
(
    SELECT cityHash64(platform, post_id) AS post_key, reach, views, reactions, likes, comments, shares, saves, clicks,
        video_views, interactions, has_insights,
        abs(toInt64(slot) - toInt64(published_at) - ?) * 4294967296 + (4294967295 - toUInt64(collected_at)) AS k
    FROM post_metrics
    WHERE published_at >= ? AND published_at < ?`
	qPostsAgeTail = `
)
GROUP BY post_key`

	// perPostColumns is what every per-post subquery yields.
	perPostColumns = `post_key, plat, pid, pub, lt, pday, cur, ctype, unit, chan, camp, reach, views, reactions, likes, comments,
    shares, saves, clicks, video_views, interactions, has_insights`

	// Followers on each channel's publish day (method=followers).
	// Arguments: first day, last day.
	qFollowersJoin = `
ANY LEFT JOIN
(
    SELECT channel_id AS chan, day AS pday, argMax(followers, collected_at) AS followers
    FROM account_metrics
    WHERE day >= ? AND day <= ?
    GROUP BY channel_id, day
) AS f USING (chan, pday)`

	// Figures every grouped report computes; DEN is the method's
	// denominator column (denominators below).
	qFigures = `count() AS n_posts,
    sum(reach) AS s_reach,
    sum(views) AS s_views,
    sum(interactions) AS s_interactions,
    sum(reactions) AS s_reactions,
    sum(likes) AS s_likes,
    sum(comments) AS s_comments,
    sum(shares) AS s_shares,
    sum(saves) AS s_saves,
    sum(clicks) AS s_clicks,
    sum(video_views) AS s_video_views,
    countIf(DEN > 0) AS n_rated,
    sumIf(interactions, DEN > 0) AS s_rated_interactions,
    sumIf(DEN, DEN > 0) AS s_den,
    sumIf(interactions / DEN, DEN > 0) AS s_rate`

	// The units of a unit's subtree, after a unit column (filtersOn).
	// Argument: the unit.
	qInUnit = ` IN (SELECT unit_id FROM units FINAL WHERE has(ancestors, ?))`
	// The units of a filtered channel's posts (chanunits.go): implied by
	// the channel filter, pruned by the sorting key. Argument: the units.
	qChannelUnitsIn = ` AND unit IN ?`
)

// denominators: the per-post denominator column of each method.
var denominators = map[string]string{"reach": "reach", "views": "views", "followers": "followers"}

// groupExprs: the expression each group_by key groups on (over the
// per-post columns), and the Go type it scans into.
var groupExprs = map[string]struct{ expr, kind string }{
	"content_type": {"ctype", "string"},
	"platform":     {"plat", "string"},
	"unit":         {"unit", "uint64"},
	"channel":      {"chan", "uint64"},
	"campaign":     {"camp", "string"},
	"week":         {"toMonday(lt)", "date"},
	"month":        {"toStartOfMonth(lt)", "date"},
}

// sortExprs: top-posts sort keys.
var sortExprs = map[string]string{
	"engagement_rate": "er",
	"reach":           "reach",
	"interactions":    "interactions",
}

var orderWords = map[string]string{"asc": "ASC", "desc": "DESC"}

// sqlBuf builds a statement and its bound arguments in text order.
type sqlBuf struct {
	b    strings.Builder
	args []any
}

func (s *sqlBuf) add(text string, args ...any) *sqlBuf {
	s.b.WriteString(text)
	s.args = append(s.args, args...)
	return s
}

func (s *sqlBuf) String() string { return s.b.String() }

// perPost writes the per-post subquery (one row per post published in
// [start, p.to), each with its latest snapshot or the one nearest q.Age),
// filtered by q, with the channel's followers on the publish day when the
// method needs them. The columns are perPostColumns (+ followers).
func perPost(s *sqlBuf, q Query, p period, start bool) {
	rangeStart := p.from
	if start {
		rangeStart = p.prevFrom
	}
	followers := q.Method == "followers"
	// The read model keeps each post's followers (0042).
	facts := func(from, where string, args ...any) {
		s.add(qPostsFactsHead, p.tz, p.tz, p.from)
		if followers {
			s.add(factsFollowers)
		}
		s.add(from)
		s.add(where, args...)
		s.add("", rangeStart, p.to, rangeStart, p.to.Add(-time.Second))
		platformFilter(s, q)
		havingFilters(s, q, " AND ")
		if q.Channel != 0 && len(p.chanUnits) > 0 {
			s.add(qChannelUnitsIn, clickhouse.GroupSet{Value: keySet(p.chanUnits)})
		}
	}
	if readsFacts(q, p) {
		if q.Age == "latest" {
			facts(qPostsFactsFrom, qPostsFactsWhere, p.gens.latest)
		} else {
			facts(qPostsAgeFactsFrom, qPostsAgeFactsWhere, p.gens.age, ageSeconds[q.Age])
		}
		return
	}
	// Before the first generation: collapse post_latest (and scan
	// post_metrics for a fixed age) and join the followers.
	if followers {
		s.add("SELECT " + perPostColumns + ", followers FROM (\n")
	}
	if q.Age == "latest" {
		s.add(qPostsLatestHead, p.tz, p.tz, p.from, rangeStart, p.to)
		platformFilter(s, q)
		s.add(qPostsAttrsJoin)
		havingFilters(s, q, "\nWHERE ")
	} else {
		s.add("SELECT " + perPostColumns + " FROM (\n")
		s.add(qPostsDimsHead, p.tz, p.tz, p.from, rangeStart, p.to)
		platformFilter(s, q)
		s.add(qPostsAttrsJoin)
		havingFilters(s, q, "\nWHERE ")
		s.add("\n) AS d\nALL INNER JOIN\n(\n") // one row per post on each side
		s.add(qPostsAgeHead, ageSeconds[q.Age], rangeStart, p.to)
		platformFilter(s, q)
		s.add(qPostsAgeTail)
		s.add("\n) AS a USING post_key")
	}
	if followers {
		first := rangeStart.In(p.loc)
		last := p.to.Add(-time.Second).In(p.loc)
		s.add("\n) AS p"+qFollowersJoin, dateOnly(first), dateOnly(last))
	}
}

// readsFacts reports whether perPost reads the read model (post_facts or
// post_age_facts) for q.
func readsFacts(q Query, p period) bool {
	return (q.Age == "latest" && p.gens.latest != 0) || (q.Age != "latest" && p.gens.age != 0)
}

// keySet is keys as the values of a bound set.
func keySet(keys []uint64) []any {
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out
}

func platformFilter(s *sqlBuf, q Query) {
	if q.Platform != "" {
		s.add(" AND platform = ?", q.Platform)
	}
}

// havingFilters adds the attribute filters over perPost's columns; the
// first one starts with first (" AND " after an existing WHERE, "\nWHERE "
// otherwise).
func havingFilters(s *sqlBuf, q Query, first string) { filtersOn(s, q, first, perPostNames) }

// filterNames are the columns the attribute filters compare: perPost's
// names, or the read model's own columns in a statement without perPost's
// subquery (flat.go).
type filterNames struct{ ctype, channel, camp, unit string }

var (
	perPostNames = filterNames{"ctype", "chan", "camp", "unit"}
	factsNames   = filterNames{"content_type", "channel_id", "campaign", "unit_id"}
)

// filtersOn adds q's content type, channel, campaign and unit filters
// over the columns n names, the first one starting with first.
func filtersOn(s *sqlBuf, q Query, first string, n filterNames) {
	sep := first
	next := func() string { t := sep; sep = " AND "; return t }
	if q.ContentType != "" {
		s.add(next()+n.ctype+" = ?", q.ContentType)
	}
	if q.Channel != 0 {
		s.add(next()+n.channel+" = ?", q.Channel)
	}
	if q.Campaign != "" {
		s.add(next()+n.camp+" = ?", q.Campaign)
	}
	if q.Unit != 0 {
		s.add(next()+n.unit+qInUnit, q.Unit)
	}
}

// figures is qFigures with the method's denominator.
func figures(method string) string {
	return strings.ReplaceAll(qFigures, "DEN", denominators[method])
}

// dateOnly is a local calendar date as text, compared with a Date column.
func dateOnly(t time.Time) string { return t.Format(DateLayout) }
