package analytics

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The cells read model (store/chmigrations/0040): additive sums of the
// posts of a generation by local day or fragment and by the dimensions a
// level keeps. Grouped reports (engagement, campaigns, the office roll-up)
// read the smallest level that keeps every dimension they group or filter
// by; a report no level covers (a unit or channel with a content type or
// campaign, a time zone no cells were built for) reads the posts.

// Dimension bits of a cell level (post_cells.lvl).
const (
	dimUnit     = 1
	dimChannel  = 2
	dimPlatform = 4
	dimType     = 8
	dimCampaign = 16
)

// cellLevels are the levels built, smallest first (the order reports pick
// in). Levels with a unit or channel and a content type or campaign are
// left out: they have about as many cells as posts. A channel belongs to
// one unit and platform, so the channel level serves reports by unit too.
var cellLevels = []uint8{
	0, dimPlatform, dimType, dimCampaign, dimPlatform | dimType, dimPlatform | dimCampaign, dimType | dimCampaign,
	dimPlatform | dimType | dimCampaign,
	dimUnit | dimChannel | dimPlatform, // by unit too: a level by unit alone would have as many cells here
}

// groupDims: the dimension each group key needs (week and month are times).
var groupDims = map[string]uint8{"content_type": dimType, "platform": dimPlatform, "unit": dimUnit, "channel": dimChannel,
	"campaign": dimCampaign}

// maxCellZones bounds the time zones cells are built for per generation.
const maxCellZones = 8

// cellChildren says which levels are summed from which: levels 7 (unit,
// channel, platform) and 28 (platform, content type, campaign) are summed
// from the posts, the others from one of them (keeping every dimension
// they keep, with few cells).
var cellChildren = map[uint8][]uint8{
	dimUnit | dimChannel | dimPlatform: nil,
	dimPlatform | dimType | dimCampaign: {dimType | dimCampaign, dimPlatform | dimCampaign, dimPlatform | dimType, dimCampaign,
		dimType, dimPlatform, 0},
}

