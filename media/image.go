package media

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/gif" // decoders for image.Decode
	"image/jpeg"
	_ "image/png"
	"io"
	"os"

	xdraw "golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
)

// Image limits. Instagram takes JPEG only, at most 8 MiB, 320 to 1440 px
// wide (wider is scaled down by Instagram; humas does it first, so the
// one stored file suits both networks and stays well under Facebook's
// 10 MB). MaxPixels refuses decompression bombs.
const (
	MaxWidth     = 1440
	MinWidth     = 320
	MaxJPEGBytes = 8 << 20
	MaxPixels    = 50_000_000
	jpegQuality  = 88
	thumbSide    = 480
)

// Notes: what the upload changed, shown to staff (media.note.* texts).
const (
	NoteConverted   = "converted_jpeg"   // PNG, WebP or GIF became a JPEG
	NoteGIFFrame    = "gif_first_frame"  // only a GIF's first frame is kept
	NoteRotated     = "orientation"      // the EXIF orientation was applied to the pixels
	NoteScaled      = "scaled"           // scaled down to MaxWidth
	NoteStripped    = "metadata_removed" // EXIF (GPS position, camera), XMP, IPTC removed
	NoteLocation    = "location_removed" // a GPS position was among it
	NoteRecompress  = "recompressed"     // a JPEG over the size limit was compressed again
	NoteTransparent = "flattened"        // transparency became white
	NoteCropped     = "cropped"
)

// imageResult is a prepared image: where its bytes are and what they are.
type imageResult struct {
	path          string // the prepared JPEG
	size          int64
	width, height int
	notes         []string
	thumb         []byte // JPEG
}

// prepareImage makes the stored JPEG of an uploaded image at src (sniffed
// as typ) in dir. A JPEG already upright, small enough and within the
// limits keeps its bytes, only its metadata removed; anything else is
// decoded, turned upright, scaled and encoded again.
func prepareImage(src, dir, typ string) (imageResult, error) {
	f, err := os.Open(src)
	if err != nil {
		return imageResult{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return imageResult{}, err
	}
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return imageResult{}, &Problem{Code: "unreadable", Message: "the image cannot be read: " + err.Error(),
			MessageID: "gambar tidak dapat dibaca: " + err.Error()}
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return imageResult{}, &Problem{Code: "too_many_pixels",
			Message:   fmt.Sprintf("the image is %d × %d pixels, more than %d megapixels; resize it (e.g. to 2048 px wide) and upload it again", cfg.Width, cfg.Height, MaxPixels/1_000_000),
			MessageID: fmt.Sprintf("gambar berukuran %d × %d piksel, lebih dari %d megapiksel; perkecil (mis. menjadi lebar 2048 px) lalu unggah lagi", cfg.Width, cfg.Height, MaxPixels/1_000_000)}
	}
	var meta jpegMeta
	if typ == TypeJPEG {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return imageResult{}, err
		}
		meta, _ = readJPEGMeta(f)
	}
	w, h := cfg.Width, cfg.Height
	if meta.Orientation >= 5 {
		w, h = h, w
	}
	keep := typ == TypeJPEG && meta.Orientation <= 1 && w <= MaxWidth && st.Size() <= MaxJPEGBytes && !meta.Adobe
	out, err := os.CreateTemp(dir, "img-*.jpg")
	if err != nil {
		return imageResult{}, err
	}
	defer out.Close()
	res := imageResult{path: out.Name()}
	if keep {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return res, err
		}
		if err := stripJPEG(out, f); err != nil {
			return res, &Problem{Code: "unreadable", Message: "the JPEG is damaged: " + err.Error(), MessageID: "berkas JPEG rusak: " + err.Error()}
		}
		if meta.Metadata {
			res.notes = append(res.notes, NoteStripped)
		}
		if meta.HasGPS {
			res.notes = append(res.notes, NoteLocation)
		}
		res.width, res.height = w, h
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return res, err
		}
		img, _, err := image.Decode(f)
		if err != nil {
			return res, &Problem{Code: "unreadable", Message: "the image cannot be read: " + err.Error(), MessageID: "gambar tidak dapat dibaca: " + err.Error()}
		}
		res.thumb = thumbnail(img)
	} else {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return res, err
		}
		img, _, err := image.Decode(f)
		if err != nil {
			return res, &Problem{Code: "unreadable", Message: "the image cannot be read: " + err.Error(), MessageID: "gambar tidak dapat dibaca: " + err.Error()}
		}
		if typ != TypeJPEG {
			res.notes = append(res.notes, NoteConverted)
			if typ == TypeGIF {
				res.notes = append(res.notes, NoteGIFFrame)
			}
		}
		if meta.Metadata {
			res.notes = append(res.notes, NoteStripped)
		}
		if meta.HasGPS {
			res.notes = append(res.notes, NoteLocation)
		}
		if hasAlpha(img) {
			res.notes = append(res.notes, NoteTransparent)
		}
		// Scale first (fewer pixels to turn), then turn upright.
		var sw, sh int // the scaled size, before turning
		tw := w
		if tw > MaxWidth {
			tw = MaxWidth
			res.notes = append(res.notes, NoteScaled)
		}
		th := max(1, h*tw/w)
		if meta.Orientation >= 5 {
			sw, sh = th, tw
		} else {
			sw, sh = tw, th
		}
		rgba := flatten(img, sw, sh)
		if meta.Orientation > 1 {
			rgba = orient(rgba, meta.Orientation)
			res.notes = append(res.notes, NoteRotated)
		}
		if typ == TypeJPEG && meta.Orientation <= 1 && w <= MaxWidth {
			res.notes = append(res.notes, NoteRecompress)
		}
		n, err := encodeJPEG(out, rgba)
		if err != nil {
			return res, err
		}
		_ = n
		res.width, res.height = rgba.Bounds().Dx(), rgba.Bounds().Dy()
		res.thumb = thumbnail(rgba)
	}
	if err := out.Sync(); err != nil {
		return res, err
	}
	fst, err := out.Stat()
	if err != nil {
		return res, err
	}
	res.size = fst.Size()
	return res, nil
}

