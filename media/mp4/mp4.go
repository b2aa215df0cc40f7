// Package mp4 reads the metadata humas checks before publishing a video:
// container brand, duration, display size (rotation applied), codecs and
// frame rate, from the boxes of an MP4 or QuickTime (MOV) file
// (ISO/IEC 14496-12: ftyp, moov/mvhd, trak/tkhd, mdia/mdhd, hdlr,
// minf/stbl/stsd and stts). It reads box headers and the few small boxes
// it needs through an io.ReaderAt, never the media data, so a file of
// hundreds of megabytes costs a few kilobytes of memory. Standard library
// only.
package mp4

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Info is what a file says about itself.
type Info struct {
	// Brand is ftyp's major brand ("isom", "mp42", "qt  ", ...);
	// Container is "mp4" or "mov" (QuickTime brand).
	Brand     string
	Container string
	// Duration in seconds (the movie header's; else the longest track's).
	Duration float64
	// Width and Height are the video's display size, rotation applied
	// (a phone's portrait video stored landscape with a 90° matrix is
	// reported portrait). Rotation is that angle: 0, 90, 180 or 270.
	Width, Height int
	Rotation      int
	// VideoCodec and AudioCodec are the sample entry types ("avc1",
	// "hvc1", "mp4a", ...); empty when the file has no such track.
	VideoCodec, AudioCodec string
	// FrameRate is the video track's average frames per second.
	FrameRate float64
	// FastStart: the moov box comes before the media data, so the file
	// plays (and Meta processes it) while it downloads.
	FastStart bool
	// EditList: a track carries an edit list (elst).
	EditList bool
}

// Codec names a sample entry type for people: h264, hevc, mpeg4, av1,
// vp9, aac, ... (the type itself when unknown).
func Codec(fourcc string) string {
	switch fourcc {
	case "avc1", "avc3":
		return "h264"
	case "hvc1", "hev1":
		return "hevc"
	case "mp4v":
		return "mpeg4"
	case "av01":
		return "av1"
	case "vp08":
		return "vp8"
	case "vp09":
		return "vp9"
	case "mp4a":
		return "aac"
	case "Opus":
		return "opus"
	case "ac-3":
		return "ac3"
	case "ec-3":
		return "eac3"
	case ".mp3":
		return "mp3"
	case "":
		return ""
	}
	return fourcc
}

// ErrNotMP4 is a file that does not start with an ftyp box (or a moov
// box, as some old QuickTime files do).
var ErrNotMP4 = errors.New("not an MP4 or MOV file")

// Limits against hostile files: how many boxes are visited and how deep.
const (
	maxBoxes = 10000
	maxDepth = 12
)

type box struct {
	typ           string
	start, size   int64 // whole box
	body, bodyEnd int64
}

type parser struct {
	r     io.ReaderAt
	size  int64
	boxes int
	info  Info
	moov  int64
	mdat  int64
	// per track
	handler              string
	tkW, tkH             float64
	rot                  int
	mdTimescale          uint64
	mdDuration           uint64
	codec                string
	sampleCount, ticks   uint64
	sawMvhdDur           bool
	mvhdDuration         float64
	longestTrack         float64
	videoW, videoH       int
	videoEntryW, videoEH int
}

// Probe reads the metadata of the file r of size bytes.
func Probe(r io.ReaderAt, size int64) (Info, error) {
	p := &parser{r: r, size: size, moov: -1, mdat: -1}
	first, err := p.header(0, size)
	if err != nil {
		return Info{}, ErrNotMP4
	}
	switch first.typ {
	case "ftyp", "moov", "wide", "free", "mdat", "skip":
	default:
		return Info{}, ErrNotMP4
	}
	if err := p.walk(0, size, 0); err != nil {
		return Info{}, err
	}
	if p.moov < 0 {
		return Info{}, fmt.Errorf("mp4: no moov box: the file holds no movie metadata (is it complete?)")
	}
	in := &p.info
	if in.Container == "" {
		in.Container = "mov" // a moov without ftyp is old QuickTime
	}
	in.FastStart = p.mdat < 0 || p.moov < p.mdat
	if p.sawMvhdDur && p.mvhdDuration > 0 {
		in.Duration = p.mvhdDuration
	} else {
		in.Duration = p.longestTrack
	}
	in.Width, in.Height = p.videoW, p.videoH
	return *in, nil
}

