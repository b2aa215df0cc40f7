package main

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/analytics/analyticstest"
	"github.com/humas-id/humas/backup"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/store/storetest"
)

// previousRelease is the last landed stop before this version (issue 21):
// the installation an upgrade starts from.
const previousRelease = "7b39b0ecf42ec6e2dbdee1ddf310704f1049d8f3"

// previousBinary builds humas as of previousRelease from the repository's
// history (git archive, then go build; about two minutes on two cores) and
// keeps it in the cache folder scripts/chdb.sh uses
// ($HUMAS_CACHE_DIR, default ~/.cache/humas), so later runs start at once.
func previousBinary(t *testing.T) string {
	t.Helper()
	cache := os.Getenv("HUMAS_CACHE_DIR")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			t.Fatal(err)
		}
		cache = filepath.Join(home, ".cache", "humas")
	}
	bin := filepath.Join(cache, "releases", previousRelease[:12], "humas")
	if out, err := exec.Command(bin, "version").Output(); err == nil && strings.Contains(string(out), previousRelease[:7]) {
		return bin
	}
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		missing(t, "the repository's git history (to build the previous release)", err)
	}
	archive := exec.Command("git", "-C", strings.TrimSpace(string(top)), "archive", "--format=tar", previousRelease)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	archive.Stderr = &stderr
	if err := archive.Start(); err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	if err := untar(pipe, src); err != nil {
		t.Fatal(err)
	}
	if err := archive.Wait(); err != nil {
		missing(t, "commit "+previousRelease+" in the repository's history", fmt.Errorf("%v: %s", err, stderr.String()))
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := bin + ".building"
	start := time.Now()
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-X main.version="+previousRelease[:7], "-o", tmp, "./cmd/humas")
	build.Dir = src
	build.Env = append(os.Environ(), "GOFLAGS=-mod=readonly")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build humas %s: %v\n%s", previousRelease[:7], err, out)
	}
	if err := os.Rename(tmp, bin); err != nil {
		t.Fatal(err)
	}
	t.Logf("built humas %s in %s (kept in %s)", previousRelease[:7], time.Since(start).Round(time.Second), bin)
	return bin
}

func missing(t *testing.T, what string, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is required in CI: %v", what, err)
	}
	t.Skipf("%s is not available: %v", what, err)
}

func untar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if !filepath.IsLocal(h.Name) {
			return fmt.Errorf("archive entry %q", h.Name)
		}
		p := filepath.Join(dir, h.Name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, os.FileMode(h.Mode)&0o755|0o600)
			if err != nil {
				return err
			}
			if _, err := io.Copy(f, tr); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
		}
	}
}

