package backup

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// ClickHouse partitions are written in RowBinary, a format every ClickHouse
// release reads and writes (18.16 as well as 26.x): per row, per column, the
// value in little-endian binary, strings and arrays prefixed by a varint
// length, Nullable by a null byte, Date as days and DateTime as seconds
// since 1970. It carries no header: the manifest lists the columns and
// their types. A file is zstd-compressed; by hand it loads with
//
//	zstd -dc FILE | clickhouse-client --query "INSERT INTO db.table (cols) FORMAT RowBinary"

// codec reads one column from the driver and writes and reads it as
// RowBinary. dest is what the driver scans into; decode returns a value
// the driver's batch Append accepts for the column.
type codec interface {
	dest() any
	encode(w *bufio.Writer, dest any) error
	decode(r *bufio.Reader) (any, error)
}

// newCodec parses a ClickHouse column type.
func newCodec(typ string) (codec, error) {
	t := strings.TrimSpace(typ)
	if inner, ok := unwrap(t, "LowCardinality"); ok {
		return newCodec(inner)
	}
	if inner, ok := unwrap(t, "Nullable"); ok {
		c, err := newCodec(inner)
		if err != nil {
			return nil, err
		}
		s, ok := c.(scalar)
		if !ok {
			return nil, fmt.Errorf("type %s: Nullable of a non-scalar type is not supported", typ)
		}
		return nullable{s}, nil
	}
	if inner, ok := unwrap(t, "Array"); ok {
		c, err := newCodec(inner)
		if err != nil {
			return nil, err
		}
		s, ok := c.(scalar)
		if !ok {
			return nil, fmt.Errorf("type %s: arrays of arrays are not supported", typ)
		}
		return array{s}, nil
	}
	if inner, ok := unwrap(t, "FixedString"); ok {
		n, err := strconv.Atoi(inner)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("type %s: bad length", typ)
		}
		return scalar{kind: kFixed, size: n, typ: reflect.TypeFor[string]()}, nil
	}
	if t == "DateTime" || strings.HasPrefix(t, "DateTime(") {
		return scalar{kind: kDateTime, typ: reflect.TypeFor[time.Time]()}, nil
	}
	if k, ok := scalars[t]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("type %s is not supported by the backup format (supported: integers, floats, String, FixedString, Date, DateTime, Array and Nullable of them)", typ)
}

func unwrap(t, name string) (string, bool) {
	if strings.HasPrefix(t, name+"(") && strings.HasSuffix(t, ")") {
		return t[len(name)+1 : len(t)-1], true
	}
	return "", false
}

type kind int

const (
	kUint kind = iota
	kInt
	kFloat
	kString
	kFixed
	kDate
	kDateTime
)

// scalar is one non-composite type: size is its width in bytes (integers,
// floats, FixedString).
type scalar struct {
	kind kind
	size int
	typ  reflect.Type
}

var scalars = map[string]scalar{
	"UInt8":   {kUint, 1, reflect.TypeFor[uint8]()},
	"UInt16":  {kUint, 2, reflect.TypeFor[uint16]()},
	"UInt32":  {kUint, 4, reflect.TypeFor[uint32]()},
	"UInt64":  {kUint, 8, reflect.TypeFor[uint64]()},
	"Int8":    {kInt, 1, reflect.TypeFor[int8]()},
	"Int16":   {kInt, 2, reflect.TypeFor[int16]()},
	"Int32":   {kInt, 4, reflect.TypeFor[int32]()},
	"Int64":   {kInt, 8, reflect.TypeFor[int64]()},
	"Float32": {kFloat, 4, reflect.TypeFor[float32]()},
	"Float64": {kFloat, 8, reflect.TypeFor[float64]()},
	"String":  {kString, 0, reflect.TypeFor[string]()},
	"Date":    {kDate, 2, reflect.TypeFor[time.Time]()},
}

func (s scalar) dest() any { return reflect.New(s.typ).Interface() }

func (s scalar) encode(w *bufio.Writer, dest any) error {
	return s.put(w, reflect.ValueOf(dest).Elem())
}