// encodeJPEG writes img as a JPEG under MaxJPEGBytes, lowering the quality
// step by step when a first try is larger.
func encodeJPEG(out *os.File, img image.Image) (int64, error) {
	for q := jpegQuality; ; q -= 10 {
		if _, err := out.Seek(0, io.SeekStart); err != nil {
			return 0, err
		}
		if err := out.Truncate(0); err != nil {
			return 0, err
		}
		cw := &countWriter{w: out}
		if err := jpeg.Encode(cw, img, &jpeg.Options{Quality: q}); err != nil {
			return 0, err
		}
		if cw.n <= MaxJPEGBytes || q <= 40 {
			return cw.n, nil
		}
	}
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func hasAlpha(img image.Image) bool {
	switch im := img.(type) {
	case *image.YCbCr, *image.Gray, *image.CMYK:
		return false
	case *image.NRGBA:
		return !im.Opaque()
	case *image.RGBA:
		return !im.Opaque()
	case *image.Paletted:
		return !im.Opaque()
	case interface{ Opaque() bool }:
		return !im.Opaque()
	}
	return false
}

// flatten scales img to w × h on white (a transparent PNG becomes a JPEG
// with a white background, not a black one).
func flatten(img image.Image, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	b := img.Bounds()
	if b.Dx() == w && b.Dy() == h {
		draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Over)
		return dst
	}
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	return dst
}

// orient turns stored pixels upright by their EXIF orientation (2-8).
func orient(src *image.RGBA, o int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2:
				dx, dy = w-1-x, y
			case 3:
				dx, dy = w-1-x, h-1-y
			case 4:
				dx, dy = x, h-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8:
				dx, dy = y, w-1-x
			default:
				dx, dy = x, y
			}
			si := src.PixOffset(x+b.Min.X, y+b.Min.Y)
			di := dst.PixOffset(dx, dy)
			copy(dst.Pix[di:di+4], src.Pix[si:si+4])
		}
	}
	return dst
}

// thumbnail is a small JPEG of img (longest side thumbSide).
func thumbnail(img image.Image) []byte {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w == 0 || h == 0 {
		return nil
	}
	tw, th := w, h
	if w >= h && w > thumbSide {
		tw, th = thumbSide, max(1, h*thumbSide/w)
	} else if h > w && h > thumbSide {
		tw, th = max(1, w*thumbSide/h), thumbSide
	}
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 78}); err != nil {
		return nil
	}
	return buf.Bytes()
}

// cropImage cuts the largest centred region of the given aspect ratio
// (width ÷ height) out of the JPEG at src into a new JPEG in dir.
func cropImage(src, dir string, aspect float64) (imageResult, error) {
	f, err := os.Open(src)
	if err != nil {
		return imageResult{}, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return imageResult{}, err
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	cw, ch := w, int(float64(w)/aspect+0.5)
	if ch > h {
		cw, ch = int(float64(h)*aspect+0.5), h
	}
	if cw < 1 || ch < 1 {
		return imageResult{}, errors.New("media: crop too small")
	}
	x0, y0 := b.Min.X+(w-cw)/2, b.Min.Y+(h-ch)/2
	dst := image.NewRGBA(image.Rect(0, 0, cw, ch))
	draw.Draw(dst, dst.Bounds(), img, image.Pt(x0, y0), draw.Src)
	out, err := os.CreateTemp(dir, "crop-*.jpg")
	if err != nil {
		return imageResult{}, err
	}
	defer out.Close()
	if _, err := encodeJPEG(out, dst); err != nil {
		return imageResult{}, err
	}
	st, err := out.Stat()
	if err != nil {
		return imageResult{}, err
	}
	return imageResult{path: out.Name(), size: st.Size(), width: cw, height: ch, notes: []string{NoteCropped}, thumb: thumbnail(dst)}, nil
}
