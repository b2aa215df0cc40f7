package analytics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/analytics/seed"
	"github.com/humas-id/humas/store/storetest"
)

// TestTopPostsTies: posts that tie on the sort value and the publish time
// are listed by post id, then platform, on every path, wherever the list
// ends (the read model's first pass orders without id and platform and
// must read the keys again when the list ends inside a tie).
func TestTopPostsTies(t *testing.T) {
	ch := storetest.ClickHouse(t)
	insertUnits(t, ch,
		fxUnit{1, 0, "KPU RI", "Asia/Jakarta", []uint64{1}},
		fxUnit{2, 1, "KPU Jawa Tengah", "Asia/Jakarta", []uint64{2, 1}},
	)
	insertChannels(t, ch, [3]any{uint64(10), "facebook", uint64(2)}, [3]any{uint64(11), "instagram", uint64(2)})
	t0, t1, t2 := utc("2025-03-10 03:00"), utc("2025-03-12 03:00"), utc("2025-03-05 03:00")
	type p struct {
		plat, id     string
		pub          time.Time
		reach, inter uint64
	}
	// Every rate is 0.1. z is the latest and reaches most, y the earliest
	// and reaches least; the five between share publish time and figures.
	fx := []p{
		{"facebook", "d", t0, 100, 10}, {"facebook", "c", t0, 100, 10}, {"instagram", "a", t0, 100, 10},
		{"facebook", "b", t0, 100, 10}, {"facebook", "a", t0, 100, 10},
		{"facebook", "z", t1, 200, 20}, {"facebook", "y", t2, 50, 5},
	}
	for _, x := range fx {
		chn := uint64(10)
		if x.plat == "instagram" {
			chn = 11
		}
		insertPosts(t, ch, fxPost{platform: x.plat, id: x.id, contentType: "photo", channel: chn, unit: 2, published: x.pub})
		insertSnaps(t, ch, fxSnap{platform: x.plat, id: x.id, channel: chn, published: x.pub, slot: x.pub.Add(24 * time.Hour),
			reach: x.reach, views: x.reach, inter: x.inter, reactions: x.inter, insights: true})
	}
	mid := "a/facebook,a/instagram,b/facebook,c/facebook,d/facebook"
	orders := map[string]string{
		"sort=engagement_rate&order=desc": "z/facebook," + mid + ",y/facebook",
		"sort=engagement_rate&order=asc":  "z/facebook," + mid + ",y/facebook", // equal rates: newest first
		"sort=reach&order=desc":           "z/facebook," + mid + ",y/facebook",
		"sort=reach&order=asc":            "y/facebook," + mid + ",z/facebook",
		"sort=interactions&order=desc":    "z/facebook," + mid + ",y/facebook",
	}
	threePaths(t, ch, func(t *testing.T, svc *analytics.Service) {
		for o, all := range orders {
			want := strings.Split(all, ",")
			for _, age := range []string{"latest", "24h"} {
				for limit := 1; limit <= len(want)+1; limit++ {
					raw := fmt.Sprintf("from=2025-03-01&to=2025-03-31&%s&age=%s&limit=%d", o, age, limit)
					rep, err := svc.TopPosts(context.Background(), query(t, raw))
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					for _, r := range rep.Posts {
						got = append(got, r.PostID+"/"+r.Platform)
						if r.Reach == 0 || r.Permalink != "https://example.test/"+r.PostID || r.EngagementRate == nil || *r.EngagementRate != 0.1 {
							t.Errorf("%s: post %+v", raw, r)
						}
					}
					w := want[:min(limit, len(want))]
					if strings.Join(got, ",") != strings.Join(w, ",") {
						t.Errorf("%s: %v, want %v", raw, got, w)
					}
				}
			}
		}
	})
}

// TestReadModelListsMatchLive: top posts and best times read from the
// read model (their own statements over post_facts and post_age_facts)
// give, byte for byte, the answers of the same reports computed before
// the read model existed (per post from post_latest and post_metrics),
// for random periods, methods, ages, sorts, limits and filters.
func TestReadModelListsMatchLive(t *testing.T) {
	ctx := context.Background()
	ch := storetest.ClickHouse(t)
	end := time.Date(2025, 4, 30, 23, 0, 0, 0, time.UTC)
	if _, err := seed.Run(ctx, ch, seed.Options{Posts: 1500, Snapshots: 1500 * 12, End: end, Days: 120, Batch: 10000, Seed: 9}); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return end }
	live, err := analytics.New(ch, analytics.Options{CacheTTL: -1, RefreshEvery: -1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(9, 10))
	first := end.AddDate(0, 0, -120).Truncate(24 * time.Hour)
	const n = 100
	type answer struct {
		raw       string
		top, best []byte
	}
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	var want []answer
	for range n {
		v, err := url.ParseQuery(randomQuery(r, first, 125))
		if err != nil {
			t.Fatal(err)
		}
		v.Set("sort", pick(analytics.SortKeys))
		v.Set("order", pick(analytics.Orders))
		v.Set("limit", strconv.Itoa(1+r.IntN(50)))
		a := answer{raw: v.Encode()}
		a.top, a.best = listsJSON(t, live, query(t, a.raw))
		want = append(want, a)
	}
	model, err := analytics.New(ch, analytics.Options{CacheTTL: -1, RefreshEvery: -1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := model.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	lists, filtered, cells := 0, 0, 0
	for _, w := range want {
		q := query(t, w.raw)
		top, best := listsJSON(t, model, q)
		if !bytes.Equal(top, w.top) {
			t.Errorf("top posts %s:\nread model %.400s\nlive       %.400s", w.raw, top, w.top)
		}
		if !bytes.Equal(best, w.best) {
			t.Errorf("best times %s:\nread model %.400s\nlive       %.400s", w.raw, best, w.best)
		}
		if !bytes.Contains(w.top, []byte(`"posts":[]`)) {
			lists++
			if q.Unit != 0 || q.Channel != 0 || q.ContentType != "" || q.Campaign != "" || q.Platform != "" {
				filtered++
			}
		}
		if !bytes.Contains(w.best, []byte(`"cells":[]`)) {
			cells++
		}
	}
	if lists < n/2 || cells < n/2 || filtered < 15 {
		t.Errorf("%d top lists, %d with filters, %d best-times grids with cells of %d: the comparison proves little", lists, filtered, cells, n)
	}
}

// listsJSON is q's top posts and best times as JSON.
func listsJSON(t *testing.T, svc *analytics.Service, q analytics.Query) (top, best []byte) {
	t.Helper()
	tp, err := svc.TopPosts(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	bt, err := svc.BestTimes(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if top, err = json.Marshal(tp); err != nil {
		t.Fatal(err)
	}
	if best, err = json.Marshal(bt); err != nil {
		t.Fatal(err)
	}
	return top, best
}
