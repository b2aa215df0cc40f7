package media_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/media/mediatest"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/valid"
)

func (e *env) post(items ...media.Item) scheduler.Post {
	e.t.Helper()
	d := scheduler.Draft{Caption: "Sosialisasi tahapan pemilu #KPUSalatiga", ContentType: "photo", Channels: []int64{e.fb.ID, e.ig.ID},
		ScheduledAt: e.now.Add(48 * time.Hour), Classification: scheduler.Classification{Level: scheduler.Public}}
	for _, it := range items {
		d.Media = append(d.Media, scheduler.Media{MediaID: it.ID})
	}
	p, err := e.sched.CreatePost(context.Background(), e.editor, d, false)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func TestDeleteRefusedWhilePostNeedsIt(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	it := e.upload("rapat.jpg", mediatest.JPEG(1080, 1080))
	p := e.post(it)
	if p.Media[0].Type != "image" || p.Media[0].Width != 1080 || p.Media[0].URL != "" {
		t.Fatalf("post media %+v: filled from the library", p.Media)
	}
	got, err := e.lib.Get(ctx, e.editor, it.ID)
	if err != nil || len(got.Uses) != 1 || got.Uses[0].PostID != p.ID || got.Uses[0].State != "draft" {
		t.Fatalf("uses %+v %v", got.Uses, err)
	}
	err = e.lib.Delete(ctx, e.editor, it.ID)
	var iu *media.InUseError
	if !errors.As(err, &iu) || iu.Posts[0].PostID != p.ID || !strings.Contains(iu.Error(), "post "+itoa(p.ID)) ||
		!strings.Contains(iu.MessageID(), "kiriman "+itoa(p.ID)) {
		t.Fatalf("delete of media a draft uses: %v", err)
	}
	// Another unit's editor (the province) sees its sub-unit's media but
	// may not delete it (editors write in their own unit only).
	if err := e.lib.Delete(ctx, e.other, it.ID); err == nil {
		t.Fatal("the province's editor deleted the city's media")
	}
	// Cancelled, the post no longer needs it.
	if _, err := e.sched.Cancel(ctx, e.editor, p.ID, "acara ditunda"); err != nil {
		t.Fatal(err)
	}
	if err := e.lib.Delete(ctx, e.editor, it.ID); err != nil {
		t.Fatal(err)
	}
	// A post cannot name deleted media.
	_, err = e.sched.CreatePost(ctx, e.editor, scheduler.Draft{Caption: "x", ContentType: "photo", Channels: []int64{e.fb.ID},
		ScheduledAt: e.now.Add(time.Hour), Classification: scheduler.Classification{Level: scheduler.Public},
		Media: []scheduler.Media{{MediaID: it.ID}}}, false)
	if f, ok := valid.Fields(err); !ok || f[0].Field != "media[0].media_id" || !strings.Contains(f[0].MessageID, "sudah dihapus") {
		t.Fatalf("post naming deleted media: %v", err)
	}
}

func TestPostChecksMediaPerPlatform(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	wide := e.upload("spanduk.jpg", mediatest.JPEG(1200, 400))
	d := scheduler.Draft{Caption: "Spanduk", ContentType: "photo", Channels: []int64{e.fb.ID, e.ig.ID}, ScheduledAt: e.now.Add(time.Hour),
		Classification: scheduler.Classification{Level: scheduler.Public}, Media: []scheduler.Media{{MediaID: wide.ID}}}
	_, err := e.sched.CreatePost(ctx, e.editor, d, false)
	f, ok := valid.Fields(err)
	if !ok || len(f) != 1 || f[0].Field != "media[0]" || !strings.Contains(f[0].Message, "Instagram") || !strings.Contains(f[0].Message, "3:1") {
		t.Fatalf("a 3:1 image to Instagram: %v", err)
	}
	d.Channels = []int64{e.fb.ID} // Facebook takes it
	if _, err := e.sched.CreatePost(ctx, e.editor, d, false); err != nil {
		t.Fatalf("a 3:1 image to Facebook: %v", err)
	}
	// Another unit's media is not in the city editor's library.
	prov, err := e.lib.Upload(ctx, e.other, 0, "prov.jpg", bytesReader(mediatest.JPEG(500, 500)))
	if err != nil {
		t.Fatal(err)
	}
	d.Media = []scheduler.Media{{MediaID: prov.ID}}
	if _, err := e.sched.CreatePost(ctx, e.editor, d, false); err == nil || !strings.Contains(err.Error(), "no media item") {
		t.Fatalf("the province's media in a city post: %v", err)
	}
}

func TestRetention(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	pol := media.RetentionPolicy{Published: 30 * 24 * time.Hour, Grace: 7 * 24 * time.Hour}
	unused := e.upload("lupa.jpg", mediatest.JPEG(400, 400))
	draftMedia := e.upload("draf.jpg", mediatest.JPEG(400, 400))
	e.post(draftMedia)
	pubMedia := e.upload("terbit.jpg", mediatest.JPEG(400, 400))
	pub := e.post(pubMedia)
	// The post went out (as the publisher records it).
	if _, err := e.db.DB.ExecContext(ctx, `UPDATE posts SET state = 'published' WHERE id = ?`, pub.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.DB.ExecContext(ctx, `UPDATE deliveries SET status = 'published', published_at = ? WHERE post_id = ?`,
		e.now.Add(48*time.Hour).Format("2006-01-02T15:04:05.000Z"), pub.ID); err != nil {
		t.Fatal(err)
	}
	check := func(when time.Time, want media.CleanupReport, gone ...media.Item) {
		t.Helper()
		rep, err := e.lib.Cleanup(ctx, pol, when)
		if err != nil {
			t.Fatal(err)
		}
		if rep != want {
			t.Errorf("at %s: removed %+v, want %+v", when.Sub(e.now), rep, want)
		}
		for _, it := range gone {
			if _, _, err := e.lib.Open(ctx, it.ID); !errors.Is(err, media.ErrNotFound) {
				t.Errorf("%s still there: %v", it.Filename, err)
			}
		}
	}
	check(e.now.Add(6*24*time.Hour), media.CleanupReport{})                      // within the grace period
	check(e.now.Add(8*24*time.Hour), media.CleanupReport{Unused: 1}, unused)     // unused past the grace
	check(e.now.Add(20*24*time.Hour), media.CleanupReport{})                     // published 18 days ago: kept
	check(e.now.Add(40*24*time.Hour), media.CleanupReport{Expired: 1}, pubMedia) // published 38 days ago: gone
	check(e.now.Add(400*24*time.Hour), media.CleanupReport{})                    // a draft's media stays
	if _, _, err := e.lib.Open(ctx, draftMedia.ID); err != nil {
		t.Errorf("the draft's media: %v", err)
	}
	// An upload left unfinished goes after a day.
	if _, err := e.lib.StartUpload(ctx, e.editor, 0, "setengah.mp4", 1000); err != nil {
		t.Fatal(err)
	}
	check(e.now.Add(500*24*time.Hour), media.CleanupReport{Uploads: 1})
}
