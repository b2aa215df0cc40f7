package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics/analyticstest"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/backup"
	"github.com/humas-id/humas/media/mediatest"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// installation is one humas installation the drill runs: a state folder,
// a ClickHouse database and the environment of its processes.
type installation struct {
	t        *testing.T
	dir      string // state folder: humas.db, media/, buffer/
	database string
	env      []string
	serve    *servedHumas
	log      string
}

func (in *installation) statePath() string { return filepath.Join(in.dir, "humas.db") }

func newInstallation(t *testing.T, dir, database string, key []byte, graphURL string) *installation {
	in := &installation{t: t, dir: dir, database: database}
	in.env = append(cleanEnv(), "HUMAS_STATE_PATH="+in.statePath(), "HUMAS_COLLECTOR_BUFFER_PATH="+filepath.Join(dir, "buffer"),
		"HUMAS_CLICKHOUSE_ADDR="+storetest.ClickHouseConfig(t).Addr, "HUMAS_CLICKHOUSE_DATABASE="+database,
		"HUMAS_SECRET_KEY="+hex.EncodeToString(key), "HUMAS_GRAPH_URL="+graphURL, "HUMAS_LOG_LEVEL=info",
		// ClickHouse stays as the backup saw it: collections run by hand.
		"HUMAS_COLLECTOR_ENABLED=false", "HUMAS_BACKUP_DIR="+filepath.Join(filepath.Dir(dir), "backups"))
	return in
}

