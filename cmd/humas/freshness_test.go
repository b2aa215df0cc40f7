package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// TestCollectInAnotherProcessReachesServe is the stale-report case with two
// real processes: `humas serve` runs (its own schedule off), `humas collect`
// runs from the CLI on the same state database, buffer folder and
// ClickHouse database against a Graph API simulator, and the new figures
// are in serve's /api/v1/engagement within 10 s, twice; then a content type
// correction (PATCH /api/v1/platform-posts) is in the report within 10 s.
// Before, serve showed collections from the CLI only after its next
// 5-minute rebuild plus the 60 s answer cache.
func TestCollectInAnotherProcessReachesServe(t *testing.T) {
	ctx := context.Background()
	ch := storetest.ClickHouse(t)
	chCfg := storetest.ClickHouseConfig(t)
	sim := graphsim.New(graphsim.Options{Seed: 13})
	simSrv := httptest.NewServer(sim)
	t.Cleanup(simSrv.Close)
	const page, pageToken = "1013", "page-token-1013"
	if err := sim.AddPage(page, "KPU Kota Salatiga", pageToken); err != nil {
		t.Fatal(err)
	}
	if err := sim.SeedHistory(page, 10, 2); err != nil {
		t.Fatal(err)
	}

	// The state database: an office, the Page as a channel, an admin.
	dir := t.TempDir()
	statePath := filepath.Join(dir, "humas.db")
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i + 1)
	}
	db, err := store.OpenSQLite(ctx, statePath, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	orgs := org.NewStore(db, key)
	unit, err := orgs.CreateUnit(ctx, org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-kota-salatiga", Level: "city"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := orgs.CreateChannel(ctx, org.ChannelInput{UnitID: unit.ID, Platform: org.Facebook, ExternalID: page,
		Name: "KPU Kota Salatiga", AccessToken: pageToken}); err != nil {
		t.Fatal(err)
	}
	_, token, err := auth.NewStore(db).CreateUser(ctx, "admin", unit.ID, auth.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	env := append(cleanEnv(), "HUMAS_LISTEN="+addr, "HUMAS_STATE_PATH="+statePath,
		"HUMAS_COLLECTOR_BUFFER_PATH="+filepath.Join(dir, "buffer"), "HUMAS_CLICKHOUSE_ADDR="+chCfg.Addr,
		"HUMAS_CLICKHOUSE_DATABASE="+ch.Database(), "HUMAS_SECRET_KEY="+hex.EncodeToString(key),
		"HUMAS_GRAPH_URL="+simSrv.URL, "HUMAS_COLLECTOR_ENABLED=false", "HUMAS_SCHEDULER_ENABLED=false", "HUMAS_LOG_LEVEL=info")
	serve := exec.Command(binPath, "serve")
	serve.Env = env
	logf, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	serve.Stdout, serve.Stderr = logf, logf
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- serve.Wait() }()
	t.Cleanup(func() {
		_ = serve.Process.Kill()
		<-served
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("serve log:\n%s", tailBytes(b, 6000))
		}
	})
	s := &servedHumas{base: "http://" + addr, dir: dir, cmd: serve, done: served}
	s.waitReady(t, 60*time.Second)

	call := func(method, path, body string, out any) {
		req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("%s %s: %s %s", method, path, resp.Status, b)
		}
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	posts := func() uint64 {
		var body struct {
			Totals struct {
				Posts uint64 `json:"posts"`
			} `json:"totals"`
		}
		call("GET", "/api/v1/engagement", "", &body)
		return body.Totals.Posts
	}
	if n := posts(); n != 0 { // also caches the empty answer
		t.Fatalf("%d posts before any collection", n)
	}

	summary := regexp.MustCompile(`: done: 1/1 channels, 0 failed, 0 paused; (\d+) posts`)
	want := uint64(0)
	for round := 1; round <= 2; round++ {
		if round == 2 {
			if err := sim.SeedHistory(page, 3, 2); err != nil { // six more posts on the Page
				t.Fatal(err)
			}
		}
		collect := exec.Command(binPath, "collect")
		collect.Env = env
		out, err := collect.CombinedOutput()
		if err != nil {
			t.Fatalf("round %d: humas collect: %v\n%s", round, err, out)
		}
		m := summary.FindSubmatch(out)
		if m == nil {
			t.Fatalf("round %d: no summary line:\n%s", round, out)
		}
		collected, _ := strconv.ParseUint(string(m[1]), 10, 64)
		if collected <= want {
			t.Fatalf("round %d: collect saw %d posts, %d before", round, collected, want)
		}
		want = collected
		start := time.Now()
		deadline := start.Add(10 * time.Second)
		var got uint64
		for got = posts(); got != want; got = posts() {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: serve's /api/v1/engagement shows %d posts 10s after humas collect wrote %d", round, got, want)
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("round %d: %d posts in serve's report %s after humas collect exited", round, got, time.Since(start).Round(time.Millisecond))
	}

	// A correction through serve's API reaches its reports too.
	byType := func() map[string]uint64 {
		var body struct {
			Rows []struct {
				ContentType string `json:"content_type"`
				Posts       uint64 `json:"posts"`
			} `json:"rows"`
		}
		call("GET", "/api/v1/engagement?group_by=content_type", "", &body)
		out := map[string]uint64{}
		for _, r := range body.Rows {
			out[r.ContentType] = r.Posts
		}
		return out
	}
	var top struct {
		Posts []struct {
			PostID      string `json:"post_id"`
			ContentType string `json:"content_type"`
		} `json:"posts"`
	}
	call("GET", "/api/v1/engagement/posts?limit=1", "", &top)
	if len(top.Posts) != 1 {
		t.Fatalf("top posts: %+v", top)
	}
	to := "text"
	if top.Posts[0].ContentType == to {
		to = "link"
	}
	before := byType()
	var changed map[string]any
	call("PATCH", "/api/v1/platform-posts/facebook/"+top.Posts[0].PostID, `{"content_type": "`+to+`"}`, &changed)
	start := time.Now()
	deadline := start.Add(10 * time.Second)
	for got := byType(); got[to] != before[to]+1; got = byType() {
		if time.Now().After(deadline) {
			t.Fatalf("10s after correcting %s to %s: %v, before %v", top.Posts[0].PostID, to, got, before)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("correction: in serve's report %s after PATCH returned", time.Since(start).Round(time.Millisecond))
}