const (
	cellColumns = `gen, age, tz, lvl, grain, day, frag_first, frag_last, unit_id, channel_id, platform, content_type, campaign,
    posts, reach, views, interactions, reactions, likes, comments, shares, saves, clicks, video_views, r_posts, r_inter,
    r_den, r_rate, v_posts, v_inter, v_den, v_rate, f_posts, f_inter, f_den, f_rate`

	// The per-post rows of a generation (every age) with the local day
	// and the channel's followers that day (kept by the read model, see
	// factsFollowers). Arguments: tz, gen, tz, gen.
	cellPosts = `
(
    SELECT toUInt32(0) AS age, post_key, toDate(published_at, ?) AS pday, unit_id AS unit, channel_id AS chan,
        platform AS plat, content_type AS ctype, campaign AS camp, reach, views, interactions, reactions, likes, comments,
        shares, saves, clicks, video_views
    ` + factsFollowers + `    FROM post_facts
    WHERE gen = ?
    UNION ALL
    SELECT age, post_key, toDate(published_at, ?) AS pday, unit_id AS unit, channel_id AS chan, platform AS plat,
        content_type AS ctype, campaign AS camp, reach, views, interactions, reactions, likes, comments, shares, saves,
        clicks, video_views
    ` + factsFollowers + `    FROM post_age_facts
    WHERE gen = ?
)`

	// The sums of a cell, from posts.
	cellPostSums = `count(), sum(reach), sum(views), sum(interactions), sum(reactions), sum(likes), sum(comments), sum(shares),
    sum(saves), sum(clicks), sum(video_views),
    countIf(reach > 0), sumIf(interactions, reach > 0), sumIf(reach, reach > 0), sumIf(interactions / reach, reach > 0),
    countIf(views > 0), sumIf(interactions, views > 0), sumIf(views, views > 0), sumIf(interactions / views, views > 0),
    countIf(followers > 0), sumIf(interactions, followers > 0), sumIf(followers, followers > 0),
    sumIf(interactions / followers, followers > 0)`

	// A day's fragment: the days its week and its month share.
	cellFragment = `greatest(toMonday(pday), toStartOfMonth(pday)), least(toMonday(pday) + 6, addMonths(toStartOfMonth(pday), 1) - 1)`

	// Day cells of level 7 (unit, channel, platform) from the posts.
	// Arguments: gen, tz, then cellPosts'.
	qCellsByChannel = `INSERT INTO post_cells (` + cellColumns + `)
SELECT ?, age, ?, 7, 0, pday, ` + cellFragment + `, unit, chan, plat, '', '',
    ` + cellPostSums + `
FROM` + cellPosts + `
GROUP BY age, pday, unit, chan, plat`

	// Day cells of level 28 (platform, content type, campaign) from the
	// posts. Arguments: gen, tz, then cellPosts'.
	qCellsByType = `INSERT INTO post_cells (` + cellColumns + `)
SELECT ?, age, ?, 28, 0, pday, ` + cellFragment + `, 0, 0, plat, ctype, camp,
    ` + cellPostSums + `
FROM` + cellPosts + `
GROUP BY age, pday, plat, ctype, camp`

	// cellSums are the additive columns of a cell, summed.
	cellSums = `sum(posts), sum(reach), sum(views), sum(interactions), sum(reactions), sum(likes), sum(comments),
    sum(shares), sum(saves), sum(clicks), sum(video_views), sum(r_posts), sum(r_inter), sum(r_den), sum(r_rate),
    sum(v_posts), sum(v_inter), sum(v_den), sum(v_rate), sum(f_posts), sum(f_inter), sum(f_den), sum(f_rate)`

	// Arguments: gen, tz, built_at, took_ms, gen, tz. tags = 1: the
	// generation's hashtag cells (post_tag_cells) are complete too.
	qRecordCells = `INSERT INTO post_cells_gens (gen, tz, cells, built_at, took_ms, tags)
SELECT ?, ?, count(), ?, ?, 1 FROM post_cells WHERE gen = ? AND tz = ?`
	qDropCellGen = `ALTER TABLE post_cells DROP PARTITION ?`
	// A generation's cells are written by several inserts, a part each per
	// time zone; merged into one part, a report's read opens and
	// decompresses each column once instead of once per part (a
	// whole-year report on the 10 M data set: 16-20 ms of ClickHouse
	// time with four parts, 8-14 ms with one). Argument: gen.
	qMergeCells    = `OPTIMIZE TABLE post_cells PARTITION ? FINAL`
	qMergeTagCells = `OPTIMIZE TABLE post_tag_cells PARTITION ? FINAL`
	// mergeCellsTimeout bounds the merge (about a second on the 10 M data
	// set): a report never waits for it, but a refresh does.
	mergeCellsTimeout = time.Minute
	// The time zones cells exist for in a generation, and whether its
	// hashtag cells do too. Argument: gen.
	qCellZones = `SELECT tz, max(tags) FROM post_cells_gens WHERE gen = ? GROUP BY tz ORDER BY tz`
	// The time zones of the mirrored units (the newest mirror of each).
	qUnitZones = `SELECT DISTINCT tz FROM (SELECT argMax(timezone, version) AS tz FROM units GROUP BY unit_id)`

	// The cells a period reads, as rows with the per-post column names
	// the group expressions use (lt is the day: week and month groups
	// take toMonday/toStartOfMonth of it): the fragments the current or
	// the previous period covers whole, and the days of the fragments
	// they cover in part (at most two day ranges per period, see
	// partDays). The columns are qCellsCur, the day for week and month
	// groups, the dimensions a report groups or filters by (cellDims)
	// and qCellsFigures, then qCellsWhere. Arguments: current first day,
	// gen, age, tz, level, then per period (current, previous) its first
	// day, last day, last day, then the four day ranges (first and last
	// day each).
	qCellsCur     = `SELECT day >= ? AS cur, `
	qCellsFigures = `posts, reach, views, interactions, reactions, likes, comments, shares, saves,
    clicks, video_views, M_posts, M_inter, M_den, M_rate`
	qCellsWhere = `
FROM post_cells
WHERE gen = ? AND age = ? AND tz = ? AND lvl = ?
    AND ((grain = 1 AND ((day >= ? AND day <= ? AND frag_last <= ?) OR (day >= ? AND day <= ? AND frag_last <= ?)))
        OR (grain = 0 AND ((day >= ? AND day <= ?) OR (day >= ? AND day <= ?) OR (day >= ? AND day <= ?)
            OR (day >= ? AND day <= ?))))`

	// Figures of grouped cells; M is the method's column prefix.
	qCellFigures = `sum(posts) AS n_posts,
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
    sum(M_posts) AS n_rated,
    sum(M_inter) AS s_rated_interactions,
    sum(M_den) AS s_den,
    sum(M_rate) AS s_rate`
)

