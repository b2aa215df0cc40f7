package media

import (
	"fmt"
	"math"
	"strings"

	"github.com/humas-id/humas/media/mp4"
)

// Problem is one thing wrong with a file, for a platform's use of it or
// for any use, in English and Bahasa Indonesia, saying what to do.
type Problem struct {
	Platform  string `json:"platform,omitempty"` // facebook, instagram; "" for every use
	Use       string `json:"use,omitempty"`      // photo, video, reel, feed, carousel_item, story
	Field     string `json:"field,omitempty"`    // type, size, width, aspect_ratio, container, codec, duration, frame_rate
	Severity  string `json:"severity"`           // error (refused) or warning (published, shown badly)
	Code      string `json:"code"`
	Message   string `json:"message"`
	MessageID string `json:"message_id"`
}

func (p *Problem) Error() string { return p.Message }

// Severities.
const (
	SevError   = "error"
	SevWarning = "warning"
)

// Target is a use of a file on a platform.
type Target struct{ Platform, Use string }

// The targets humas publishes to.
var (
	FacebookPhoto         = Target{"facebook", "photo"}
	FacebookVideo         = Target{"facebook", "video"}
	FacebookReel          = Target{"facebook", "reel"}
	InstagramFeed         = Target{"instagram", "feed"}
	InstagramCarouselItem = Target{"instagram", "carousel_item"}
	InstagramReel         = Target{"instagram", "reel"}
	InstagramStory        = Target{"instagram", "story"}
)

// Specs, per Meta's publishing references (see shared/reference/graph-api.md).
const (
	igImageMinAspect = 0.8  // 4:5
	igImageMaxAspect = 1.91 // 1.91:1
	vertical916      = 9.0 / 16
	igVideoMaxBytes  = 300 << 20
	igReelMinSeconds = 3
	igReelMaxSeconds = 15 * 60
	igItemMaxSeconds = 60
	igStoryMaxSecs   = 60
	igMaxVideoWidth  = 1920
	fbPhotoMaxBytes  = 10_000_000
	fbVideoMaxBytes  = 10 << 30
	fbVideoMaxSecs   = 240 * 60
	fbReelMinSeconds = 3
	fbReelMaxSeconds = 90
	minFPS, maxFPS   = 23, 60
	aspectTolerance  = 0.01
)

// IsReelShape reports a vertical video of 3 to 90 s: Facebook publishes
// it as a Reel (and keeps it as an unpublished Reel draft if sent to
// /videos).
func (it Item) IsReelShape() bool {
	return it.Kind == KindVideo && it.Width > 0 && it.Height > it.Width && it.Duration >= fbReelMinSeconds && it.Duration <= fbReelMaxSeconds
}

// DefaultTargets are the uses a file is checked for at upload: an image
// as a Facebook photo and an Instagram feed image; a video as a Facebook
// video (a Reel when vertical and short) and an Instagram Reel.
func (it Item) DefaultTargets() []Target {
	if it.Kind == KindImage {
		return []Target{FacebookPhoto, InstagramFeed}
	}
	fb := FacebookVideo
	if it.IsReelShape() {
		fb = FacebookReel
	}
	return []Target{fb, InstagramReel}
}

// CheckAll checks the file for each target.
func (it Item) CheckAll(ts ...Target) []Problem {
	var out []Problem
	for _, t := range ts {
		out = append(out, it.Check(t)...)
	}
	return out
}

// Check lists what is wrong with the file for one target.
func (it Item) Check(t Target) []Problem {
	c := checker{t: t, it: it}
	switch {
	case it.Kind == KindImage && (t.Use == "video" || t.Use == "reel"):
		c.add(SevError, "type", "not_video", "{use} needs a video; this is an image", "{use} memerlukan video; berkas ini gambar")
	case it.Kind == KindVideo && t.Use == "photo":
		c.add(SevError, "type", "not_image", "a photo post needs an image; this is a video", "kiriman foto memerlukan gambar; berkas ini video")
	case it.Kind == KindVideo && t.Use == "feed":
		c.add(SevError, "type", "not_image", "an Instagram feed image needs an image; a single video is published as a Reel",
			"gambar feed Instagram memerlukan gambar; satu video dipublikasikan sebagai Reel")
	case it.Kind == KindImage:
		c.image()
	default:
		c.video()
	}
	return c.out
}

