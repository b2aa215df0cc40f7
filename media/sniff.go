package media

import (
	"bytes"
	"encoding/binary"
)

// Sniffed file types: what the bytes are, whatever the file is called.
const (
	TypeJPEG    = "image/jpeg"
	TypePNG     = "image/png"
	TypeWebP    = "image/webp"
	TypeGIF     = "image/gif"
	TypeHEIC    = "image/heic"
	TypeMP4     = "video/mp4"
	TypeMOV     = "video/quicktime"
	TypeUnknown = ""
)

// Sniff names the type of a file from its first bytes (at least 32 are
// needed; 512 are read). The name's extension is never consulted: a PDF
// renamed .jpg is a PDF.
func Sniff(head []byte) string {
	switch {
	case len(head) >= 3 && head[0] == 0xff && head[1] == 0xd8 && head[2] == 0xff:
		return TypeJPEG
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG
	case len(head) >= 12 && bytes.Equal(head[0:4], []byte("RIFF")) && bytes.Equal(head[8:12], []byte("WEBP")):
		return TypeWebP
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return TypeGIF
	}
	if len(head) >= 12 {
		size := binary.BigEndian.Uint32(head[0:4])
		typ := string(head[4:8])
		switch typ {
		case "ftyp":
			brand := string(head[8:12])
			switch brand {
			case "heic", "heix", "hevc", "heim", "heis", "mif1", "msf1", "avif":
				return TypeHEIC
			case "qt  ":
				return TypeMOV
			}
			return TypeMP4
		case "moov", "wide", "mdat", "free", "skip":
			if size >= 8 {
				return TypeMOV // an old QuickTime file without ftyp
			}
		}
	}
	return TypeUnknown
}

// Ext is the file extension humas uses for a type.
func Ext(typ string) string {
	switch typ {
	case TypeJPEG:
		return ".jpg"
	case TypePNG:
		return ".png"
	case TypeWebP:
		return ".webp"
	case TypeGIF:
		return ".gif"
	case TypeMP4:
		return ".mp4"
	case TypeMOV:
		return ".mov"
	}
	return ".bin"
}
