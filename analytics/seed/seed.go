// Package seed loads deterministic demo and benchmark data (units,
// channels, posts, snapshots, followers) into ClickHouse through the
// owners' writers: org.WriteMirror for units and channels, collector.Insert
// (the collector's row structs, written column by column) for posts and
// followers, in batches. Snapshots go the same way into a staging table,
// and from it into post_metrics and the views' tables at the end (bulk.go).
package seed

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/humas-id/humas/collector"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
)

// Options size the data set.
type Options struct {
	Posts     int       // default 250,000
	Snapshots int       // total snapshot rows, default 10,000,000 (Snapshots/Posts per post)
	End       time.Time // the last publish instant; default 2025-12-31 UTC
	Days      int       // posts are published over Days before End; default 365
	Batch     int       // rows per insert, default 100,000
	Inserters int       // inserts at once, default 2
	Seed      uint64    // random seed
	// Views writes the snapshots into post_metrics with its views on, as
	// the collector does. Otherwise (the default) they go through a
	// staging table and the views' tables are filled from it once (see
	// bulk.go); with a cluster they always take the views' way.
	Views bool
	// Progress, when set, is called after each snapshot batch.
	Progress func(rows int)
}

// Stats says what was written.
type Stats struct {
	Units, Channels, Posts, Snapshots, FollowerRows int
	Took                                            time.Duration
	// Staged: the snapshots were loaded in bulk (bulk.go), not through
	// post_metrics' views.
	Staged bool
}

// ContentTypes are the seeded content types.
var ContentTypes = []string{"photo", "video", "interactive", "text", "link"}

// Campaigns are the seeded campaigns (about 3 posts in 8 have none).
var Campaigns = []string{"pemilu-2024", "pilkada", "sosialisasi", "hut-ri", "layanan-publik"}

// Units is how many units the seed writes (ids 1..Units: the national
// office, provinces and cities); unit u has channels 10u (Facebook) and
// 10u+1 (Instagram).
const Units = 1 + provinces*(1+citiesPerProv)

const (
	provinces       = 34
	citiesPerProv   = 3
	channelsPerUnit = 2
	postsChunk      = 5000
	postsBatch      = 50_000 // posts per insert
)

type channel struct {
	id, unit uint64
	platform string
	account  string
}

