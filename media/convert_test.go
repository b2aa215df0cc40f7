package media_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"slices"
	"strings"
	"testing"

	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/media/mediatest"
)

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	if media.Sniff(b) != media.TypeJPEG {
		t.Fatalf("stored file is %q, want a JPEG", media.Sniff(b))
	}
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func isRed(c interface{ RGBA() (r, g, b, a uint32) }) bool {
	r, g, b, _ := c.RGBA()
	return r>>8 > 180 && g>>8 < 80 && b>>8 < 80
}

func TestPNGBecomesJPEGOnWhite(t *testing.T) {
	e := newEnv(t, nil)
	it := e.upload("poster.png", mediatest.PNG(800, 600, true))
	if it.MIME != media.TypeJPEG || it.Kind != media.KindImage || it.Width != 800 || it.Height != 600 {
		t.Fatalf("item %+v, want an 800×600 JPEG image", it)
	}
	for _, n := range []string{media.NoteConverted, media.NoteTransparent} {
		if !slices.Contains(it.Notes, n) {
			t.Errorf("notes %v lack %s", it.Notes, n)
		}
	}
	if it.Original.MIME != media.TypePNG {
		t.Errorf("original %+v, want the PNG recorded", it.Original)
	}
	img := decode(t, e.stored(it.ID))
	if r, g, b, _ := img.At(790, 590).RGBA(); r>>8 < 240 || g>>8 < 240 || b>>8 < 240 {
		t.Errorf("the transparent corner is (%d,%d,%d), want white", r>>8, g>>8, b>>8)
	}
	if !isRed(img.At(10, 10)) {
		t.Error("the picture's red corner is gone")
	}
	if !it.HasThumb {
		t.Error("an image has a thumbnail")
	}
	if len(it.Problems) != 0 {
		t.Errorf("a 4:3 800 px JPEG suits Facebook and Instagram; problems %v", codes(it.Problems))
	}
}

func TestWebPBecomesJPEG(t *testing.T) {
	// A lossless 1×1 WebP (VP8L), as a browser saves one.
	webp := []byte{0x52, 0x49, 0x46, 0x46, 0x1a, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x4c, 0x0d, 0x00, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x00, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0x00}
	if media.Sniff(webp) != media.TypeWebP {
		t.Fatalf("fixture sniffed as %q", media.Sniff(webp))
	}
	e := newEnv(t, nil)
	it, err := e.lib.Upload(context.Background(), e.editor, 0, "gambar.webp", bytes.NewReader(webp))
	if err != nil {
		t.Fatal(err)
	}
	if it.MIME != media.TypeJPEG || !slices.Contains(it.Notes, media.NoteConverted) || it.Original.MIME != media.TypeWebP {
		t.Fatalf("item %+v, want a JPEG converted from WebP", it)
	}
	decode(t, e.stored(it.ID))
	// 1 px wide: too small for Instagram, fine for Facebook.
	if got := codes(it.Problems); !slices.Contains(got, "instagram:too_small:error") {
		t.Errorf("problems %v, want instagram too_small", got)
	}
}

func TestEXIFOrientationAppliedAndMetadataRemoved(t *testing.T) {
	e := newEnv(t, nil)
	// Stored landscape 400×300 with orientation 6: the camera was turned
	// right; upright it is 300×400 and the red block (top-left stored)
	// is at the top right.
	raw := mediatest.WithEXIF(mediatest.JPEG(400, 300), 6, true)
	it := e.upload("IMG_0001.JPG", raw)
	if it.Width != 300 || it.Height != 400 {
		t.Fatalf("size %d×%d, want 300×400 (turned upright)", it.Width, it.Height)
	}
	for _, n := range []string{media.NoteRotated, media.NoteStripped, media.NoteLocation} {
		if !slices.Contains(it.Notes, n) {
			t.Errorf("notes %v lack %s", it.Notes, n)
		}
	}
	b := e.stored(it.ID)
	if bytes.Contains(b, []byte("Exif")) {
		t.Error("the stored file still carries EXIF")
	}
	img := decode(t, b)
	if img.Bounds().Dx() != 300 || img.Bounds().Dy() != 400 {
		t.Fatalf("stored pixels %v", img.Bounds())
	}
	if !isRed(img.At(290, 10)) || isRed(img.At(10, 10)) {
		t.Error("red block not at the top right: the orientation was not applied as EXIF 6 says")
	}
}

