package meta_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
)

func fileOf(name, typ string, b []byte) *meta.File {
	return &meta.File{Name: name, ContentType: typ, Size: int64(len(b)),
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }}
}

func testImage(w, h int, enc func(io.Writer, image.Image) error) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	img.Set(0, 0, color.White)
	var b bytes.Buffer
	_ = enc(&b, img)
	return b.Bytes()
}

func jpegOf(w io.Writer, m image.Image) error { return jpeg.Encode(w, m, nil) }

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// Photos and videos go to Facebook as bytes (multipart source, with the
// other parameters as fields), a Reel as its upload's body; nothing is
// held in memory by the client beyond the part headers.
func TestUploadsAsBytes(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, meta.Options{AppSecret: testSecret})
	ctx := context.Background()
	photo := testImage(600, 400, jpegOf)
	res, err := e.client.PublishPagePhoto(ctx, pageToken, pageID, meta.PagePhoto{Source: fileOf("rapat.jpg", "image/jpeg", photo), Message: "Rapat pleno"})
	if err != nil || res.PostID == "" || res.PhotoID == "" {
		t.Fatalf("photo: %+v %v", res, err)
	}
	id, err := e.client.UploadPagePhotoFile(ctx, pageToken, pageID, fileOf("b.jpg", "image/jpeg", photo))
	if err != nil || id == "" {
		t.Fatalf("unpublished photo: %v", err)
	}
	video := append([]byte{0, 0, 0, 24, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'}, make([]byte, 5000)...)
	vr, err := e.client.PublishPageVideo(ctx, pageToken, pageID, meta.PageVideo{Source: fileOf("v.mp4", "video/mp4", video), Description: "Video"})
	if err != nil || vr.VideoID == "" {
		t.Fatalf("video: %+v %v", vr, err)
	}
	up, err := e.client.StartPageReel(ctx, pageToken, pageID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.client.UploadReelFile(ctx, pageToken, up, fileOf("r.mp4", "video/mp4", video)); err != nil {
		t.Fatalf("reel bytes: %v", err)
	}
	if err := e.client.FinishPageReel(ctx, pageToken, pageID, up.VideoID, "Reel"); err != nil {
		t.Fatal(err)
	}
	ups := e.sim.Uploads()
	if len(ups) != 4 {
		t.Fatalf("uploads %+v", ups)
	}
	for i, want := range []struct {
		endpoint, field string
		multipart       bool
		data            []byte
	}{{"page_photos_post", "source", true, photo}, {"page_photos_upload", "source", true, photo},
		{"page_videos_post", "source", true, video}, {"video_upload", "body", false, video}} {
		u := ups[i]
		if u.Endpoint != want.endpoint || u.Field != want.field || u.Multipart != want.multipart || u.SHA256 != sum(want.data) || u.Size != int64(len(want.data)) {
			t.Errorf("upload %d: %+v, want %s %s", i, u, want.endpoint, want.field)
		}
	}
	if e.sim.CountText(pageID, "Rapat pleno") != 1 {
		t.Error("the photo's message did not travel as a multipart field")
	}
	// A file that cannot be read was certainly not sent.
	_, err = e.client.PublishPagePhoto(ctx, pageToken, pageID, meta.PagePhoto{Message: "x", Source: &meta.File{Name: "x.jpg", Size: 10,
		Open: func(context.Context) (io.ReadCloser, error) { return nil, errors.New("store unavailable") }}})
	if !meta.IsNotSent(err) || meta.ClassOf(err) != meta.ClassTransient {
		t.Fatalf("unreadable file: %v (class %v)", err, meta.ClassOf(err))
	}
}

// With FetchMedia the simulator fetches an image_url as Instagram does:
// judged by its bytes, not its name.
func TestInstagramFetchesMedia(t *testing.T) {
	files := map[string][]byte{
		"/ok.jpg":     testImage(1080, 1080, jpegOf),
		"/png.jpg":    testImage(1080, 1080, png.Encode),
		"/wide.jpg":   testImage(1500, 500, jpegOf),
		"/video.mp4":  append([]byte{0, 0, 0, 24, 'f', 't', 'y', 'p', 'm', 'p', '4', '2'}, make([]byte, 100)...),
		"/notvid.mp4": []byte("<html>not a video</html>"),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	}))
	defer srv.Close()
	e := newEnv(t, graphsim.Options{FetchMedia: true}, meta.Options{})
	ctx := context.Background()
	for _, c := range []struct {
		path          string
		video         bool
		code, subcode int
	}{
		{"/ok.jpg", false, 0, 0},
		{"/png.jpg", false, 36001, 2207005},
		{"/wide.jpg", false, 36003, 2207009},
		{"/missing.jpg", false, 9004, 2207052},
		{"/video.mp4", true, 0, 0},
		{"/notvid.mp4", true, 352, 2207026},
	} {
		cont := meta.IGContainer{Kind: meta.IGImage, ImageURL: srv.URL + c.path, Caption: "x"}
		if c.video {
			cont = meta.IGContainer{Kind: meta.IGReel, VideoURL: srv.URL + c.path, Caption: "x"}
		}
		_, err := e.client.CreateIGContainer(ctx, pageToken, igID, cont)
		var me *meta.Error
		switch {
		case c.code == 0 && err != nil:
			t.Errorf("%s: %v", c.path, err)
		case c.code != 0 && (!errors.As(err, &me) || me.Code != c.code || me.Subcode != c.subcode):
			t.Errorf("%s: %v, want %d/%d", c.path, err, c.code, c.subcode)
		}
		if c.code == 9004 && !meta.IsMediaFetchFailure(err) {
			t.Errorf("%s: not a media fetch failure", c.path)
		}
	}
	fs := e.sim.Fetches()
	if len(fs) != 6 || fs[0].Type != "image/jpeg" || fs[1].Type != "image/png" || !strings.Contains(fs[3].Err, "404") {
		t.Errorf("fetches %+v", fs)
	}
}
