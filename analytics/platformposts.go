package analytics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PlatformPost is a post as the collector found it on a Page or account,
// whether humas published it or not.
type PlatformPost struct {
	Platform    string    `json:"platform"`
	PostID      string    `json:"post_id"`
	Channel     uint64    `json:"channel"`
	ChannelName string    `json:"channel_name"`
	Unit        uint64    `json:"unit"`
	ContentType string    `json:"content_type"`
	MediaType   string    `json:"media_type"`
	Caption     string    `json:"caption"`
	Permalink   string    `json:"permalink"`
	Thumbnail   string    `json:"thumbnail_url"`
	PublishedAt time.Time `json:"published_at"`
	// HumasPostID is the humas post it was published from; 0 for a post
	// published outside humas.
	HumasPostID uint64 `json:"humas_post_id"`
}

// PlatformPostsQuery selects posts published in [From, To).
type PlatformPostsQuery struct {
	From, To time.Time
	// Unit includes the units below it; 0 is every unit.
	Unit    uint64
	Channel uint64
	// ExternalOnly keeps posts published outside humas.
	ExternalOnly bool
	// Limit bounds the answer (default and maximum 2000).
	Limit int
}

// The newest row of each post published in a range. Arguments: range
// start, range end, then the filters, then the limit.
const (
	qPlatformPostsHead = `SELECT platform, post_id, argMax(channel_id, version) AS chan_id, argMax(unit_id, version) AS unit,
    argMax(content_type, version) AS ctype, argMax(media_type, version) AS mtype, argMax(caption, version) AS cap,
    argMax(permalink, version) AS link, argMax(thumbnail_url, version) AS thumb, min(published_at) AS pub,
    argMax(humas_post_id, version) AS humas_id
FROM posts
WHERE published_at >= ? AND published_at < ?`
	qPlatformPostsTail = `
GROUP BY platform, post_id`
)

// PlatformPosts lists the collected posts published in q's range, oldest
// first, with their channel names: what the Pages and accounts show.
func (s *Service) PlatformPosts(ctx context.Context, q PlatformPostsQuery) ([]PlatformPost, error) {
	if q.From.IsZero() || q.To.IsZero() || !q.From.Before(q.To) {
		return nil, errors.New("analytics: platform posts need a range with From before To")
	}
	if q.Limit <= 0 || q.Limit > 2000 {
		q.Limit = 2000
	}
	var b sqlBuf
	b.add(qPlatformPostsHead, q.From.UTC(), q.To.UTC())
	if q.Channel != 0 {
		b.add(" AND channel_id = ?", q.Channel)
	}
	b.add(qPlatformPostsTail)
	sep := "\nHAVING "
	if q.Unit != 0 {
		b.add(sep+"unit IN (SELECT unit_id FROM units FINAL WHERE has(ancestors, ?))", q.Unit)
		sep = " AND "
	}
	if q.ExternalOnly {
		b.add(sep + "humas_id = 0")
	}
	b.add("\nORDER BY pub, platform, post_id\nLIMIT ?", q.Limit)
	rows, err := s.ch.Query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("platform posts query: %w", err)
	}
	defer rows.Close()
	var out []PlatformPost
	for rows.Next() {
		var p PlatformPost
		if err := rows.Scan(&p.Platform, &p.PostID, &p.Channel, &p.Unit, &p.ContentType, &p.MediaType, &p.Caption,
			&p.Permalink, &p.Thumbnail, &p.PublishedAt, &p.HumasPostID); err != nil {
			return nil, fmt.Errorf("platform posts scan: %w", err)
		}
		p.PublishedAt = p.PublishedAt.UTC()
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("platform posts rows: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	names, err := s.names(ctx, qChannelNames)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].ChannelName = names[out[i].Channel]
	}
	return out, nil
}

// AgeFigures are a post's figures at one age: the snapshot nearest 24 h,
// 7 d or 28 d after publishing, or its latest.
type AgeFigures struct {
	Age string `json:"age"` // 24h, 7d, 28d or latest
	// Reached is false while the post is younger than the age: its
	// figures are then missing.
	Reached bool `json:"reached"`
	// SnapshotAge is how old the post was at the snapshot used.
	SnapshotAge    time.Duration `json:"snapshot_age_ns"`
	Reach          uint64        `json:"reach"`
	Views          uint64        `json:"views"`
	Interactions   uint64        `json:"interactions"`
	EngagementRate *float64      `json:"engagement_rate"`
}

