package media_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/media/mediatest"
	"github.com/humas-id/humas/media/mp4/mp4test"
)

// TestChecks runs every platform check on files described by their
// metadata (as the library stores it), and says which problems each gets.
func TestChecks(t *testing.T) {
	img := func(w, h int, size int64) media.Item {
		return media.Item{Kind: media.KindImage, MIME: media.TypeJPEG, Width: w, Height: h, Size: size}
	}
	vid := func(w, h int, secs, fps float64, codec string) media.Item {
		return media.Item{Kind: media.KindVideo, MIME: media.TypeMP4, Container: "mp4", Width: w, Height: h, Duration: secs, FrameRate: fps,
			VideoCodec: codec, AudioCodec: "mp4a", FastStart: true, Size: 20 << 20}
	}
	cases := []struct {
		name   string
		it     media.Item
		target media.Target
		want   []string // platform:code:severity, in order
	}{
		{"IG feed 4:5", img(1080, 1350, 300_000), media.InstagramFeed, nil},
		{"IG feed 1.91:1", img(1440, 754, 300_000), media.InstagramFeed, nil},
		{"IG feed 3:1 bad aspect ratio", img(1200, 400, 300_000), media.InstagramFeed, []string{"instagram:aspect_ratio:error"}},
		{"IG feed 9:16 bad aspect ratio", img(1080, 1920, 300_000), media.InstagramFeed, []string{"instagram:aspect_ratio:error"}},
		{"IG feed too small", img(200, 200, 20_000), media.InstagramFeed, []string{"instagram:too_small:error"}},
		{"IG feed too large", img(1080, 1080, 9<<20), media.InstagramFeed, []string{"instagram:too_large:error"}},
		{"IG feed PNG", media.Item{Kind: media.KindImage, MIME: media.TypePNG, Width: 800, Height: 800, Size: 1000}, media.InstagramFeed, []string{"instagram:not_jpeg:error"}},
		{"IG feed given a video", vid(1080, 1920, 10, 30, "avc1"), media.InstagramFeed, []string{"instagram:not_image:error"}},
		{"FB photo 3:1 is fine", img(1200, 400, 300_000), media.FacebookPhoto, nil},
		{"FB photo too large", img(4000, 3000, 11_000_000), media.FacebookPhoto, []string{"facebook:too_large:error"}},
		{"IG reel 9:16 h264", vid(1080, 1920, 30, 30, "avc1"), media.InstagramReel, nil},
		{"IG reel too long", vid(1080, 1920, 1000, 30, "avc1"), media.InstagramReel, []string{"instagram:too_long:error"}},
		{"IG reel too short", vid(1080, 1920, 2, 30, "avc1"), media.InstagramReel, []string{"instagram:too_short:error"}},
		{"IG reel unsupported codec", vid(1080, 1920, 30, 30, "av01"), media.InstagramReel, []string{"instagram:codec:error"}},
		{"IG reel mpeg4 part 2", vid(1080, 1920, 30, 30, "mp4v"), media.InstagramReel, []string{"instagram:codec:error"}},
		{"IG reel 15 fps", vid(1080, 1920, 30, 15, "avc1"), media.InstagramReel, []string{"instagram:frame_rate:error"}},
		{"IG reel landscape warns", vid(1920, 1080, 30, 30, "hvc1"), media.InstagramReel, []string{"instagram:not_9_16:warning"}},
		{"IG reel 4K too wide", vid(3840, 2160, 30, 30, "avc1"), media.InstagramReel, []string{"instagram:too_wide:error", "instagram:not_9_16:warning"}},
		{"IG carousel video over 60 s", vid(1080, 1350, 61, 30, "avc1"), media.InstagramCarouselItem, []string{"instagram:too_long:error"}},
		{"IG story landscape", vid(1920, 1080, 20, 30, "avc1"), media.InstagramStory, []string{"instagram:not_9_16:error"}},
		{"IG reel not MP4", media.Item{Kind: media.KindVideo, Container: "mkv", VideoCodec: "avc1", Width: 1080, Height: 1920, Duration: 30, FrameRate: 30, FastStart: true},
			media.InstagramReel, []string{"instagram:container:error"}},
		{"IG reel index at the end warns", func() media.Item { v := vid(1080, 1920, 30, 30, "avc1"); v.FastStart = false; return v }(),
			media.InstagramReel, []string{"instagram:not_fast_start:warning"}},
		{"IG reel too large", func() media.Item { v := vid(1080, 1920, 30, 30, "avc1"); v.Size = 400 << 20; return v }(),
			media.InstagramReel, []string{"instagram:too_large:error"}},
		{"FB reel too long", vid(1080, 1920, 100, 30, "avc1"), media.FacebookReel, []string{"facebook:too_long:error"}},
		{"FB reel small", vid(360, 640, 20, 30, "avc1"), media.FacebookReel, []string{"facebook:small_reel:warning"}},
		{"FB video av1 warns", vid(1920, 1080, 600, 30, "av01"), media.FacebookVideo, []string{"facebook:codec:warning"}},
		{"FB video five hours", vid(1920, 1080, 5*3600, 30, "avc1"), media.FacebookVideo, []string{"facebook:too_long:error"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := c.it.Check(c.target)
			got := codes(ps)
			want := c.want
			if want == nil {
				want = []string{}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("problems %v, want %v", got, want)
			}
			for _, p := range ps {
				if p.Message == "" || p.MessageID == "" || p.Message == p.MessageID || p.Field == "" {
					t.Errorf("problem %+v lacks a message in both languages or a field", p)
				}
			}
		})
	}
	// Messages say what to do, in each language.
	ps := vid(1080, 1920, 1000, 30, "avc1").Check(media.InstagramReel)
	if !strings.Contains(ps[0].Message, "16 min 40 s") || !strings.Contains(ps[0].Message, "15 min") || !strings.Contains(ps[0].MessageID, "perpendek") {
		t.Errorf("too long: %q / %q", ps[0].Message, ps[0].MessageID)
	}
	ps = img(1200, 400, 1000).Check(media.InstagramFeed)
	if !strings.Contains(ps[0].Message, "3:1") || !strings.Contains(ps[0].MessageID, "pilih potongan") {
		t.Errorf("aspect ratio: %q / %q", ps[0].Message, ps[0].MessageID)
	}
}

