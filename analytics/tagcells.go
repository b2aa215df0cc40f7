package analytics

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Hashtag cells (post_tag_cells, store/chmigrations/0041): the cells of
// post_cells per hashtag, at two levels: every platform (32) and one
// platform (36). The hashtag report reads them unless it filters by
// unit, channel, content type or campaign (levels keeping those would
// have about as many cells as (post, hashtag) pairs): then it reads the
// posts.

// Hashtag cell levels (post_tag_cells.lvl).
const (
	tagLevel         = 32
	tagPlatformLevel = tagLevel | dimPlatform
)

const (
	tagCellColumns = `gen, age, tz, lvl, grain, day, frag_first, frag_last, platform, tag,
    posts, reach, views, interactions, reactions, likes, comments, shares, saves, clicks, video_views, r_posts, r_inter,
    r_den, r_rate, v_posts, v_inter, v_den, v_rate, f_posts, f_inter, f_den, f_rate`

	// The hashtags of generation gen's posts (lower-cased, one row per
	// hashtag, a hashtag written twice twice), from each post's latest
	// posts row, with the post's unit in the generation (0044), as
	// qPostHashtags reads them for one period. ALL: post_facts has one row
	// a post, and ANY INNER JOIN keeps one row per key of the left side
	// too since ClickHouse 20.1 (one hashtag a post). Arguments: gen, gen,
	// gen.
	qBuildPostTags = `INSERT INTO post_tags (gen, published_at, post_key, unit_id, tag)
SELECT ?, published_at, post_key, unit_id, lower(ht)
FROM
(
    SELECT cityHash64(platform, post_id) AS post_key, argMax(published_at, version) AS published_at,
        argMax(hashtags, version) AS tags
    FROM posts
    WHERE cityHash64(platform, post_id) IN (SELECT post_key FROM post_facts WHERE gen = ?)
    GROUP BY post_key
) AS p
ARRAY JOIN tags AS ht
ALL INNER JOIN (SELECT post_key, unit_id FROM post_facts WHERE gen = ?) AS f USING post_key`
	qDropPostTagsGen = `ALTER TABLE post_tags DROP PARTITION ?`

	// The hashtags of a generation's posts published in a period, with
	// the month condition the sorting key prunes by (18.16 does not derive
	// it from the published_at range). Arguments: gen, range start, range
	// end, range start, the range's last second. A report filtered by a
	// unit or channel adds qTagsUnitFilter or qTagsUnitsIn.
	qGenPostHashtags = `SELECT post_key, tag FROM post_tags WHERE gen = ?` + factsRange
	// The unit condition of filtersOn (qInUnit) and qChannelUnitsIn on post_tags:
	// the join keeps the same rows, the read skips the other units'.
	qTagsUnitFilter = ` AND unit_id IN (SELECT unit_id FROM units FINAL WHERE has(ancestors, ?))`
	qTagsUnitsIn    = ` AND unit_id IN ?`

	// Day cells of level 36 (platform, hashtag) from the posts of a
	// generation (every age) and their hashtags. ALL: a row per hashtag
	// of a post on the right. Arguments: gen, tz, then cellPosts', gen.
	qTagCellsByPlatform = `INSERT INTO post_tag_cells (` + tagCellColumns + `)
SELECT ?, age, ?, 36, 0, pday, ` + cellFragment + `, plat, tag,
    ` + cellPostSums + `
FROM` + cellPosts + ` AS p
ALL INNER JOIN
(
    SELECT post_key, tag FROM post_tags WHERE gen = ?
) AS t USING post_key
GROUP BY age, pday, plat, tag`

	// The fragments of level 36 and the days and fragments of level 32,
	// summed from level 36's day cells, as deriveCells does for post_cells.
	// Arguments: gen, tz.
	qDeriveTagCells = `INSERT INTO post_tag_cells (` + tagCellColumns + `)
SELECT gen, age, tz, tupleElement(lg, 1) AS nl, tupleElement(lg, 2) AS ng, if(ng = 0, day, frag_first) AS nday, frag_first,
    any(frag_last), if(bitAnd(nl, 4) = 0, '', platform) AS cp, tag,
    ` + cellSums + `
FROM
(
    SELECT *, arrayJoin([(36, 1), (32, 0), (32, 1)]) AS lg
    FROM post_tag_cells
    WHERE gen = ? AND tz = ? AND grain = 0 AND lvl = 36
)
GROUP BY gen, age, tz, nl, ng, nday, frag_first, cp, tag`

	qDropTagCellGen = `ALTER TABLE post_tag_cells DROP PARTITION ?`

	// The hashtag cells of a period: the fragments it covers whole and
	// the days of those it covers in part (partDays), with the per-post
	// column names; M is the method's column prefix (only its columns are
	// named: see cellRows). Arguments: gen, age, tz, level, first day,
	// last day, last day, then the two day ranges (first and last day
	// each).
	qTagCellsHead = `SELECT tag, posts, reach, views, interactions, reactions, likes, comments, shares, saves, clicks,
    video_views, M_posts, M_inter, M_den, M_rate
FROM post_tag_cells
WHERE gen = ? AND age = ? AND tz = ? AND lvl = ?
    AND ((grain = 1 AND day >= ? AND day <= ? AND frag_last <= ?)
        OR (grain = 0 AND ((day >= ? AND day <= ?) OR (day >= ? AND day <= ?))))`
)

