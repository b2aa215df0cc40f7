package backup_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/backup"
	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// install is a test installation: both databases, a media folder and the
// secret key.
type install struct {
	ch    *store.ClickHouse
	sql   *store.SQLite
	blobs *media.LocalBlobs
	dir   string
	key   []byte
	unit  int64
}

// logoBytes stand for an office's logo (the backup copies bytes, it does
// not read images).
var logoBytes = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("logo"), 300)...)

var testKey = func() []byte {
	k := make([]byte, 32)
	for i := range k {
		k[i] = byte(7 * (i + 1))
	}
	return k
}()

func newInstall(t *testing.T) *install {
	t.Helper()
	return newInstallOn(t, storetest.SQLiteFile(t))
}

// newInstallOn is an installation whose state is st.
func newInstallOn(t *testing.T, st *store.State) *install {
	t.Helper()
	dir := t.TempDir()
	blobs, err := media.NewLocalBlobs(filepath.Join(dir, "media", "files"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return &install{ch: storetest.ClickHouse(t), sql: st, blobs: blobs, dir: dir, key: testKey}
}

// seed fills the installation: an office with a channel (its token sealed
// with the key), two users, audit rows, two media files, and in ClickHouse
// posts, snapshots over three months and followers.
func (in *install) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	orgs := org.NewStore(in.sql, in.key)
	u, err := orgs.CreateUnit(ctx, org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-kota-salatiga", Level: "city"})
	if err != nil {
		t.Fatal(err)
	}
	in.unit = u.ID
	if _, err := orgs.CreateChannel(ctx, org.ChannelInput{UnitID: u.ID, Platform: org.Facebook, ExternalID: "1013",
		Name: "KPU Salatiga", AccessToken: "page-token"}); err != nil {
		t.Fatal(err)
	}
	users := auth.NewStore(in.sql)
	for _, n := range []string{"admin", "editor.salatiga"} {
		if _, _, err := users.CreateUser(ctx, n, u.ID, auth.RoleAdmin); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 20 {
		in.audit(t, i)
	}
	for i, body := range [][]byte{bytes.Repeat([]byte("jpeg"), 5000), []byte("a small thumbnail")} {
		key := fmt.Sprintf("u%d/2026/01/%02d.jpg", u.ID, i)
		in.addMedia(t, key, body)
	}
	// The letterhead's logo, a file beside the state database.
	if err := store.WritePrivateFile(filepath.Join(in.dir, "logos", "unit-1.png"), logoBytes); err != nil {
		t.Fatal(err)
	}
	pub := time.Date(2025, 11, 20, 2, 0, 0, 0, time.UTC)
	var posts, snaps [][]any
	for p := range 6 {
		id := fmt.Sprintf("post%d", p)
		published := pub.Add(time.Duration(p) * 5 * 24 * time.Hour)
		posts = append(posts, []any{"facebook", id, uint64(1), "acct", uint64(u.ID), "photo", published, []string{"#pemilu", "#kpu"},
			published, uint64(1)})
		for h := 0; h < 60*24; h += 24 {
			slot := published.Add(time.Duration(h) * time.Hour)
			snaps = append(snaps, []any{slot, slot.Add(time.Minute), "facebook", id, uint64(1), "acct", published,
				uint64(100 + h), uint64(10 + p), []string{"reach"}, []string{"post_total_media_view_unique"}})
		}
	}
	in.batch(t, `INSERT INTO posts (platform, post_id, channel_id, account_id, unit_id, content_type, published_at, hashtags,
		updated_at, version)`, posts)
	in.batch(t, `INSERT INTO post_metrics (slot, collected_at, platform, post_id, channel_id, account_id, published_at, reach, likes,
		metric_fields, metric_sources)`, snaps)
	var followers [][]any
	for d := range 70 {
		day := time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d)
		followers = append(followers, []any{day, day.Add(12 * time.Hour), "facebook", uint64(1), "acct", uint64(u.ID), uint64(1000 + d)})
	}
	in.batch(t, `INSERT INTO account_metrics (day, collected_at, platform, channel_id, account_id, unit_id, followers)`, followers)
	in.batch(t, `INSERT INTO units (unit_id, parent_id, name, timezone, ancestors, version)`,
		[][]any{{uint64(u.ID), uint64(0), "KPU Kota Salatiga", "Asia/Jakarta", []uint64{uint64(u.ID)}, uint64(1)}})
	in.batch(t, `INSERT INTO channels (channel_id, platform, account_id, name, unit_id, version)`,
		[][]any{{uint64(1), "facebook", "acct", "KPU Salatiga", uint64(u.ID), uint64(1)}})
}

func (in *install) batch(t *testing.T, q string, rows [][]any) {
	t.Helper()
	b, err := in.ch.PrepareBatch(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := b.Append(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
}

func (in *install) audit(t *testing.T, i int) {
	t.Helper()
	if _, err := in.sql.DB.Exec(`INSERT INTO audit_log (at, actor_id, actor_name, entity, entity_id, action, reason, detail)
		VALUES (?, 1, 'admin', 'post', ?, 'approve', 'ok', ?)`,
		store.FormatTime(time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC)), i, fmt.Sprintf(`{"n":%d,"s":"baris ke-%d ✓"}`, i, i)); err != nil {
		t.Fatal(err)
	}
}

func (in *install) addMedia(t *testing.T, key string, body []byte) {
	t.Helper()
	ctx := context.Background()
	if err := in.blobs.Put(ctx, key, bytes.NewReader(body), int64(len(body)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	if _, err := in.sql.DB.Exec(`INSERT INTO media (unit_id, kind, mime, filename, size, sha256, storage_key, created_at)
		VALUES (?, 'image', 'image/jpeg', 'foto.jpg', ?, ?, ?, ?)`, in.unit, len(body), hex.EncodeToString(sum[:]), key,
		store.FormatTime(time.Now())); err != nil {
		t.Fatal(err)
	}
}

func (in *install) backup(t *testing.T, dir, base string) *backup.Result {
	t.Helper()
	res, err := backup.Run(context.Background(), backup.Options{Dir: dir, Base: base, Version: "test", SecretKey: in.key,
		State: backup.SourceFor(in.sql, in.dir, ""), ClickHouse: in.ch, Media: &backup.MediaStore{Blobs: in.blobs, Kind: "local"},
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// target is an empty installation to restore into.
type target struct {
	ch        *store.ClickHouse
	statePath string
	blobs     *media.LocalBlobs
}

func newTarget(t *testing.T) *target {
	t.Helper()
	dir := t.TempDir()
	blobs, err := media.NewLocalBlobs(filepath.Join(dir, "media", "files"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return &target{ch: storetest.ClickHouseUnrecorded(t), statePath: filepath.Join(dir, "var", "humas.db"), blobs: blobs}
}

func (tg *target) restore(from string, key []byte, force bool) (*backup.RestoreResult, error) {
	return backup.Restore(context.Background(), backup.RestoreOptions{From: from, Force: force, SecretKey: key,
		State: backup.SQLiteTarget{Path: tg.statePath}, ClickHouse: tg.ch, Media: tg.blobs,
		Logger: slog.New(slog.DiscardHandler)})
}

// auditWriter appends an audit row every millisecond until the returned
// function is called: a service writing while a backup runs.
func auditWriter(t *testing.T, db *sql.DB) (stop func()) {
	t.Helper()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 100; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			if _, err := db.Exec(`INSERT INTO audit_log (at, actor_name, entity, entity_id, action) VALUES (?, 'writer', 'post', ?, 'edit')`,
				store.FormatTime(time.Now()), i); err != nil {
				t.Error(err)
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	return func() { close(done); wg.Wait() }
}
