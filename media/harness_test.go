package media_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// env is a library over a real SQLite file and the real scheduler (its
// scope rules and media uses), with a city unit under a province.
type env struct {
	t          *testing.T
	db         *store.SQLite
	org        *org.Store
	sched      *scheduler.Service
	lib        *media.Library
	blobs      media.Blobs
	prov, city org.Unit
	fb, ig     org.Channel
	editor     auth.Principal // of the city
	other      auth.Principal // an editor of the province
	now        time.Time
	opts       media.Options
}

type envOpt func(*media.Options)

func newEnv(t *testing.T, blobs media.Blobs, opts ...envOpt) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, db: storetest.SQLite(t), now: time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)}
	key := bytes.Repeat([]byte{9}, 32)
	e.org = org.NewStore(e.db, key)
	var err error
	if e.prov, err = e.org.CreateUnit(ctx, org.Unit{Name: "KPU Provinsi Jawa Tengah", Slug: "kpu-jateng", Level: "province", Timezone: "Asia/Jakarta", RequiresApproval: true}); err != nil {
		t.Fatal(err)
	}
	if e.city, err = e.org.CreateUnit(ctx, org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-salatiga", Level: "city", ParentID: e.prov.ID, Timezone: "Asia/Jakarta", RequiresApproval: true}); err != nil {
		t.Fatal(err)
	}
	if e.fb, err = e.org.CreateChannel(ctx, org.ChannelInput{UnitID: e.city.ID, Platform: org.Facebook, ExternalID: "104857600000001", Name: "KPU Salatiga", AccessToken: "t"}); err != nil {
		t.Fatal(err)
	}
	if e.ig, err = e.org.CreateChannel(ctx, org.ChannelInput{UnitID: e.city.ID, Platform: org.Instagram, ExternalID: "17841400000000001", Name: "kpusalatiga", AccessToken: "t"}); err != nil {
		t.Fatal(err)
	}
	users := auth.NewStore(e.db)
	ed, _, err := users.CreateUser(ctx, "editor.salatiga", e.city.ID, auth.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	ot, _, err := users.CreateUser(ctx, "editor.jateng", e.prov.ID, auth.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	e.editor = auth.Principal{UserID: ed.ID, Name: ed.Name, UnitID: e.city.ID, Role: auth.RoleEditor}
	e.other = auth.Principal{UserID: ot.ID, Name: ot.Name, UnitID: e.prov.ID, Role: auth.RoleEditor}
	clock := func() time.Time { return e.now }
	e.sched = scheduler.NewService(e.db, e.org, scheduler.ServiceOptions{Logger: slog.New(slog.DiscardHandler), Now: clock})
	if blobs == nil {
		b, err := media.NewLocalBlobs(filepath.Join(t.TempDir(), "files"), nil)
		if err != nil {
			t.Fatal(err)
		}
		blobs = b
	}
	e.blobs = blobs
	e.opts = media.Options{Blobs: blobs, TempDir: filepath.Join(t.TempDir(), "tmp"), PublicURL: "https://humas.test",
		URLKey: bytes.Repeat([]byte{3}, 32), Now: clock, MaxUploadBytes: 64 << 20}
	for _, o := range opts {
		o(&e.opts)
	}
	if e.lib, err = media.New(e.db, e.sched, e.opts); err != nil {
		t.Fatal(err)
	}
	e.sched.UseMedia(e.lib)
	return e
}

func (e *env) upload(name string, b []byte) media.Item {
	e.t.Helper()
	it, err := e.lib.Upload(context.Background(), e.editor, 0, name, bytes.NewReader(b))
	if err != nil {
		e.t.Fatalf("upload %s: %v", name, err)
	}
	return it
}

// stored reads an item's stored bytes.
func (e *env) stored(id int64) []byte {
	e.t.Helper()
	obj, _, err := e.lib.Open(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	defer obj.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(obj); err != nil {
		e.t.Fatal(err)
	}
	return b.Bytes()
}

func codes(ps []media.Problem) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Platform+":"+p.Code+":"+p.Severity)
	}
	return out
}

func readFile(p string) ([]byte, error) { return os.ReadFile(p) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