// Cells derived from the day cells of levels 7 and 28: their
// fragments, and the day and fragment cells of the levels summed from
// them (cellChildren), each in one statement. Arguments: gen, tz.
var (
	qDeriveFromChannel = deriveCells(dimUnit | dimChannel | dimPlatform)
	qDeriveFromType    = deriveCells(dimPlatform | dimType | dimCampaign)
)

// deriveCells is the statement summing the day cells of level from into
// its own fragments and the days and fragments of its children: an array
// of (level, grain) pairs, every row of the source once per pair, with the
// dimensions the pair's level does not keep emptied. The text holds only
// the fixed level numbers.
func deriveCells(from uint8) string {
	pairs := []string{fmt.Sprintf("(%d, 1)", from)}
	for _, l := range cellChildren[from] {
		pairs = append(pairs, fmt.Sprintf("(%d, 0)", l), fmt.Sprintf("(%d, 1)", l))
	}
	return `INSERT INTO post_cells (` + cellColumns + `)
SELECT gen, age, tz, tupleElement(lg, 1) AS nl, tupleElement(lg, 2) AS ng, if(ng = 0, day, frag_first) AS nday, frag_first,
    any(frag_last), if(bitAnd(nl, 1) = 0, toUInt64(0), unit_id) AS cu, if(bitAnd(nl, 2) = 0, toUInt64(0), channel_id) AS cc,
    if(bitAnd(nl, 4) = 0, '', platform) AS cp, if(bitAnd(nl, 8) = 0, '', content_type) AS ct,
    if(bitAnd(nl, 16) = 0, '', campaign) AS ck,
    ` + cellSums + `
FROM
(
    SELECT *, arrayJoin([` + strings.Join(pairs, ", ") + `]) AS lg
    FROM post_cells
    WHERE gen = ? AND tz = ? AND grain = 0 AND lvl = ` + fmt.Sprint(from) + `
)
GROUP BY gen, age, tz, nl, ng, nday, frag_first, cu, cc, cp, ct, ck`
}

// methodPrefix: each method's columns in post_cells.
var methodPrefix = map[string]string{"reach": "r", "views": "v", "followers": "f"}

