package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/valid"
)

// bindJSON is the one way a handler reads a JSON body. It answers, as an
// *Error naming what is wrong:
//
//   - 415 when the body is not sent as Content-Type: application/json
//     (UTF-8);
//   - 413 over the body limit, 408 when the body does not arrive in time;
//   - 400 for an empty body, malformed JSON (with the byte offset),
//     anything but one JSON object, trailing data after it, a field this
//     endpoint does not know (typos such as "schedule_at" are not passed
//     over in silence) and a value of the wrong JSON type (with the field
//     and the type expected, never a Go type name).
func bindJSON(c *gin.Context, v any) error {
	present, err := decodeBody(c, v)
	if err == nil && !present {
		err = jsonError(http.StatusBadRequest, "empty_body", "",
			"the request body is empty; send a JSON object",
			"isi permintaan kosong; kirim sebuah objek JSON")
	}
	return err
}

// bindOptionalJSON is bindJSON for endpoints whose body may be left out
// (e.g. an optional reason): without a body, v is untouched and present
// is false.
func bindOptionalJSON(c *gin.Context, v any) (present bool, err error) {
	return decodeBody(c, v)
}

// jsonError builds a JSON-body error; field names the offending field, if
// any.
func jsonError(status int, code, field, en, id string) *Error {
	e := &Error{Status: status, Code: code, Message: en, MessageID: id}
	if field != "" {
		e.Fields = []valid.FieldError{{Field: field, Message: en, MessageID: id}}
	}
	return e
}

func decodeBody(c *gin.Context, v any) (bool, error) {
	body, err := readBody(c)
	if err != nil {
		return false, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return false, nil // no body: bindJSON refuses it, bindOptionalJSON accepts it
	}
	if err := checkContentType(c.GetHeader("Content-Type")); err != nil {
		return false, err
	}
	if !utf8.Valid(body) {
		return false, jsonError(http.StatusBadRequest, "bad_json", "", "the request body is not valid UTF-8",
			"isi permintaan bukan UTF-8 yang sah")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return false, syntaxError(err, int64(len(body)))
	}
	if end := dec.InputOffset(); len(bytes.TrimSpace(body[end:])) > 0 {
		at := end + int64(len(body[end:])-len(bytes.TrimLeft(body[end:], " \t\r\n")))
		return false, jsonError(http.StatusBadRequest, "trailing_data", "",
			fmt.Sprintf("trailing data after the JSON value at byte %d: send exactly one JSON object", at),
			fmt.Sprintf("ada data tambahan sesudah nilai JSON pada byte %d: kirim tepat satu objek JSON", at))
	}
	if _, ok := raw.(map[string]any); !ok {
		return false, jsonError(http.StatusBadRequest, "bad_json", "",
			"the request body must be a JSON object {…}, not "+jsonKind(raw),
			"isi permintaan harus berupa objek JSON {…}, bukan "+jsonKind(raw))
	}
	if unknown := unknownFields(raw, reflect.TypeOf(v), ""); len(unknown) > 0 {
		e := jsonError(http.StatusBadRequest, "unknown_field", "", "", "")
		known := strings.Join(knownFields(reflect.TypeOf(v)), ", ")
		for _, f := range unknown {
			e.Fields = append(e.Fields, valid.FieldError{Field: f,
				Message:   "unknown field " + strconv.Quote(f),
				MessageID: "isian tidak dikenal " + strconv.Quote(f)})
		}
		names := make([]string, len(unknown))
		for i, f := range unknown {
			names[i] = strconv.Quote(f)
		}
		e.Message = "unknown field " + strings.Join(names, ", ") + "; this endpoint accepts: " + known
		e.MessageID = "isian tidak dikenal " + strings.Join(names, ", ") + "; yang diterima: " + known
		return false, e
	}
	strict := json.NewDecoder(bytes.NewReader(body))
	strict.DisallowUnknownFields()
	if err := strict.Decode(v); err != nil {
		return false, valueError(c, v, err)
	}
	return true, nil
}

