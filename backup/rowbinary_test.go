package backup

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
	"time"
)

// TestRowBinaryRoundTrip writes every supported type as RowBinary and reads
// it back, and checks the bytes of a few against ClickHouse's format.
func TestRowBinaryRoundTrip(t *testing.T) {
	ts := time.Date(2025, 11, 20, 2, 30, 15, 0, time.UTC)
	day := time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC)
	s := "caption ✓"
	cases := []struct {
		typ   string
		value any // as the driver scans it
		bytes []byte
	}{
		{"UInt8", uint8(200), []byte{200}},
		{"UInt16", uint16(513), []byte{1, 2}},
		{"UInt32", uint32(1), []byte{1, 0, 0, 0}},
		{"UInt64", uint64(1<<63 + 5), nil},
		{"Int8", int8(-2), []byte{0xfe}},
		{"Int16", int16(-300), nil},
		{"Int32", int32(-70000), nil},
		{"Int64", int64(-1 << 40), nil},
		{"Float32", float32(1.5), nil},
		{"Float64", 0.0123, nil},
		{"String", "halo", []byte{4, 'h', 'a', 'l', 'o'}},
		{"FixedString(4)", "ab\x00\x00", []byte{'a', 'b', 0, 0}},
		{"Date", day, []byte{0xbc, 0x4f}}, // 20412 days since 1970
		{"DateTime('UTC')", ts, nil},
		{"DateTime", ts, nil},
		{"Array(String)", []string{"#pemilu", ""}, []byte{2, 7, '#', 'p', 'e', 'm', 'i', 'l', 'u', 0}},
		{"Array(UInt64)", []uint64{1, 2}, nil},
		{"Array(UInt64)", []uint64{}, []byte{0}},
		{"Nullable(String)", &s, nil},
		{"Nullable(UInt64)", (*uint64)(nil), []byte{1}},
		{"LowCardinality(String)", "instagram", nil},
	}
	for _, tc := range cases {
		c, err := newCodec(tc.typ)
		if err != nil {
			t.Fatalf("%s: %v", tc.typ, err)
		}
		dest := c.dest()
		reflect.ValueOf(dest).Elem().Set(reflect.ValueOf(tc.value))
		var buf bytes.Buffer
		w := bufio.NewWriter(&buf)
		if err := c.encode(w, dest); err != nil {
			t.Fatalf("%s: %v", tc.typ, err)
		}
		w.Flush()
		if tc.bytes != nil && !bytes.Equal(buf.Bytes(), tc.bytes) {
			t.Errorf("%s %v: bytes %v, want %v", tc.typ, tc.value, buf.Bytes(), tc.bytes)
		}
		got, err := c.decode(bufio.NewReader(bytes.NewReader(buf.Bytes())))
		if err != nil {
			t.Fatalf("%s: decode: %v", tc.typ, err)
		}
		if !reflect.DeepEqual(got, tc.value) {
			t.Errorf("%s: read back %#v, want %#v", tc.typ, got, tc.value)
		}
	}
	for _, bad := range []string{"Enum8('a' = 1)", "Array(Array(UInt8))", "Map(String, String)", "Decimal(18, 4)"} {
		if _, err := newCodec(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// TestRowBinaryTruncatedRow: a file cut inside a row is an error, never a
// shorter table.
func TestRowBinaryTruncatedRow(t *testing.T) {
	rc, err := newRowCodec([]Column{{"a", "String"}, {"b", "UInt64"}})
	if err != nil {
		t.Fatal(err)
	}
	dests := rc.dests()
	*dests[0].(*string) = "abc"
	*dests[1].(*uint64) = 7
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	for range 2 {
		if err := rc.encode(w, dests); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	full := buf.Bytes()
	row := make([]any, 2)
	r := bufio.NewReader(bytes.NewReader(full))
	for i := range 2 {
		if err := rc.decode(r, row); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
	}
	if err := rc.decode(r, row); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last row: %v, want io.EOF", err)
	}
	// Cut anywhere inside the second row (the first row is whole).
	rowLen := len(full) / 2
	for cut := rowLen + 1; cut < len(full); cut++ {
		r := bufio.NewReader(bytes.NewReader(full[:cut]))
		if err := rc.decode(r, row); err != nil {
			t.Fatal(err)
		}
		if err := rc.decode(r, row); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut at byte %d of %d: %v, want io.ErrUnexpectedEOF", cut, len(full), err)
		}
	}
}