func TestUprightJPEGKeepsItsPixelsLosesMetadata(t *testing.T) {
	e := newEnv(t, nil)
	orig := mediatest.JPEG(640, 480)
	raw := mediatest.WithEXIF(orig, 1, true)
	it := e.upload("rapat.jpg", raw)
	b := e.stored(it.ID)
	if bytes.Contains(b, []byte("Exif")) || bytes.Contains(b, []byte{0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 19}) {
		t.Error("EXIF (with the GPS position) is still in the stored file")
	}
	if !slices.Contains(it.Notes, media.NoteLocation) || slices.Contains(it.Notes, media.NoteConverted) || slices.Contains(it.Notes, media.NoteRecompress) {
		t.Errorf("notes %v: want only the metadata and location removed", it.Notes)
	}
	// The image data (from the first DQT on) is byte for byte the original's.
	tail := func(x []byte) []byte { return x[bytes.Index(x, []byte{0xff, 0xdb}):] }
	if !bytes.Equal(tail(b), tail(orig)) {
		t.Error("the image data changed: an upright JPEG under the limits must not be encoded again")
	}
}

func TestWideJPEGScaledTo1440(t *testing.T) {
	e := newEnv(t, nil)
	it := e.upload("panggung.jpg", mediatest.JPEG(3000, 2000))
	if it.Width != media.MaxWidth || it.Height != 960 || !slices.Contains(it.Notes, media.NoteScaled) {
		t.Fatalf("item %d×%d notes %v, want 1440×960 scaled", it.Width, it.Height, it.Notes)
	}
	if it.Size > media.MaxJPEGBytes {
		t.Errorf("stored %d bytes, over Instagram's 8 MiB", it.Size)
	}
}

func TestWrongTypeRenamedJPG(t *testing.T) {
	e := newEnv(t, nil)
	for name, b := range map[string][]byte{
		"laporan.jpg": []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"),
		"foto.jpg":    []byte("PK\x03\x04 a zip file named like a photo"),
	} {
		_, err := e.lib.Upload(context.Background(), e.editor, 0, name, bytes.NewReader(b))
		var pr *media.Problem
		if !errors.As(err, &pr) || pr.Code != "unsupported_type" {
			t.Fatalf("%s: err %v, want unsupported_type", name, err)
		}
		if !strings.Contains(pr.MessageID, "bukan gambar atau video") || !strings.Contains(pr.Message, "whatever its name") {
			t.Errorf("%s: messages %q / %q do not say what to do", name, pr.Message, pr.MessageID)
		}
	}
	_, err := e.lib.Upload(context.Background(), e.editor, 0, "IMG_1234.jpg", bytes.NewReader(append([]byte{0, 0, 0, 24}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...)))
	var pr *media.Problem
	if !errors.As(err, &pr) || pr.Code != "heic" || !strings.Contains(pr.MessageID, "JPEG") {
		t.Fatalf("HEIC: %v", err)
	}
}

func TestTooLarge(t *testing.T) {
	e := newEnv(t, nil, func(o *media.Options) { o.MaxUploadBytes = 1 << 20 })
	big := make([]byte, 2<<20)
	copy(big, mediatest.JPEG(64, 64))
	_, err := e.lib.Upload(context.Background(), e.editor, 0, "besar.jpg", bytes.NewReader(big))
	var tl *media.TooLargeError
	if !errors.As(err, &tl) || tl.Limit != 1<<20 || !strings.Contains(tl.MessageID(), "1.0 MB") {
		t.Fatalf("err %v, want TooLargeError naming 1 MiB", err)
	}
	if _, err := e.lib.StartUpload(context.Background(), e.editor, 0, "video.mp4", 5<<20); !errors.As(err, &tl) {
		t.Fatalf("a resumable upload announcing 5 MiB: %v", err)
	}
}

func TestCropToAllowedRatio(t *testing.T) {
	e := newEnv(t, nil)
	wide := e.upload("spanduk.jpg", mediatest.JPEG(1200, 400)) // 3:1
	if got := codes(wide.Problems); !slices.Contains(got, "instagram:aspect_ratio:error") {
		t.Fatalf("a 3:1 image: problems %v, want Instagram's aspect ratio error", got)
	}
	c, err := e.lib.Crop(context.Background(), e.editor, wide.ID, "1.91:1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Width != 764 || c.Height != 400 || c.DerivedFrom != wide.ID || c.Crop != "1.91:1" || len(c.Problems) != 0 {
		t.Fatalf("crop %+v", c)
	}
	if _, err := e.lib.Crop(context.Background(), e.editor, wide.ID, "7:3"); err == nil {
		t.Fatal("an unknown ratio was accepted")
	}
}