// readBody reads the whole body, bounded by the server's body limit (the
// limitBody middleware; DefaultMaxBodyBytes when it did not run).
func readBody(c *gin.Context) ([]byte, error) {
	if c.Request.Body == nil || c.Request.Body == http.NoBody {
		return nil, nil
	}
	limit := DefaultMaxBodyBytes
	if n, ok := c.Get(maxBodyKey); ok {
		limit, _ = n.(int64)
	}
	if c.Request.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, c.Request.Body, limit))
	if err == nil {
		return body, nil
	}
	var mbe *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &mbe):
		return nil, tooLarge(mbe.Limit)
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return nil, jsonError(http.StatusRequestTimeout, "body_timeout", "",
			"the request body did not arrive in time; send it at once",
			"isi permintaan tidak tiba tepat waktu; kirim sekaligus")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, jsonError(http.StatusBadRequest, "truncated_body", "",
			"the request body ended before its Content-Length", "isi permintaan terputus sebelum Content-Length terpenuhi")
	}
	return nil, fmt.Errorf("read request body: %w", err)
}

// checkContentType accepts application/json with no charset or UTF-8.
func checkContentType(ct string) error {
	if strings.TrimSpace(ct) == "" {
		return jsonError(http.StatusUnsupportedMediaType, "unsupported_media_type", "",
			"the body has no Content-Type; send it as Content-Type: application/json",
			"isi permintaan tanpa Content-Type; kirim sebagai Content-Type: application/json")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return jsonError(http.StatusUnsupportedMediaType, "unsupported_media_type", "",
			"Content-Type "+strconv.Quote(ct)+" is not accepted; send the body as Content-Type: application/json",
			"Content-Type "+strconv.Quote(ct)+" tidak diterima; kirim sebagai Content-Type: application/json")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return jsonError(http.StatusUnsupportedMediaType, "unsupported_media_type", "",
			"charset "+strconv.Quote(cs)+" is not accepted; send JSON as UTF-8 (Content-Type: application/json)",
			"charset "+strconv.Quote(cs)+" tidak diterima; kirim JSON dalam UTF-8 (Content-Type: application/json)")
	}
	return nil
}

// syntaxError says where the JSON breaks, without Go internals.
func syntaxError(err error, size int64) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return jsonError(http.StatusBadRequest, "bad_json", "",
			fmt.Sprintf("malformed JSON at byte %d: %s", se.Offset, se.Error()),
			fmt.Sprintf("JSON rusak pada byte %d: %s", se.Offset, se.Error()))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return jsonError(http.StatusBadRequest, "bad_json", "",
			fmt.Sprintf("malformed JSON: it ends early at byte %d", size),
			fmt.Sprintf("JSON rusak: berakhir terlalu cepat pada byte %d", size))
	}
	return jsonError(http.StatusBadRequest, "bad_json", "", "malformed JSON", "JSON rusak")
}

// valueError translates a decoding error into the field and the JSON type
// expected. Anything it cannot place is a 400 without the raw text (which
// goes to the debug log).
func valueError(c *gin.Context, v any, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		want := expectedJSON(te.Type)
		got := te.Value
		if kind, _, _ := strings.Cut(got, " "); kind != "" {
			got = kind // "number 3" → "number": the value is the client's own
		}
		gotID := map[string]string{"string": "teks", "number": "angka", "bool": "boolean", "array": "larik", "object": "objek"}[got]
		if gotID == "" {
			gotID = got
		}
		field := te.Field
		if field == "" {
			return jsonError(http.StatusBadRequest, "wrong_type", "", "the body must be "+want.en, "isi permintaan harus "+want.id)
		}
		subject, subjectID := field, field
		if ft := fieldType(reflect.TypeOf(v), field); ft != nil && (ft.Kind() == reflect.Slice || ft.Kind() == reflect.Array) &&
			ft.Elem() == te.Type {
			subject, subjectID = "each item of "+field, "setiap butir "+field
		}
		return jsonError(http.StatusBadRequest, "wrong_type", field,
			fmt.Sprintf("%s must be %s, not %s", subject, want.en, got),
			fmt.Sprintf("%s harus %s, bukan %s", subjectID, want.id, gotID))
	}
	var ie *json.InvalidUnmarshalError
	if errors.As(err, &ie) {
		return fmt.Errorf("bind json: %w", err) // a programming error: 500
	}
	slog.DebugContext(c.Request.Context(), "json body refused", "route", c.FullPath(), "err", err)
	return jsonError(http.StatusBadRequest, "bad_value", "", "a value in the body has the wrong form for this endpoint",
		"ada nilai dalam isi permintaan yang bentuknya salah")
}