func (s scalar) decode(r *bufio.Reader) (any, error) {
	v, err := s.get(r)
	if err != nil {
		return nil, err
	}
	return v.Interface(), nil
}

// put writes v (of s.typ).
func (s scalar) put(w *bufio.Writer, v reflect.Value) error {
	var b [8]byte
	switch s.kind {
	case kUint:
		binary.LittleEndian.PutUint64(b[:], v.Uint())
		_, err := w.Write(b[:s.size])
		return err
	case kInt:
		binary.LittleEndian.PutUint64(b[:], uint64(v.Int()))
		_, err := w.Write(b[:s.size])
		return err
	case kFloat:
		if s.size == 4 {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(float32(v.Float())))
		} else {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(v.Float()))
		}
		_, err := w.Write(b[:s.size])
		return err
	case kString:
		return putString(w, v.String())
	case kFixed:
		str := v.String()
		if len(str) > s.size {
			return fmt.Errorf("FixedString(%d) holds %d bytes", s.size, len(str))
		}
		if _, err := w.WriteString(str); err != nil {
			return err
		}
		for range s.size - len(str) {
			if err := w.WriteByte(0); err != nil {
				return err
			}
		}
		return nil
	case kDate:
		t := v.Interface().(time.Time)
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400
		if day < 0 || day > math.MaxUint16 {
			return fmt.Errorf("date %s is outside ClickHouse's Date", t.Format(time.DateOnly))
		}
		binary.LittleEndian.PutUint16(b[:], uint16(day))
		_, err := w.Write(b[:2])
		return err
	case kDateTime:
		t := v.Interface().(time.Time)
		sec := t.Unix()
		if sec < 0 || sec > math.MaxUint32 {
			return fmt.Errorf("time %s is outside ClickHouse's DateTime", t.Format(time.RFC3339))
		}
		binary.LittleEndian.PutUint32(b[:], uint32(sec))
		_, err := w.Write(b[:4])
		return err
	}
	return fmt.Errorf("unknown kind %d", s.kind)
}

// get reads one value as a reflect.Value of s.typ.
func (s scalar) get(r *bufio.Reader) (reflect.Value, error) {
	var b [8]byte
	switch s.kind {
	case kUint, kInt, kFloat:
		if _, err := io.ReadFull(r, b[:s.size]); err != nil {
			return reflect.Value{}, err
		}
		u := binary.LittleEndian.Uint64(b[:])
		v := reflect.New(s.typ).Elem()
		switch s.kind {
		case kUint:
			v.SetUint(u)
		case kInt:
			shift := uint(64 - 8*s.size) // sign-extend
			v.SetInt(int64(u<<shift) >> shift)
		default:
			if s.size == 4 {
				v.SetFloat(float64(math.Float32frombits(uint32(u))))
			} else {
				v.SetFloat(math.Float64frombits(u))
			}
		}
		return v, nil
	case kString:
		str, err := getString(r)
		if err != nil {
			return reflect.Value{}, err
		}
		return reflect.ValueOf(str), nil
	case kFixed:
		buf := make([]byte, s.size)
		if _, err := io.ReadFull(r, buf); err != nil {
			return reflect.Value{}, err
		}
		return reflect.ValueOf(string(buf)), nil
	case kDate:
		if _, err := io.ReadFull(r, b[:2]); err != nil {
			return reflect.Value{}, err
		}
		days := int64(binary.LittleEndian.Uint16(b[:2]))
		return reflect.ValueOf(time.Unix(days*86400, 0).UTC()), nil
	case kDateTime:
		if _, err := io.ReadFull(r, b[:4]); err != nil {
			return reflect.Value{}, err
		}
		return reflect.ValueOf(time.Unix(int64(binary.LittleEndian.Uint32(b[:4])), 0).UTC()), nil
	}
	return reflect.Value{}, fmt.Errorf("unknown kind %d", s.kind)
}

// array is Array(scalar): scanned into and appended as a Go slice.
type array struct{ elem scalar }