// Run writes the data set into ch (already migrated).
func Run(ctx context.Context, ch *store.ClickHouse, o Options) (st Stats, err error) {
	start := time.Now()
	if o.Posts <= 0 {
		o.Posts = 250_000
	}
	if o.Snapshots <= 0 {
		o.Snapshots = 10_000_000
	}
	if o.End.IsZero() {
		o.End = time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC)
	}
	if o.Days <= 0 {
		o.Days = 365
	}
	if o.Batch <= 0 {
		o.Batch = 100_000
	}
	if o.Inserters <= 0 {
		o.Inserters = 2
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x68756d6173))

	// Units: national (1), provinces (2..), cities below them.
	var units []uint64
	var unitRows []org.UnitRow
	appendUnit := func(id, parent uint64, name string, anc []uint64) error {
		units = append(units, id)
		unitRows = append(unitRows, org.UnitRow{UnitID: id, ParentID: parent, Name: name, Timezone: "Asia/Jakarta",
			Ancestors: anc, Version: 1})
		return nil
	}
	if err := appendUnit(1, 0, "Nasional", []uint64{1}); err != nil {
		return st, err
	}
	next := uint64(2)
	for p := 0; p < provinces; p++ {
		pid := next
		next++
		if err := appendUnit(pid, 1, "Provinsi "+strconv.Itoa(p+1), []uint64{pid, 1}); err != nil {
			return st, err
		}
		for c := 0; c < citiesPerProv; c++ {
			cid := next
			next++
			if err := appendUnit(cid, pid, "Kota "+strconv.Itoa(int(cid)), []uint64{cid, pid, 1}); err != nil {
				return st, err
			}
		}
	}
	var chans []channel
	var chanRows []org.ChannelRow
	for _, u := range units {
		for i, pl := range []string{"facebook", "instagram"}[:channelsPerUnit] {
			c := channel{id: u*10 + uint64(i), unit: u, platform: pl, account: "acct" + strconv.FormatUint(u*10+uint64(i), 10)}
			chans = append(chans, c)
			chanRows = append(chanRows, org.ChannelRow{ChannelID: c.id, Platform: c.platform, AccountID: c.account,
				Name: pl + " unit " + strconv.FormatUint(u, 10), UnitID: c.unit, Version: 1})
		}
	}
	if err := org.WriteMirror(ctx, ch, unitRows, chanRows); err != nil {
		return st, fmt.Errorf("seed: %w", err)
	}
	st.Units, st.Channels = len(units), len(chans)

	if err := followers(ctx, ch, chans, o, rng, &st); err != nil {
		return st, err
	}

	perPost := max(1, o.Snapshots/o.Posts)
	offsets := schedule(perPost)
	span := time.Duration(o.Days) * 24 * time.Hour
	first := o.End.Add(-span)
	campaigns := append([]string{"", "", ""}, Campaigns...)
	tags := []string{"#pemilu", "#kpu", "#pilkada", "#jagasuara", "#infopublik", "#layanan", "#hoaks", "#demokrasi"}

	type snap struct {
		slot int64 // Unix seconds: sorting compares integers, not time.Time
		post int32
		k    int32
	}
	type post struct {
		id, ctype string
		ch        channel
		pub       time.Time
		quality   float64
	}
	// A cluster's tables are Replicated: the staging table made AS one of
	// them would share its ZooKeeper path.
	var stage *collector.Staging
	if !o.Views && ch.Cluster() == "" {
		if stage, err = collector.NewStaging(ctx, ch); err != nil {
			return st, fmt.Errorf("seed: %w", err)
		}
		st.Staged = true
		// Until the fills start, a failure loses nothing the tables had:
		// the staged rows go with the staging table.
		defer func() {
			if stage != nil {
				_ = stage.Drop()
			}
		}()
	}
	insert := func(ctx context.Context, b collector.Batch) error {
		if stage == nil || len(b.Snapshots) == 0 {
			return collector.Insert(ctx, ch, b)
		}
		if err := stage.Insert(ctx, b.Snapshots); err != nil {
			return err
		}
		b.Snapshots = nil
		return collector.Insert(ctx, ch, b) // posts and followers, if any
	}

	// Batches are written by o.Inserters goroutines while the next ones
	// are generated: ClickHouse runs one insert (and its views) on one
	// core.
	g, gctx := errgroup.WithContext(ctx)
	batches := make(chan collector.Batch, o.Inserters)
	var mu sync.Mutex
	for range o.Inserters {
		g.Go(func() error {
			for b := range batches {
				if err := insert(gctx, b); err != nil {
					return fmt.Errorf("seed: %w", err)
				}
				mu.Lock()
				st.Snapshots += len(b.Snapshots)
				if o.Progress != nil && len(b.Snapshots) > 0 {
					o.Progress(st.Snapshots)
				}
				mu.Unlock()
			}
			return nil
		})
	}
	send := func(b collector.Batch) error {
		select {
		case batches <- b:
			return nil
		case <-gctx.Done():
			return g.Wait()
		}
	}
	finish := func() error {
		close(batches)
		return g.Wait()
	}
	var allPosts []collector.PostRow
	flushPosts := func() error {
		if len(allPosts) == 0 {
			return nil
		}
		err := send(collector.Batch{Posts: allPosts})
		allPosts = nil
		return err
	}
	var sb []collector.SnapshotRow
	flush := func() error {
		if len(sb) == 0 {
			return nil
		}
		err := send(collector.Batch{Snapshots: sb})
		sb = make([]collector.SnapshotRow, 0, o.Batch)
		return err
	}
	for lo := 0; lo < o.Posts; lo += postsChunk {
		hi := min(o.Posts, lo+postsChunk)
		posts := make([]post, 0, hi-lo)
		pb := make([]collector.PostRow, 0, hi-lo)
		for i := lo; i < hi; i++ {
			c := chans[rng.IntN(len(chans))]
			// Published in order over the span, at local daytime hours mostly.
			pub := first.Add(time.Duration(float64(span) * float64(i) / float64(o.Posts))).Truncate(time.Minute)
			p := post{id: c.account + "_" + strconv.Itoa(i), ctype: ContentTypes[rng.IntN(len(ContentTypes))], ch: c, pub: pub,
				quality: 0.005 + rng.Float64()*0.06}
			posts = append(posts, p)
			ht := []string{tags[rng.IntN(len(tags))], tags[rng.IntN(len(tags))]}
			pb = append(pb, collector.PostRow{Platform: c.platform, PostID: p.id, ChannelID: c.id, AccountID: c.account,
				UnitID: c.unit, ContentType: p.ctype, ContentTypeSource: "humas", MediaType: "IMAGE", MediaProductType: "FEED",
				Caption: "Postingan " + p.id + " " + ht[0], Hashtags: ht, Campaign: campaigns[rng.IntN(len(campaigns))],
				PublishedAt: pub, Permalink: "https://example.test/" + p.id, HumasPostID: uint64(i + 1),
				DeliveryID: uint64(i + 1), UpdatedAt: pub, Version: 1})
		}
		// Posts go in inserts of postsBatch: each insert costs ClickHouse
		// a part per partition (and its view's) whatever its size.
		allPosts = append(allPosts, pb...)
		if len(allPosts) >= postsBatch {
			if err := flushPosts(); err != nil {
				_ = finish()
				return st, err
			}
		}
		st.Posts += len(posts)

		snaps := make([]snap, 0, len(posts)*perPost)
		for pi, p := range posts {
			for k, off := range offsets {
				snaps = append(snaps, snap{slot: p.pub.Add(off).Unix(), post: int32(pi), k: int32(k)})
			}
		}
		slices.SortFunc(snaps, func(a, b snap) int { return cmp.Compare(a.slot, b.slot) })
		for _, s := range snaps {
			p := posts[s.post]
			slot := time.Unix(s.slot, 0).UTC()
			growth := 1 - 1/float64(s.k+2) // cumulative counters grow with age
			reach := uint64(200 + float64(int(p.quality*1e5)%5000)*growth)
			inter := uint64(float64(reach) * p.quality)
			var reactions, likes, saves uint64
			comments, shares := inter/5, inter/10
			if p.ch.platform == "facebook" {
				reactions = inter - comments - shares
			} else {
				saves = inter / 10
				likes = inter - comments - shares - saves
			}
			sb = append(sb, collector.SnapshotRow{Slot: slot, CollectedAt: slot.Add(30 * time.Second),
				Platform: p.ch.platform, PostID: p.id, ChannelID: p.ch.id, AccountID: p.ch.account, PublishedAt: p.pub,
				Reach: reach, Views: reach * 3 / 2, Reactions: reactions, Likes: likes, Comments: comments, Shares: shares,
				Saves: saves, Clicks: inter / 3, VideoViews: reach / 2, Interactions: inter, HasInsights: 1,
				MetricFields: []string{"reach", "views"}, MetricSources: []string{"reach", "views"}, RunID: "seed"})
			if len(sb) >= o.Batch {
				if err := flush(); err != nil {
					_ = finish()
					return st, err
				}
			}
		}
	}
	if err := flush(); err != nil {
		_ = finish()
		return st, err
	}
	if err := flushPosts(); err != nil {
		_ = finish()
		return st, err
	}
	if err := finish(); err != nil {
		return st, err
	}
	if stage != nil {
		done := stage
		stage = nil // kept from here on when anything fails
		if err := finishStaged(ctx, ch, done); err != nil {
			return st, &StagedError{Table: done.Table(), Err: err}
		}
		if err := done.Drop(); err != nil {
			return st, fmt.Errorf("seed: %w", err)
		}
	}
	st.Took = time.Since(start)
	return st, nil
}