// PostAgesReport answers a post's figures over its age.
type PostAgesReport struct {
	Platform    string       `json:"platform"`
	PostID      string       `json:"post_id"`
	PublishedAt time.Time    `json:"published_at"`
	Ages        []AgeFigures `json:"ages"`
}

// A post's snapshot nearest each fixed age (post_at_age: the highest ver is
// the nearest, see store/chmigrations/0022) and its latest snapshot.
// Arguments: platform, post id (twice for the latest).
const (
	qPostAges = `SELECT age, max(ver) AS v, argMax(reach, ver), argMax(views, ver), argMax(interactions, ver)
FROM post_at_age
WHERE age IN (86400, 604800, 2419200) AND post_key = cityHash64(?, ?)
GROUP BY age
ORDER BY age`
	qPostLatest = `SELECT published_at, snap_ver AS sv, reach, views, interactions
FROM post_latest FINAL
WHERE post_key = cityHash64(?, ?) AND platform = ? AND post_id = ?`
)

// ErrNoFigures is a post the collector has no snapshot of yet.
var ErrNoFigures = errors.New("analytics: no figures collected for this post yet")

// PostAges gives a post's figures at 24 h, 7 d and 28 d (the snapshot
// nearest each age) and now; ages the post has not reached are marked.
func (s *Service) PostAges(ctx context.Context, platform, postID string) (*PostAgesReport, error) {
	rep := &PostAgesReport{Platform: platform, PostID: postID}
	var sv uint64
	latest := AgeFigures{Age: "latest", Reached: true}
	err := s.ch.QueryRow(ctx, qPostLatest, platform, postID, platform, postID).Scan(&rep.PublishedAt, &sv, &latest.Reach,
		&latest.Views, &latest.Interactions)
	if err != nil || sv == 0 {
		if err == nil || isNoRows(err) {
			return nil, ErrNoFigures
		}
		return nil, fmt.Errorf("post latest figures: %w", err)
	}
	rep.PublishedAt = rep.PublishedAt.UTC()
	// snap_ver is slot × 2³² + collected_at: when the latest snapshot was
	// collected (its slot may be rounded down to the cadence).
	latest.SnapshotAge = time.Unix(int64(sv&0xffffffff), 0).Sub(rep.PublishedAt)
	rows, err := s.ch.Query(ctx, qPostAges, platform, postID)
	if err != nil {
		return nil, fmt.Errorf("post ages query: %w", err)
	}
	defer rows.Close()
	found := map[uint32]AgeFigures{}
	for rows.Next() {
		var age uint32
		var ver uint64
		var f AgeFigures
		if err := rows.Scan(&age, &ver, &f.Reach, &f.Views, &f.Interactions); err != nil {
			return nil, fmt.Errorf("post ages scan: %w", err)
		}
		// ver = 2⁶⁴ − 1 − (|slot − published − age| × 2³² + …): the
		// distance from the age in seconds is in the high half.
		dist := int64((^ver) >> 32)
		f.SnapshotAge = time.Duration(int64(age)+signedDistance(dist, latest.SnapshotAge, age)) * time.Second
		found[age] = f
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("post ages rows: %w", err)
	}
	for _, a := range []struct {
		name string
		secs uint32
	}{{"24h", 86400}, {"7d", 604800}, {"28d", 2419200}} {
		f, ok := found[a.secs]
		f.Age = a.name
		// A post younger than the age has only earlier snapshots: their
		// nearest one is not the figure at that age.
		f.Reached = ok && latest.SnapshotAge >= time.Duration(a.secs)*time.Second*9/10
		if !f.Reached {
			f = AgeFigures{Age: a.name}
		}
		rep.Ages = append(rep.Ages, f)
	}
	rep.Ages = append(rep.Ages, latest)
	for i := range rep.Ages {
		if f := &rep.Ages[i]; f.Reached && f.Reach > 0 {
			er := float64(f.Interactions) / float64(f.Reach)
			f.EngagementRate = &er
		}
	}
	return rep, nil
}

// signedDistance turns the unsigned distance of a snapshot from an age
// into an offset: a snapshot past the latest one's age cannot exist, so a
// snapshot is after the age only when the post has been collected past it.
func signedDistance(dist int64, latestAge time.Duration, age uint32) int64 {
	if time.Duration(int64(age)+dist)*time.Second <= latestAge {
		return dist
	}
	return -dist
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