type checker struct {
	t   Target
	it  Item
	out []Problem
}

func (c *checker) add(sev, field, code, en, id string, args ...any) {
	// {use} names the target in each language.
	en = strings.ReplaceAll(fmt.Sprintf(en, args...), "{use}", useName(c.t))
	id = strings.ReplaceAll(fmt.Sprintf(id, args...), "{use}", useNameID(c.t))
	c.out = append(c.out, Problem{Platform: c.t.Platform, Use: c.t.Use, Field: field, Severity: sev, Code: code,
		Message: platformName(c.t.Platform) + ": " + en, MessageID: platformName(c.t.Platform) + ": " + id})
}

func (c *checker) image() {
	it, t := c.it, c.t
	switch t.Platform {
	case "instagram":
		if it.MIME != TypeJPEG {
			c.add(SevError, "type", "not_jpeg", "Instagram accepts JPEG images only; this file is %s (upload it through humas, which converts it)",
				"Instagram hanya menerima gambar JPEG; berkas ini %s (unggah melalui humas, yang mengubahnya otomatis)", typeName(it.MIME))
		}
		if it.Size > MaxJPEGBytes {
			c.add(SevError, "size", "too_large", "the image is %s; Instagram takes at most 8 MB: export it smaller",
				"gambar berukuran %s; Instagram menerima maksimal 8 MB: ekspor dengan ukuran lebih kecil", fmtBytes(it.Size))
		}
		if it.Width > 0 && it.Width < MinWidth {
			c.add(SevError, "width", "too_small", "the image is %d px wide; Instagram needs at least 320 px: use a larger original",
				"lebar gambar %d px; Instagram memerlukan minimal 320 px: gunakan berkas asli yang lebih besar", it.Width)
		}
		if it.Height > 0 {
			ar := float64(it.Width) / float64(it.Height)
			switch t.Use {
			case "story":
				if math.Abs(ar-vertical916) > 0.03 {
					c.add(SevWarning, "aspect_ratio", "not_9_16", "stories are 9:16; this image is %s and will be shown with bars",
						"story berformat 9:16; gambar ini %s dan akan tampil dengan bingkai", Ratio(it.Width, it.Height))
				}
			default:
				if ar < igImageMinAspect-aspectTolerance || ar > igImageMaxAspect+aspectTolerance {
					c.add(SevError, "aspect_ratio", "aspect_ratio", "the image is %s (%.2f:1); Instagram feed images must be between 4:5 and 1.91:1: choose a crop (4:5, 1:1 or 1.91:1) on the compose page",
						"gambar berformat %s (%.2f:1); gambar feed Instagram harus antara 4:5 dan 1,91:1: pilih potongan (4:5, 1:1 atau 1,91:1) di halaman tulis", Ratio(it.Width, it.Height), ar)
				}
			}
		}
	case "facebook":
		if it.Size > fbPhotoMaxBytes {
			c.add(SevError, "size", "too_large", "the photo is %s; Facebook takes photos under 10 MB: export it smaller",
				"foto berukuran %s; Facebook menerima foto di bawah 10 MB: ekspor dengan ukuran lebih kecil", fmtBytes(it.Size))
		}
	}
}

