package analytics_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/store/storetest"
)

// TestFollowerBookMatchesLive: the follower book gives the answer the
// per-request query gives, for random follower data (several collections
// a day, gaps, a channel that moves to another unit, two platforms, a
// unit tree three deep) and random periods and
// platform, channel and unit filters.
func TestFollowerBookMatchesLive(t *testing.T) {
	ctx := context.Background()
	ch := storetest.ClickHouse(t)
	insertUnits(t, ch,
		fxUnit{1, 0, "KPU RI", "Asia/Jakarta", []uint64{1}},
		fxUnit{2, 1, "KPU Jawa Barat", "Asia/Jakarta", []uint64{1, 2}},
		fxUnit{3, 1, "KPU Papua", "Asia/Jayapura", []uint64{1, 3}},
		fxUnit{4, 2, "KPU Kota Bandung", "Asia/Jakarta", []uint64{1, 2, 4}})
	rng := rand.New(rand.NewPCG(20, 12))
	type row struct {
		day       time.Time
		at        time.Time
		platform  string
		channel   uint64
		unit      uint64
		followers uint64
	}
	var rows []row
	first := utc("2025-02-01 00:00")
	for c := uint64(10); c < 18; c++ {
		platform := []string{"facebook", "instagram"}[c%2]
		unit := 1 + c%4
		n := uint64(rng.IntN(5000))
		for d := range 75 {
			if rng.IntN(6) == 0 {
				continue // no collection that day
			}
			day := first.AddDate(0, 0, d)
			if c == 13 && d == 40 {
				// Moves from unit 3 to 2. Not within a day: account_metrics
				// keeps one row per account and day (ReplacingMergeTree), and
				// the modern engine collapses an insert's rows at once
				// (optimize_on_insert) where 18.16 waits for a merge.
				unit = 2
			}
			// Distinct seconds: two collections in one second have no
			// defined "last" in either path.
			secs := rng.Perm(86400)[:1+rng.IntN(3)]
			for _, s := range secs {
				n = uint64(max(0, int64(n)+int64(rng.IntN(200))-80))
				rows = append(rows, row{day, day.Add(time.Duration(s) * time.Second), platform, c, unit, n})
			}
		}
	}
	// One insert: one part per month, so no merge changes the rows while
	// the two paths read them.
	b, err := ch.PrepareBatch(ctx, `INSERT INTO account_metrics (day, collected_at, platform, channel_id, account_id, unit_id,
		followers, metric_source)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := b.Append(r.day, r.at, r.platform, r.channel, fmt.Sprint("acct", r.channel), r.unit, r.followers,
			"followers_count"); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	book := newService(t, ch)
	live, err := analytics.New(ch, analytics.Options{CacheTTL: -1, RefreshEvery: -1, NoFollowerBook: true, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	queries := []string{"from=2025-02-01&to=2025-04-16", "from=2025-03-12&to=2025-03-12", "from=2025-01-01&to=2025-02-01"}
	for range 60 {
		from := first.AddDate(0, 0, rng.IntN(80)-3)
		raw := fmt.Sprintf("from=%s&to=%s", from.Format("2006-01-02"), from.AddDate(0, 0, rng.IntN(40)).Format("2006-01-02"))
		if rng.IntN(3) == 0 {
			raw += "&platform=" + []string{"facebook", "instagram"}[rng.IntN(2)]
		}
		if rng.IntN(3) == 0 {
			raw += fmt.Sprint("&unit=", 1+rng.IntN(4))
		}
		if rng.IntN(4) == 0 {
			raw += fmt.Sprint("&channel=", 9+rng.IntN(10)) // 9 and 18 have no rows
		}
		queries = append(queries, raw)
	}
	days := 0
	for _, raw := range queries {
		q := query(t, raw)
		got, err := book.Followers(ctx, q)
		if err != nil {
			t.Fatalf("%s: book: %v", raw, err)
		}
		want, err := live.Followers(ctx, q)
		if err != nil {
			t.Fatalf("%s: live: %v", raw, err)
		}
		if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
			t.Errorf("%s: the book's answer differs from the query's:\n book %s\nquery %s", raw, g, w)
		}
		for _, c := range want.Channels {
			days += len(c.Days)
		}
	}
	// A table larger than a book holds is read per request: the same
	// answers.
	restore := analytics.SetFollowerBookMax(100)
	defer restore()
	small := newService(t, ch)
	for _, raw := range queries[:10] {
		q := query(t, raw)
		got, err := small.Followers(ctx, q)
		if err != nil {
			t.Fatalf("%s: too large for a book: %v", raw, err)
		}
		want, err := live.Followers(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
			t.Errorf("%s: the answer of a table too large for a book differs from the query's:\n got %s\nwant %s", raw, g, w)
		}
	}
	if days < 2000 {
		t.Errorf("the queries cover only %d channel days: the comparison shows little", days)
	}
	t.Logf("%d queries, %d channel days compared", len(queries), days)
}

// TestFollowerBookFollowsChanges: a follower count written after the book
// was read shows once the change is recorded (another process: within
// about a second; this process: at once, through Changed).
func TestFollowerBookFollowsChanges(t *testing.T) {
	ctx := context.Background()
	ch := storetest.ClickHouse(t)
	insertUnits(t, ch, fxUnit{1, 0, "KPU RI", "Asia/Jakarta", []uint64{1}})
	insertFollowersAt(t, ch, 10, 1, "2025-03-01", utc("2025-03-01 12:00"), 100)
	svc := newService(t, ch)
	q := query(t, "from=2025-03-01&to=2025-03-31")
	end := func() uint64 {
		t.Helper()
		rep, err := svc.Followers(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Channels) != 1 || rep.Channels[0].End == nil {
			t.Fatalf("channels %+v", rep.Channels)
		}
		return *rep.Channels[0].End
	}
	if n := end(); n != 100 {
		t.Fatalf("end %d, want 100", n)
	}

	// Another process collects and records the change.
	insertFollowersAt(t, ch, 10, 1, "2025-03-02", utc("2025-03-02 12:00"), 130)
	if err := ch.MarkChanged(ctx, "collect", 1); err != nil {
		t.Fatal(err)
	}
	waitEnd(t, end, 130, 5*time.Second)

	// This process collects: Changed drops the book at once.
	insertFollowersAt(t, ch, 10, 1, "2025-03-03", utc("2025-03-03 12:00"), 170)
	if err := ch.MarkChanged(ctx, "collect", 1); err != nil {
		t.Fatal(err)
	}
	svc.Changed()
	if n := end(); n != 170 {
		t.Errorf("after Changed the end is %d, want 170", n)
	}

	// A unit mirrored after the book was read (the mirror marks no
	// change): a report on it reads account_metrics instead of finding
	// nothing in the book.
	insertUnits(t, ch, fxUnit{5, 1, "KPU Kota Bogor", "Asia/Jakarta", []uint64{1, 5}})
	insertFollowersAt(t, ch, 50, 5, "2025-03-04", utc("2025-03-04 12:00"), 42)
	time.Sleep(2100 * time.Millisecond) // the unit zones' miss TTL: the unit exists for reports
	rep, err := svc.Followers(ctx, query(t, "from=2025-03-01&to=2025-03-31&unit=5"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Channels) != 1 || rep.Channels[0].Channel != 50 || rep.Channels[0].End == nil || *rep.Channels[0].End != 42 {
		t.Errorf("unit 5 mirrored after the book: channels %+v, want channel 50 ending at 42", rep.Channels)
	}
}

func waitEnd(t *testing.T, end func() uint64, want uint64, within time.Duration) {
	t.Helper()
	start := time.Now()
	for {
		n := end()
		if n == want {
			t.Logf("new count after %s", time.Since(start).Round(time.Millisecond))
			return
		}
		if time.Since(start) > within {
			t.Fatalf("end %d %s after the change, want %d", n, within, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
