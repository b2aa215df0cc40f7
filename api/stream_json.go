package api

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// streamJSONBuffer is what streamJSON holds before writing to the client.
const streamJSONBuffer = 32 << 10

// streamJSON writes v as json.Marshal would (the same bytes), but when v
// points to a struct of plainly tagged fields, each element of its slice
// fields is marshalled and written on its own through a small buffer: a
// report of 80,000 rows is never held a second time as one 27 MB JSON
// text (c.JSON marshals the whole value first, and the buffer doubles as
// it grows). Anything else is marshalled whole.
func streamJSON(w io.Writer, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct || !streamable(rv.Elem().Type()) {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode json: %w", err)
		}
		_, err = w.Write(b)
		return err
	}
	rv = rv.Elem() // addressable: fields marshal as json.Marshal(v) sees them
	t := rv.Type()
	bw := bufio.NewWriterSize(w, streamJSONBuffer)
	write := func(b []byte) error {
		_, err := bw.Write(b)
		return err
	}
	var buf []byte
	marshal := func(f reflect.Value) error {
		if a, ok := f.Addr().Interface().(jsonAppender); ok {
			var err error
			if buf, err = a.AppendJSON(buf[:0]); err != nil {
				return fmt.Errorf("encode json: %w", err)
			}
			return write(buf)
		}
		b, err := json.Marshal(f.Addr().Interface())
		if err != nil {
			return fmt.Errorf("encode json: %w", err)
		}
		return write(b)
	}
	if err := bw.WriteByte('{'); err != nil {
		return err
	}
	for i := range t.NumField() {
		if i > 0 {
			if err := bw.WriteByte(','); err != nil {
				return err
			}
		}
		key, _ := json.Marshal(jsonName(t.Field(i)))
		if err := write(append(key, ':')); err != nil {
			return err
		}
		f := rv.Field(i)
		if f.Kind() != reflect.Slice || f.IsNil() || f.Type().Elem().Kind() == reflect.Uint8 {
			if err := marshal(f); err != nil {
				return err
			}
			continue
		}
		if err := bw.WriteByte('['); err != nil {
			return err
		}
		for j := range f.Len() {
			if j > 0 {
				if err := bw.WriteByte(','); err != nil {
					return err
				}
			}
			if err := marshal(f.Index(j)); err != nil {
				return err
			}
		}
		if err := bw.WriteByte(']'); err != nil {
			return err
		}
	}
	if err := bw.WriteByte('}'); err != nil {
		return err
	}
	return bw.Flush()
}

// jsonAppender is a value that appends its own JSON, the bytes
// json.Marshal gives, without reflection: the rows of the largest reports
// (a year of follower counts is 100,000 day points, 12 ms through
// json.Marshal).
type jsonAppender interface {
	AppendJSON(b []byte) ([]byte, error)
}

// streamable: every field of t is exported, not embedded, and has a json
// tag that only names it (no omitempty, string or "-"), so streamJSON can
// write the object's keys itself.
func streamable(t reflect.Type) bool {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Anonymous {
			return false
		}
		tag, ok := f.Tag.Lookup("json")
		if !ok || tag == "" || tag == "-" || strings.ContainsFunc(tag, notPlain) {
			return false
		}
	}
	return true
}

func jsonName(f reflect.StructField) string { return f.Tag.Get("json") }

// notPlain is a rune a key written without escaping must not have.
func notPlain(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
}
