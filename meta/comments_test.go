package meta_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
)

// TestComments: the client reads a post's comments (replies included),
// then only those newer than the last one seen, in batches of 50 targets;
// a reply whose answer was lost is found by FindReply, not sent twice;
// a hide; a missing permission is ClassPermission naming it.
func TestComments(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, meta.Options{})
	ctx := context.Background()
	if err := e.sim.SetFollowers(pageID, 80000); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.SeedHistory(pageID, 3, 30); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.SeedHistory(igID, 3, 10); err != nil {
		t.Fatal(err)
	}
	posts := e.sim.Published(pageID)
	p := posts[0]
	all, err := e.client.ListComments(ctx, pageToken, meta.CommentTarget{Platform: "facebook", ObjectID: p.ID}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != e.sim.CommentCount(p.ID) || len(all) == 0 {
		t.Fatalf("listed %d comments, the simulator holds %d", len(all), e.sim.CommentCount(p.ID))
	}
	last := all[0].Created // newest first
	if _, err := e.sim.AddComment(p.ID, "Warga Salatiga", "Kapan pleno rekapitulasi?"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	fresh, err := e.client.ListComments(ctx, pageToken, meta.CommentTarget{Platform: "facebook", ObjectID: p.ID}, last)
	if err != nil {
		t.Fatal(err)
	}
	if len(fresh) == 0 || fresh[0].Message != "Kapan pleno rekapitulasi?" || fresh[0].FromName != "Warga Salatiga" {
		t.Fatalf("new comments since the last seen: %+v", fresh)
	}

	// A batch over every post and media item: one HTTP request per 50.
	var targets []meta.CommentTarget
	for _, it := range posts {
		targets = append(targets, meta.CommentTarget{Platform: "facebook", ObjectID: it.ID})
	}
	for _, it := range e.sim.Published(igID) {
		targets = append(targets, meta.CommentTarget{Platform: "instagram", ObjectID: it.ID})
	}
	e.sim.ResetCalls()
	res, err := e.client.ListCommentsBatch(ctx, pageToken, targets, make([]time.Time, len(targets)))
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("target %d: %v", i, r.Err)
		}
		if got, want := len(r.Comments), e.sim.CommentCount(targets[i].ObjectID); got != want {
			t.Errorf("target %s: %d comments, simulator %d", targets[i].ObjectID, got, want)
		}
		total += len(r.Comments)
	}
	st := e.sim.Calls()
	// One request per 50 targets, plus one per further page of a target
	// with more than 100 comments.
	extra := 0
	for i := range targets {
		if n := e.sim.CommentCount(targets[i].ObjectID); targets[i].Platform == "facebook" && n > 100 {
			extra += (n - 1) / 100
		}
	}
	if want := (len(targets)+49)/50 + extra; st.HTTPRequests != want {
		t.Errorf("%d HTTP requests for %d targets, want %d (%v)", st.HTTPRequests, len(targets), want, st.ByEndpoint)
	}
	t.Logf("%d targets, %d comments: %d HTTP requests, %d Graph calls", len(targets), total, st.HTTPRequests, st.Total)

	// A reply performed and then answered with an error is uncertain; the
	// reconcile finds it, so it is published once.
	cid := fresh[0].ID
	e.sim.InjectFault(graphsim.Fault{Endpoint: "comment_reply", Kind: graphsim.FaultPerformedThenError})
	const answer = "Jadwal pleno ada di laman kpu-salatiga.go.id [#r1]"
	_, err = e.client.ReplyComment(ctx, pageToken, "facebook", cid, answer)
	if !meta.IsUncertain(err) {
		t.Fatalf("want an uncertain error, got %v", err)
	}
	r, ok, err := e.client.FindReply(ctx, pageToken, "facebook", cid, pageID, func(c meta.Comment) bool { return c.Message == answer })
	if err != nil || !ok || r.ID == "" {
		t.Fatalf("FindReply: %+v %v %v", r, ok, err)
	}
	if got := e.sim.PageReplies(cid); len(got) != 1 {
		t.Errorf("page replies %v", got)
	}
	if err := e.client.HideComment(ctx, pageToken, "facebook", all[0].ID, true); err != nil || !e.sim.CommentHidden(all[0].ID) {
		t.Fatalf("hide: %v", err)
	}
	_, err = e.client.ListComments(ctx, noPostToken, meta.CommentTarget{Platform: "facebook", ObjectID: p.ID}, time.Time{})
	var me *meta.Error
	if !errors.As(err, &me) || me.Class != meta.ClassPermission || me.Permission != "pages_read_user_content" {
		t.Fatalf("without pages_read_user_content: %v", err)
	}
}
