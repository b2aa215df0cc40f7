package analytics_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// fixedNow is the clock of the services here: reports default to the
// 30 days ending 2025-04-10 (Asia/Jakarta), and cached answers never
// expire by age, so only the generation and the change marker can make
// an answer new.
func fixedNow() time.Time { return utc("2025-04-10 00:00") }

// addMarchPost writes one more March post with a snapshot, as a
// collection in some process would.
func addMarchPost(t *testing.T, ch *store.ClickHouse, id string) {
	t.Helper()
	at := utc("2025-03-05 03:00")
	insertPosts(t, ch, fxPost{platform: "facebook", id: id, contentType: "photo", channel: 10, unit: 2, published: at})
	insertSnaps(t, ch, fxSnap{platform: "facebook", id: id, channel: 10, published: at, slot: at.Add(24 * time.Hour),
		reach: 100, views: 100, inter: 7, reactions: 7, insights: true})
}

// waitPosts asks svc for March's engagement until it counts want posts,
// for up to 10 seconds.
func waitPosts(t *testing.T, svc *analytics.Service, want uint64, what string) time.Duration {
	t.Helper()
	q := query(t, "from=2025-03-01&to=2025-03-31")
	start := time.Now()
	deadline := start.Add(10 * time.Second)
	for {
		rep, err := svc.Engagement(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Totals.Posts == want {
			return time.Since(start)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: March shows %d posts 10s later, want %d", what, rep.Totals.Posts, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestReportsFollowChangesFromAnyProcess: a server's reports (answer cache
// on, clock frozen) show new data within seconds, whether another process
// collected and rebuilt the read model (humas collect), another process
// only recorded the change (it stopped before rebuilding), or this
// process changed data itself. Before, they waited for the next 5-minute
// rebuild and the 60 s answer cache.
func TestReportsFollowChangesFromAnyProcess(t *testing.T) {
	ctx := context.Background()
	ch := storetest.ClickHouse(t)
	seedHand(t, ch)
	serve, err := analytics.New(ch, analytics.Options{Now: fixedNow, RefreshEvery: time.Hour,
		ChangePoll: 20 * time.Millisecond, ChangeGrace: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = serve.Stop(context.Background()) })
	q := query(t, "from=2025-03-01&to=2025-03-31")
	rep, err := serve.Engagement(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	base := rep.Totals.Posts
	waitPosts(t, serve, base, "before any change") // the start-up rebuild is done or not needed

	// humas collect in another process: rows, the change marker, a rebuild.
	addMarchPost(t, ch, "N1")
	if err := ch.MarkChanged(ctx, "collect", 2); err != nil {
		t.Fatal(err)
	}
	cli, err := analytics.New(ch, analytics.Options{Now: fixedNow, RefreshEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := cli.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	took := waitPosts(t, serve, base+1, "another process collected and rebuilt")
	t.Logf("another process rebuilt: new figures after %s", took.Round(time.Millisecond))

	// Another process recorded a change but did not rebuild: this server
	// rebuilds after the grace period.
	addMarchPost(t, ch, "N2")
	if err := ch.MarkChanged(ctx, "collect", 2); err != nil {
		t.Fatal(err)
	}
	took = waitPosts(t, serve, base+2, "another process only recorded the change")
	t.Logf("another process did not rebuild: new figures after %s", took.Round(time.Millisecond))

	// This process changed data (its collector calls Changed).
	addMarchPost(t, ch, "N3")
	serve.Changed()
	took = waitPosts(t, serve, base+3, "this process changed data")
	t.Logf("this process: new figures after %s", took.Round(time.Millisecond))
}

// TestAnswerCacheSharesEquivalentQueries: parameters that do not change an
// answer do not split the cache (group_by order, sort/order/limit where a
// report ignores them, from/to left out or written as the default period),
// those that do still do, and every shared answer equals the uncached one.
func TestAnswerCacheSharesEquivalentQueries(t *testing.T) {
	ctx := context.Background()
	ch := storetest.ClickHouse(t)
	seedHand(t, ch)
	svc, err := analytics.New(ch, analytics.Options{Now: fixedNow, RefreshEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := analytics.New(ch, analytics.Options{Now: fixedNow, RefreshEvery: -1, CacheTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	type report func(*analytics.Service, analytics.Query) (any, error)
	engagement := func(s *analytics.Service, q analytics.Query) (any, error) { return s.Engagement(ctx, q) }
	posts := func(s *analytics.Service, q analytics.Query) (any, error) { return s.TopPosts(ctx, q) }
	followers := func(s *analytics.Service, q analytics.Query) (any, error) { return s.Followers(ctx, q) }
	best := func(s *analytics.Service, q analytics.Query) (any, error) { return s.BestTimes(ctx, q) }
	tags := func(s *analytics.Service, q analytics.Query) (any, error) { return s.Hashtags(ctx, q) }
	for _, step := range []struct {
		name   string
		run    report
		query  string
		shared bool // answered from the cache
	}{
		{"engagement by platform, content type", engagement, "from=2025-03-01&to=2025-03-31&group_by=platform,content_type", false},
		{"the same groups in the other order", engagement, "from=2025-03-01&to=2025-03-31&group_by=content_type,platform", true},
		{"with sort, order and limit it ignores", engagement, "from=2025-03-01&to=2025-03-31&group_by=content_type,platform&sort=reach&order=asc&limit=5", true},
		{"another method", engagement, "from=2025-03-01&to=2025-03-31&group_by=content_type,platform&method=views", false},
		{"default period", engagement, "group_by=unit,week", false},
		{"the default period written out", engagement, "from=2025-03-12&to=2025-04-10&group_by=week,unit", true},
		{"top posts", posts, "from=2025-03-01&to=2025-03-31&limit=3", false},
		{"top posts, group_by it ignores", posts, "from=2025-03-01&to=2025-03-31&limit=3&group_by=platform", true},
		{"top posts, another limit", posts, "from=2025-03-01&to=2025-03-31&limit=2", false},
		{"followers", followers, "from=2025-03-01&to=2025-03-31", false},
		{"followers, method and age it ignores", followers, "from=2025-03-01&to=2025-03-31&method=views&age=7d&content_type=photo", true},
		{"best times, default 12 weeks", best, "", false},
		{"best times written out", best, "from=2025-01-17&to=2025-04-10&limit=7", true},
		{"hashtags", tags, "from=2025-03-01&to=2025-03-31", false},
		{"hashtags, sort it ignores", tags, "from=2025-03-01&to=2025-03-31&sort=reach", true},
	} {
		before := svc.CacheStats()
		q := query(t, step.query)
		got, err := step.run(svc, q)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		after := svc.CacheStats()
		if hit := after.Hits > before.Hits; hit != step.shared {
			t.Errorf("%s: answered from the cache %v, want %v (stats before %+v, after %+v)", step.name, hit, step.shared, before, after)
		}
		want, err := step.run(plain, q)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
			t.Errorf("%s: cached answer differs from the uncached one:\n got %s\nwant %s", step.name, g, w)
		}
	}
	// A new generation makes a new answer.
	before := svc.CacheStats()
	if err := svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Engagement(ctx, query(t, "from=2025-03-01&to=2025-03-31&group_by=platform,content_type")); err != nil {
		t.Fatal(err)
	}
	if after := svc.CacheStats(); after.Misses != before.Misses+1 {
		t.Errorf("after a rebuild the same query was answered from the cache (stats before %+v, after %+v)", before, after)
	}
}

// TestAnswerCacheIsBoundedByBytes: many different answers keep the cache
// within its byte bound, evicting the least recently used.
func TestAnswerCacheIsBoundedByBytes(t *testing.T) {
	ctx := context.Background()
	ch := storetest.ClickHouse(t)
	seedHand(t, ch)
	const max = 20 << 10
	svc, err := analytics.New(ch, analytics.Options{Now: fixedNow, RefreshEvery: -1, CacheMaxBytes: max})
	if err != nil {
		t.Fatal(err)
	}
	keep := query(t, "from=2025-03-01&to=2025-03-31&group_by=unit")
	for i := 1; i <= 40; i++ {
		if _, err := svc.Engagement(ctx, keep); err != nil { // used all along: stays
			t.Fatal(err)
		}
		q := query(t, fmt.Sprintf("from=2025-01-01&to=2025-03-%02d&group_by=content_type,platform,unit,week", min(i, 31)))
		q.Limit = i // engagement ignores it: the same answer as i-1 once the day stops changing
		if _, err := svc.TopPosts(ctx, q); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Engagement(ctx, q); err != nil {
			t.Fatal(err)
		}
		if st := svc.CacheStats(); st.Bytes > max {
			t.Fatalf("cache holds %d bytes, bound %d: %+v", st.Bytes, max, st)
		}
	}
	st := svc.CacheStats()
	if st.Evicted == 0 || st.Entries == 0 {
		t.Fatalf("stats %+v: want evictions and entries", st)
	}
	before := st.Hits
	if _, err := svc.Engagement(ctx, keep); err != nil {
		t.Fatal(err)
	}
	if svc.CacheStats().Hits != before+1 {
		t.Fatalf("the most recently used answer was evicted: %+v", svc.CacheStats())
	}
	t.Logf("cache after 40 rounds: %+v", st)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestConcurrentRebuildsNeverShareAGeneration: several processes (a
// server, humas collect, another server) rebuilding at the same moment
// each get a generation of their own; before, builds in the same second
// wrote the same partition twice (doubled figures) or dropped each other's
// partition in progress.
func TestConcurrentRebuildsNeverShareAGeneration(t *testing.T) {
	ctx := context.Background()
	ch := storetest.ClickHouse(t)
	seedHand(t, ch)
	const processes, rounds = 4, 3
	svcs := make([]*analytics.Service, processes)
	for i := range svcs {
		svc, err := analytics.New(ch, analytics.Options{Now: fixedNow, RefreshEvery: -1, CacheTTL: -1})
		if err != nil {
			t.Fatal(err)
		}
		svcs[i] = svc
	}
	errs := make(chan error, processes*rounds)
	start := make(chan struct{})
	for _, svc := range svcs {
		go func() {
			<-start
			for range rounds {
				errs <- svc.Refresh(ctx)
			}
		}()
	}
	close(start)
	for range processes * rounds {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var gens, distinct uint64
	if err := ch.QueryRow(ctx, "SELECT count(), uniqExact(gen) FROM post_facts_gens").Scan(&gens, &distinct); err != nil {
		t.Fatal(err)
	}
	if gens != processes*rounds || distinct != gens {
		t.Fatalf("%d generations recorded, %d distinct; want %d, all distinct", gens, distinct, processes*rounds)
	}
	for _, svc := range svcs {
		rep, err := svc.Engagement(ctx, query(t, "from=2025-03-01&to=2025-03-31"))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Totals.Posts != 5 {
			t.Fatalf("March shows %d posts after concurrent rebuilds, want 5", rep.Totals.Posts)
		}
	}
	var rows, keys uint64
	if err := ch.QueryRow(ctx, "SELECT count(), uniqExact(gen, post_key) FROM post_facts").Scan(&rows, &keys); err != nil {
		t.Fatal(err)
	}
	if rows != keys {
		t.Fatalf("post_facts holds %d rows for %d (generation, post) pairs: a generation was written twice", rows, keys)
	}
}