// buildCells builds the cells of generation gen (its post_facts and
// post_age_facts rows) for the default time zone and every unit's, and
// records each time zone's cells as complete.
func (s *Service) buildCells(ctx context.Context, gen uint32) error {
	zones, err := s.cellZones(ctx)
	if err != nil {
		return err
	}
	// As the per-post build: a deadline, not the read timeout (refresh.go).
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	if err := s.buildPostTags(ctx, gen); err != nil {
		return err
	}
	for _, tz := range zones {
		start := time.Now()
		for _, q := range []string{qCellsByChannel, qCellsByType} {
			if err := s.ch.Exec(ctx, q, gen, tz, tz, gen, tz, gen); err != nil {
				return fmt.Errorf("build cells of generation %d (%s): %w", gen, tz, err)
			}
		}
		for _, q := range []string{qDeriveFromChannel, qDeriveFromType} {
			if err := s.ch.Exec(ctx, q, gen, tz); err != nil {
				return fmt.Errorf("derive cells of generation %d (%s): %w", gen, tz, err)
			}
		}
		if err := s.buildTagCells(ctx, gen, tz); err != nil {
			return err
		}
		took := time.Since(start)
		if err := s.ch.Exec(ctx, qRecordCells, gen, tz, s.now().UTC().Truncate(time.Second), uint64(took.Milliseconds()),
			gen, tz); err != nil {
			return fmt.Errorf("record cells of generation %d (%s): %w", gen, tz, err)
		}
		s.log.DebugContext(ctx, "analytics cells built", "generation", gen, "tz", tz, "took_ms", took.Milliseconds())
	}
	s.mergeCells(ctx, gen)
	return nil
}

// mergeCells merges gen's cells into one part per table. It only makes
// reads faster: if it fails, the cells are complete all the same. Over
// replicas (clickhouse.cluster) it is left to the replicas' own merges:
// OPTIMIZE on a replicated table is coordinated through ZooKeeper and
// waits while a replica is down.
func (s *Service) mergeCells(ctx context.Context, gen uint32) {
	if s.ch.Cluster() != "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, mergeCellsTimeout)
	defer cancel()
	for _, q := range []string{qMergeCells, qMergeTagCells} {
		if err := s.ch.Exec(ctx, q, gen); err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "analytics cells not merged; reports read them a little slower", "generation", gen, "err", err)
		}
	}
}

// cellZones are the time zones reports use: the default and every unit's
// that Go knows, at most maxCellZones.
func (s *Service) cellZones(ctx context.Context) ([]string, error) {
	rows, err := s.ch.Query(ctx, qUnitZones)
	if err != nil {
		return nil, fmt.Errorf("read unit time zones: %w", err)
	}
	defer rows.Close()
	zones := []string{s.tz}
	for rows.Next() {
		var tz string
		if err := rows.Scan(&tz); err != nil {
			return nil, fmt.Errorf("scan unit time zone: %w", err)
		}
		if _, err := time.LoadLocation(tz); tz == "" || err != nil || slices.Contains(zones, tz) {
			continue
		}
		zones = append(zones, tz)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read unit time zones: %w", err)
	}
	slices.Sort(zones[1:])
	return zones[:min(len(zones), maxCellZones)], nil
}

// readCellZones reads the time zones generation gen has cells for, and
// those it has hashtag cells for, each as the sorted list joined by
// commas ("" for none).
func (s *Service) readCellZones(ctx context.Context, gen uint32) (cells, tags string, err error) {
	rows, err := s.ch.Query(ctx, qCellZones, gen)
	if err != nil {
		return "", "", fmt.Errorf("read cell time zones of generation %d: %w", gen, err)
	}
	defer rows.Close()
	var zones, tagZones []string
	for rows.Next() {
		var tz string
		var hasTags uint8
		if err := rows.Scan(&tz, &hasTags); err != nil {
			return "", "", fmt.Errorf("scan cell time zone: %w", err)
		}
		zones = append(zones, tz)
		if hasTags == 1 {
			tagZones = append(tagZones, tz)
		}
	}
	return strings.Join(zones, ","), strings.Join(tagZones, ","), rows.Err()
}

// cellLevel picks the smallest cell level that keeps every dimension q
// groups or filters by, when the period's generation has cells in its
// time zone and the service reads cells.
func (s *Service) cellLevel(q Query, p period) (uint8, bool) {
	if s.noCells || p.gens.latest == 0 || p.gens.age != p.gens.latest || !slices.Contains(strings.Split(p.gens.cellZones, ","), p.tz) {
		return 0, false
	}
	need := neededDims(q)
	for _, l := range cellLevels {
		if l&need == need {
			return l, true
		}
	}
	return 0, false
}

