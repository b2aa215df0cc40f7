package collector

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/org"
)

// quirkyAccounts adds, on top of ordinary Pages and IG accounts: an IG
// account converted to a business account 20 days ago (older media have
// no insights: 100/2108006), a Page with Reels (their figures are on
// video_insights, their post insights zero), a Page whose large pages of
// posts fail with code 1 "reduce the amount of data", and a Page whose
// token lacks pages_read_user_content (summaries refused). It returns the
// converted IG account, the Reels Page, and when the conversion happened.
func (e *env) quirkyAccounts(n, days, perDay int) (converted, reels string, at time.Time) {
	e.t.Helper()
	ctx := context.Background()
	e.addAccounts(n, true, days, perDay)
	converted, reels, at = e.applyQuirks(days)
	// A Page whose token was not granted pages_read_user_content.
	page, tok := fmt.Sprintf("10%04d", len(e.chans)+100), "page-token-no-user-content"
	if err := e.sim.AddPage(page, "Page tanpa user content", tok, "pages_show_list", "pages_read_engagement", "pages_manage_posts", "read_insights"); err != nil {
		e.t.Fatal(err)
	}
	if err := e.sim.SeedHistory(page, days, perDay); err != nil {
		e.t.Fatal(err)
	}
	c, err := e.org.CreateChannel(ctx, org.ChannelInput{UnitID: e.unit.ID, Platform: org.Facebook, ExternalID: page, Name: "no user content", AccessToken: tok})
	if err != nil {
		e.t.Fatal(err)
	}
	e.chans = append(e.chans, c)
	return converted, reels, at
}

// applyQuirks makes, among the channels added by addAccounts (a Page and
// its IG account each): the first IG account converted to a business
// account 20 days ago, the first Page a Page with a Reel a day, the
// second Page oversize (pages of more than 60 posts with insights fail);
// and retires "saved" (Instagram words it "metric[N] must be one of ...").
func (e *env) applyQuirks(days int) (converted, reels string, at time.Time) {
	e.t.Helper()
	converted, reels = e.chans[1].ExternalID, e.chans[0].ExternalID
	at = e.clock.Now().AddDate(0, 0, -20)
	if err := e.sim.SetConverted(converted, at); err != nil {
		e.t.Fatal(err)
	}
	if err := e.sim.SeedReels(reels, days, 1); err != nil {
		e.t.Fatal(err)
	}
	if err := e.sim.SetOversize(e.chans[2].ExternalID, 60); err != nil {
		e.t.Fatal(err)
	}
	e.sim.RetireMetric("saved")
	return converted, reels, at
}

