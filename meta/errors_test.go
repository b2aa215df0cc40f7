package meta_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
)

// TestErrorClasses drives the simulator into each failure Meta produces and
// checks the class the client reports.
func TestErrorClasses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		sim   graphsim.Options
		cli   meta.Options
		do    func(e *env) error
		class meta.Class
		check func(t *testing.T, me *meta.Error)
	}{
		{
			name: "retired metric", class: meta.ClassRetiredMetric,
			do: func(e *env) error {
				if _, err := e.client.PublishPageFeed(ctx, pageToken, pageID, meta.FeedPost{Message: "a"}); err != nil {
					return err
				}
				e.clock.Advance(time.Hour)
				e.sim.RetireMetric("post_clicks")
				_, err := e.client.ListPagePosts(ctx, pageToken, pageID, meta.ListOptions{WithInsights: true})
				return err
			},
			check: func(t *testing.T, me *meta.Error) {
				if me.Metric != "post_clicks" || me.Code != 100 {
					t.Errorf("metric = %q code %d, want post_clicks/100", me.Metric, me.Code)
				}
			},
		},
		{
			name: "known retired metric name from config", class: meta.ClassRetiredMetric,
			cli: meta.Options{Metrics: meta.MetricNames{FBViews: "post_impressions"}},
			do: func(e *env) error {
				_, err := e.client.ListPagePosts(ctx, pageToken, pageID, meta.ListOptions{WithInsights: true})
				return err
			},
			check: func(t *testing.T, me *meta.Error) {
				if me.Metric != "post_impressions" {
					t.Errorf("metric = %q", me.Metric)
				}
			},
		},
		{
			name: "expired token", class: meta.ClassAuth,
			do: func(e *env) error {
				if err := e.sim.ExpireToken(pageToken, t0.Add(time.Minute)); err != nil {
					return err
				}
				e.clock.Advance(2 * time.Minute)
				_, err := e.client.PageFollowers(ctx, pageToken, pageID)
				return err
			},
			check: func(t *testing.T, me *meta.Error) {
				if me.Code != 190 || me.Subcode != 463 {
					t.Errorf("code %d/%d, want 190/463", me.Code, me.Subcode)
				}
			},
		},
		{
			name: "unknown token", class: meta.ClassAuth,
			do: func(e *env) error {
				_, err := e.client.PageFollowers(ctx, "EAAnotAToken", pageID)
				return err
			},
		},
		{
			name: "throttled with regain time", class: meta.ClassThrottled,
			do: func(e *env) error {
				e.sim.SetThrottle(pageID, t0.Add(17*time.Minute))
				_, err := e.client.PageFollowers(ctx, pageToken, pageID)
				return err
			},
			check: func(t *testing.T, me *meta.Error) {
				if me.Code != 80001 || me.RetryAfter != 17*time.Minute {
					t.Errorf("code %d retry after %v, want 80001 and 17m", me.Code, me.RetryAfter)
				}
			},
		},
		{
			name: "usage past 100% throttles", class: meta.ClassThrottled,
			sim: graphsim.Options{UsagePerCall: 30},
			do: func(e *env) error {
				var err error
				for i := 0; i < 5 && err == nil; i++ {
					_, err = e.client.IGFollowers(ctx, pageToken, igID)
				}
				return err
			},
			check: func(t *testing.T, me *meta.Error) {
				if me.Code != 80002 || me.RetryAfter <= 0 || me.Usage.MaxPercent() < 100 {
					t.Errorf("code %d retry %v usage %d", me.Code, me.RetryAfter, me.Usage.MaxPercent())
				}
			},
		},
		{
			name: "app throttle", class: meta.ClassThrottled,
			do: func(e *env) error {
				e.sim.SetThrottle("app", t0.Add(time.Hour))
				_, err := e.client.PageFollowers(ctx, pageToken, pageID)
				return err
			},
			check: func(t *testing.T, me *meta.Error) {
				if me.Code != 4 || me.RetryAfter <= 0 {
					t.Errorf("code %d retry %v", me.Code, me.RetryAfter)
				}
			},
		},
		{
			name: "duplicate", class: meta.ClassDuplicate,
			do: func(e *env) error {
				if _, err := e.client.PublishPageFeed(ctx, pageToken, pageID, meta.FeedPost{Message: "sama"}); err != nil {
					return err
				}
				_, err := e.client.PublishPageFeed(ctx, pageToken, pageID, meta.FeedPost{Message: "sama"})
				return err
			},
			check: func(t *testing.T, me *meta.Error) {
				if me.Code != 506 {
					t.Errorf("code %d", me.Code)
				}
			},
		},
		{
			name: "IG quota", class: meta.ClassQuota,
			sim: graphsim.Options{DailyPublishQuota: 1},
			do: func(e *env) error {
				var last error
				for i := 0; i < 2; i++ {
					id, err := e.client.CreateIGContainer(ctx, pageToken, igID, meta.IGContainer{Kind: meta.IGImage, ImageURL: "https://x.org/a.jpg"})
					if err != nil {
						return err
					}
					e.clock.Advance(time.Minute)
					_, last = e.client.IGPublish(ctx, pageToken, igID, id)
				}
				return last
			},
			check: func(t *testing.T, me *meta.Error) {
				if me.Code != 9 || me.Subcode != 2207042 {
					t.Errorf("code %d/%d", me.Code, me.Subcode)
				}
			},
		},
		{
			name: "not ready 9007", class: meta.ClassNotReady,
			do: func(e *env) error {
				id, err := e.client.CreateIGContainer(ctx, pageToken, igID, meta.IGContainer{Kind: meta.IGReel, VideoURL: "https://x.org/a.mp4"})
				if err != nil {
					return err
				}
				_, err = e.client.IGPublish(ctx, pageToken, igID, id)
				return err
			},
			check: func(t *testing.T, me *meta.Error) {
				if me.Code != 9007 || me.Subcode != 2207027 || !me.Class.Retryable() {
					t.Errorf("code %d/%d", me.Code, me.Subcode)
				}
			},
		},
		{
			name: "missing permission", class: meta.ClassPermission,
			do: func(e *env) error {
				_, err := e.client.PublishPageFeed(ctx, noPostToken, pageID, meta.FeedPost{Message: "x"})
				return err
			},
			check: func(t *testing.T, me *meta.Error) {
				if me.Code != 200 || me.Permission != "pages_manage_posts" || me.HTTPStatus != 403 {
					t.Errorf("code %d perm %q status %d", me.Code, me.Permission, me.HTTPStatus)
				}
			},
		},
		{
			name: "wrong appsecret_proof", class: meta.ClassAuth,
			cli: meta.Options{AppID: testAppID, AppSecret: "not-the-secret"},
			do: func(e *env) error {
				_, err := e.client.PageFollowers(ctx, pageToken, pageID)
				return err
			},
			check: func(t *testing.T, me *meta.Error) {
				if me.Code != 100 || !strings.Contains(me.Message, "appsecret_proof") {
					t.Errorf("code %d %q", me.Code, me.Message)
				}
			},
		},
		{
			name: "transient", class: meta.ClassTransient,
			cli: meta.Options{ReadRetries: -1},
			do: func(e *env) error {
				e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultTransient, Endpoint: "page_object"})
				_, err := e.client.PageFollowers(ctx, pageToken, pageID)
				return err
			},
		},
		{
			name: "scheduled time outside window", class: meta.ClassInvalid,
			do: func(e *env) error {
				_, err := e.client.PublishPageFeed(ctx, pageToken, pageID, meta.FeedPost{Message: "x", ScheduledAt: t0.Add(5 * time.Minute)})
				return err
			},
		},
		{
			name: "object of another page", class: meta.ClassInvalid,
			do: func(e *env) error {
				_, err := e.client.PageFollowers(ctx, pageToken, "999999")
				return err
			},
			check: func(t *testing.T, me *meta.Error) {
				if me.Subcode != 33 {
					t.Errorf("subcode %d", me.Subcode)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			tt.cli.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			e := newEnv(t, tt.sim, tt.cli)
			err := tt.do(e)
			if got := meta.ClassOf(err); got != tt.class {
				t.Fatalf("class = %v, want %v (err: %v)", got, tt.class, err)
			}
			var me *meta.Error
			if !errors.As(err, &me) {
				t.Fatalf("not a *meta.Error: %T", err)
			}
			if tt.check != nil {
				tt.check(t, me)
			}
			for _, secret := range []string{pageToken, noPostToken, testSecret} {
				if strings.Contains(err.Error(), secret) || strings.Contains(logs.String(), secret) {
					t.Errorf("secret leaked into error or logs: %v", err)
				}
			}
			reported := false
			for _, ci := range e.infos {
				reported = reported || ci.Class == tt.class
			}
			if !reported {
				t.Errorf("OnResponse did not report class %v", tt.class)
			}
		})
	}
}