func (a array) dest() any { return reflect.New(reflect.SliceOf(a.elem.typ)).Interface() }

func (a array) encode(w *bufio.Writer, dest any) error {
	v := reflect.ValueOf(dest).Elem()
	if err := putUvarint(w, uint64(v.Len())); err != nil {
		return err
	}
	for i := range v.Len() {
		if err := a.elem.put(w, v.Index(i)); err != nil {
			return err
		}
	}
	return nil
}

func (a array) decode(r *bufio.Reader) (any, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	if n > 1<<24 {
		return nil, fmt.Errorf("an array of %d elements: the file is damaged", n)
	}
	out := reflect.MakeSlice(reflect.SliceOf(a.elem.typ), int(n), int(n))
	for i := range int(n) {
		v, err := a.elem.get(r)
		if err != nil {
			return nil, unexpected(err)
		}
		out.Index(i).Set(v)
	}
	return out.Interface(), nil
}

// nullable is Nullable(scalar): scanned into and appended as a pointer.
type nullable struct{ elem scalar }

func (n nullable) dest() any { return reflect.New(reflect.PointerTo(n.elem.typ)).Interface() }

func (n nullable) encode(w *bufio.Writer, dest any) error {
	p := reflect.ValueOf(dest).Elem()
	if p.IsNil() {
		return w.WriteByte(1)
	}
	if err := w.WriteByte(0); err != nil {
		return err
	}
	return n.elem.put(w, p.Elem())
}

func (n nullable) decode(r *bufio.Reader) (any, error) {
	isNull, err := r.ReadByte()
	if err != nil {
		return nil, err
	}
	if isNull == 1 {
		return reflect.Zero(reflect.PointerTo(n.elem.typ)).Interface(), nil
	}
	v, err := n.elem.get(r)
	if err != nil {
		return nil, unexpected(err)
	}
	p := reflect.New(n.elem.typ)
	p.Elem().Set(v)
	return p.Interface(), nil
}

func putUvarint(w *bufio.Writer, n uint64) error {
	var b [binary.MaxVarintLen64]byte
	_, err := w.Write(b[:binary.PutUvarint(b[:], n)])
	return err
}

func putString(w *bufio.Writer, s string) error {
	if err := putUvarint(w, uint64(len(s))); err != nil {
		return err
	}
	_, err := w.WriteString(s)
	return err
}

// maxString bounds one string read back (a damaged length prefix must not
// allocate gigabytes).
const maxString = 256 << 20

func getString(r *bufio.Reader) (string, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return "", err
	}
	if n > maxString {
		return "", fmt.Errorf("a string of %d bytes: the file is damaged", n)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return "", unexpected(err)
	}
	return string(buf), nil
}

// unexpected turns an EOF inside a value into io.ErrUnexpectedEOF: only
// the end of a whole row may end a file.
func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// rowCodec reads and writes whole rows.
type rowCodec struct {
	cols []codec
}

func newRowCodec(columns []Column) (*rowCodec, error) {
	rc := &rowCodec{}
	for _, c := range columns {
		k, err := newCodec(c.Type)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		rc.cols = append(rc.cols, k)
	}
	return rc, nil
}

// dests returns one scan destination per column, reusable across rows.
func (rc *rowCodec) dests() []any {
	out := make([]any, len(rc.cols))
	for i, c := range rc.cols {
		out[i] = c.dest()
	}
	return out
}

func (rc *rowCodec) encode(w *bufio.Writer, dests []any) error {
	for i, c := range rc.cols {
		if err := c.encode(w, dests[i]); err != nil {
			return err
		}
	}
	return nil
}

// decode reads one row into row (len = columns); io.EOF only before the
// row's first byte.
func (rc *rowCodec) decode(r *bufio.Reader, row []any) error {
	for i, c := range rc.cols {
		v, err := c.decode(r)
		if err != nil {
			if i > 0 {
				err = unexpected(err)
			}
			return err
		}
		row[i] = v
	}
	return nil
}
