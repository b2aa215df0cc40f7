package media_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/media/mediatest"
	"github.com/humas-id/humas/media/mp4/mp4test"
)

// testBlobs is the storage contract, run against the local folder and a
// real S3-compatible server alike.
func testBlobs(t *testing.T, b media.Blobs) {
	ctx := context.Background()
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	key := "test/" + hex.EncodeToString(rnd[:]) + "/foto.jpg"
	data := bytes.Repeat([]byte("humas-"), 200_000) // 1.2 MB
	if err := b.Ping(ctx); err != nil {
		t.Fatalf("ping %s: %v", b.Describe(), err)
	}
	f := filepath.Join(t.TempDir(), "src")
	if err := os.WriteFile(f, data, 0o600); err != nil {
		t.Fatal(err)
	}
	src, _ := os.Open(f)
	defer src.Close()
	if err := b.Put(ctx, key, src, int64(len(data)), "image/jpeg"); err != nil {
		t.Fatalf("put: %v", err)
	}
	obj, err := b.Open(ctx, key)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if obj.Size() != int64(len(data)) {
		t.Errorf("size %d, want %d", obj.Size(), len(data))
	}
	got, _ := io.ReadAll(obj)
	if !bytes.Equal(got, data) {
		t.Errorf("read back %d bytes that differ", len(got))
	}
	// A range (what a video player and Meta's fetcher ask for).
	part := make([]byte, 6)
	if _, err := obj.ReadAt(part, 6*1000); err != nil || string(part) != "humas-" {
		t.Errorf("ReadAt: %q %v", part, err)
	}
	if _, err := obj.Seek(12, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	n, _ := io.ReadFull(obj, part)
	if n != 6 || string(part) != "humas-" {
		t.Errorf("Seek+Read: %q", part[:n])
	}
	obj.Close()
	// Served over HTTP with ranges.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o, err := b.Open(r.Context(), key)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer o.Close()
		media.ServeObject(w, r, o, "image/jpeg", "no-store")
	}))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Range", "bytes=0-5")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || string(body) != "humas-" {
		t.Errorf("range request: %d %q", resp.StatusCode, body)
	}
	if u, err := b.PresignGet(ctx, key, 10*time.Minute); err != nil {
		t.Errorf("presign: %v", err)
	} else if u != "" {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatalf("fetch presigned URL: %v", err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Equal(got, data) {
			t.Errorf("presigned URL: %d, %d bytes", resp.StatusCode, len(got))
		}
	}
	if err := b.Delete(ctx, key); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := b.Open(ctx, key); !errors.Is(err, media.ErrBlobNotFound) {
		t.Errorf("open after delete: %v, want ErrBlobNotFound", err)
	}
	if err := b.Delete(ctx, key); err != nil {
		t.Errorf("deleting a missing blob: %v", err)
	}
}

func TestLocalBlobs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "media")
	b, err := media.NewLocalBlobs(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	testBlobs(t, b)
	// Private like the other state files.
	if err := b.Put(context.Background(), "u1/2026/12/x.jpg", strings.NewReader("abc"), 3, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, _ := d.Info()
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s is %04o, want %04o", p, info.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"../x", "/etc/passwd", `a\b`, ""} {
		if err := b.Put(context.Background(), bad, strings.NewReader("x"), 1, ""); err == nil {
			t.Errorf("key %q accepted", bad)
		}
	}
}

func s3Blobs(t *testing.T) *media.S3Blobs {
	t.Helper()
	o := mediatest.S3(t)
	o.PartSize = 5 << 20
	b, err := media.NewS3Blobs(o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestS3Blobs(t *testing.T) {
	b := s3Blobs(t)
	testBlobs(t, b)
	// A file over the part size goes up in parts, read from the file.
	ctx := context.Background()
	r, n := mp4test.Reader(mp4test.Spec{Width: 1080, Height: 1920, Seconds: 30, MdatBytes: 12 << 20})
	f := filepath.Join(t.TempDir(), "video.mp4")
	out, _ := os.Create(f)
	_, _ = io.Copy(out, r)
	out.Close()
	src, _ := os.Open(f)
	defer src.Close()
	key := "test/multipart-" + time.Now().Format("150405.000000") + ".mp4"
	if err := b.Put(ctx, key, src, n, "video/mp4"); err != nil {
		t.Fatalf("multipart put: %v", err)
	}
	obj, err := b.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if obj.Size() != n {
		t.Errorf("size %d, want %d", obj.Size(), n)
	}
	obj.Close()
	_ = b.Delete(ctx, key)
}

// TestLibraryOnS3 runs the library itself on the S3 store: upload,
// conversion, the public link (presigned: fetched from the store), and
// deletion.
func TestLibraryOnS3(t *testing.T) {
	b := s3Blobs(t)
	e := newEnv(t, b, func(o *media.Options) { o.PresignPublic = true })
	it := e.upload("poster.png", mediatest.PNG(640, 640, false))
	u, err := e.lib.PublicURL(context.Background(), it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(u, "https://humas.test") || !strings.Contains(u, "X-Amz-Signature") {
		t.Fatalf("public URL %q, want the store's presigned URL", u)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || media.Sniff(body) != media.TypeJPEG || int64(len(body)) != it.Size {
		t.Fatalf("presigned fetch: %d, %d bytes of %q", resp.StatusCode, len(body), media.Sniff(body))
	}
	if err := e.lib.Delete(context.Background(), e.editor, it.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.lib.Open(context.Background(), it.ID); !errors.Is(err, media.ErrNotFound) {
		t.Fatalf("open after delete: %v", err)
	}
}