// TestUpgradeFromPreviousRelease takes an installation made by the
// previous release (its binary, built from git: its schema, its collector
// writing the history, its API creating the channels, publishing a post,
// correcting a content type and answering every report) and upgrades it
// with this version in place (`humas migrate`, which backs up first): every
// report answers the same figures as before, every audit row is as it was,
// users and posts keep their values, and a post the old version approved
// publishes once under the new one. The same data also goes through the
// upgrade inside this test process (the pre-upgrade backup restored into
// the old schema, then today's migrations and reports), so the
// differential test replays the upgrade on the modern engine.
func TestUpgradeFromPreviousRelease(t *testing.T) {
	ctx := context.Background()
	old := previousBinary(t)
	sim := graphsim.New(graphsim.Options{Seed: 7})
	simSrv := httptest.NewServer(sim)
	t.Cleanup(simSrv.Close)
	const page, ig, token = "1021", "17841400000001021", "page-token-1021"
	if err := sim.AddPage(page, "KPU Kota Salatiga", token); err != nil {
		t.Fatal(err)
	}
	if err := sim.AddIGAccount(ig, "kpusalatiga", page); err != nil {
		t.Fatal(err)
	}
	for _, obj := range []string{page, ig} {
		if err := sim.SeedHistory(obj, 30, 2); err != nil {
			t.Fatal(err)
		}
	}
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(5*i + 3)
	}
	root := t.TempDir()
	database := storetest.ClickHouseConfig(t).Database // created by the old binary
	t.Cleanup(func() { dropDatabase(t, database) })
	in := newInstallation(t, filepath.Join(root, "var"), database, key, simSrv.URL)
	// The collector runs when asked (POST /api/v1/collect), never on its
	// own: the data stays as the old version's reports saw it.
	in.env = append(in.env, "HUMAS_LOG_LEVEL=warn", "HUMAS_COLLECTOR_ENABLED=true", "HUMAS_COLLECTOR_SCHEDULE=0 0 0 1 1 *")
	runOld := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(old, args...)
		cmd.Env = in.env
		out, err := cmd.Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				out = append(out, ee.Stderr...)
			}
			t.Fatalf("humas %s %v: %v\n%s", previousRelease[:7], args, err, out)
		}
		return string(out)
	}

	// The previous release sets up and runs the installation.
	runOld("migrate")
	runOld("unit", "add", "--name", "KPU Kota Salatiga", "--slug", "kpu-salatiga", "--level", "city", "--no-approval")
	admin := strings.TrimSpace(runOld("user", "add", "--name", "admin", "--unit", "kpu-salatiga", "--role", "admin"))
	runOld("user", "add", "--name", "kepala.salatiga", "--unit", "kpu-salatiga", "--role", "viewer")
	startOld := func() {
		t.Helper()
		was := binPath
		binPath = old // in.start runs binPath
		defer func() { binPath = was }()
		in.start()
	}
	startOld()
	var fb, insta struct {
		ID int64 `json:"id"`
	}
	in.apiJSON("POST", "/api/v1/channels", admin, map[string]any{"platform": "facebook", "external_id": page, "name": "KPU Salatiga",
		"unit": "kpu-salatiga", "access_token": token}, http.StatusCreated, &fb)
	in.apiJSON("POST", "/api/v1/channels", admin, map[string]any{"platform": "instagram", "external_id": ig, "name": "@kpusalatiga",
		"unit": "kpu-salatiga", "access_token": token}, http.StatusCreated, &insta)
	in.apiJSON("POST", "/api/v1/collect", admin, nil, http.StatusAccepted, nil)

	post := func(caption string, due time.Time) int64 {
		var p struct {
			ID    int64  `json:"id"`
			State string `json:"state"`
		}
		in.apiJSON("POST", "/api/v1/posts", admin, map[string]any{"caption": caption, "content_type": "text",
			"classification": map[string]any{"level": "public"}, "channels": []int64{fb.ID},
			"scheduled_at": due.Format(time.RFC3339Nano), "submit": true, "campaign": "pemilu"}, http.StatusCreated, &p)
		if p.State != "scheduled" {
			t.Fatalf("%q is %s under the old version, want scheduled", caption, p.State)
		}
		return p.ID
	}
	published := func(id int64, within time.Duration) string {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			var p struct {
				State      string `json:"state"`
				Deliveries []struct {
					PlatformID string `json:"platform_id"`
				} `json:"deliveries"`
			}
			in.apiJSON("GET", fmt.Sprintf("/api/v1/posts/%d", id), admin, nil, http.StatusOK, &p)
			if p.State == "published" && len(p.Deliveries) == 1 {
				return p.Deliveries[0].PlatformID
			}
			if time.Now().After(deadline) {
				t.Fatalf("post %d not published within %s: %+v", id, within, p)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	p1 := post("Pengumuman DPT (versi lama)", time.Now().Add(time.Second))
	first := published(p1, 30*time.Second)
	// A content type correction: an override row, a posts row in
	// ClickHouse and an audit row.
	var top struct {
		Posts []struct {
			Platform string `json:"platform"`
			PostID   string `json:"post_id"`
		} `json:"posts"`
	}
	today := time.Now().UTC()
	period := "from=" + today.AddDate(0, 0, -40).Format("2006-01-02") + "&to=" + today.Format("2006-01-02")
	// The old version rebuilds its read model in the background at start.
	waitReport := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				_, b := in.api("GET", "/api/v1/engagement?"+period, admin, nil, "")
				t.Fatalf("the old version%sreports do not show %s within 60s: %s", "'s ", what, b)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	polls := 0
	waitReport("the collected posts", func() bool {
		polls++ // another limit each time: another cache key
		in.apiJSON("GET", fmt.Sprintf("/api/v1/engagement/posts?limit=%d&%s", polls%100+1, period), admin, nil, http.StatusOK, &top)
		return len(top.Posts) > 0
	})
	in.apiJSON("PATCH", "/api/v1/platform-posts/"+top.Posts[0].Platform+"/"+top.Posts[0].PostID, admin,
		map[string]any{"content_type": "interactive"}, http.StatusOK, nil)
	waitReport("the corrected content type", func() bool {
		polls++
		var rep struct {
			Rows []struct {
				ContentType string `json:"content_type"`
			} `json:"rows"`
		}
		in.apiJSON("GET", fmt.Sprintf("/api/v1/engagement?group_by=content_type&limit=%d&%s", polls%100+1, period), admin, nil, http.StatusOK, &rep)
		return slices.ContainsFunc(rep.Rows, func(r struct {
			ContentType string `json:"content_type"`
		}) bool {
			return r.ContentType == "interactive"
		})
	})

	// The old version mirrors channels into ClickHouse at start and every
	// minute: restart it so its reports name the channels made above.
	in.stop()
	startOld()
	reqs := analyticstest.Requests(rows(t, in.statePath(), `SELECT id FROM units`), period)
	oldAnswers := map[string][]byte{}
	for _, r := range reqs {
		code, b := in.api("GET", r.Path(), admin, nil, "")
		if code != http.StatusOK {
			t.Fatalf("the old version refuses %s: %d %s", r.Label(), code, b)
		}
		oldAnswers[r.Label()] = b
	}
	// Approved under the old version, due after it stops.
	due := time.Now().Add(6 * time.Second)
	pending := post("Jadwal debat kandidat (disetujui versi lama)", due)
	in.stop()
	if !time.Now().Before(due) {
		t.Fatal("the old version ran past the pending post's time: the test's timing does not hold on this machine")
	}
	const oldUsers = `SELECT quote(id) || quote(name) || quote(unit_id) || quote(role) || quote(created_at) || quote(disabled_at) FROM users ORDER BY id`
	const oldPosts = `SELECT quote(id) || quote(unit_id) || quote(author_id) || quote(caption) || quote(content_type) || quote(classification) ||
		quote(campaign) || quote(scheduled_at) || quote(created_at) FROM posts ORDER BY id`
	auditBefore := every(t, in.statePath(), "audit_log", "id")
	usersBefore := rows(t, in.statePath(), oldUsers)
	postsBefore := rows(t, in.statePath(), oldPosts)
	if len(auditBefore) < 5 {
		t.Fatalf("the old installation's audit trail has %d rows", len(auditBefore))
	}

	// The upgrade in place: this version's migrate backs up first.
	out, err := in.run("migrate")
	if err != nil {
		t.Fatalf("humas migrate: %v\n%s", err, out)
	}
	if strings.Contains(out, "clickhouse: 0 migration") || strings.Contains(out, "sqlite: 0 migration") {
		t.Fatalf("the upgrade applied nothing: %s", out)
	}
	backups, err := backup.List(filepath.Join(root, "backups"))
	if err != nil || len(backups) != 1 || !strings.HasSuffix(backups[0].Name, "-before-upgrade") {
		t.Fatalf("backups before the upgrade: %+v (%v)", backups, err)
	}
	pre := backups[0]
	if got := pre.Manifest.ClickHouse.Migrations; len(got) == 0 || got[len(got)-1].Version != 23 {
		t.Errorf("the pre-upgrade backup holds schema versions %v, want the old ones (up to 0023)", got)
	}
	if got := every(t, in.statePath(), "audit_log", "id"); !slices.Equal(got, auditBefore) {
		t.Errorf("the audit log changed in the upgrade (%d rows, %d before)", len(got), len(auditBefore))
	}
	if got := rows(t, in.statePath(), oldUsers); !slices.Equal(got, usersBefore) {
		t.Errorf("users changed in the upgrade:\n%v\n%v", got, usersBefore)
	}
	if got := rows(t, in.statePath(), oldPosts); !slices.Equal(got, postsBefore) {
		t.Errorf("posts changed in the upgrade:\n%v\n%v", got, postsBefore)
	}

	// The same upgrade in this process, recorded for the differential test:
	// the pre-upgrade backup restored into the old schema, then today's
	// migrations (their row checks included), then every report.
	captured := storetest.ClickHouseEmpty(t)
	if _, err := backup.Restore(ctx, backup.RestoreOptions{From: pre.Dir, ClickHouse: captured, SecretKey: key,
		State: backup.SQLiteTarget{Path: filepath.Join(t.TempDir(), "humas.db")}}); err != nil {
		t.Fatal(err)
	}
	ran, err := captured.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var versions []int
	for _, m := range ran {
		versions = append(versions, m.Version)
	}
	if !slices.Contains(versions, 24) || !slices.Contains(versions, 30) {
		t.Errorf("the captured upgrade applied %v, want 0024 … 0030 and later", versions)
	}
	for _, mode := range []string{"read time", "read model"} {
		svc, err := analytics.New(captured, analytics.Options{CacheTTL: -1, RefreshEvery: -1})
		if err != nil {
			t.Fatal(err)
		}
		if mode == "read model" {
			if err := svc.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
		}
		got, err := analyticstest.Answers(ctx, svc, reqs)
		if err != nil {
			t.Fatal(err)
		}
		compareOld(t, "upgraded in this process ("+mode+")", oldAnswers, got)
	}

	// This version serves the upgraded installation: the same figures, and
	// the post the old version approved publishes, once.
	in.start()
	got := map[string][]byte{}
	for _, r := range reqs {
		code, b := in.api("GET", r.Path(), admin, nil, "")
		if code != http.StatusOK {
			t.Fatalf("after the upgrade %s: %d %s", r.Label(), code, b)
		}
		got[r.Label()] = b
	}
	compareOld(t, "upgraded in place", oldAnswers, got)
	published(pending, 60*time.Second)
	if p := published(p1, time.Second); p != first {
		t.Errorf("the post published before the upgrade is %q now, was %q", p, first)
	}
	for _, c := range []string{"Pengumuman DPT (versi lama)", "Jadwal debat kandidat (disetujui versi lama)"} {
		if n := sim.CountText(page, c); n != 1 {
			t.Errorf("%q is on the Page %d times, want once", c, n)
		}
	}
	in.stop()
	after := every(t, in.statePath(), "audit_log", "id")
	if len(after) <= len(auditBefore) || !slices.Equal(after[:len(auditBefore)], auditBefore) {
		t.Errorf("the audit log after publishing under the new version does not start with the old rows, unchanged")
	}
}

// compareOld compares every report of the old version with today's.
func compareOld(t *testing.T, when string, want, got map[string][]byte) {
	t.Helper()
	if len(want) == 0 {
		t.Fatalf("%s: no answers of the old version to compare with", when)
	}
	bad := 0
	for k, w := range want {
		if d := analyticstest.DiffFigures(w, got[k]); d != "" {
			bad++
			if bad <= 5 {
				t.Errorf("%s: %s: %s", when, k, d)
			}
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d reports differ", when, bad, len(want))
	}
}