// buildPostTags writes generation gen's post_tags (once, before the
// cells of its time zones: a generation's cells are built by one process,
// once).
func (s *Service) buildPostTags(ctx context.Context, gen uint32) error {
	if err := s.ch.Exec(ctx, qBuildPostTags, gen, gen, gen); err != nil {
		return fmt.Errorf("build post_tags of generation %d: %w", gen, err)
	}
	return nil
}

// buildTagCells builds generation gen's hashtag cells in time zone tz
// (from its post_tags).
func (s *Service) buildTagCells(ctx context.Context, gen uint32, tz string) error {
	if err := s.ch.Exec(ctx, qTagCellsByPlatform, gen, tz, tz, gen, tz, gen, gen); err != nil {
		return fmt.Errorf("build hashtag cells of generation %d (%s): %w", gen, tz, err)
	}
	if err := s.ch.Exec(ctx, qDeriveTagCells, gen, tz); err != nil {
		return fmt.Errorf("derive hashtag cells of generation %d (%s): %w", gen, tz, err)
	}
	return nil
}

// tagCellLevel is the hashtag cell level a hashtag report of q over p
// reads, when the period's generation has hashtag cells in its time zone,
// the service reads cells and q filters by nothing but the platform.
func (s *Service) tagCellLevel(q Query, p period) (uint8, bool) {
	if s.noCells || p.gens.latest == 0 || p.gens.age != p.gens.latest || !slices.Contains(strings.Split(p.gens.tagZones, ","), p.tz) {
		return 0, false
	}
	if q.Unit != 0 || q.Channel != 0 || q.ContentType != "" || q.Campaign != "" {
		return 0, false
	}
	if q.Platform != "" {
		return tagPlatformLevel, true
	}
	return tagLevel, true
}

// tagCellRows writes the subquery of the hashtag cells of p's period at
// level lvl, filtered by q's platform.
func tagCellRows(s *sqlBuf, q Query, p period, lvl uint8) {
	from, to := p.fromDate, p.toDate
	args := []any{p.gens.latest, uint32(ageSeconds[q.Age]), p.tz, lvl, dateOnly(from), dateOnly(to), dateOnly(to)}
	for _, r := range partDays(from, to) {
		args = append(args, dateOnly(r[0]), dateOnly(r[1]))
	}
	s.add(strings.ReplaceAll(qTagCellsHead, "M_", methodPrefix[q.Method]+"_"), args...)
	platformFilter(s, q)
}

// postTagsBuilt says whether p's generation has its post_tags: its
// hashtag cells are recorded for some time zone (built after them).
func (s *Service) postTagsBuilt(p period) bool {
	return !s.noCells && p.gens.latest != 0 && p.gens.age == p.gens.latest && p.gens.tagZones != ""
}