func TestReadRetriesTransient(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, meta.Options{ReadRetries: 2})
	e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultTransient, Endpoint: "page_object", Count: 2})
	n, err := e.client.PageFollowers(context.Background(), pageToken, pageID)
	if err != nil || n != graphsim.DefaultPageFollowers {
		t.Fatalf("followers = %d, %v", n, err)
	}
	if got := e.sim.Calls().ByEndpoint["page_object"]; got != 3 {
		t.Errorf("calls = %d, want 3 (two failures, one success)", got)
	}
}

// TestUncertainOutcome: the post is created but the answer is lost; the
// client must report an uncertain outcome, and reconciliation finds the post.
func TestUncertainOutcome(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, graphsim.Options{}, meta.Options{Timeout: 300 * time.Millisecond})
	e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultLostAnswer, Endpoint: "page_feed_post"})
	_, err := e.client.PublishPageFeed(ctx, pageToken, pageID, meta.FeedPost{Message: "pengumuman penting"})
	if !meta.IsUncertain(err) || meta.ClassOf(err) != meta.ClassTransient {
		t.Fatalf("lost answer: uncertain=%v class=%v err=%v", meta.IsUncertain(err), meta.ClassOf(err), err)
	}
	if strings.Contains(err.Error(), pageToken) {
		t.Error("token in error")
	}
	if n := e.sim.CountText(pageID, "pengumuman penting"); n != 1 {
		t.Fatalf("post count = %d, want 1 (it was created)", n)
	}
	p, ok, err := e.client.FindPagePost(ctx, pageToken, pageID, t0.Add(-time.Minute), func(p meta.PagePost) bool { return p.Message == "pengumuman penting" })
	if err != nil || !ok || p.ID == "" {
		t.Fatalf("reconcile: %v %v", ok, err)
	}

	// A hang: the request was sent, the deadline passes, nothing was created.
	e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultTimeout, Endpoint: "page_feed_post"})
	start := time.Now()
	_, err = e.client.PublishPageFeed(ctx, pageToken, pageID, meta.FeedPost{Message: "kedua"})
	var ne *meta.NetError
	if !errors.As(err, &ne) || !ne.Timeout || !ne.Sent || !meta.IsUncertain(err) {
		t.Fatalf("timeout: %#v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("timeout took too long")
	}
	if n := e.sim.CountText(pageID, "kedua"); n != 0 {
		t.Errorf("timed-out post count = %d, want 0", n)
	}
}

