package analytics

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// HashtagRow is the figures of posts carrying one hashtag (a post with
// several hashtags counts under each).
type HashtagRow struct {
	Hashtag string `json:"hashtag"`
	Figures
}

// HashtagsReport answers GET /engagement/hashtags.
type HashtagsReport struct {
	Method     string       `json:"method"`
	Age        string       `json:"age"`
	From       string       `json:"from"`
	To         string       `json:"to"`
	Timezone   string       `json:"timezone"`
	Definition Definition   `json:"definition"`
	Rows       []HashtagRow `json:"rows"`
}

// Hashtags per post, lower-cased, from the latest posts row. Arguments:
// range start, range end.
const qPostHashtags = `SELECT post_key, lower(ht) AS tag
FROM
(
    SELECT cityHash64(platform, post_id) AS post_key, argMax(hashtags, version) AS tags
    FROM posts
    WHERE published_at >= ? AND published_at < ?
    GROUP BY post_key
)
ARRAY JOIN tags AS ht`

// Hashtags gives the figures per hashtag, the most used first (at most
// q.Limit hashtags).
func (s *Service) Hashtags(ctx context.Context, q Query) (*HashtagsReport, error) {
	return remember(ctx, s, "hashtags", q, func(ctx context.Context) (*HashtagsReport, error) {
		return s.hashtags(ctx, q)
	})
}

func (s *Service) hashtags(ctx context.Context, q Query) (*HashtagsReport, error) {
	p, err := s.resolve(ctx, q, 30)
	if err != nil {
		return nil, err
	}
	var b sqlBuf
	if lvl, ok := s.tagCellLevel(q, p); ok {
		b.add("SELECT tag, " + cellFigures(q.Method) + "\nFROM (\n")
		tagCellRows(&b, q, p, lvl)
		b.add("\n)")
	} else {
		// ALL: one row per hashtag of a post on the left, one row per post
		// on the right. (ANY INNER JOIN kept one hashtag per post since 20.1.)
		if s.postTagsBuilt(p) {
			b.add("SELECT tag, "+figures(q.Method)+"\nFROM (\n"+qGenPostHashtags, p.gens.latest, p.from, p.to, p.from,
				p.to.Add(-time.Second))
			if q.Unit != 0 {
				b.add(qTagsUnitFilter, q.Unit)
			}
			if q.Channel != 0 && len(p.chanUnits) > 0 {
				b.add(qTagsUnitsIn, clickhouse.GroupSet{Value: keySet(p.chanUnits)})
			}
			b.add("\n) AS h\nALL INNER JOIN\n(\n")
		} else {
			b.add("SELECT tag, "+figures(q.Method)+"\nFROM (\n"+qPostHashtags+"\n) AS h\nALL INNER JOIN\n(\n", p.from, p.to)
		}
		perPost(&b, q, p, false)
		b.add("\n) AS pp USING post_key")
	}
	b.add("\nGROUP BY tag\nORDER BY n_posts DESC, tag\nLIMIT ?", q.Limit)
	rows, err := s.ch.Query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("hashtags query: %w", err)
	}
	defer rows.Close()
	rep := &HashtagsReport{Method: q.Method, Age: q.Age, From: p.fromDate.Format(DateLayout), To: p.toDate.Format(DateLayout),
		Timezone: p.tz, Definition: definition(q.Method, q.Age, p.tz), Rows: []HashtagRow{}}
	for rows.Next() {
		var r HashtagRow
		var fr figureRow
		if err := rows.Scan(append([]any{&r.Hashtag}, fr.dest()...)...); err != nil {
			return nil, fmt.Errorf("hashtags scan: %w", err)
		}
		r.Figures = fr.figures()
		r.finish(q.Method)
		rep.Rows = append(rep.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("hashtags rows: %w", err)
	}
	return rep, nil
}
