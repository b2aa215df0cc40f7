package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/media/mediatest"
	"github.com/humas-id/humas/media/mp4/mp4test"
)

// mediaOffice is the office with a media library mounted as serve does
// (its own body limit on upload routes), on a real HTTP server.
type mediaOffice struct {
	*office
	lib *media.Library
	hs  *httptest.Server
}

func newMediaOffice(t testing.TB, maxUpload int64) *mediaOffice {
	o := newOffice(t)
	blobs, err := media.NewLocalBlobs(filepath.Join(t.TempDir(), "files"), nil)
	if err != nil {
		t.Fatal(err)
	}
	lib, err := media.New(o.db, o.sched, media.Options{Blobs: blobs, TempDir: filepath.Join(t.TempDir(), "tmp"),
		MaxUploadBytes: maxUpload, PublicURL: "https://humas.test", URLKey: bytes.Repeat([]byte{1}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	o.sched.UseMedia(lib)
	api.MountMedia(o.srv, o.authed(), api.MediaDeps{Library: lib, UploadTimeout: time.Minute,
		Units: api.SchedulerDeps{Org: o.orgs, Auth: o.users, Calendar: o.sched}})
	hs := httptest.NewServer(o.engine)
	t.Cleanup(hs.Close)
	return &mediaOffice{office: o, lib: lib, hs: hs}
}

// upload sends one file as multipart/form-data over HTTP.
func (m *mediaOffice) upload(user, name string, content io.Reader) reply {
	m.t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, err := mw.CreateFormFile("file", name)
		if err == nil {
			_, err = io.Copy(part, content)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest(http.MethodPost, m.hs.URL+"/api/v1/media", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+m.tok[user])
	return m.do(req)
}

func (m *mediaOffice) do(req *http.Request) reply {
	m.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{Code: resp.StatusCode, Raw: string(b)}
	_ = json.Unmarshal(b, &r.Body)
	return r
}

func (m *mediaOffice) put(user, path string, offset int64, body []byte) reply {
	m.t.Helper()
	req, _ := http.NewRequest(http.MethodPut, m.hs.URL+"/api/v1"+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+m.tok[user])
	req.Header.Set("Upload-Offset", strconv.FormatInt(offset, 10))
	return m.do(req)
}

func TestMediaAPI(t *testing.T) {
	m := newMediaOffice(t, 4<<20)
	// A PNG of noise, about 2 MB: over api.max_body_bytes (1 MiB), within
	// the media routes' own limit.
	noise := image.NewNRGBA(image.Rect(0, 0, 900, 700))
	_, _ = rand.Read(noise.Pix)
	for i := 3; i < len(noise.Pix); i += 4 {
		noise.Pix[i] = 255
	}
	var pb bytes.Buffer
	_ = png.Encode(&pb, noise)
	big := pb.Bytes()
	if len(big) <= 1<<20 {
		t.Fatalf("the noise PNG is %d bytes, want over 1 MiB", len(big))
	}
	r := m.upload("editor.salatiga", "poster.png", bytes.NewReader(big)).must(t, http.StatusCreated)
	id := int64(r.num("id"))
	if r.str("mime") != "image/jpeg" || r.str("filename") != "poster.png" || r.num("width") == 0 || !strings.Contains(r.Raw, "converted_jpeg") {
		t.Fatalf("upload answer %s", r.Raw)
	}
	// The editor's unit sees it; another city's editor does not.
	if got := m.call("editor.salatiga", "GET", "/media", nil).must(t, 200); !strings.Contains(got.Raw, `"poster.png"`) {
		t.Fatalf("list: %s", got.Raw)
	}
	if got := m.call("editor.magelang", "GET", "/media", nil).must(t, 200); strings.Contains(got.Raw, "poster.png") {
		t.Fatalf("another unit lists it: %s", got.Raw)
	}
	m.call("editor.magelang", "GET", fmt.Sprintf("/media/%d", id), nil).must(t, 404)
	// The province's admin sees the city's media.
	m.call("admin", "GET", fmt.Sprintf("/media/%d", id), nil).must(t, 200)

	// A post uses it: deleting it is refused, naming the post.
	post := m.call("editor.salatiga", "POST", "/posts", map[string]any{"caption": "Poster sosialisasi", "content_type": "photo",
		"classification": map[string]any{"level": "public"}, "channels": []int64{m.cityFB.ID}, "scheduled_at": time.Now().Add(48 * time.Hour).Format(time.RFC3339),
		"media": []map[string]any{{"media_id": id}}, "captions": map[string]any{"facebook": "Poster sosialisasi tahapan Pemilu 2029"}}).must(t, 201)
	if post.num("media.0.media_id") != float64(id) || post.str("media.0.type") != "image" || post.str("captions.facebook") == "" {
		t.Fatalf("post: %s", post.Raw)
	}
	postID := int64(post.num("id"))
	del := m.call("editor.salatiga", "DELETE", fmt.Sprintf("/media/%d", id), nil).must(t, 409)
	if del.str("error.code") != "media_in_use" || !strings.Contains(del.str("error.message"), fmt.Sprintf("post %d", postID)) ||
		!strings.Contains(del.str("error.message_id"), fmt.Sprintf("kiriman %d", postID)) || del.num("error.details.posts.0.post_id") != float64(postID) {
		t.Fatalf("delete in use: %s", del.Raw)
	}
	m.call("editor.salatiga", "POST", fmt.Sprintf("/posts/%d/cancel", postID), map[string]any{"reason": "ditunda"}).must(t, 200)
	m.call("editor.salatiga", "DELETE", fmt.Sprintf("/media/%d", id), nil).must(t, 204)

	// Wrong type, whatever the name: 415 saying what to do.
	bad := m.upload("editor.salatiga", "foto.jpg", strings.NewReader("%PDF-1.4 not a photo")).must(t, http.StatusUnsupportedMediaType)
	if bad.str("error.code") != "unsupported_type" || !strings.Contains(bad.str("error.message_id"), "unggah gambar JPEG") {
		t.Fatalf("PDF named .jpg: %s", bad.Raw)
	}
	// Over the media limit: 413 naming it.
	tooBig := make([]byte, 5<<20)
	copy(tooBig, mediatest.JPEG(32, 32))
	tl := m.upload("editor.salatiga", "besar.jpg", bytes.NewReader(tooBig)).must(t, http.StatusRequestEntityTooLarge)
	if tl.str("error.code") != "file_too_large" && tl.str("error.code") != "body_too_large" {
		t.Fatalf("too large: %s", tl.Raw)
	}
	// A viewer cannot upload.
	m.upload("kepala.jateng", "x.png", bytes.NewReader(mediatest.PNG(10, 10, false))).must(t, http.StatusForbidden)
	// A pasted URL on a private address is refused.
	imp := m.call("editor.salatiga", "POST", "/media", map[string]any{"url": m.hs.URL + "/api/openapi.json"}).must(t, 422)
	if imp.str("error.code") != "url_not_fetched" || imp.str("error.fields.0.field") != "url" || !strings.Contains(imp.Raw, "loopback") {
		t.Fatalf("loopback URL: %s", imp.Raw)
	}
}

func TestMediaAPIResumable(t *testing.T) {
	m := newMediaOffice(t, 64<<20)
	video := mp4test.Bytes(mp4test.Spec{Width: 1080, Height: 1920, Seconds: 30, AudioCodec: "mp4a", MdatBytes: 3 << 20})
	start := m.call("editor.salatiga", "POST", "/media/uploads", map[string]any{"filename": "reels.mp4", "size_bytes": len(video)}).must(t, 201)
	url := strings.TrimPrefix(start.str("upload_url"), "/api/v1")
	if !strings.HasPrefix(url, "/media/uploads/") {
		t.Fatalf("start: %s", start.Raw)
	}
	const chunk = 1 << 20
	m.put("editor.salatiga", url, 0, video[:chunk]).must(t, 200)
	// The client lost track and sends the first chunk again: 409 with the offset to go on from.
	w := m.put("editor.salatiga", url, 0, video[:chunk]).must(t, 409)
	if w.str("error.code") != "wrong_offset" || w.num("error.details.expected_offset") != chunk {
		t.Fatalf("wrong offset: %s", w.Raw)
	}
	st := m.call("editor.salatiga", "GET", url, nil).must(t, 200)
	off := int64(st.num("upload.offset"))
	for off < int64(len(video)) {
		end := min(off+chunk, int64(len(video)))
		r := m.put("editor.salatiga", url, off, video[off:end])
		if end < int64(len(video)) {
			r.must(t, 200)
		} else {
			r.must(t, 201)
			if r.num("media.duration_seconds") != 30 || r.num("media.height") != 1920 || r.str("media.video_codec") != "avc1" {
				t.Fatalf("finished: %s", r.Raw)
			}
		}
		off = end
	}
	// A size over the limit is refused at the start.
	m.call("editor.salatiga", "POST", "/media/uploads", map[string]any{"filename": "besar.mp4", "size_bytes": 65 << 20}).must(t, 413)
}

// BenchmarkMediaUpload200MB sends a 200 MB video through the API's
// multipart upload over HTTP (the client streams it from a generator, so
// neither side holds it) and reports how much the process's memory grew:
// the Go heap in use (sampled every 10 ms) and the resident set's peak.
//
//	go test -run '^$' -bench MediaUpload200MB -benchtime 1x ./api
func BenchmarkMediaUpload200MB(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		m := newMediaOffice(b, 512<<20)
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		rssBase := vmKB("VmRSS")
		var peak atomic.Uint64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			var ms runtime.MemStats
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					runtime.ReadMemStats(&ms)
					if ms.HeapInuse > peak.Load() {
						peak.Store(ms.HeapInuse)
					}
				}
			}
		}()
		r, n := mp4test.Reader(mp4test.Spec{Width: 1080, Height: 1920, Seconds: 60, AudioCodec: "mp4a", MdatBytes: 200 << 20})
		b.StartTimer()
		rep := m.upload("editor.salatiga", "rapat-pleno-200MB.mp4", r)
		b.StopTimer()
		close(stop)
		wg.Wait()
		if rep.Code != http.StatusCreated || int64(rep.num("size_bytes")) != n {
			b.Fatalf("upload: %d %s", rep.Code, rep.Raw)
		}
		growth := float64(int64(peak.Load())-int64(base.HeapInuse)) / (1 << 20)
		hwm := vmKB("VmHWM")
		b.ReportMetric(float64(n)/(1<<20), "MB-uploaded")
		b.ReportMetric(growth, "heap-growth-MB")
		b.ReportMetric(float64(hwm-rssBase)/1024, "rss-peak-growth-MB")
		b.SetBytes(n)
	}
}

// vmKB reads a /proc/self/status field in kB (0 where there is none).
func vmKB(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			n, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return n
		}
	}
	return 0
}

var _ = context.Background
