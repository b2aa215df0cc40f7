package collector

import (
	"context"
	"testing"
	"time"

	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/inbox"
	"github.com/humas-id/humas/org"
)

// commentCalls counts the Graph calls (as Meta counts them) that read comments.
func (e *env) commentCalls() int {
	st := e.sim.Calls()
	return st.ByEndpoint["post_comments_list"] + st.ByEndpoint["ig_media_comments_list"]
}

// TestCollectComments: a run reads every comment on posts younger than
// comments_max_age (and none on older posts) in batches; a run with no new
// comments asks for none; a new comment costs one call and is stored once.
func TestCollectComments(t *testing.T) {
	e := newEnv(t)
	e.addAccounts(1, true, 10, 3)
	ib := inbox.New(e.sql, e.org, inbox.Options{Now: e.clock.Now})
	c := e.collector(nil, func(o *Options) {
		o.Config.CommentsMaxAge = config.Duration(7 * 24 * time.Hour)
		o.Comments = ib
	})
	ctx := context.Background()
	e.sim.ResetCalls()
	if _, err := c.Run(ctx, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	want, young, withComments := 0, 0, 0
	for _, ch := range e.chans {
		for _, it := range e.sim.Published(ch.ExternalID) {
			if now.Sub(it.Created) > 7*24*time.Hour || it.Kind == "story" {
				continue
			}
			young++
			if n := e.sim.CommentCount(it.ID); n > 0 {
				want += n
				withComments++
			}
		}
	}
	var got int
	if err := e.sql.DB.QueryRow(`SELECT count(*) FROM comments`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != want || want == 0 {
		t.Fatalf("stored %d comments, the simulator holds %d on posts younger than 7 days", got, want)
	}
	calls, st := e.commentCalls(), e.sim.Calls()
	t.Logf("%d young posts, %d with comments, %d comments: %d comment calls (Graph calls) in %d HTTP requests for the whole run",
		young, withComments, got, calls, st.HTTPRequests)
	if calls > withComments*2 {
		t.Errorf("%d comment calls for %d posts with comments", calls, withComments)
	}
	var questions int
	_ = e.sql.DB.QueryRow(`SELECT count(*) FROM comments WHERE is_question = 1`).Scan(&questions)
	if questions == 0 {
		t.Error("no comment was recognised as a question")
	}

	// Nothing new: the next run (an hour later the youngest posts gain
	// comments; at the same instant nothing does) asks for no comments.
	e.sim.ResetCalls()
	if _, err := c.Run(ctx, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := e.commentCalls(); n != 0 {
		t.Errorf("a run without new comments made %d comment calls", n)
	}

	// One new comment on one post: one call, one row more.
	post := e.sim.Published(e.chans[0].ExternalID)
	target := post[len(post)-2].ID
	if _, err := e.sim.AddComment(target, "Warga Tingkir", "Mohon info jadwal coklit di kelurahan kami"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	e.sim.ResetCalls()
	if _, err := c.Run(ctx, RunOptions{ChannelID: e.chans[0].ID}); err != nil {
		t.Fatal(err)
	}
	var after int
	_ = e.sql.DB.QueryRow(`SELECT count(*) FROM comments`).Scan(&after)
	if n := e.commentCalls(); after < got+1 || n > 3 {
		t.Errorf("after one new comment: %d rows (was %d), %d comment calls", after, got, n)
	}
	var q bool
	if err := e.sql.DB.QueryRow(`SELECT is_question FROM comments WHERE message LIKE 'Mohon info jadwal coklit%'`).Scan(&q); err != nil || !q {
		t.Errorf("the new question: %v %v", q, err)
	}
}

// TestCollectCommentsWithoutPermission: a token without
// pages_read_user_content still collects snapshots; no comments, and the
// run does not fail.
func TestCollectCommentsWithoutPermission(t *testing.T) {
	e := newEnv(t)
	e.addAccounts(1, false, 5, 2)
	perms := []string{"pages_show_list", "pages_read_engagement", "pages_manage_posts", "read_insights"}
	if err := e.sim.AddToken("narrow-token", e.chans[0].ExternalID, time.Time{}, perms...); err != nil {
		t.Fatal(err)
	}
	tok := "narrow-token"
	if _, err := e.org.UpdateChannel(context.Background(), e.chans[0].ID, org.ChannelPatch{AccessToken: &tok}); err != nil {
		t.Fatal(err)
	}
	ib := inbox.New(e.sql, e.org, inbox.Options{Now: e.clock.Now})
	c := e.collector(nil, func(o *Options) { o.Comments = ib })
	st, err := c.Run(context.Background(), RunOptions{})
	if err != nil || st.Status != StatusDone {
		t.Fatalf("run %+v %v", st, err)
	}
	if n := e.count("SELECT count() FROM post_metrics"); n == 0 {
		t.Fatal("no snapshots")
	}
	var got int
	_ = e.sql.DB.QueryRow(`SELECT count(*) FROM comments`).Scan(&got)
	if got != 0 {
		t.Errorf("%d comments stored without the permission", got)
	}
	if e.sim.Calls().ByEndpoint["post_comments_list"] == 0 {
		t.Error("comments were not even asked for")
	}
}

// BenchmarkCommentCalls1000: the comment calls of a run over about 1,000
// posts with comments (first run: every comment; then a run an hour
// later: only posts whose comment count moved).
//
//	CI=1 go test -run '^$' -bench BenchmarkCommentCalls1000 -benchtime 1x ./collector/
func BenchmarkCommentCalls1000(b *testing.B) {
	for i := 0; i < b.N; i++ {
		e := newEnv(b)
		e.addAccounts(4, true, 7, 18)
		ib := inbox.New(e.sql, e.org, inbox.Options{Now: e.clock.Now})
		c := e.collector(nil, func(o *Options) { o.Comments = ib })
		ctx := context.Background()
		e.sim.ResetCalls()
		if _, err := c.Run(ctx, RunOptions{}); err != nil {
			b.Fatal(err)
		}
		withComments := 0
		for _, ch := range e.chans {
			for _, it := range e.sim.Published(ch.ExternalID) {
				if it.Kind != "story" && e.sim.CommentCount(it.ID) > 0 {
					withComments++
				}
			}
		}
		first, firstHTTP := e.commentCalls(), e.sim.Calls().HTTPRequests
		e.clock.Advance(time.Hour)
		e.sim.ResetCalls()
		if _, err := c.Run(ctx, RunOptions{}); err != nil {
			b.Fatal(err)
		}
		later := e.commentCalls()
		per := func(n int) float64 { return float64(n) * 1000 / float64(withComments) }
		b.ReportMetric(float64(withComments), "posts_with_comments")
		b.ReportMetric(per(first), "first_run_comment_calls/1000posts")
		b.ReportMetric(float64(firstHTTP), "first_run_http_requests_all")
		b.ReportMetric(per(later), "hour_later_comment_calls/1000posts")
	}
}
