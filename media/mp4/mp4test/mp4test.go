// Package mp4test writes small MP4 and MOV files for tests: real box
// structure (ftyp, moov with a video and optional audio track, mdat),
// with whatever size, duration, codec, frame rate and rotation a test
// needs. The media data is zeros: players cannot decode it, humas's
// metadata checks read it like any camera's file.
package mp4test

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
)

// Spec describes the file.
type Spec struct {
	Brand         string  // default "isom"; "qt  " makes a MOV
	Width, Height int     // stored size (before rotation)
	Rotation      int     // 0, 90, 180, 270 (the tkhd matrix)
	Seconds       float64 // duration
	FPS           float64 // default 30
	VideoCodec    string  // sample entry type, default "avc1"
	AudioCodec    string  // "" for no audio track, e.g. "mp4a"
	// MdatBytes is the size of the media data (default 1024).
	MdatBytes int64
	// MoovLast puts moov after mdat (a file not prepared for streaming).
	MoovLast bool
}

func (s *Spec) defaults() {
	if s.Brand == "" {
		s.Brand = "isom"
	}
	if s.FPS == 0 {
		s.FPS = 30
	}
	if s.VideoCodec == "" {
		s.VideoCodec = "avc1"
	}
	if s.MdatBytes == 0 {
		s.MdatBytes = 1024
	}
}

// Bytes returns the whole file.
func Bytes(s Spec) []byte {
	r, n := Reader(s)
	b := make([]byte, 0, n)
	buf := bytes.NewBuffer(b)
	_, _ = io.Copy(buf, r)
	return buf.Bytes()
}

// Reader streams the file without holding its media data in memory (for
// uploads of hundreds of megabytes); n is its size.
func Reader(s Spec) (r io.Reader, n int64) {
	s.defaults()
	ftyp := boxb("ftyp", cat([]byte(s.Brand), u32(0x200), []byte(s.Brand), []byte("mp41")))
	mdatHdr := u32(0)
	var mdatHeader []byte
	if s.MdatBytes+8 > math.MaxUint32 {
		mdatHeader = cat(u32(1), []byte("mdat"), u64(uint64(s.MdatBytes+16)))
	} else {
		mdatHeader = cat(u32(uint32(s.MdatBytes+8)), []byte("mdat"))
	}
	_ = mdatHdr
	var moov []byte
	if s.MoovLast {
		dataStart := int64(len(ftyp) + len(mdatHeader))
		moov = moovBox(s, dataStart)
		return io.MultiReader(bytes.NewReader(ftyp), bytes.NewReader(mdatHeader), zeros(s.MdatBytes), bytes.NewReader(moov)),
			int64(len(ftyp)+len(mdatHeader)+len(moov)) + s.MdatBytes
	}
	// The chunk offset depends on moov's size, which does not depend on it.
	moov = moovBox(s, 0)
	dataStart := int64(len(ftyp) + len(moov) + len(mdatHeader))
	moov = moovBox(s, dataStart)
	return io.MultiReader(bytes.NewReader(ftyp), bytes.NewReader(moov), bytes.NewReader(mdatHeader), zeros(s.MdatBytes)),
		int64(len(ftyp)+len(moov)+len(mdatHeader)) + s.MdatBytes
}

func moovBox(s Spec, dataStart int64) []byte {
	const timescale = 90000
	dur := uint32(math.Round(s.Seconds * 1000))
	mvhd := fullbox("mvhd", 0, cat(u32(0), u32(0), u32(1000), u32(dur), u32(0x00010000), u16(0x0100), make([]byte, 10),
		matrix(0), make([]byte, 24), u32(3)))
	frames := uint32(math.Max(1, math.Round(s.Seconds*s.FPS)))
	delta := uint32(math.Round(timescale / s.FPS))
	sampleSize := uint32(max(1, s.MdatBytes/int64(frames)))
	video := trak(1, "vide", s.VideoCodec, timescale, uint64(frames)*uint64(delta), frames, delta, sampleSize, dataStart,
		tkhdBox(1, dur, s.Rotation, s.Width, s.Height, 0), visualEntry(s.VideoCodec, s.Width, s.Height))
	parts := [][]byte{mvhd, video}
	if s.AudioCodec != "" {
		aframes := uint32(math.Max(1, math.Round(s.Seconds*48000/1024)))
		audio := trak(2, "soun", s.AudioCodec, 48000, uint64(aframes)*1024, aframes, 1024, 1, dataStart,
			tkhdBox(2, dur, 0, 0, 0, 0x0100), audioEntry(s.AudioCodec))
		parts = append(parts, audio)
	}
	return boxb("moov", cat(parts...))
}