// Issue 14 items 13-17: with Meta's quirks (a retired IG metric in
// Instagram's words, a converted account, a Page with Reels, an oversize
// Page, a Page without pages_read_user_content) every post still gets a
// snapshot, each figure is Meta's (or missing where Meta has none), and a
// full collection stays within 25 Graph calls per 1,000 posts.
func TestCollectsThroughMetaQuirks(t *testing.T) {
	e := newEnv(t)
	converted, reelsPage, convAt := e.quirkyAccounts(2, 50, 10) // "saved" retired, in Instagram's words
	c := e.collector(nil)
	want := e.visibleAll()
	e.sim.ResetCalls()
	st, err := c.Run(context.Background(), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	calls := e.sim.Calls()
	per1000 := float64(calls.Total) * 1000 / float64(want)
	t.Logf("%d channels, %d posts: %d Graph calls (%.1f per 1000 posts); by endpoint %v", len(e.chans), want, calls.Total, per1000, calls.ByEndpoint)
	if st.Status != StatusDone || st.ChannelsDone != len(e.chans) {
		t.Fatalf("run = %+v, want done for all %d channels", st, len(e.chans))
	}
	if got := e.count("SELECT count() FROM post_metrics FINAL"); got != uint64(want) {
		t.Fatalf("snapshots = %d, want %d (one per visible post)", got, want)
	}
	defer func() {
		if per1000 > 25 {
			t.Errorf("%.1f Graph calls per 1000 posts, want at most 25", per1000)
		}
	}()
	if !slices.ContainsFunc(c.RetiredMetrics(), func(m RetiredMetric) bool { return m.Platform == org.Instagram && m.Metric == "saved" }) {
		t.Errorf("retired metrics %+v: want saved named on Instagram", c.RetiredMetrics())
	}
	rows, err := e.ch.Query(context.Background(), `SELECT m.account_id, m.post_id, m.published_at, m.reach, m.views, m.reactions,
 m.comments, m.video_views, m.metric_fields, m.metric_sources, p.permalink
 FROM post_metrics AS m FINAL ANY LEFT JOIN (SELECT post_id, permalink FROM posts FINAL) AS p USING post_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var reels, convBefore, convAfter int
	for rows.Next() {
		var account, id, permalink string
		var published time.Time
		var reach, views, reactions, comments, videoViews uint64
		var fields, sources []string
		if err := rows.Scan(&account, &id, &published, &reach, &views, &reactions, &comments, &videoViews, &fields, &sources, &permalink); err != nil {
			t.Fatal(err)
		}
		truth, ok := e.sim.PostCounts(account, id)
		if !ok {
			t.Fatalf("%s: not in the simulator", id)
		}
		has := func(f string) bool { return slices.Contains(fields, f) }
		switch {
		case account == reelsPage && strings.Contains(permalink, "/reel/"):
			reels++
			if !has("views") || int64(views) != truth["views"] || videoViews == 0 || sources[slices.Index(fields, "views")] != "blue_reels_play_count" {
				t.Fatalf("Reel %s: views %d (fields %v, sources %v), video_views %d; Meta's plays %d", id, views, fields, sources, videoViews, truth["views"])
			}
		case account == converted && published.Before(convAt):
			convBefore++
			if has("reach") || has("views") || !has("comments") {
				t.Fatalf("media %s posted before the conversion: fields %v, want counts without insights", id, fields)
			}
		case account == converted:
			convAfter++
			if !has("reach") || int64(reach) != truth["reach"] {
				t.Fatalf("media %s posted after the conversion: reach %d (fields %v), Meta %d", id, reach, fields, truth["reach"])
			}
		}
		if strings.HasPrefix(account, "10") && !strings.Contains(permalink, "/reel/") {
			if !has("reactions") || int64(reactions) != truth["reactions"] || !has("comments") || int64(comments) != truth["comments"] {
				t.Fatalf("post %s: reactions %d comments %d (fields %v), Meta %d and %d", id, reactions, comments, fields, truth["reactions"], truth["comments"])
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if reels == 0 || convBefore == 0 || convAfter == 0 {
		t.Fatalf("checked %d Reels, %d media before and %d after the conversion", reels, convBefore, convAfter)
	}
}

// Issue 14 items 9 and 12: collection works with exactly the permissions
// its functions need (insights: read_insights or instagram_manage_insights
// with pages_read_engagement, instagram_basic) and, without any one of
// them, the channel's error names it, as debug_token explains it.
func TestCollectWithMinimalPermissions(t *testing.T) {
	minimal := map[string][]string{
		org.Facebook:  {"read_insights", "pages_read_engagement"},
		org.Instagram: {"instagram_basic", "instagram_manage_insights", "pages_read_engagement"},
	}
	ctx := context.Background()
	for _, platform := range []string{org.Facebook, org.Instagram} {
		perms := minimal[platform]
		for skip := -1; skip < len(perms); skip++ {
			name := platform + " minimal"
			granted := perms
			if skip >= 0 {
				name = platform + " without " + perms[skip]
				granted = append(append([]string{}, perms[:skip]...), perms[skip+1:]...)
			}
			t.Run(name, func(t *testing.T) {
				e := newEnv(t)
				if err := e.sim.AddPage("100001", "Page", "page-token-all"); err != nil {
					t.Fatal(err)
				}
				if err := e.sim.AddIGAccount("1780001", "akun", "100001"); err != nil {
					t.Fatal(err)
				}
				id := map[string]string{org.Facebook: "100001", org.Instagram: "1780001"}[platform]
				if err := e.sim.SeedHistory(id, 5, 4); err != nil {
					t.Fatal(err)
				}
				if err := e.sim.AddToken("tok-min", "100001", time.Time{}, granted...); err != nil {
					t.Fatal(err)
				}
				ch, err := e.org.CreateChannel(ctx, org.ChannelInput{UnitID: e.unit.ID, Platform: platform, ExternalID: id, Name: name, AccessToken: "tok-min"})
				if err != nil {
					t.Fatal(err)
				}
				e.chans = append(e.chans, ch)
				c := e.collector(nil)
				st, err := c.Run(ctx, RunOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if skip < 0 {
					if st.Status != StatusDone || e.count("SELECT count() FROM post_metrics FINAL WHERE has_insights = 1") == 0 {
						t.Fatalf("minimal permissions %v: run %+v, want done with insights", granted, st)
					}
					return
				}
				if st.ChannelsFailed != 1 || len(st.Errors) != 1 || !strings.Contains(st.Errors[0].Message, perms[skip]) {
					t.Fatalf("without %s: run %+v, want the channel failed naming it", perms[skip], st)
				}
			})
		}
	}
}

// Item 9: an auth-class error in a collection asks debug_token why: here
// the channel holds another app's token.
func TestCollectAuthErrorExplained(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.sim.AddPage("100001", "Page", "page-token-all"); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.AddForeignToken("tok-foreign", "100001", "999"); err != nil {
		t.Fatal(err)
	}
	ch, err := e.org.CreateChannel(ctx, org.ChannelInput{UnitID: e.unit.ID, Platform: org.Facebook, ExternalID: "100001", Name: "P", AccessToken: "tok-foreign"})
	if err != nil {
		t.Fatal(err)
	}
	e.chans = append(e.chans, ch)
	c := e.collector(nil)
	st, err := c.Run(ctx, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Errors) != 1 || st.Errors[0].Reason != "graph_auth" || !strings.Contains(st.Errors[0].Message, "another app") {
		t.Fatalf("run errors %+v, want graph_auth saying the token is another app's", st.Errors)
	}
}
