package analytics

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"golang.org/x/sync/errgroup"
)

// PostRow is one post of a top/bottom list.
type PostRow struct {
	Platform       string    `json:"platform"`
	PostID         string    `json:"post_id"`
	PublishedAt    time.Time `json:"published_at"`
	ContentType    string    `json:"content_type"`
	Channel        uint64    `json:"channel"`
	ChannelName    string    `json:"channel_name"`
	Unit           uint64    `json:"unit"`
	Campaign       string    `json:"campaign"`
	Permalink      string    `json:"permalink"`
	Caption        string    `json:"caption_excerpt"`
	Thumbnail      string    `json:"thumbnail_url"`
	HumasPostID    uint64    `json:"humas_post_id"`
	Reach          uint64    `json:"reach"`
	Views          uint64    `json:"views"`
	Interactions   uint64    `json:"interactions"`
	Reactions      uint64    `json:"reactions"`
	Likes          uint64    `json:"likes"`
	Comments       uint64    `json:"comments"`
	Shares         uint64    `json:"shares"`
	Saves          uint64    `json:"saves"`
	Clicks         uint64    `json:"clicks"`
	VideoViews     uint64    `json:"video_views"`
	Denominator    uint64    `json:"denominator"`
	EngagementRate *float64  `json:"engagement_rate"`
}

// PostsReport answers GET /engagement/posts.
type PostsReport struct {
	Method     string     `json:"method"`
	Age        string     `json:"age"`
	From       string     `json:"from"`
	To         string     `json:"to"`
	Timezone   string     `json:"timezone"`
	Sort       string     `json:"sort"`
	Order      string     `json:"order"`
	Definition Definition `json:"definition"`
	Posts      []PostRow  `json:"posts"`
}

// qPostDetails reads the listed posts' links and captions. PREWHERE: the
// other columns (captions above all) are read only for the granules that
// hold a listed post; 18.16 does not move an IN over a set there itself
// and read every caption (36 MiB instead of 5 on the 10 M benchmark).
const qPostDetails = `SELECT platform, post_id, argMax(permalink, version), argMax(caption, version),
    argMax(thumbnail_url, version), argMax(humas_post_id, version)
FROM posts
PREWHERE post_id IN ?
GROUP BY platform, post_id`

// captionExcerpt is how many characters of a caption a list shows.
const captionExcerpt = 120

// TopPosts lists posts by q.Sort in q.Order, at most q.Limit. Sorting by
// engagement_rate leaves out posts without a denominator.
func (s *Service) TopPosts(ctx context.Context, q Query) (*PostsReport, error) {
	return remember(ctx, s, "posts", q, func(ctx context.Context) (*PostsReport, error) {
		return s.topPosts(ctx, q)
	})
}

func (s *Service) topPosts(ctx context.Context, q Query) (*PostsReport, error) {
	p, err := s.resolve(ctx, q, 30)
	if err != nil {
		return nil, err
	}
	rep := &PostsReport{Method: q.Method, Age: q.Age, From: p.fromDate.Format(DateLayout), To: p.toDate.Format(DateLayout),
		Timezone: p.tz, Sort: q.Sort, Order: q.Order, Definition: definition(q.Method, q.Age, p.tz), Posts: []PostRow{}}
	// On the read model, the list's posts are found first from the few
	// columns the order needs (topKeys), then read whole by key while their
	// links and captions are read beside: on a year of the 10 M benchmark
	// (18.16) the key step takes 8-11 ms, the list 5-8 and the details 5-6,
	// against 17 ms for one pass over every column.
	var keys []uint64
	var ids []any
	var details map[string]postDetail
	g, gctx := errgroup.WithContext(ctx)
	var b sqlBuf
	if readsFacts(q, p) {
		if keys, ids, err = s.topKeys(ctx, q, p); err != nil {
			return nil, err
		}
		if len(keys) == 0 {
			return rep, nil
		}
		g.Go(func() error {
			var err error
			details, err = s.postDetails(gctx, ids)
			return err
		})
		topListOf(&b, q, p, keys)
	} else {
		b.add("SELECT plat, pid, pub, ctype, chan, unit, camp, reach, views, interactions, reactions, likes, comments, shares, saves," +
			" clicks, video_views, " + topRate(q.Method) + "\nFROM (\n")
		perPost(&b, q, p, false)
		b.add("\n)")
		topFilter(&b, q)
		topOrder(&b, q)
	}
	err = s.topList(ctx, &b, rep)
	if werr := g.Wait(); err == nil {
		err = werr
	}
	if err != nil {
		return nil, err
	}
	if len(rep.Posts) == 0 {
		return rep, nil
	}
	if details == nil { // the list was read in one step
		ids = make([]any, 0, len(rep.Posts))
		for _, r := range rep.Posts {
			ids = append(ids, r.PostID)
		}
		if details, err = s.postDetails(ctx, ids); err != nil {
			return nil, err
		}
	}
	names, err := s.names(ctx, qChannelNames)
	if err != nil {
		return nil, err
	}
	for i := range rep.Posts {
		r := &rep.Posts[i]
		d := details[r.Platform+"/"+r.PostID]
		r.Permalink, r.Caption = d.permalink, excerpt(d.caption, captionExcerpt)
		r.Thumbnail, r.HumasPostID = d.thumbnail, d.humas
		r.ChannelName = names[r.Channel]
	}
	return rep, nil
}

