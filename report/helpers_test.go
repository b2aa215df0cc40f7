package report

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strconv"
	"testing"
)

var (
	tfRE     = regexp.MustCompile(`/F\d+ ([0-9.]+) Tf`)
	streamRE = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)
)

// pdfStreams inflates the PDF's content streams.
func pdfStreams(t *testing.T, pdf []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	for _, m := range streamRE.FindAllSubmatch(pdf, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			out.Write(m[1])
			continue
		}
		b, _ := io.ReadAll(r)
		out.Write(b)
	}
	return out.Bytes()
}

func atof(s string) float64 { f, _ := strconv.ParseFloat(s, 64); return f }

func itoa(i int) string { return strconv.Itoa(i) }
