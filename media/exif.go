package media

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// jpegMeta is what a JPEG's metadata segments say: the EXIF orientation
// (1 = as stored; 0 = none given), whether a GPS position or other
// personal metadata is embedded, and whether it is CMYK (Adobe APP14).
type jpegMeta struct {
	Orientation int
	HasGPS      bool
	// Metadata: EXIF, XMP, IPTC or comment segments are present.
	Metadata bool
	Adobe    bool
}

// readJPEGMeta reads the segments before the image data.
func readJPEGMeta(r io.Reader) (jpegMeta, error) {
	var m jpegMeta
	br := bufio.NewReader(r)
	var soi [2]byte
	if _, err := io.ReadFull(br, soi[:]); err != nil || soi != [2]byte{0xff, 0xd8} {
		return m, errors.New("not a JPEG")
	}
	for {
		marker, err := nextMarker(br)
		if err != nil {
			return m, err
		}
		if marker == 0xda || marker == 0xd9 { // start of scan, end of image
			return m, nil
		}
		if marker >= 0xd0 && marker <= 0xd7 || marker == 0x01 {
			continue
		}
		var l [2]byte
		if _, err := io.ReadFull(br, l[:]); err != nil {
			return m, err
		}
		n := int(binary.BigEndian.Uint16(l[:])) - 2
		if n < 0 {
			return m, errors.New("bad JPEG segment length")
		}
		seg := make([]byte, n)
		if _, err := io.ReadFull(br, seg); err != nil {
			return m, err
		}
		switch {
		case marker == 0xe1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")):
			m.Metadata = true
			m.Orientation, m.HasGPS = parseExif(seg[6:])
		case marker == 0xe1, marker == 0xed, marker == 0xfe:
			m.Metadata = true
		case marker == 0xee && bytes.HasPrefix(seg, []byte("Adobe")):
			m.Adobe = true
		}
	}
}

func nextMarker(br *bufio.Reader) (byte, error) {
	b, err := br.ReadByte()
	if err != nil {
		return 0, err
	}
	if b != 0xff {
		return 0, fmt.Errorf("JPEG: marker expected, got %#x", b)
	}
	for b == 0xff {
		if b, err = br.ReadByte(); err != nil {
			return 0, err
		}
	}
	return b, nil
}

// parseExif reads IFD0's Orientation (0x0112) and GPS pointer (0x8825)
// from a TIFF structure.
func parseExif(t []byte) (orientation int, gps bool) {
	if len(t) < 8 {
		return 0, false
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0, false
	}
	off := int(bo.Uint32(t[4:8]))
	if off < 8 || off+2 > len(t) {
		return 0, false
	}
	n := int(bo.Uint16(t[off : off+2]))
	for i := 0; i < n; i++ {
		e := off + 2 + 12*i
		if e+12 > len(t) {
			break
		}
		switch bo.Uint16(t[e : e+2]) {
		case 0x0112:
			orientation = int(bo.Uint16(t[e+8 : e+10]))
		case 0x8825:
			gps = true
		}
	}
	if orientation < 1 || orientation > 8 {
		orientation = 0
	}
	return orientation, gps
}

// stripJPEG copies a JPEG without its metadata: EXIF (with any GPS
// position and camera serial), XMP, IPTC/Photoshop, comments and other
// application segments. The colour profile (APP2 ICC), JFIF (APP0) and
// Adobe (APP14, needed to read CMYK) segments stay, and the image data is
// copied byte for byte: no quality is lost.
func stripJPEG(dst io.Writer, src io.Reader) error {
	br := bufio.NewReaderSize(src, 64<<10)
	bw := bufio.NewWriterSize(dst, 64<<10)
	var soi [2]byte
	if _, err := io.ReadFull(br, soi[:]); err != nil || soi != [2]byte{0xff, 0xd8} {
		return errors.New("not a JPEG")
	}
	bw.Write(soi[:])
	for {
		marker, err := nextMarker(br)
		if err != nil {
			return err
		}
		if marker == 0xda || marker == 0xd9 {
			bw.Write([]byte{0xff, marker})
			if _, err := io.Copy(bw, br); err != nil {
				return err
			}
			return bw.Flush()
		}
		if marker >= 0xd0 && marker <= 0xd7 || marker == 0x01 {
			bw.Write([]byte{0xff, marker})
			continue
		}
		var l [2]byte
		if _, err := io.ReadFull(br, l[:]); err != nil {
			return err
		}
		n := int64(binary.BigEndian.Uint16(l[:])) - 2
		if n < 0 {
			return errors.New("bad JPEG segment length")
		}
		keep := marker < 0xe0 || marker > 0xef && marker != 0xfe || marker == 0xe0 || marker == 0xe2 || marker == 0xee
		if !keep {
			if _, err := io.CopyN(io.Discard, br, n); err != nil {
				return err
			}
			continue
		}
		bw.Write([]byte{0xff, marker, l[0], l[1]})
		if _, err := io.CopyN(bw, br, n); err != nil {
			return err
		}
	}
}