func TestNotSent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := meta.New(meta.Options{BaseURL: "http://" + addr, ReadRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PublishPageFeed(context.Background(), pageToken, pageID, meta.FeedPost{Message: "x"})
	if !meta.IsNotSent(err) || meta.IsUncertain(err) {
		t.Fatalf("dial failure: notSent=%v uncertain=%v %v", meta.IsNotSent(err), meta.IsUncertain(err), err)
	}
	if strings.Contains(err.Error(), pageToken) {
		t.Error("token in error")
	}
}

func TestHTML502IsUncertainForWrites(t *testing.T) {
	e := newEnv(t, graphsim.Options{Seed: 3}, meta.Options{})
	// Transient faults rotate among code 1, code 2 and a bare 502; inject
	// until a write sees the bare 502.
	for i := 0; i < 30; i++ {
		e.sim.InjectFault(graphsim.Fault{Kind: graphsim.FaultTransient, Endpoint: "page_feed_post"})
		_, err := e.client.PublishPageFeed(context.Background(), pageToken, pageID, meta.FeedPost{Message: "x"})
		var me *meta.Error
		if errors.As(err, &me) && me.Code == 0 {
			if me.HTTPStatus != 502 || !meta.IsUncertain(err) || me.Class != meta.ClassTransient {
				t.Fatalf("bare 502: %+v", me)
			}
			return
		}
		if meta.ClassOf(err) != meta.ClassTransient || meta.IsUncertain(err) {
			t.Fatalf("graph transient: %v", err)
		}
	}
	t.Fatal("no bare 502 seen")
}
