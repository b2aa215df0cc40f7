package inbox_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/inbox"
	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
	"github.com/humas-id/humas/valid"
)

const (
	pageID = "104857600000001"
	token  = "page-token-salatiga"
)

type env struct {
	t                                   *testing.T
	clock                               *graphsim.ManualClock
	sim                                 *graphsim.Sim
	client                              *meta.Client
	db                                  *store.SQLite
	org                                 *org.Store
	ib                                  *inbox.Service
	unit                                org.Unit
	ch                                  org.Channel
	editor, approver, approver2, viewer auth.Principal
}

func newEnv(t *testing.T, requiresApproval bool) *env {
	t.Helper()
	e := &env{t: t, clock: graphsim.NewManualClock(time.Date(2026, 11, 2, 3, 0, 0, 0, time.UTC))}
	e.sim = graphsim.New(graphsim.Options{Clock: e.clock.Now, Seed: 3, AppID: "app", AppSecret: "secret"})
	srv := httptest.NewServer(e.sim)
	t.Cleanup(srv.Close)
	var err error
	e.client, err = meta.New(meta.Options{BaseURL: srv.URL, AppID: "app", AppSecret: "secret", Now: e.clock.Now, RetryBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.AddPage(pageID, "KPU Kota Salatiga", token); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.SetFollowers(pageID, 30000); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.SeedHistory(pageID, 3, 2); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e.db = storetest.SQLite(t)
	e.org = org.NewStore(e.db, []byte(strings.Repeat("k", 32)))
	e.unit, err = e.org.CreateUnit(ctx, org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-salatiga", Level: "city", RequiresApproval: requiresApproval})
	if err != nil {
		t.Fatal(err)
	}
	e.ch, err = e.org.CreateChannel(ctx, org.ChannelInput{UnitID: e.unit.ID, Platform: org.Facebook, ExternalID: pageID, Name: "KPU Kota Salatiga", AccessToken: token})
	if err != nil {
		t.Fatal(err)
	}
	users := auth.NewStore(e.db)
	mk := func(name string, role auth.Role) auth.Principal {
		u, _, err := users.CreateUser(ctx, name, e.unit.ID, role)
		if err != nil {
			t.Fatal(err)
		}
		return auth.Principal{UserID: u.ID, Name: u.Name, UnitID: u.UnitID, Role: u.Role}
	}
	e.editor, e.approver, e.approver2, e.viewer = mk("rina", auth.RoleEditor), mk("budi", auth.RoleApprover), mk("sari", auth.RoleApprover), mk("tamu", auth.RoleViewer)
	e.ib = inbox.New(e.db, e.org, inbox.Options{Graph: e.client, Now: e.clock.Now})
	return e
}

// collect reads every post's comments into the inbox (as the collector does).
func (e *env) collect() {
	e.t.Helper()
	var got []inbox.Collected
	for _, it := range e.sim.Published(pageID) {
		list, err := e.client.ListComments(context.Background(), token, meta.CommentTarget{Platform: "facebook", ObjectID: it.ID}, time.Time{})
		if err != nil {
			e.t.Fatal(err)
		}
		got = append(got, inbox.Collected{ObjectID: it.ID, PostText: it.Text, Count: -1, Comments: list})
	}
	if _, err := e.ib.SaveCollected(context.Background(), e.ch, e.clock.Now(), got); err != nil {
		e.t.Fatal(err)
	}
}

// question adds a question on the newest post and returns its inbox comment.
func (e *env) question(text string) inbox.Comment {
	e.t.Helper()
	posts := e.sim.Published(pageID)
	if _, err := e.sim.AddComment(posts[len(posts)-1].ID, "Warga Sidorejo", text); err != nil {
		e.t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	e.collect()
	yes := true
	list, _, err := e.ib.List(context.Background(), e.editor, inbox.Filter{Question: &yes, Status: inbox.StatusNew})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, c := range list {
		if c.Message == text {
			return c
		}
	}
	e.t.Fatalf("question %q not in the inbox", text)
	return inbox.Comment{}
}

func TestListFiltersAndOrder(t *testing.T) {
	e := newEnv(t, false)
	e.collect()
	ctx := context.Background()
	all, total, err := e.ib.List(ctx, e.viewer, inbox.Filter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if total == 0 || len(all) != min(total, 200) {
		t.Fatalf("listed %d of %d", len(all), total)
	}
	for i := 1; i < len(all); i++ {
		if all[i].CreatedAt.After(all[i-1].CreatedAt) {
			t.Fatalf("not newest first at %d", i)
		}
	}
	if all[0].PostText == "" {
		t.Error("the post a comment is on is not shown")
	}
	yes, no := true, false
	q, nq, _ := 0, 0, 0
	if l, n, err := e.ib.List(ctx, e.viewer, inbox.Filter{Question: &yes}); err == nil {
		q = n
		for _, c := range l {
			if !c.IsQuestion {
				t.Errorf("non-question in the question filter: %q", c.Message)
			}
		}
	}
	if _, n, err := e.ib.List(ctx, e.viewer, inbox.Filter{Question: &no}); err == nil {
		nq = n
	}
	if q == 0 || q+nq != total {
		t.Errorf("questions %d + others %d != %d", q, nq, total)
	}
	// Done ones go after the new ones.
	if _, err := e.ib.SetDone(ctx, e.editor, all[0].ID, true); err != nil {
		t.Fatal(err)
	}
	again, _, _ := e.ib.List(ctx, e.viewer, inbox.Filter{Limit: 200})
	if again[len(again)-1].ID != all[0].ID || again[len(again)-1].Status != inbox.StatusDone {
		t.Errorf("a done comment is not listed last")
	}
	if _, n, _ := e.ib.List(ctx, e.viewer, inbox.Filter{Status: "done"}); n != 1 {
		t.Errorf("done filter: %d", n)
	}
	if _, _, err := e.ib.List(ctx, e.viewer, inbox.Filter{Status: "bogus"}); !errors.Is(err, valid.ErrBadParam) {
		t.Errorf("bad status: %v", err)
	}
	if _, err := e.ib.SetDone(ctx, e.viewer, all[1].ID, true); !errors.Is(err, valid.ErrForbidden) {
		t.Errorf("a viewer marked a comment done: %v", err)
	}
}

// TestReplyExactlyOnce: Meta performs the reply and answers with an
// error; humas finds the reply on the platform and records it: one reply
// on the Page, published with its id. A lost answer likewise.
func TestReplyExactlyOnce(t *testing.T) {
	for _, kind := range []graphsim.FaultKind{graphsim.FaultPerformedThenError, graphsim.FaultLostAnswer, graphsim.FaultTransient} {
		t.Run(kind.String(), func(t *testing.T) {
			e := newEnv(t, false)
			c := e.question("Kapan pleno rekapitulasi kecamatan?")
			e.sim.InjectFault(graphsim.Fault{Endpoint: "comment_reply", Kind: kind})
			r, err := e.ib.Reply(context.Background(), e.editor, c.ID, "Pleno kecamatan dijadwalkan 5 Desember; jadwal lengkap di kpu-salatiga.go.id")
			if err != nil {
				t.Fatal(err)
			}
			if r.State != inbox.ReplyPublished || r.ExternalID == "" {
				t.Fatalf("reply %+v", r)
			}
			if got := e.sim.PageReplies(c.ExternalID); len(got) != 1 {
				t.Fatalf("the Page replied %d times: %v", len(got), got)
			}
			got, err := e.ib.Get(context.Background(), e.editor, c.ID)
			if err != nil || got.FirstReplyAt == nil {
				t.Fatalf("the comment is not answered: %+v %v", got, err)
			}
			// The collector finds the Page's reply later: stored once, as the unit's.
			e.clock.Advance(time.Minute)
			e.collect()
			var n int
			_ = e.db.DB.QueryRow(`SELECT count(*) FROM comments WHERE by_page = 1`).Scan(&n)
			if n != 1 {
				t.Errorf("%d rows of the unit's replies, want 1", n)
			}
		})
	}
}

// TestReplyApproval: in a unit that requires approval, a reply waits for
// an approver other than its writer, then publishes once.
func TestReplyApproval(t *testing.T) {
	e := newEnv(t, true)
	ctx := context.Background()
	c := e.question("Bagaimana cara pindah TPS?")
	r, err := e.ib.Reply(ctx, e.approver, c.ID, "Silakan datang ke PPS dengan KTP-el paling lambat H-7.")
	if err != nil || r.State != inbox.ReplyAwaitingApproval {
		t.Fatalf("reply %+v %v", r, err)
	}
	if len(e.sim.PageReplies(c.ExternalID)) != 0 {
		t.Fatal("published before approval")
	}
	if _, err := e.ib.Reply(ctx, e.editor, c.ID, "Balasan kedua"); !errors.Is(err, valid.ErrConflict) {
		t.Errorf("a second reply while one waits: %v", err)
	}
	if _, err := e.ib.ApproveReply(ctx, e.approver, r.ID); !errors.Is(err, valid.ErrForbidden) {
		t.Errorf("the writer approved their own reply: %v", err)
	}
	if _, err := e.ib.ApproveReply(ctx, e.editor, r.ID); !errors.Is(err, valid.ErrForbidden) {
		t.Errorf("an editor approved: %v", err)
	}
	r, err = e.ib.ApproveReply(ctx, e.approver2, r.ID)
	if err != nil || r.State != inbox.ReplyPublished || r.ApprovedBy != e.approver2.UserID {
		t.Fatalf("approved reply %+v %v", r, err)
	}
	if _, err := e.ib.ApproveReply(ctx, e.approver2, r.ID); !errors.Is(err, valid.ErrConflict) {
		t.Errorf("approved twice: %v", err)
	}
	if n := len(e.sim.PageReplies(c.ExternalID)); n != 1 {
		t.Errorf("%d replies on the Page", n)
	}
	// The audit log has every step.
	lines, err := auth.NewStore(e.db).QueryAudit(ctx, auth.AuditFilter{Units: []int64{e.unit.ID}, Entity: "comment"})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, l := range lines {
		actions = append(actions, l.Action)
	}
	for _, want := range []string{"reply_written", "reply_approved", "reply_published"} {
		if !strings.Contains(strings.Join(actions, ","), want) {
			t.Errorf("audit lacks %s: %v", want, actions)
		}
	}
}

func TestHideAssignAudit(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	c := e.question("Kenapa hasil seleksi belum diumumkan?")
	got, err := e.ib.Hide(ctx, e.editor, c.ID, true)
	if err != nil || !got.Hidden || !e.sim.CommentHidden(c.ExternalID) {
		t.Fatalf("hide: %+v %v", got, err)
	}
	got, err = e.ib.Assign(ctx, e.editor, c.ID, e.approver.UserID)
	if err != nil || got.AssigneeName != e.approver.Name {
		t.Fatalf("assign: %+v %v", got, err)
	}
	if _, err := e.ib.Assign(ctx, e.editor, c.ID, 9999); !errors.Is(err, valid.ErrInvalid) {
		t.Errorf("assign to nobody: %v", err)
	}
	if l, n, _ := e.ib.List(ctx, e.viewer, inbox.Filter{Assignee: e.approver.UserID}); n != 1 || l[0].ID != c.ID {
		t.Errorf("assignee filter: %d", n)
	}
	lines, _ := auth.NewStore(e.db).QueryAudit(ctx, auth.AuditFilter{Units: []int64{e.unit.ID}, Entity: "comment"})
	if len(lines) < 2 {
		t.Errorf("audit lines %+v", lines)
	}
	// A token without pages_manage_engagement: the refusal names it.
	var perms []string
	for _, p := range graphsim.DefaultPagePerms() {
		if p != "pages_manage_engagement" {
			perms = append(perms, p)
		}
	}
	if err := e.sim.AddToken("narrow", pageID, time.Time{}, perms...); err != nil {
		t.Fatal(err)
	}
	tok := "narrow"
	if _, err := e.org.UpdateChannel(ctx, e.ch.ID, org.ChannelPatch{AccessToken: &tok}); err != nil {
		t.Fatal(err)
	}
	r, err := e.ib.Reply(ctx, e.editor, c.ID, "Segera diumumkan.")
	if !errors.Is(err, valid.ErrConflict) || !strings.Contains(err.Error(), "pages_manage_engagement") || r.State != inbox.ReplyFailed {
		t.Errorf("reply without the permission: %+v %v", r, err)
	}
}

// TestReplyReconciledLater: the reply's answer is lost and the check
// fails too: the reply stays sending; the later pass finds it on the
// platform and records it without sending it again.
func TestReplyReconciledLater(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	c := e.question("Apakah DPT sudah ditetapkan?")
	e.sim.InjectFault(graphsim.Fault{Endpoint: "comment_reply", Kind: graphsim.FaultPerformedThenError})
	e.sim.InjectFault(graphsim.Fault{Endpoint: "comment_replies_list", Kind: graphsim.FaultGraphError, Code: 2, HTTPStatus: 503,
		Message: "Service temporarily unavailable", Transient: true, Count: 5})
	r, err := e.ib.Reply(ctx, e.editor, c.ID, "Sudah, DPT ditetapkan dalam pleno 20 November.")
	if err == nil || r.State != inbox.ReplySending {
		t.Fatalf("with the check failing: %+v %v", r, err)
	}
	e.clock.Advance(10 * time.Minute)
	n, err := e.ib.ReconcilePending(ctx, 5*time.Minute)
	if err != nil || n != 1 {
		t.Fatalf("reconciled %d: %v", n, err)
	}
	got, _ := e.ib.Get(ctx, e.editor, c.ID)
	if len(got.Replies) != 1 || got.Replies[0].State != inbox.ReplyPublished || got.Replies[0].Attempts != 1 {
		t.Fatalf("replies %+v", got.Replies)
	}
	if k := len(e.sim.PageReplies(c.ExternalID)); k != 1 {
		t.Errorf("%d replies on the Page", k)
	}
}

// TestResponseStats: the rate counts the public's comments answered; the
// median is the time to the unit's first answer.
func TestResponseStats(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	c := e.question("Di mana lokasi TPS saya?")
	e.clock.Advance(30 * time.Minute)
	if _, err := e.ib.Reply(ctx, e.editor, c.ID, "Cek di cekdptonline.kpu.go.id"); err != nil {
		t.Fatal(err)
	}
	from, to := e.clock.Now().Add(-24*time.Hour), e.clock.Now().Add(time.Hour)
	rows, err := e.ib.ResponseStats(ctx, nil, from, to)
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows %+v %v", rows, err)
	}
	r := rows[0]
	var want int
	_ = e.db.DB.QueryRow(`SELECT count(*) FROM comments WHERE by_page = 0 AND created_at >= ?`, store.FormatTime(from)).Scan(&want)
	if r.Comments != want || r.Answered != 1 || r.QuestionsDone != 1 || r.MedianMinutes < 30 || r.MedianMinutes > 32 {
		t.Fatalf("row %+v (want %d comments, 1 answered after about 31 minutes)", r, want)
	}
	if got := r.Rate(); got != 1/float64(want) {
		t.Errorf("rate %v", got)
	}
}

// TestMirrorFacts: the public comments reach ClickHouse with their
// answer; a second mirror replaces, never adds.
func TestMirrorFacts(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	c := e.question("Kapan coklit dimulai?")
	e.clock.Advance(45 * time.Minute)
	if _, err := e.ib.Reply(ctx, e.editor, c.ID, "Coklit dimulai 2 November."); err != nil {
		t.Fatal(err)
	}
	ch := storetest.ClickHouse(t)
	var want int
	_ = e.db.DB.QueryRow(`SELECT count(*) FROM comments WHERE by_page = 0`).Scan(&want)
	for i := 0; i < 2; i++ {
		n, err := e.ib.MirrorToClickHouse(ctx, ch, e.clock.Now().AddDate(0, 0, -30))
		if err != nil || n != want {
			t.Fatalf("mirrored %d of %d: %v", n, want, err)
		}
		e.clock.Advance(time.Minute)
	}
	var total, answered uint64
	var minutes float64
	if err := ch.QueryRow(ctx, `SELECT count(), sum(a), max(m) FROM (SELECT comment_id, argMax(answered, version) AS a,
 argMax(response_minutes, version) AS m FROM comment_facts GROUP BY comment_id)`).Scan(&total, &answered, &minutes); err != nil {
		t.Fatal(err)
	}
	if int(total) != want || answered != 1 || minutes < 45 || minutes > 47 {
		t.Fatalf("facts: %d comments (want %d), %d answered, %v minutes", total, want, answered, minutes)
	}
}
