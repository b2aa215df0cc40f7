package scheduler_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

var testKey = bytes.Repeat([]byte{3}, 32)

// env is a calendar over a real SQLite file and a publisher against the
// simulator over HTTP.
type env struct {
	t        testing.TB
	db       *store.SQLite
	org      *org.Store
	svc      *scheduler.Service
	pub      *scheduler.Publisher
	sim      *graphsim.Sim
	unit     org.Unit
	editor   auth.Principal
	approver auth.Principal
	viewer   auth.Principal
	tokens   *scheduler.TokenChecker
	graph    *meta.Client
}

func newEnv(t testing.TB, simOpt graphsim.Options, popt scheduler.PublisherOptions) *env {
	t.Helper()
	if simOpt.IGReadyDelay == 0 {
		simOpt.IGReadyDelay = time.Millisecond
	}
	if simOpt.AppID == "" {
		simOpt.AppID, simOpt.AppSecret = "app", "appsecret" // the client's: debug_token and appsecret_proof work
	}
	sim := graphsim.New(simOpt)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	db := storetest.SQLite(t)
	return newEnvWith(t, db, sim, srv.URL, popt)
}

func newEnvWith(t testing.TB, db *store.SQLite, sim *graphsim.Sim, url string, popt scheduler.PublisherOptions) *env {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	e := &env{}
	orgs := org.NewStore(db, testKey)
	svc := scheduler.NewService(db, orgs, scheduler.ServiceOptions{Logger: log})
	client, err := meta.New(meta.Options{BaseURL: url, Timeout: 5 * time.Second, ReadRetries: -1, Logger: log, AppID: "app", AppSecret: "appsecret",
		Now: sim.Now}) // appsecret_time on the simulator's clock
	e.tokens = scheduler.NewTokenChecker(client)
	if err != nil {
		t.Fatal(err)
	}
	if popt.BackoffBase == 0 {
		popt.BackoffBase = 10 * time.Millisecond
		popt.BackoffMax = 50 * time.Millisecond
	}
	if popt.ReadyCheck == 0 {
		popt.ReadyCheck = 5 * time.Millisecond
	}
	popt.Logger = log
	pub, err := scheduler.NewPublisher(svc, client, prometheus.NewRegistry(), popt)
	if err != nil {
		t.Fatal(err)
	}
	e.t, e.db, e.org, e.svc, e.pub, e.sim, e.graph = t, db, orgs, svc, pub, sim, client
	ctx := context.Background()
	units, _ := orgs.Units(ctx)
	if len(units) > 0 {
		e.unit = units[0]
	} else if e.unit, err = orgs.CreateUnit(ctx, org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-salatiga", Level: "city", RequiresApproval: true}); err != nil {
		t.Fatal(err)
	}
	as := auth.NewStore(db)
	mk := func(name string, role auth.Role) auth.Principal {
		_, tok, err := as.CreateUser(ctx, name, e.unit.ID, role)
		if err != nil {
			// existing (a restarted env): authenticate is not possible, look it up
			users, _ := as.Users(ctx)
			for _, u := range users {
				if u.Name == name {
					return auth.Principal{UserID: u.ID, Name: u.Name, UnitID: u.UnitID, Role: u.Role}
				}
			}
			t.Fatal(err)
		}
		p, err := as.Authenticate(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	e.editor, e.approver, e.viewer = mk("editor", auth.RoleEditor), mk("approver", auth.RoleApprover), mk("viewer", auth.RoleViewer)
	return e
}

// page adds a Facebook Page to the simulator and a channel for it.
func (e *env) page(id string) org.Channel {
	e.t.Helper()
	tok := "tok-" + id
	if err := e.sim.AddPage(id, "Page "+id, tok); err != nil {
		e.t.Fatal(err)
	}
	c, err := e.org.CreateChannel(context.Background(), org.ChannelInput{UnitID: e.unit.ID, Platform: org.Facebook, ExternalID: id, Name: "Page " + id, AccessToken: tok})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// instagram adds a Page with a linked IG account and a channel for the IG account.
func (e *env) instagram(pageID, igID string) org.Channel {
	e.t.Helper()
	tok := "tok-" + pageID
	if err := e.sim.AddPage(pageID, "Page "+pageID, tok); err != nil {
		e.t.Fatal(err)
	}
	if err := e.sim.AddIGAccount(igID, "ig"+igID, pageID); err != nil {
		e.t.Fatal(err)
	}
	c, err := e.org.CreateChannel(context.Background(), org.ChannelInput{UnitID: e.unit.ID, Platform: org.Instagram, ExternalID: igID, Name: "IG " + igID, AccessToken: tok})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func textDraft(caption string, at time.Time, channels ...int64) scheduler.Draft {
	return scheduler.Draft{Caption: caption, ContentType: "text", Classification: scheduler.Classification{Level: scheduler.Public},
		Channels: channels, ScheduledAt: at}
}

// scheduled creates a post as the editor and approves it as the approver.
func (e *env) scheduled(d scheduler.Draft) scheduler.Post {
	e.t.Helper()
	ctx := context.Background()
	p, err := e.svc.CreatePost(ctx, e.editor, d, true)
	if err != nil {
		e.t.Fatalf("create post: %v", err)
	}
	p, err = e.svc.Approve(ctx, e.approver, p.ID, scheduler.Review{Version: p.Version})
	if err != nil {
		e.t.Fatalf("approve post: %v", err)
	}
	if p.State != scheduler.StateScheduled {
		e.t.Fatalf("post state after approval = %s", p.State)
	}
	return p
}

// tickUntil ticks the publisher until cond holds, failing after 10 s.
func (e *env) tickUntil(what string, cond func() bool) {
	e.t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(10 * time.Second); ; {
		e.pub.Tick(ctx)
		e.pub.Wait()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// drain ticks until no delivery is due or in flight, or rounds run out.
func (e *env) drain(rounds int) {
	ctx := context.Background()
	for range rounds {
		e.pub.Tick(ctx)
		e.pub.Wait()
		var open int
		if err := e.db.DB.QueryRow(`SELECT count(*) FROM deliveries WHERE status IN ('scheduled', 'publishing')
			AND next_attempt_at <= ?`, store.FormatTime(time.Now().Add(time.Second))).Scan(&open); err != nil {
			e.t.Fatal(err)
		}
		if open == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *env) post(id int64) scheduler.Post {
	e.t.Helper()
	p, err := e.svc.Post(context.Background(), e.approver, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

var _ = fmt.Sprint
