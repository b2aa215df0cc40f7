package scheduler_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/media/mediatest"
	"github.com/humas-id/humas/media/mp4/mp4test"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/scheduler"
)

// withLibrary connects a media library whose public links are served by
// a test server (publicURL "" : that server; else the URL given, e.g. one
// Meta cannot reach).
func (e *env) withLibrary(publicURL string) *media.Library {
	e.t.Helper()
	var lib *media.Library
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lib.ServePublic(w, r, strings.TrimPrefix(r.URL.Path, "/m/"))
	}))
	e.t.Cleanup(srv.Close)
	if publicURL == "" {
		publicURL = srv.URL
	}
	blobs, err := media.NewLocalBlobs(filepath.Join(e.t.TempDir(), "files"), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	lib, err = media.New(e.db, e.svc, media.Options{Blobs: blobs, TempDir: filepath.Join(e.t.TempDir(), "tmp"), PublicURL: publicURL,
		URLKey: bytes.Repeat([]byte{4}, 32)})
	if err != nil {
		e.t.Fatal(err)
	}
	e.svc.UseMedia(lib)
	return lib
}

func (e *env) uploadMedia(lib *media.Library, name string, b []byte) media.Item {
	e.t.Helper()
	it, err := lib.Upload(context.Background(), e.editor, 0, name, bytes.NewReader(b))
	if err != nil {
		e.t.Fatal(err)
	}
	return it
}

// A library photo goes to Facebook as multipart bytes and to Instagram by
// its signed public URL, which the simulator fetches (a JPEG, though a PNG
// was uploaded); each network gets its own caption.
func TestLibraryPhotoPublishedToBothNetworks(t *testing.T) {
	e := newEnv(t, graphsim.Options{FetchMedia: true}, scheduler.PublisherOptions{})
	lib := e.withLibrary("")
	fb, ig := e.page("100"), e.instagram("200", "17841400000000200")
	it := e.uploadMedia(lib, "poster.png", mediatest.PNG(1080, 1080, false))
	d := scheduler.Draft{Caption: "Poster sosialisasi tahapan Pemilu 2029", ContentType: "photo", Channels: []int64{fb.ID, ig.ID},
		Classification: scheduler.Classification{Level: scheduler.Public}, ScheduledAt: time.Now().Add(-time.Second),
		Captions: map[string]string{"instagram": "Poster tahapan Pemilu 2029 #KPUSalatiga"}, Media: []scheduler.Media{{MediaID: it.ID}}}
	p := e.scheduled(d)
	e.drain(30)
	got := e.post(p.ID)
	if got.State != scheduler.StatePublished {
		t.Fatalf("post %s: %+v", got.State, got.Deliveries)
	}
	for _, dl := range got.Deliveries {
		want := map[string]string{"facebook": "photo", "instagram": "ig_image"}[dl.Platform]
		if dl.PublishPath != want {
			t.Errorf("%s published by %q, want %q", dl.Platform, dl.PublishPath, want)
		}
	}
	ups := e.sim.Uploads()
	if len(ups) != 1 || !ups[0].Multipart || ups[0].Field != "source" || ups[0].Type != "image/jpeg" || ups[0].SHA256 != it.SHA256 || ups[0].ObjectID != "100" {
		t.Fatalf("uploads %+v, want the stored JPEG once as multipart source", ups)
	}
	fs := e.sim.Fetches()
	if len(fs) != 1 || fs[0].Type != "image/jpeg" || fs[0].SHA256 != it.SHA256 || !strings.Contains(fs[0].URL, "/m/") {
		t.Fatalf("fetches %+v, want the stored JPEG from the public link", fs)
	}
	if e.sim.CountText("100", d.Caption) != 1 || e.sim.CountText("17841400000000200", d.Captions["instagram"]) != 1 {
		t.Errorf("captions: Facebook %v, Instagram %v", e.sim.Published("100"), e.sim.Published("17841400000000200"))
	}
}

