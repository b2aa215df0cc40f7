package api

import (
	"errors"
	"net/http"

	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/valid"
)

// Classify is the one place an error becomes an HTTP status and what the
// client reads; WriteError and the web pages both use it. It goes by type
// only:
//
//   - an *Error (request binding, authentication) as it is;
//   - invalid fields (valid.Errors, valid.FieldError): 422 with the fields;
//   - a valid.Problem, or a type that describes itself as one
//     (scheduler.StateError, org.ConflictError, ...): its kind's status,
//     code and messages: not found 404, forbidden 403, conflict 409,
//     invalid field 422, bad parameter 400;
//   - the media library's errors (classifyMedia): 413, 415, 422, 409, 404;
//   - store.ErrUnavailable: 503; org.ErrNoKey: 422 no_secret_key.
//
// Anything else is nil: a 500 that tells the client nothing about it.
func Classify(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if e := classifyMedia(err); e != nil {
		return e
	}
	if f, ok := valid.Fields(err); ok {
		return Unprocessable(f)
	}
	if p, ok := valid.ProblemOf(err); ok {
		return fromProblem(p)
	}
	for _, k := range bareKinds { // a kind without a Problem: its status, a generic message
		if errors.Is(err, k.kind) {
			return &Error{Status: problemStatus[k.kind], Code: k.code, Message: k.en, MessageID: k.id}
		}
	}
	switch {
	case errors.Is(err, store.ErrUnavailable):
		return &Error{Status: http.StatusServiceUnavailable, Code: "clickhouse_unavailable",
			Message:   "ClickHouse is unreachable; try again once it is back",
			MessageID: "ClickHouse tidak dapat dihubungi; coba lagi nanti"}
	case errors.Is(err, org.ErrNoKey):
		return &Error{Status: http.StatusUnprocessableEntity, Code: "no_secret_key",
			Message:   "the server has no secret key to encrypt access tokens: set HUMAS_SECRET_KEY (openssl rand -hex 32) and restart",
			MessageID: "server belum punya kunci rahasia untuk mengenkripsi token: isi HUMAS_SECRET_KEY (openssl rand -hex 32) lalu mulai ulang"}
	}
	return nil
}

// problemStatus is the status of each kind of valid.Problem.
var problemStatus = map[error]int{
	valid.ErrNotFound:  http.StatusNotFound,
	valid.ErrForbidden: http.StatusForbidden,
	valid.ErrConflict:  http.StatusConflict,
	valid.ErrInvalid:   http.StatusUnprocessableEntity,
	valid.ErrBadParam:  http.StatusBadRequest,
}

var bareKinds = []struct {
	kind         error
	code, en, id string
}{
	{valid.ErrNotFound, "not_found", "not found", "tidak ditemukan"},
	{valid.ErrForbidden, "forbidden", "your role or unit does not allow this", "peran atau unit Anda tidak mengizinkan ini"},
	{valid.ErrConflict, "conflict", "this does not fit the current state; reload and try again", "tidak sesuai dengan keadaan saat ini; muat ulang lalu coba lagi"},
}

func fromProblem(p *valid.Problem) *Error {
	status, ok := problemStatus[p.Kind]
	if !ok {
		return nil
	}
	e := &Error{Status: status, Code: p.Code, Message: p.Msg, MessageID: p.MsgID, Details: p.Details}
	switch p.Kind {
	case valid.ErrInvalid:
		return Unprocessable([]valid.FieldError{{Field: p.Field, Message: p.Msg, MessageID: p.MsgID}})
	case valid.ErrBadParam:
		e.Message, e.MessageID = p.Field+": "+p.Msg, p.Field+": "+p.MsgID
		e.Fields = []valid.FieldError{{Field: p.Field, Message: p.Msg, MessageID: p.MsgID}}
	}
	return e
}