func trak(id uint32, handler, codec string, timescale uint32, duration uint64, samples, delta, sampleSize uint32, dataStart int64, tkhd, entry []byte) []byte {
	mdhd := fullbox("mdhd", 0, cat(u32(0), u32(0), u32(timescale), u32(uint32(duration)), u16(0x55c4), u16(0)))
	hdlr := fullbox("hdlr", 0, cat(u32(0), []byte(handler), make([]byte, 12), []byte("humas\x00")))
	stsd := fullbox("stsd", 0, cat(u32(1), entry))
	stts := fullbox("stts", 0, cat(u32(1), u32(samples), u32(delta)))
	stsc := fullbox("stsc", 0, cat(u32(1), u32(1), u32(samples), u32(1)))
	stsz := fullbox("stsz", 0, cat(u32(sampleSize), u32(samples)))
	stco := fullbox("stco", 0, cat(u32(1), u32(uint32(dataStart))))
	stbl := boxb("stbl", cat(stsd, stts, stsc, stsz, stco))
	var mh []byte
	if handler == "vide" {
		mh = fullbox("vmhd", 1, make([]byte, 8))
	} else {
		mh = fullbox("smhd", 0, make([]byte, 4))
	}
	dinf := boxb("dinf", fullbox("dref", 0, cat(u32(1), fullbox("url ", 1, nil))))
	minf := boxb("minf", cat(mh, dinf, stbl))
	_ = codec
	_ = id
	return boxb("trak", cat(tkhd, boxb("mdia", cat(mdhd, hdlr, minf))))
}

func tkhdBox(id, durMs uint32, rot, w, h int, volume uint16) []byte {
	return fullbox("tkhd", 3, cat(u32(0), u32(0), u32(id), u32(0), u32(durMs), make([]byte, 8), u16(0), u16(0), u16(volume), u16(0),
		matrix(rot), u32(uint32(w)<<16), u32(uint32(h)<<16)))
}

func visualEntry(codec string, w, h int) []byte {
	body := cat(make([]byte, 6), u16(1), make([]byte, 16), u16(uint16(w)), u16(uint16(h)), u32(0x00480000), u32(0x00480000),
		u32(0), u16(1), make([]byte, 32), u16(0x18), u16(0xffff))
	return boxb(codec, body)
}

func audioEntry(codec string) []byte {
	body := cat(make([]byte, 6), u16(1), make([]byte, 8), u16(2), u16(16), u16(0), u16(0), u32(48000<<16))
	return boxb(codec, body)
}

func matrix(rot int) []byte {
	const one, w = 0x00010000, 0x40000000
	a, b, c, d := int32(one), int32(0), int32(0), int32(one)
	switch rot {
	case 90:
		a, b, c, d = 0, one, -one, 0
	case 180:
		a, b, c, d = -one, 0, 0, -one
	case 270:
		a, b, c, d = 0, -one, one, 0
	}
	return cat(u32(uint32(a)), u32(uint32(b)), u32(0), u32(uint32(c)), u32(uint32(d)), u32(0), u32(0), u32(0), u32(w))
}

func boxb(typ string, body []byte) []byte {
	return cat(u32(uint32(8+len(body))), []byte(typ), body)
}

func fullbox(typ string, flags uint32, body []byte) []byte {
	return boxb(typ, cat(u32(flags&0xffffff), body))
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func u16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

type zeroReader struct{ left int64 }

func zeros(n int64) io.Reader { return &zeroReader{left: n} }

func (z *zeroReader) Read(p []byte) (int, error) {
	if z.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.left {
		p = p[:z.left]
	}
	clear(p)
	z.left -= int64(len(p))
	return len(p), nil
}