// header reads the box header at off (within [off, end)).
func (p *parser) header(off, end int64) (box, error) {
	var b [16]byte
	if end-off < 8 {
		return box{}, io.ErrUnexpectedEOF
	}
	if _, err := p.r.ReadAt(b[:8], off); err != nil {
		return box{}, err
	}
	size := int64(binary.BigEndian.Uint32(b[:4]))
	bx := box{typ: string(b[4:8]), start: off, body: off + 8}
	switch size {
	case 0:
		size = end - off
	case 1:
		if end-off < 16 {
			return box{}, io.ErrUnexpectedEOF
		}
		if _, err := p.r.ReadAt(b[8:16], off+8); err != nil {
			return box{}, err
		}
		u := binary.BigEndian.Uint64(b[8:16])
		if u > math.MaxInt64 {
			return box{}, fmt.Errorf("mp4: box %q too large", bx.typ)
		}
		size = int64(u)
		bx.body = off + 16
	}
	if size < bx.body-off || off+size > end {
		return box{}, fmt.Errorf("mp4: box %q at %d has a bad size %d", bx.typ, off, size)
	}
	bx.size, bx.bodyEnd = size, off+size
	return bx, nil
}

func (p *parser) walk(off, end int64, depth int) error {
	if depth > maxDepth {
		return errors.New("mp4: boxes nested too deep")
	}
	for off < end {
		if end-off < 8 {
			break // trailing padding
		}
		b, err := p.header(off, end)
		if err != nil {
			return err
		}
		if p.boxes++; p.boxes > maxBoxes {
			return errors.New("mp4: too many boxes")
		}
		if err := p.visit(b, depth); err != nil {
			return err
		}
		off = b.bodyEnd
	}
	return nil
}

func (p *parser) read(b box, max int64) ([]byte, error) {
	n := b.bodyEnd - b.body
	if n > max {
		n = max
	}
	buf := make([]byte, n)
	if _, err := p.r.ReadAt(buf, b.body); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf, nil
}

func (p *parser) visit(b box, depth int) error {
	switch b.typ {
	case "ftyp":
		d, err := p.read(b, 64)
		if err != nil || len(d) < 4 {
			return fmt.Errorf("mp4: short ftyp box")
		}
		p.info.Brand = string(d[:4])
		p.info.Container = "mp4"
		if p.info.Brand == "qt  " {
			p.info.Container = "mov"
		}
	case "mdat":
		if p.mdat < 0 {
			p.mdat = b.start
		}
	case "moov":
		if p.moov < 0 {
			p.moov = b.start
		}
		return p.walk(b.body, b.bodyEnd, depth+1)
	case "mdia", "minf", "stbl", "edts":
		return p.walk(b.body, b.bodyEnd, depth+1)
	case "trak":
		p.handler, p.codec = "", ""
		p.tkW, p.tkH, p.rot = 0, 0, 0
		p.mdTimescale, p.mdDuration, p.sampleCount, p.ticks = 0, 0, 0, 0
		p.videoEntryW, p.videoEH = 0, 0
		if err := p.walk(b.body, b.bodyEnd, depth+1); err != nil {
			return err
		}
		p.endTrack()
	case "mvhd":
		d, err := p.read(b, 32)
		if err != nil || len(d) < 20 {
			return fmt.Errorf("mp4: short mvhd box")
		}
		var ts, dur uint64
		if d[0] == 1 {
			if len(d) < 32 {
				return fmt.Errorf("mp4: short mvhd box")
			}
			ts, dur = uint64(binary.BigEndian.Uint32(d[20:24])), binary.BigEndian.Uint64(d[24:32])
		} else {
			ts, dur = uint64(binary.BigEndian.Uint32(d[12:16])), uint64(binary.BigEndian.Uint32(d[16:20]))
		}
		if ts > 0 && dur != math.MaxUint32 && dur != math.MaxUint64 {
			p.sawMvhdDur, p.mvhdDuration = true, float64(dur)/float64(ts)
		}
	case "tkhd":
		d, err := p.read(b, 96)
		if err != nil {
			return err
		}
		off := 4 + 20 // version/flags, then v0 fields
		if len(d) > 0 && d[0] == 1 {
			off = 4 + 32
		}
		off += 8 + 2 + 2 + 2 + 2 // reserved, layer, alternate group, volume, reserved
		if len(d) < off+36+8 {
			return fmt.Errorf("mp4: short tkhd box")
		}
		m := d[off : off+36]
		a := int32(binary.BigEndian.Uint32(m[0:4]))
		bm := int32(binary.BigEndian.Uint32(m[4:8]))
		p.rot = rotation(a, bm)
		p.tkW = float64(binary.BigEndian.Uint32(d[off+36:off+40])) / 65536
		p.tkH = float64(binary.BigEndian.Uint32(d[off+40:off+44])) / 65536
	case "mdhd":
		d, err := p.read(b, 32)
		if err != nil || len(d) < 20 {
			return fmt.Errorf("mp4: short mdhd box")
		}
		if d[0] == 1 {
			if len(d) < 32 {
				return fmt.Errorf("mp4: short mdhd box")
			}
			p.mdTimescale, p.mdDuration = uint64(binary.BigEndian.Uint32(d[20:24])), binary.BigEndian.Uint64(d[24:32])
		} else {
			p.mdTimescale, p.mdDuration = uint64(binary.BigEndian.Uint32(d[12:16])), uint64(binary.BigEndian.Uint32(d[16:20]))
		}
	case "hdlr":
		d, err := p.read(b, 12)
		if err != nil || len(d) < 12 {
			return fmt.Errorf("mp4: short hdlr box")
		}
		p.handler = string(d[8:12])
	case "stsd":
		d, err := p.read(b, 8+8+78)
		if err != nil || len(d) < 16 {
			return fmt.Errorf("mp4: short stsd box")
		}
		if binary.BigEndian.Uint32(d[4:8]) == 0 {
			return nil
		}
		p.codec = string(d[12:16])
		// A visual sample entry: 8 header, 6 reserved, 2 index, 16
		// predefined/reserved, then width and height.
		if len(d) >= 8+8+28 {
			e := d[8:]
			p.videoEntryW, p.videoEH = int(binary.BigEndian.Uint16(e[32:34])), int(binary.BigEndian.Uint16(e[34:36]))
		}
	case "stts":
		return p.stts(b)
	case "elst":
		p.info.EditList = true
	}
	return nil
}