func (c *checker) video() {
	it, t := c.it, c.t
	if it.Container != "mp4" && it.Container != "mov" {
		c.add(SevError, "container", "container", "the video is not MP4 or MOV; export it as MP4 (H.264, AAC)",
			"video bukan MP4 atau MOV; ekspor sebagai MP4 (H.264, AAC)")
	}
	codec := mp4.Codec(it.VideoCodec)
	goodCodec := codec == "h264" || codec == "hevc"
	ar := 0.0
	if it.Height > 0 {
		ar = float64(it.Width) / float64(it.Height)
	}
	fps := func(lo float64) {
		if it.FrameRate > 0 && (it.FrameRate < lo || it.FrameRate > maxFPS+0.5) {
			c.add(SevError, "frame_rate", "frame_rate", "the video runs at %s frames per second; {use} needs %d to 60: export it at 30 fps",
				"video berjalan %s bingkai per detik; {use} memerlukan %d sampai 60: ekspor dengan 30 fps", fmtFPS(it.FrameRate), int(math.Ceil(lo)))
		}
	}
	duration := func(lo, hi float64) {
		switch {
		case it.Duration > hi:
			c.add(SevError, "duration", "too_long", "the video lasts %s; {use} may last at most %s: shorten it",
				"durasi video %s; {use} maksimal %s: perpendek videonya", fmtDuration(it.Duration), fmtDuration(hi))
		case lo > 0 && it.Duration < lo:
			c.add(SevError, "duration", "too_short", "the video lasts %s; {use} must last at least %s",
				"durasi video %s; {use} minimal %s", fmtDuration(it.Duration), fmtDuration(lo))
		}
	}
	switch t.Platform {
	case "instagram":
		if !goodCodec {
			c.add(SevError, "codec", "codec", "the video is encoded as %s; Instagram takes H.264 or HEVC: export it again as MP4 with H.264",
				"video dikodekan sebagai %s; Instagram menerima H.264 atau HEVC: ekspor ulang sebagai MP4 dengan H.264", codecName(it.VideoCodec))
		}
		if a := mp4.Codec(it.AudioCodec); a != "" && a != "aac" {
			c.add(SevWarning, "codec", "audio_codec", "the sound is %s; Instagram expects AAC: the video may be refused or silent",
				"suara dikodekan sebagai %s; Instagram mengharapkan AAC: video dapat ditolak atau tanpa suara", codecName(it.AudioCodec))
		}
		if it.Size > igVideoMaxBytes {
			c.add(SevError, "size", "too_large", "the video is %s; Instagram takes at most 300 MB: export it smaller",
				"video berukuran %s; Instagram menerima maksimal 300 MB: ekspor dengan ukuran lebih kecil", fmtBytes(it.Size))
		}
		if it.Width > igMaxVideoWidth {
			c.add(SevError, "width", "too_wide", "the video is %d px wide; Instagram takes at most 1920: export it at 1080 × 1920",
				"lebar video %d px; Instagram menerima maksimal 1920: ekspor dengan 1080 × 1920", it.Width)
		}
		fps(minFPS)
		switch t.Use {
		case "carousel_item":
			duration(igReelMinSeconds, igItemMaxSeconds)
		case "story":
			duration(0, igStoryMaxSecs)
			if ar > 0 && math.Abs(ar-vertical916) > 0.03 {
				c.add(SevError, "aspect_ratio", "not_9_16", "stories are 9:16; this video is %s: crop it to 9:16",
					"story berformat 9:16; video ini %s: potong menjadi 9:16", Ratio(it.Width, it.Height))
			}
		default:
			duration(igReelMinSeconds, igReelMaxSeconds)
			if ar > 0 && math.Abs(ar-vertical916) > 0.03 {
				c.add(SevWarning, "aspect_ratio", "not_9_16", "Reels are 9:16; this video is %s and will be shown cropped or with bars",
					"Reels berformat 9:16; video ini %s dan akan tampil terpotong atau berbingkai", Ratio(it.Width, it.Height))
			}
		}
		if !it.FastStart {
			c.add(SevWarning, "container", "not_fast_start", "the video's index is at its end; if Instagram refuses it, export it again with “optimize for web / fast start”",
				"indeks video ada di akhir berkas; bila Instagram menolaknya, ekspor ulang dengan opsi “optimize for web / fast start”")
		}
	case "facebook":
		if it.Size > fbVideoMaxBytes {
			c.add(SevError, "size", "too_large", "the video is %s; Facebook takes at most 10 GB", "video berukuran %s; Facebook menerima maksimal 10 GB", fmtBytes(it.Size))
		}
		if !goodCodec {
			c.add(SevWarning, "codec", "codec", "the video is encoded as %s; Facebook recommends H.264: if it fails to process, export it again as MP4 with H.264",
				"video dikodekan sebagai %s; Facebook menyarankan H.264: bila gagal diproses, ekspor ulang sebagai MP4 dengan H.264", codecName(it.VideoCodec))
		}
		if t.Use == "reel" {
			duration(fbReelMinSeconds, fbReelMaxSeconds)
			fps(24 - 0.1)
			if it.Width > 0 && (it.Width < 540 || it.Height < 960) {
				c.add(SevWarning, "width", "small_reel", "the Reel is %d × %d; Facebook recommends 1080 × 1920 (at least 540 × 960)",
					"Reel berukuran %d × %d; Facebook menyarankan 1080 × 1920 (minimal 540 × 960)", it.Width, it.Height)
			}
		} else {
			duration(0, fbVideoMaxSecs)
		}
	}
}