func TestVideoUploadReadsItsShape(t *testing.T) {
	e := newEnv(t, nil)
	it := e.upload("reels-sosialisasi.mp4", mp4test.Bytes(mp4test.Spec{Width: 1920, Height: 1080, Rotation: 90, Seconds: 45, FPS: 30, AudioCodec: "mp4a", MdatBytes: 200 << 10}))
	if it.Kind != media.KindVideo || it.MIME != media.TypeMP4 || it.Width != 1080 || it.Height != 1920 || it.Duration != 45 ||
		it.FrameRate != 30 || it.VideoCodec != "avc1" || it.AudioCodec != "mp4a" || !it.FastStart {
		t.Fatalf("item %+v", it)
	}
	if !it.IsReelShape() || !slices.Equal(it.DefaultTargets(), []media.Target{media.FacebookReel, media.InstagramReel}) {
		t.Errorf("a vertical 45 s video is a Reel on both networks: %v", it.DefaultTargets())
	}
	if len(it.Problems) != 0 {
		t.Errorf("problems %v", codes(it.Problems))
	}
	long := e.upload("rapat-pleno.mov", mp4test.Bytes(mp4test.Spec{Brand: "qt  ", Width: 1280, Height: 720, Seconds: 1000, FPS: 25, VideoCodec: "av01"}))
	if long.MIME != media.TypeMOV || long.Container != "mov" {
		t.Fatalf("MOV: %+v", long)
	}
	if got := codes(long.Problems); !slices.Contains(got, "instagram:too_long:error") || !slices.Contains(got, "instagram:codec:error") ||
		!slices.Contains(got, "facebook:codec:warning") {
		t.Errorf("a 1000 s AV1 video: problems %v", got)
	}
	if long.HasThumb {
		t.Error("a video whose frames cannot be decoded has no poster frame")
	}
	// A damaged MP4 is refused, saying so.
	_, err := e.lib.Upload(context.Background(), e.editor, 0, "rusak.mp4", bytes.NewReader(mp4test.Bytes(mp4test.Spec{Width: 10, Height: 10, Seconds: 1})[:60]))
	if err == nil || !strings.Contains(err.Error(), "export it again") {
		t.Fatalf("damaged MP4: %v", err)
	}
}

func TestVideoPosterFrameWithFFmpeg(t *testing.T) {
	ff := mediatest.FFmpeg(t)
	e := newEnv(t, nil, func(o *media.Options) { o.FFmpeg = ff })
	path := mediatest.RealMP4(t, ff, t.TempDir(), 360, 640, 3)
	b, err := readFile(path)
	if err != nil {
		t.Fatal(err)
	}
	it := e.upload("klip.mp4", b)
	if !it.HasThumb || it.Width != 360 || it.Height != 640 || it.Duration < 2.9 || it.Duration > 3.1 || it.VideoCodec != "avc1" {
		t.Fatalf("item %+v, want a 360×640 3 s H.264 video with a poster frame", it)
	}
	obj, ok, err := e.lib.OpenThumb(context.Background(), it.ID)
	if err != nil || !ok {
		t.Fatalf("thumbnail: %v %v", ok, err)
	}
	defer obj.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(obj)
	if media.Sniff(buf.Bytes()) != media.TypeJPEG {
		t.Error("the poster frame is not a JPEG")
	}
}