// stts sums the time-to-sample table (sample count and total ticks),
// streaming its entries.
func (p *parser) stts(b box) error {
	sr := io.NewSectionReader(p.r, b.body, b.bodyEnd-b.body)
	br := bufio.NewReaderSize(sr, 4096)
	var hdr [8]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		return fmt.Errorf("mp4: short stts box")
	}
	n := binary.BigEndian.Uint32(hdr[4:8])
	if int64(n)*8 > b.bodyEnd-b.body-8 {
		return fmt.Errorf("mp4: stts box announces %d entries it does not hold", n)
	}
	var e [8]byte
	for i := uint32(0); i < n; i++ {
		if _, err := io.ReadFull(br, e[:]); err != nil {
			return fmt.Errorf("mp4: short stts box")
		}
		c, d := uint64(binary.BigEndian.Uint32(e[0:4])), uint64(binary.BigEndian.Uint32(e[4:8]))
		p.sampleCount += c
		p.ticks += c * d
	}
	return nil
}

func (p *parser) endTrack() {
	dur := 0.0
	if p.mdTimescale > 0 {
		dur = float64(p.mdDuration) / float64(p.mdTimescale)
	}
	if dur > p.longestTrack {
		p.longestTrack = dur
	}
	switch p.handler {
	case "vide":
		if p.info.VideoCodec != "" {
			return // the first video track counts
		}
		p.info.VideoCodec = p.codec
		w, h := int(math.Round(p.tkW)), int(math.Round(p.tkH))
		if w == 0 || h == 0 {
			w, h = p.videoEntryW, p.videoEH
		}
		if p.rot == 90 || p.rot == 270 {
			w, h = h, w
		}
		p.videoW, p.videoH, p.info.Rotation = w, h, p.rot
		if p.ticks > 0 && p.mdTimescale > 0 {
			p.info.FrameRate = float64(p.sampleCount) * float64(p.mdTimescale) / float64(p.ticks)
		}
	case "soun":
		if p.info.AudioCodec == "" {
			p.info.AudioCodec = p.codec
		}
	}
}

// rotation reads the angle from a tkhd matrix's first column (a, b in
// 16.16 fixed point): (0,1) is 90°, (-1,0) 180°, (0,-1) 270°.
func rotation(a, b int32) int {
	const one = 1 << 16
	switch {
	case a == 0 && b == one:
		return 90
	case a == -one && b == 0:
		return 180
	case a == 0 && b == -one:
		return 270
	}
	return 0
}