// neededDims is every dimension q groups or filters by.
func neededDims(q Query) uint8 {
	var need uint8
	for _, k := range q.GroupBy {
		need |= groupDims[k]
	}
	if q.Platform != "" {
		need |= dimPlatform
	}
	if q.Unit != 0 {
		need |= dimUnit
	}
	if q.Channel != 0 {
		need |= dimChannel
	}
	if q.ContentType != "" {
		need |= dimType
	}
	if q.Campaign != "" {
		need |= dimCampaign
	}
	return need
}

// cellDims are the cell columns of the dimensions, under the per-post
// names, in the order the subquery names them.
var cellDims = []struct {
	dim uint8
	col string // the column and its alias
}{
	{dimUnit, "unit_id AS unit"}, {dimChannel, "channel_id AS chan"}, {dimPlatform, "platform AS plat"},
	{dimType, "content_type AS ctype"}, {dimCampaign, "campaign AS camp"},
}

// cellRows writes the subquery of the cells a report of q over p reads
// at level lvl (the current period and the one before), filtered by q.
// It names only the columns q uses: 18.16 analyses every column a
// subquery names, used or not, and naming all thirty of a cell made a
// read of a thousand cells cost it 7-9 ms of CPU against 5 ms.
func cellRows(s *sqlBuf, q Query, p period, lvl uint8) {
	age := uint32(ageSeconds[q.Age]) // 0 for latest
	from, to := p.fromDate, p.toDate
	pfrom, pto := p.prevFromDate, p.prevToDate
	args := []any{dateOnly(from), p.gens.latest, age, p.tz, lvl,
		dateOnly(from), dateOnly(to), dateOnly(to), dateOnly(pfrom), dateOnly(pto), dateOnly(pto)}
	for _, r := range append(partDays(from, to), partDays(pfrom, pto)...) {
		args = append(args, dateOnly(r[0]), dateOnly(r[1]))
	}
	var head strings.Builder
	head.WriteString(qCellsCur)
	if slices.Contains(q.GroupBy, "week") || slices.Contains(q.GroupBy, "month") {
		head.WriteString("day AS lt, ") // their group expressions take the day
	}
	need := neededDims(q)
	for _, d := range cellDims {
		if need&d.dim != 0 {
			head.WriteString(d.col + ", ")
		}
	}
	head.WriteString(strings.ReplaceAll(qCellsFigures, "M_", methodPrefix[q.Method]+"_"))
	head.WriteString(qCellsWhere)
	s.add(head.String(), args...)
	platformFilter(s, q)
	havingFilters(s, q, " AND ")
}

// fragment is the first and last day of d's fragment (post_cells): the
// days its ISO week and its month share.
func fragment(d time.Time) (first, last time.Time) {
	monday := d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	month := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	first, last = monday, monday.AddDate(0, 0, 6)
	if month.After(first) {
		first = month
	}
	if end := month.AddDate(0, 1, -1); end.Before(last) {
		last = end
	}
	return first, last
}

// partDays are the days of [from, to] (calendar dates) whose fragment the
// period does not cover whole: those of its first and of its last
// fragment, when partly outside. Always two ranges, an empty one ending
// before it starts.
func partDays(from, to time.Time) [][2]time.Time {
	none := [2]time.Time{to.AddDate(0, 0, 1), to}
	out := [][2]time.Time{none, none}
	ff, fl := fragment(from)
	if !ff.Equal(from) || fl.After(to) {
		out[0] = [2]time.Time{from, minTime(fl, to)}
	}
	lf, ll := fragment(to)
	if lf.After(fl) && (!ll.Equal(to) || lf.Before(from)) {
		out[1] = [2]time.Time{maxTime(lf, from), to}
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// cellFigures is qCellFigures with the method's columns.
func cellFigures(method string) string {
	return strings.ReplaceAll(qCellFigures, "M_", methodPrefix[method]+"_")
}