// topList runs the list's query and adds its rows to rep.
func (s *Service) topList(ctx context.Context, b *sqlBuf, rep *PostsReport) error {
	rows, err := s.ch.Query(ctx, b.String(), b.args...)
	if err != nil {
		return fmt.Errorf("top posts query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r PostRow
		var er float64
		if err := rows.Scan(&r.Platform, &r.PostID, &r.PublishedAt, &r.ContentType, &r.Channel, &r.Unit, &r.Campaign,
			&r.Reach, &r.Views, &r.Interactions, &r.Reactions, &r.Likes, &r.Comments, &r.Shares, &r.Saves, &r.Clicks,
			&r.VideoViews, &r.Denominator, &er); err != nil {
			return fmt.Errorf("top posts scan: %w", err)
		}
		if r.Denominator > 0 {
			r.EngagementRate = &er
		}
		r.PublishedAt = r.PublishedAt.UTC()
		rep.Posts = append(rep.Posts, r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("top posts rows: %w", err)
	}
	return nil
}

// topRate is the list's denominator and rate columns (den, er) for method.
func topRate(method string) string {
	return "toUInt64(" + denominators[method] + ") AS den, if(den > 0, interactions / den, 0) AS er"
}

// topFilter leaves out the posts a list sorted by rate does not rank
// (over den).
func topFilter(b *sqlBuf, q Query) {
	if q.Sort == "engagement_rate" {
		b.add("\nWHERE den > 0")
	}
}

// topOrder is the list's order and length (over er, pub, pid, plat and
// the sort column). The order is total (a post is its platform and id);
// topKeys' first pass orders by less and reads again with this order when
// that could pick other posts.
func topOrder(b *sqlBuf, q Query) {
	b.add("\nORDER BY "+sortExprs[q.Sort]+" "+orderWords[q.Order]+", pub DESC, pid, plat\nLIMIT ?", q.Limit)
}

// postDetail is a post's link, caption and thumbnail, and the humas post
// that published it.
type postDetail struct {
	permalink, caption, thumbnail string
	humas                         uint64
}

// postDetails reads the details of the posts with the given ids, keyed
// by platform/id.
func (s *Service) postDetails(ctx context.Context, ids []any) (map[string]postDetail, error) {
	details := map[string]postDetail{}
	rows, err := s.ch.Query(ctx, qPostDetails, clickhouse.GroupSet{Value: ids})
	if err != nil {
		return nil, fmt.Errorf("post details: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var platform, id string
		var d postDetail
		if err := rows.Scan(&platform, &id, &d.permalink, &d.caption, &d.thumbnail, &d.humas); err != nil {
			return nil, fmt.Errorf("post details scan: %w", err)
		}
		details[platform+"/"+id] = d
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("post details rows: %w", err)
	}
	return details, nil
}

func excerpt(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