// A Facebook photo upload that took effect but answered 500 is found on
// the Page before anything is sent again: published once.
func TestUncertainPhotoUploadIsNotSentTwice(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	lib := e.withLibrary("")
	fb := e.page("100")
	it := e.uploadMedia(lib, "rapat.jpg", mediatest.JPEG(800, 600))
	e.sim.InjectFault(graphsim.Fault{Endpoint: "page_photos_post", Kind: graphsim.FaultPerformedThenError})
	caption := "Rapat pleno terbuka hari ini"
	p := e.scheduled(scheduler.Draft{Caption: caption, ContentType: "photo", Channels: []int64{fb.ID}, ScheduledAt: time.Now().Add(-time.Second),
		Classification: scheduler.Classification{Level: scheduler.Public}, Media: []scheduler.Media{{MediaID: it.ID}}})
	e.drain(30)
	if got := e.post(p.ID); got.State != scheduler.StatePublished {
		t.Fatalf("post %s: %+v", got.State, got.Deliveries)
	}
	if n := e.sim.CountText("100", caption); n != 1 {
		t.Fatalf("published %d times", n)
	}
	if n := len(e.sim.Uploads()); n != 1 {
		t.Fatalf("the photo was sent %d times", n)
	}
}

// Instagram cannot fetch the media (humas's public URL is not reachable
// from Meta): 9004 / 2207052, tried again, then the delivery fails saying
// so; Facebook, which got the bytes, is published.
func TestInstagramCannotFetchPublicURL(t *testing.T) {
	e := newEnv(t, graphsim.Options{FetchMedia: true}, scheduler.PublisherOptions{PublishTimings: scheduler.PublishTimings{FetchBackoff: time.Millisecond, FetchRetries: 1}})
	lib := e.withLibrary("http://127.0.0.1:9") // nothing answers there
	fb, ig := e.page("100"), e.instagram("200", "17841400000000200")
	it := e.uploadMedia(lib, "rapat.jpg", mediatest.JPEG(800, 800))
	p := e.scheduled(scheduler.Draft{Caption: "Rapat", ContentType: "photo", Channels: []int64{fb.ID, ig.ID}, ScheduledAt: time.Now().Add(-time.Second),
		Classification: scheduler.Classification{Level: scheduler.Public}, Media: []scheduler.Media{{MediaID: it.ID}}})
	e.drain(30)
	got := e.post(p.ID)
	for _, d := range got.Deliveries {
		switch d.Platform {
		case "facebook":
			if d.Status != scheduler.DeliveryPublished {
				t.Errorf("facebook: %+v", d)
			}
		case "instagram":
			if d.Status != scheduler.DeliveryFailed || d.Error == nil || d.Error.Code != 9004 || d.Error.Subcode != 2207052 {
				t.Errorf("instagram: %+v %+v", d, d.Error)
			}
		}
	}
	if n := len(e.sim.Fetches()); n != 2 {
		t.Errorf("Instagram tried the URL %d times, want 2 (one retry)", n)
	}
}