// fieldType resolves a dotted JSON path ("classification.level") in t.
func fieldType(t reflect.Type, path string) reflect.Type {
	for _, name := range strings.Split(path, ".") {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return nil
		}
		_, types := jsonFields(t)
		ft, ok := types[name]
		if !ok {
			return nil
		}
		t = ft
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

var (
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
)

// wanted is the JSON a client should send, in English and Indonesian.
type wanted struct{ en, id string }

// expectedJSON names a Go type as the JSON a client should send.
func expectedJSON(t reflect.Type) wanted {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.PkgPath() == "time" && t.Name() == "Time" {
		return wanted{"an RFC 3339 time string, e.g. 2026-03-01T09:00:00+07:00", "teks waktu RFC 3339, mis. 2026-03-01T09:00:00+07:00"}
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return wanted{"a string", "teks"}
	}
	switch t.Kind() {
	case reflect.String:
		return wanted{"a string", "teks"}
	case reflect.Bool:
		return wanted{"true or false", "true atau false"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return wanted{"a whole number", "bilangan bulat"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return wanted{"a whole number of at least 0", "bilangan bulat paling kecil 0"}
	case reflect.Float32, reflect.Float64:
		return wanted{"a number", "angka"}
	case reflect.Slice, reflect.Array:
		return wanted{"an array", "larik"}
	case reflect.Struct, reflect.Map:
		return wanted{"an object", "objek"}
	}
	return wanted{"a value of another JSON type", "nilai JSON jenis lain"}
}

// jsonKind names a decoded JSON value's type.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "true or false"
	case []any:
		return "an array"
	}
	return "an object"
}

// jsonFields maps the JSON names of t's fields (as encoding/json sees
// them, embedded structs flattened) to their types.
func jsonFields(t reflect.Type) (names []string, types map[string]reflect.Type) {
	types = map[string]reflect.Type{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft)
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if _, dup := types[name]; !dup {
				names = append(names, name)
			}
			types[name] = f.Type
		}
	}
	walk(t)
	return names, types
}

// knownFields lists the top-level JSON fields of the request type.
func knownFields(t reflect.Type) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	names, _ := jsonFields(t)
	return names
}

// unknownFields lists the keys of raw that t has no field for, as dotted
// paths ("classification.levle", "media[1].uri"). Matching is
// case-insensitive, as encoding/json's.
func unknownFields(raw any, t reflect.Type, prefix string) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return nil // the type reads itself
	}
	var out []string
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := raw.(map[string]any)
		if !ok {
			return nil // a type error, reported by the decoder
		}
		_, types := jsonFields(t)
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			ft, ok := types[k]
			if !ok {
				for name, typ := range types {
					if strings.EqualFold(name, k) {
						ft, ok = typ, true
						break
					}
				}
			}
			path := k
			if prefix != "" {
				path = prefix + "." + k
			}
			if !ok {
				out = append(out, path)
				continue
			}
			out = append(out, unknownFields(obj[k], ft, path)...)
		}
	case reflect.Slice, reflect.Array:
		arr, ok := raw.([]any)
		if !ok {
			return nil
		}
		for i, el := range arr {
			out = append(out, unknownFields(el, t.Elem(), prefix+"["+strconv.Itoa(i)+"]")...)
		}
	case reflect.Map:
		obj, ok := raw.(map[string]any)
		if !ok {
			return nil
		}
		for k, el := range obj {
			path := k
			if prefix != "" {
				path = prefix + "." + k
			}
			out = append(out, unknownFields(el, t.Elem(), path)...)
		}
	}
	return out
}