func platformName(p string) string {
	switch p {
	case "facebook":
		return "Facebook"
	case "instagram":
		return "Instagram"
	}
	return p
}

func useName(t Target) string {
	switch t {
	case FacebookReel:
		return "a Facebook Reel"
	case FacebookVideo:
		return "a Facebook video"
	case InstagramReel:
		return "an Instagram Reel"
	case InstagramCarouselItem:
		return "a carousel video"
	case InstagramStory:
		return "a story"
	}
	return "this post"
}

func useNameID(t Target) string {
	switch t {
	case FacebookReel:
		return "Reel Facebook"
	case FacebookVideo:
		return "video Facebook"
	case InstagramReel:
		return "Reel Instagram"
	case InstagramCarouselItem:
		return "video carousel"
	case InstagramStory:
		return "story"
	}
	return "kiriman ini"
}

func typeName(mime string) string {
	switch mime {
	case TypePNG:
		return "PNG"
	case TypeWebP:
		return "WebP"
	case TypeGIF:
		return "GIF"
	case TypeJPEG:
		return "JPEG"
	case TypeMP4:
		return "MP4"
	case TypeMOV:
		return "MOV"
	case TypeHEIC:
		return "HEIC"
	}
	if mime == "" {
		return "of an unknown type"
	}
	return mime
}

func codecName(fourcc string) string {
	switch c := mp4.Codec(fourcc); c {
	case "h264":
		return "H.264"
	case "hevc":
		return "HEVC"
	case "mpeg4":
		return "MPEG-4 Part 2"
	case "av1":
		return "AV1"
	case "vp9":
		return "VP9"
	case "aac":
		return "AAC"
	case "":
		return "an unknown codec"
	default:
		return strings.ToUpper(c)
	}
}

// Ratio writes an aspect ratio as staff know them (9:16, 4:5, 1.91:1), or
// as width:height reduced.
func Ratio(w, h int) string {
	if w <= 0 || h <= 0 {
		return "?"
	}
	ar := float64(w) / float64(h)
	for _, r := range []struct {
		name string
		v    float64
	}{{"1:1", 1}, {"4:5", 0.8}, {"5:4", 1.25}, {"9:16", 9.0 / 16}, {"16:9", 16.0 / 9}, {"4:3", 4.0 / 3}, {"3:4", 0.75},
		{"3:2", 1.5}, {"2:3", 2.0 / 3}, {"1.91:1", 1.91}, {"2:1", 2}, {"3:1", 3}} {
		if math.Abs(ar-r.v) < 0.01 {
			return r.name
		}
	}
	g := gcd(w, h)
	return fmt.Sprintf("%d:%d", w/g, h/g)
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func fmtBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

func fmtDuration(s float64) string {
	d := int(math.Round(s))
	if d < 60 {
		return fmt.Sprintf("%d s", d)
	}
	if d%60 == 0 {
		return fmt.Sprintf("%d min", d/60)
	}
	return fmt.Sprintf("%d min %d s", d/60, d%60)
}

func fmtFPS(f float64) string {
	if f == math.Trunc(f) {
		return fmt.Sprintf("%d", int(f))
	}
	return fmt.Sprintf("%.2f", f)
}