// A vertical video of the library is a Reel on Facebook, its bytes sent
// to the upload URL (no public URL), and a Reel on Instagram, fetched.
func TestLibraryVideoAsReels(t *testing.T) {
	q := graphsim.MetaQuirks()
	e := newEnv(t, graphsim.Options{FetchMedia: true, Quirks: q, FBVideoReadyDelay: time.Millisecond, IGVideoReadyDelay: time.Millisecond},
		scheduler.PublisherOptions{})
	lib := e.withLibrary("")
	fb, ig := e.page("100"), e.instagram("200", "17841400000000200")
	video := mp4test.Bytes(mp4test.Spec{Width: 1080, Height: 1920, Seconds: 20, AudioCodec: "mp4a", MdatBytes: 256 << 10})
	it := e.uploadMedia(lib, "reels.mp4", video)
	caption := "Pemilih pemula, yuk cek DPT!"
	p := e.scheduled(scheduler.Draft{Caption: caption, ContentType: "video", Channels: []int64{fb.ID, ig.ID}, ScheduledAt: time.Now().Add(-time.Second),
		Classification: scheduler.Classification{Level: scheduler.Public}, Media: []scheduler.Media{{MediaID: it.ID}}})
	if p.Media[0].Width != 1080 || p.Media[0].Height != 1920 || p.Media[0].Duration != 20 {
		t.Fatalf("the post's media %+v: shape from the library", p.Media)
	}
	e.drain(60)
	got := e.post(p.ID)
	if got.State != scheduler.StatePublished {
		t.Fatalf("post %s: %+v", got.State, got.Deliveries)
	}
	for _, d := range got.Deliveries {
		if want := map[string]string{"facebook": "reel", "instagram": "ig_reel"}[d.Platform]; d.PublishPath != want {
			t.Errorf("%s by %q, want %q", d.Platform, d.PublishPath, want)
		}
	}
	ups := e.sim.Uploads()
	if len(ups) != 1 || ups[0].Endpoint != "video_upload" || ups[0].Field != "body" || ups[0].Size != int64(len(video)) || ups[0].SHA256 != it.SHA256 {
		t.Fatalf("uploads %+v, want the Reel's bytes once", ups)
	}
	fs := e.sim.Fetches()
	if len(fs) != 1 || fs[0].Type != "video/mp4" || fs[0].Size != int64(len(video)) {
		t.Fatalf("fetches %+v", fs)
	}
	if e.sim.CountText("100", caption) != 1 {
		t.Errorf("Facebook: %+v", e.sim.Published("100"))
	}
}

// Per-network captions are content: they change the version's hash, and
// the audit line of the edit names them.
func TestPerNetworkCaptionsAreContent(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	fb := e.page("100")
	ctx := context.Background()
	d := textDraft("Pengumuman", time.Now().Add(48*time.Hour), fb.ID)
	p, err := e.svc.CreatePost(ctx, e.editor, d, false)
	if err != nil {
		t.Fatal(err)
	}
	h1 := p.ContentHash()
	d.Captions = map[string]string{"facebook": "Pengumuman lengkap: https://kpu-salatiga.go.id/pengumuman"}
	p2, err := e.svc.UpdatePost(ctx, e.editor, p.ID, d)
	if err != nil {
		t.Fatal(err)
	}
	if p2.Version != p.Version+1 || p2.ContentHash() == h1 || p2.CaptionFor("facebook") != d.Captions["facebook"] || p2.CaptionFor("instagram") != "Pengumuman" {
		t.Fatalf("after the edit: version %d hash %s captions %v", p2.Version, p2.ContentHash(), p2.Captions)
	}
	audit, err := e.svc.Audit(ctx, e.editor, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if last := audit[len(audit)-1]; !strings.Contains(last.Detail, "captions.facebook") || !strings.Contains(last.Detail, "kpu-salatiga.go.id/pengumuman") {
		t.Fatalf("audit of the edit: %+v", last)
	}
	// An unknown network is refused, naming it.
	d.Captions = map[string]string{"tiktok": "x"}
	if _, err := e.svc.UpdatePost(ctx, e.editor, p.ID, d); err == nil || !strings.Contains(err.Error(), "captions.tiktok") {
		t.Fatalf("unknown network: %v", err)
	}
	// A post without per-network captions keeps the hash it had before
	// they existed: the canonical content (recorded at creation) omits
	// the empty field.
	if c := mustJSONContent(t, e, p.ID); strings.Contains(c, `"captions"`) || !strings.Contains(c, `"caption":"Pengumuman"`) {
		t.Fatalf("canonical content at creation: %s", c)
	}
}

func mustJSONContent(t *testing.T, e *env, id int64) string {
	audit, err := e.svc.Audit(context.Background(), e.editor, id)
	if err != nil {
		t.Fatal(err)
	}
	return audit[0].Detail
}