// schedule is n snapshot offsets after publishing, denser when young:
// hourly for a day, then every 6 hours, then daily, then weekly.
func schedule(n int) []time.Duration {
	out := make([]time.Duration, 0, n)
	at := time.Duration(0)
	for len(out) < n {
		switch {
		case at < 24*time.Hour:
			at += time.Hour
		case at < 7*24*time.Hour:
			at += 6 * time.Hour
		case at < 30*24*time.Hour:
			at += 24 * time.Hour
		default:
			at += 7 * 24 * time.Hour
		}
		out = append(out, at)
	}
	return out
}

func followers(ctx context.Context, ch *store.ClickHouse, chans []channel, o Options, rng *rand.Rand, st *Stats) error {
	var rows []collector.AccountRow
	first := o.End.AddDate(0, 0, -o.Days).Truncate(24 * time.Hour)
	for _, c := range chans {
		n := uint64(1000 + rng.IntN(50000))
		for d := 0; d <= o.Days; d++ {
			day := first.AddDate(0, 0, d)
			n += uint64(rng.IntN(40))
			rows = append(rows, collector.AccountRow{Day: day, CollectedAt: day.Add(20 * time.Hour), Platform: c.platform,
				ChannelID: c.id, AccountID: c.account, UnitID: c.unit, Followers: n, MetricSource: "followers_count"})
		}
	}
	if err := collector.Insert(ctx, ch, collector.Batch{Accounts: rows}); err != nil {
		return fmt.Errorf("seed followers: %w", err)
	}
	st.FollowerRows += len(rows)
	return nil
}