// run runs a humas command with the installation's environment.
func (in *installation) run(args ...string) (string, error) {
	cmd := exec.Command(binPath, args...)
	cmd.Env = in.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// start runs `humas serve` until stop.
func (in *installation) start() {
	t := in.t
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	in.log = filepath.Join(in.dir, "serve.log")
	logf, err := os.OpenFile(in.log, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binPath, "serve")
	cmd.Env = append(slices.Clone(in.env), "HUMAS_LISTEN="+addr)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &servedHumas{base: "http://" + addr, dir: in.dir, cmd: cmd, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait(); logf.Close() }()
	in.serve = s
	t.Cleanup(func() {
		if in.serve == s {
			in.stop()
		}
	})
	s.waitReady(t, 90*time.Second)
}

// stop ends serve with SIGTERM (a clean stop) and waits for it.
func (in *installation) stop() {
	if in.serve == nil {
		return
	}
	_ = in.serve.cmd.Process.Signal(os.Interrupt)
	select {
	case <-in.serve.done:
	case <-time.After(30 * time.Second):
		_ = in.serve.cmd.Process.Kill()
		<-in.serve.done
	}
	if in.t.Failed() {
		b, _ := os.ReadFile(in.log)
		in.t.Logf("serve log (%s):\n%s", in.dir, tailBytes(b, 6000))
	}
	in.serve = nil
}

// api calls serve's API with the token.
func (in *installation) api(method, path, token string, body io.Reader, ctype string) (int, []byte) {
	in.t.Helper()
	req, err := http.NewRequest(method, in.serve.base+path, body)
	if err != nil {
		in.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (in *installation) apiJSON(method, path, token string, body any, want int, out any) {
	in.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	code, b := in.api(method, path, token, r, "application/json")
	if code != want {
		in.t.Fatalf("%s %s: %d %s", method, path, code, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			in.t.Fatal(err)
		}
	}
}

// rows reads a query's rows, every column quoted as SQLite writes it.
func rows(t *testing.T, path, q string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer r.Close()
	var out []string
	for r.Next() {
		var s string
		if err := r.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// every quotes every column of a table, in order, as one text per row.
func every(t *testing.T, path, table, order string) []string {
	t.Helper()
	cols := rows(t, path, `SELECT 'quote(' || name || ')' FROM pragma_table_info('`+table+`') ORDER BY cid`)
	return rows(t, path, `SELECT `+strings.Join(cols, ` || '|' || `)+` FROM `+table+` ORDER BY `+order)
}

// TestRestoreDrill is the acceptance drill of issue 21 with the real
// binary: an installation with collected history, users, a media file, an
// audit trail and posts is backed up while `serve` runs, publishes and
// answers reports; a post that was due after the backup is published by
// the original before it is lost; everything is wiped; the backup is
// restored into a fresh folder and database; and the restored serve
// answers every report identically, holds the audit log's rows byte for
// byte, the same users and calendar, and its publisher settles the post
// published after the backup by finding it on the Page (sent once) and
// publishes the post still due (with the restored media file) once. A
// damaged copy of the backup is refused by verify and restore, naming
// the file.
func TestRestoreDrill(t *testing.T) {
	ctx := context.Background()
	sim := graphsim.New(graphsim.Options{Seed: 21})
	simSrv := httptest.NewServer(sim)
	t.Cleanup(simSrv.Close)
	const page, pageToken = "2121", "page-token-2121"
	if err := sim.AddPage(page, "KPU Kota Salatiga", pageToken); err != nil {
		t.Fatal(err)
	}
	if err := sim.SeedHistory(page, 30, 3); err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(3*i + 1)
	}
	root := t.TempDir()
	orig := newInstallation(t, filepath.Join(root, "original"), storetest.ClickHouse(t).Database(), key, simSrv.URL)

	// The office, its Page, an administrator (state written by the
	// packages, as the first-run page and `humas unit add` would).
	db, err := store.OpenSQLite(ctx, orig.statePath(), slog.New(slog.DiscardHandler))
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
	channel, err := orgs.CreateChannel(ctx, org.ChannelInput{UnitID: unit.ID, Platform: org.Facebook, ExternalID: page,
		Name: "KPU Kota Salatiga", AccessToken: pageToken})
	if err != nil {
		t.Fatal(err)
	}
	// The office's letterhead logo: a file beside the state database.
	logo := mediatest.PNG(240, 80, false)
	if _, err := orgs.SetLogo(ctx, unit.ID, logo, 0); err != nil {
		t.Fatal(err)
	}
	users := auth.NewStore(db)
	_, token, err := users.CreateUser(ctx, "admin", unit.ID, auth.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := users.CreateUser(ctx, "editor.salatiga", unit.ID, auth.RoleEditor); err != nil {
		t.Fatal(err)
	}
	db.Close()

	if out, err := orig.run("collect"); err != nil {
		t.Fatalf("humas collect: %v\n%s", err, out)
	}
	orig.start()

	// A photo in the media library.
	var mbody bytes.Buffer
	mw := multipart.NewWriter(&mbody)
	fw, _ := mw.CreateFormFile("file", "coklit.png")
	fw.Write(mediatest.PNG(640, 480, false))
	mw.Close()
	code, b := orig.api("POST", "/api/v1/media?unit="+strconv.FormatInt(unit.ID, 10), token, &mbody, mw.FormDataContentType())
	if code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("upload: %d %s", code, b)
	}
	var medium struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(b, &medium); err != nil || medium.ID == 0 {
		t.Fatalf("upload answer %s: %v", b, err)
	}

	// Three posts: one due at once (published before the backup), one due
	// a little after the backup is taken (published by the original after
	// it, so the backup shows it unsettled), one due after the original is
	// gone (published by the restored installation, with the photo). Posts
	// 2 and 3 are made once post 1 is out, right before the backup, so the
	// backup's window does not depend on how long post 1 took.
	captions := []string{"Coklit dimulai hari ini (drill 1)", "Jadwal rekapitulasi (drill 2)", "Sosialisasi pemilih pemula (drill 3)"}
	ids := make([]int64, 3)
	due := make([]time.Time, 3)
	schedule := func(i int, at time.Time) {
		t.Helper()
		due[i] = at
		body := map[string]any{"caption": captions[i], "content_type": "text",
			"classification": map[string]any{"level": "public", "category": "berkala"},
			"channels":       []int64{channel.ID}, "scheduled_at": at.Format(time.RFC3339Nano), "submit": true, "campaign": "pemilu"}
		if i == 2 {
			body["content_type"] = "photo"
			body["media"] = []map[string]any{{"type": "image", "media_id": medium.ID}}
		}
		var p struct {
			ID    int64  `json:"id"`
			State string `json:"state"`
		}
		orig.apiJSON("POST", "/api/v1/posts", token, body, http.StatusCreated, &p)
		if p.State != "scheduled" {
			t.Fatalf("post %d is %s, want scheduled", i+1, p.State)
		}
		ids[i] = p.ID
	}
	waitPublished := func(in *installation, id int64, within time.Duration) string {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			var p struct {
				State      string `json:"state"`
				Deliveries []struct {
					Status     string `json:"status"`
					PlatformID string `json:"platform_id"`
				} `json:"deliveries"`
			}
			in.apiJSON("GET", fmt.Sprintf("/api/v1/posts/%d", id), token, nil, http.StatusOK, &p)
			if p.State == "published" && len(p.Deliveries) == 1 && p.Deliveries[0].PlatformID != "" {
				return p.Deliveries[0].PlatformID
			}
			if time.Now().After(deadline) {
				t.Fatalf("post %d not published within %s: %+v", id, within, p)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	schedule(0, time.Now().Add(2*time.Second))
	first := waitPublished(orig, ids[0], 30*time.Second)
	now := time.Now()
	schedule(1, now.Add(14*time.Second))
	schedule(2, now.Add(40*time.Second))

	// The backup, while serve runs and answers reports.
	today := time.Now().UTC()
	period := "from=" + today.AddDate(0, 0, -40).Format("2006-01-02") + "&to=" + today.Format("2006-01-02")
	reqs := analyticstest.Requests([]string{strconv.FormatInt(unit.ID, 10)}, period)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			code, b := orig.api("GET", reqs[i%len(reqs)].Path(), token, nil, "")
			if code != http.StatusOK {
				t.Errorf("report during the backup: %d %s", code, b)
				return
			}
		}
	}()
	backupDir := filepath.Join(root, "backups", "drill")
	start := time.Now()
	out, err := orig.run("backup", "--to", backupDir)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("humas backup: %v\n%s", err, out)
	}
	t.Logf("backup of the running installation: %s\n%s", time.Since(start).Round(time.Millisecond), out)
	if !strings.Contains(out, "the key itself is NOT in the backup") {
		t.Errorf("humas backup does not warn that the key must be kept apart:\n%s", out)
	}
	m, err := backup.ReadManifest(backupDir)
	if err != nil {
		t.Fatal(err)
	}
	if !time.Now().Before(due[1]) {
		t.Fatalf("the backup ended after post 2 was due (%s): the drill's timing does not hold on this machine", due[1].Format(time.RFC3339))
	}
	before := map[string][]byte{}
	for _, r := range reqs {
		code, b := orig.api("GET", r.Path(), token, nil, "")
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", r.Path(), code, b)
		}
		before[r.Label()] = b
	}
	second := waitPublished(orig, ids[1], 60*time.Second)
	orig.stop()
	if !time.Now().Before(due[2]) {
		t.Fatalf("the original was stopped after post 3 was due: the drill's timing does not hold on this machine")
	}
	origAudit := every(t, orig.statePath(), "audit_log", "id")
	origUsers := every(t, orig.statePath(), "users", "id")
	const calendar = `SELECT quote(id) || quote(unit_id) || quote(author_id) || quote(caption) || quote(media) || quote(content_type) ||
		quote(classification) || quote(campaign) || quote(tags) || quote(scheduled_at) || quote(version) || quote(created_at) ||
		quote(approved_hash) FROM posts ORDER BY id`
	origCalendar := rows(t, orig.statePath(), calendar)
	origLetterheads := every(t, orig.statePath(), "unit_letterheads", "unit_id")
	if int64(len(origAudit)) <= m.State.AuditLog.Rows {
		t.Fatalf("the original's audit log has %d rows, the backup %d: post 2's publication after the backup should have added some",
			len(origAudit), m.State.AuditLog.Rows)
	}

	// The disaster: the state folder and the ClickHouse database are gone.
	if err := os.RemoveAll(orig.dir); err != nil {
		t.Fatal(err)
	}
	dropDatabase(t, orig.database)

	// A damaged copy is refused, naming the file.
	damaged := filepath.Join(root, "damaged")
	if err := os.CopyFS(damaged, os.DirFS(backupDir)); err != nil {
		t.Fatal(err)
	}
	part := m.ClickHouse.Tables[1].Partitions[0].File // post_metrics
	if err := os.Truncate(filepath.Join(damaged, part), 10); err != nil {
		t.Fatal(err)
	}
	if out, err := orig.run("backup", "verify", damaged); err == nil || !strings.Contains(out, part) || !strings.Contains(out, "truncated") {
		t.Errorf("verify of a damaged backup: %v\n%s", err, out)
	}
	restored := newInstallation(t, filepath.Join(root, "restored"), storetest.ClickHouseEmpty(t).Database(), key, simSrv.URL)
	if out, err := restored.run("restore", "--from", damaged); err == nil || !strings.Contains(out, part) {
		t.Errorf("restore of a damaged backup: %v\n%s", err, out)
	}
	if _, err := os.Stat(restored.statePath()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused restore left a state database: %v", err)
	}
	if out, err := orig.run("backup", "verify", backupDir); err != nil {
		t.Fatalf("verify: %v\n%s", err, out)
	}

	start = time.Now()
	out, err = restored.run("restore", "--from", backupDir)
	if err != nil {
		t.Fatalf("humas restore: %v\n%s", err, out)
	}
	t.Logf("restore into a fresh folder and database: %s\n%s", time.Since(start).Round(time.Millisecond), out)
	if mm := regexp.MustCompile(`(\d+) due deliveries will be checked`).FindStringSubmatch(out); mm == nil || mm[1] == "0" {
		t.Errorf("the restore marked no due delivery for reconciliation:\n%s", out)
	}
	if out, err := restored.run("restore", "--from", backupDir); err == nil || !strings.Contains(out, "--force") {
		t.Errorf("a second restore into the now non-empty installation: %v\n%s", err, out)
	}

	restored.start()
	// serve's /readyz details and /metrics name the backup in backup.dir
	// as the last good one, with its age.
	checkBackupReported(t, restored, token, "drill", m.CreatedAt)
	for _, r := range reqs {
		code, b := restored.api("GET", r.Path(), token, nil, "")
		if code != http.StatusOK {
			t.Fatalf("restored %s: %d %s", r.Path(), code, b)
		}
		if d := analyticstest.Diff(before[r.Label()], b); d != "" {
			t.Errorf("restored report %s differs: %s", r.Label(), d)
		}
	}
	if got := waitPublished(restored, ids[1], 60*time.Second); got != second {
		t.Errorf("post 2 settled as %s after the restore, the original published it as %s", got, second)
	}
	third := waitPublished(restored, ids[2], 90*time.Second)
	if got := waitPublished(restored, ids[0], time.Second); got != first {
		t.Errorf("post 1 is %s after the restore, was %s", got, first)
	}
	for i, c := range captions {
		if n := sim.CountText(page, c); n != 1 {
			t.Errorf("post %d (%q) is on the Page %d times, want once", i+1, c, n)
		}
	}
	if third == "" || len(sim.Uploads()) == 0 {
		t.Errorf("post 3 was not published with the restored photo (uploads %d)", len(sim.Uploads()))
	}
	restored.stop()

	gotAudit := every(t, restored.statePath(), "audit_log", "id")
	n := int(m.State.AuditLog.Rows)
	if len(gotAudit) < n || !slices.Equal(gotAudit[:n], origAudit[:n]) {
		t.Errorf("the restored audit log's first %d rows differ from the original's", n)
	}
	if got := every(t, restored.statePath(), "users", "id"); !slices.Equal(got, origUsers) {
		t.Errorf("users differ after the restore:\n%v\n%v", got, origUsers)
	}
	if got := rows(t, restored.statePath(), calendar); !slices.Equal(got, origCalendar) {
		t.Errorf("the calendar differs after the restore:\n%v\n%v", got, origCalendar)
	}
	if got := every(t, restored.statePath(), "unit_letterheads", "unit_id"); !slices.Equal(got, origLetterheads) || len(got) != 1 {
		t.Errorf("letterheads differ after the restore:\n%v\n%v", got, origLetterheads)
	}
	if b, err := os.ReadFile(filepath.Join(restored.dir, "logos", fmt.Sprintf("unit-%d.png", unit.ID))); err != nil || !bytes.Equal(b, logo) {
		t.Errorf("the letterhead logo beside the restored state database: %d bytes, %v", len(b), err)
	}
}

// dropDatabase drops a test database through a store of another one.
func dropDatabase(t *testing.T, name string) {
	ch := storetest.ClickHouseEmpty(t)
	if err := ch.Exec(context.Background(), "DROP DATABASE IF EXISTS `"+name+"`"); err != nil {
		t.Fatal(err)
	}
}

// checkBackupReported reads a running serve's /readyz and /metrics: the
// newest complete backup in backup.dir is named, fresh, with the time it
// was made.
func checkBackupReported(t *testing.T, in *installation, token, name string, made time.Time) {
	t.Helper()
	code, b := in.api("GET", "/readyz", token, nil, "")
	if code != http.StatusOK {
		t.Fatalf("/readyz: %d %s", code, b)
	}
	var ready struct {
		Details struct {
			Backup struct {
				LastGood *struct {
					Name       string `json:"name"`
					StartedAt  string `json:"started_at"`
					AgeSeconds int64  `json:"age_seconds"`
				} `json:"last_good"`
				Stale bool `json:"stale"`
			} `json:"backup"`
			Retention map[string]any `json:"retention"`
		} `json:"details"`
	}
	if err := json.Unmarshal(b, &ready); err != nil {
		t.Fatal(err)
	}
	lg := ready.Details.Backup.LastGood
	if lg == nil || lg.Name != name || lg.StartedAt != made.Format(time.RFC3339) || lg.AgeSeconds < 0 ||
		lg.AgeSeconds > int64(time.Since(made).Seconds())+1 || ready.Details.Backup.Stale {
		t.Errorf("/readyz backup details do not name %s made at %s as the last good backup: %s", name, made.Format(time.RFC3339), b)
	}
	if ready.Details.Retention["snapshots_full_months"] != float64(13) {
		t.Errorf("/readyz retention details: %v", ready.Details.Retention)
	}
	code, b = in.api("GET", "/metrics", token, nil, "")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	mm := regexp.MustCompile(`(?m)^humas_backup_last_good_timestamp_seconds (\S+)$`).FindSubmatch(b)
	if mm == nil {
		t.Fatalf("/metrics has no humas_backup_last_good_timestamp_seconds")
	}
	if v, err := strconv.ParseFloat(string(mm[1]), 64); err != nil || int64(v) != made.Unix() {
		t.Errorf("humas_backup_last_good_timestamp_seconds = %s, want %d", mm[1], made.Unix())
	}
}
