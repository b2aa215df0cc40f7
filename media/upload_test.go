package media_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/media/mediatest"
	"github.com/humas-id/humas/media/mp4/mp4test"
)

// cutReader gives n bytes, then fails, as a dropped connection does.
type cutReader struct {
	r io.Reader
	n int
}

func (c *cutReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, errors.New("connection reset by peer")
	}
	if len(p) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= n
	return n, err
}

func TestResumableUpload(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	video := mp4test.Bytes(mp4test.Spec{Width: 1080, Height: 1920, Seconds: 20, AudioCodec: "mp4a", MdatBytes: 3 << 20})
	up, err := e.lib.StartUpload(ctx, e.editor, 0, "sosialisasi.mp4", int64(len(video)))
	if err != nil {
		t.Fatal(err)
	}
	chunk := 1 << 20
	// The first chunk arrives whole.
	st, it, err := e.lib.WriteChunk(ctx, e.editor, up.ID, 0, bytes.NewReader(video[:chunk]))
	if err != nil || it != nil || st.Received != int64(chunk) {
		t.Fatalf("chunk 1: %+v %v %v", st, it, err)
	}
	// The second is cut off after 300 000 bytes: they are kept.
	_, _, err = e.lib.WriteChunk(ctx, e.editor, up.ID, int64(chunk), &cutReader{r: bytes.NewReader(video[chunk : 2*chunk]), n: 300_000})
	if err == nil {
		t.Fatal("a cut-off chunk reported success")
	}
	st, err = e.lib.UploadStatus(ctx, e.editor, up.ID)
	if err != nil || st.Received != int64(chunk+300_000) {
		t.Fatalf("after the cut: %+v %v", st, err)
	}
	// A retry of the whole chunk at its old offset is refused, naming where to go on.
	_, _, err = e.lib.WriteChunk(ctx, e.editor, up.ID, int64(chunk), bytes.NewReader(video[chunk:2*chunk]))
	var oe *media.OffsetError
	if !errors.As(err, &oe) || oe.Expected != st.Received {
		t.Fatalf("stale offset: %v", err)
	}
	// Someone else cannot continue it.
	if _, _, err := e.lib.WriteChunk(ctx, e.other, up.ID, st.Received, bytes.NewReader(nil)); !errors.Is(err, media.ErrNotFound) {
		t.Fatalf("another user's upload: %v", err)
	}
	// Resume from the offset to the end.
	st, it, err = e.lib.WriteChunk(ctx, e.editor, up.ID, st.Received, bytes.NewReader(video[st.Received:]))
	if err != nil || it == nil {
		t.Fatalf("last chunk: %+v %v %v", st, it, err)
	}
	if it.Size != int64(len(video)) || it.Width != 1080 || it.Duration != 20 || st.MediaID != it.ID {
		t.Fatalf("stored %+v", it)
	}
	if !bytes.Equal(e.stored(it.ID), video) {
		t.Error("the stored video differs from the one sent")
	}
	// Sending the last chunk again answers the same media.
	_, again, err := e.lib.WriteChunk(ctx, e.editor, up.ID, int64(len(video)), bytes.NewReader(nil))
	if err != nil || again == nil || again.ID != it.ID {
		t.Fatalf("repeat after finish: %v %v", again, err)
	}
	// Too many bytes for the size announced.
	up2, _ := e.lib.StartUpload(ctx, e.editor, 0, "x.mp4", 10)
	if _, _, err := e.lib.WriteChunk(ctx, e.editor, up2.ID, 0, strings.NewReader("0123456789AB")); err == nil {
		t.Error("more bytes than announced were accepted")
	}
}

func TestPublicLinks(t *testing.T) {
	e := newEnv(t, nil)
	it := e.upload("rapat.png", mediatest.PNG(600, 600, false))
	ctx := context.Background()
	u, err := e.lib.PublicURL(ctx, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u, "https://humas.test/m/") || !strings.HasSuffix(u, ".jpg") {
		t.Fatalf("public URL %q", u)
	}
	token := strings.TrimPrefix(u, "https://humas.test/m/")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.lib.ServePublic(w, r, strings.TrimPrefix(r.URL.Path, "/m/"))
	}))
	defer srv.Close()
	get := func(tok string) (int, []byte, http.Header) {
		resp, err := http.Get(srv.URL + "/m/" + tok)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b, resp.Header
	}
	code, body, h := get(token)
	if code != 200 || !bytes.Equal(body, e.stored(it.ID)) || h.Get("Content-Type") != "image/jpeg" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("public link: %d, %d bytes, %v", code, len(body), h)
	}
	// Tampered: another id with the same signature.
	tampered := []byte(token)
	tampered[5] ^= 1
	if code, _, _ := get(string(tampered)); code != 404 {
		t.Errorf("tampered token: %d", code)
	}
	if code, _, _ := get("1.2.jpg"); code != 404 {
		t.Errorf("garbage token: %d", code)
	}
	// Expired.
	e.now = e.now.Add(7 * time.Hour)
	if code, _, _ := get(token); code != 404 {
		t.Errorf("expired link: %d", code)
	}
	// No public URL configured: publishing to Instagram says what to set.
	e2 := newEnv(t, nil, func(o *media.Options) { o.PublicURL = "" })
	it2 := e2.upload("a.jpg", mediatest.JPEG(400, 400))
	if _, err := e2.lib.PublicURL(ctx, it2.ID); !errors.Is(err, media.ErrNoPublicURL) || !strings.Contains(err.Error(), "HUMAS_PUBLIC_URL") {
		t.Errorf("no public URL: %v", err)
	}
}
