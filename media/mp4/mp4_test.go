package mp4_test

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/humas-id/humas/media/mp4"
	"github.com/humas-id/humas/media/mp4/mp4test"
)

func TestProbe(t *testing.T) {
	cases := []struct {
		name string
		spec mp4test.Spec
		want mp4.Info
	}{
		{"vertical h264 with aac", mp4test.Spec{Width: 1080, Height: 1920, Seconds: 12, FPS: 30, AudioCodec: "mp4a"},
			mp4.Info{Brand: "isom", Container: "mp4", Duration: 12, Width: 1080, Height: 1920, VideoCodec: "avc1", AudioCodec: "mp4a", FrameRate: 30, FastStart: true}},
		{"phone portrait stored landscape", mp4test.Spec{Brand: "qt  ", Width: 1920, Height: 1080, Rotation: 90, Seconds: 5.5, FPS: 60, VideoCodec: "hvc1"},
			mp4.Info{Brand: "qt  ", Container: "mov", Duration: 5.5, Width: 1080, Height: 1920, Rotation: 90, VideoCodec: "hvc1", FrameRate: 60, FastStart: true}},
		{"moov after mdat, 25 fps", mp4test.Spec{Width: 1280, Height: 720, Seconds: 1000, FPS: 25, MoovLast: true},
			mp4.Info{Brand: "isom", Container: "mp4", Duration: 1000, Width: 1280, Height: 720, VideoCodec: "avc1", FrameRate: 25}},
		{"av1", mp4test.Spec{Width: 640, Height: 360, Seconds: 3, VideoCodec: "av01"},
			mp4.Info{Brand: "isom", Container: "mp4", Duration: 3, Width: 640, Height: 360, VideoCodec: "av01", FrameRate: 30, FastStart: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := mp4test.Bytes(c.spec)
			got, err := mp4.Probe(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got.FrameRate-c.want.FrameRate) < 0.01 {
				got.FrameRate = c.want.FrameRate
			}
			if math.Abs(got.Duration-c.want.Duration) < 0.01 {
				got.Duration = c.want.Duration
			}
			if got != c.want {
				t.Errorf("Probe = %+v\nwant    %+v", got, c.want)
			}
		})
	}
}

func TestProbeRefusesOtherFiles(t *testing.T) {
	for name, b := range map[string][]byte{
		"jpeg":      {0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1},
		"text":      []byte("this is not a video, it only has a .mp4 name"),
		"truncated": mp4test.Bytes(mp4test.Spec{Width: 10, Height: 10, Seconds: 1})[:40],
		"empty":     nil,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := mp4.Probe(bytes.NewReader(b), int64(len(b)))
			if err == nil {
				t.Fatal("Probe accepted it")
			}
			if name != "truncated" && !errors.Is(err, mp4.ErrNotMP4) {
				t.Errorf("err = %v, want ErrNotMP4", err)
			}
		})
	}
}

func TestCodecNames(t *testing.T) {
	for in, want := range map[string]string{"avc1": "h264", "hev1": "hevc", "mp4v": "mpeg4", "av01": "av1", "mp4a": "aac", "xyz1": "xyz1"} {
		if got := mp4.Codec(in); got != want {
			t.Errorf("Codec(%q) = %q, want %q", in, got, want)
		}
	}
}
