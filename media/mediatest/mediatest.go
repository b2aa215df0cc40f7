// Package mediatest makes small test media: PNG and JPEG images (with
// EXIF orientation and a GPS position when asked), and finds the test S3
// server and ffmpeg, failing under CI when one is missing.
package mediatest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/humas-id/humas/media"
)

// Picture is a w × h image with a red block in its top-left quarter on a
// blue-green gradient, so orientation and crops can be checked by colour.
func Picture(w, h int, alpha bool) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.NRGBA{R: 20, G: uint8(60 + 150*y/h), B: uint8(120 + 100*x/w), A: 255}
			if x < w/4 && y < h/4 {
				c = color.NRGBA{R: 230, G: 20, B: 20, A: 255}
			}
			if alpha && x > w*3/4 && y > h*3/4 {
				c.A = 0 // a transparent corner
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// PNG encodes Picture as PNG.
func PNG(w, h int, alpha bool) []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, Picture(w, h, alpha))
	return b.Bytes()
}

// JPEG encodes Picture as JPEG.
func JPEG(w, h int) []byte {
	var b bytes.Buffer
	_ = jpeg.Encode(&b, Picture(w, h, false), &jpeg.Options{Quality: 90})
	return b.Bytes()
}

// WithEXIF inserts an EXIF segment (orientation 1-8, and a GPS position
// when gps) right after the JPEG's start, as a camera writes it.
func WithEXIF(j []byte, orientation int, gps bool) []byte {
	le := binary.LittleEndian
	var t bytes.Buffer
	t.WriteString("II")
	_ = binary.Write(&t, le, uint16(42))
	_ = binary.Write(&t, le, uint32(8))
	n := uint16(1)
	if gps {
		n = 2
	}
	_ = binary.Write(&t, le, n)
	entry := func(tag, typ uint16, count, value uint32) {
		_ = binary.Write(&t, le, tag)
		_ = binary.Write(&t, le, typ)
		_ = binary.Write(&t, le, count)
		_ = binary.Write(&t, le, value)
	}
	entry(0x0112, 3, 1, uint32(orientation))
	gpsIFD := uint32(8 + 2 + 12*uint32(n) + 4)
	if gps {
		entry(0x8825, 4, 1, gpsIFD)
	}
	_ = binary.Write(&t, le, uint32(0)) // no next IFD
	if gps {
		// GPS IFD: latitude ref "S" and a latitude of 7° 19' 48" (Salatiga).
		_ = binary.Write(&t, le, uint16(2))
		entry(0x0001, 2, 2, uint32('S'))
		latOff := gpsIFD + 2 + 2*12 + 4
		entry(0x0002, 5, 3, latOff)
		_ = binary.Write(&t, le, uint32(0))
		for _, v := range []uint32{7, 1, 19, 1, 48, 1} {
			_ = binary.Write(&t, le, v)
		}
	}
	payload := append([]byte("Exif\x00\x00"), t.Bytes()...)
	seg := []byte{0xff, 0xe1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	out := append([]byte{}, j[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, j[2:]...)
}

// S3 is the test S3-compatible server's settings, from HUMAS_TEST_S3_*
// (.ci/run starts SeaweedFS and sets them). Missing: the test fails in
// CI and is skipped elsewhere.
func S3(t testing.TB) media.S3Options {
	t.Helper()
	o := media.S3Options{Endpoint: os.Getenv("HUMAS_TEST_S3_ENDPOINT"), Bucket: os.Getenv("HUMAS_TEST_S3_BUCKET"),
		AccessKey: os.Getenv("HUMAS_TEST_S3_ACCESS_KEY"), SecretKey: os.Getenv("HUMAS_TEST_S3_SECRET_KEY"),
		Region: os.Getenv("HUMAS_TEST_S3_REGION"), PathStyle: true}
	if o.Endpoint == "" || o.Bucket == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("the S3 tests need a real S3-compatible server in CI: HUMAS_TEST_S3_ENDPOINT and HUMAS_TEST_S3_BUCKET (.ci/run starts SeaweedFS and sets them)")
		}
		t.Skip("no test S3 server (set HUMAS_TEST_S3_ENDPOINT, _BUCKET, _ACCESS_KEY, _SECRET_KEY, e.g. by scripts/seaweedfs.sh start)")
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	return o
}

// FFmpeg finds ffmpeg: CI installs it, so there its absence fails the
// test; elsewhere the test is skipped.
func FFmpeg(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("ffmpeg")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ffmpeg is required in CI for video poster frames (apt-get install ffmpeg; .ci/run does)")
		}
		t.Skip("ffmpeg not installed; skipping the poster-frame test outside CI")
	}
	return p
}

// RealMP4 makes a short, playable H.264 MP4 with ffmpeg (w × h, seconds
// long) in dir.
func RealMP4(t testing.TB, ffmpeg, dir string, w, h int, seconds float64) string {
	t.Helper()
	out := filepath.Join(dir, "clip.mp4")
	cmd := exec.Command(ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-f", "lavfi",
		"-i", "testsrc2=size="+itoa(w)+"x"+itoa(h)+":rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", ftoa(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart", "-y", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, b)
	}
	return out
}

func itoa(n int) string { return string(bytes.TrimSpace([]byte(formatInt(n)))) }

func formatInt(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func ftoa(f float64) string { return formatInt(int(f)) }
