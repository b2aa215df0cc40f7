package valid

import (
	"errors"
	"fmt"
)

// The kinds of error a person is told about, besides invalid fields
// (Errors). Producers return a *Problem of one kind (or a type with a
// Problem method); callers decide with errors.Is(err, valid.ErrNotFound),
// and the API maps each kind to one status in one place (api.Classify).
var (
	// ErrNotFound: the thing asked for does not exist, or the caller may
	// not see it.
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the caller's role or unit does not allow the action.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict: the action does not fit the current state (a post's
	// state, a changed version, a name that exists).
	ErrConflict = errors.New("conflict")
	// ErrInvalid: one input field is invalid (a single field error, where
	// Errors lists several); Problem.Field names it.
	ErrInvalid = errors.New("invalid input")
	// ErrBadParam: a request parameter (not a body field) is invalid;
	// Problem.Field names it.
	ErrBadParam = errors.New("bad parameter")
)

// Problem is an error a person may read: its kind (one of the Err values
// above), a stable code for API clients, and the message in English and
// Bahasa Indonesia. errors.Is(p, p.Kind) holds.
type Problem struct {
	Kind  error
	Code  string
	Field string // the parameter or field the problem is about, if one
	Msg   string
	MsgID string
	// Details are what an API client may act on (e.g. the id of the run
	// that is in the way); nil for none.
	Details any
}

func (p *Problem) Error() string { return p.Msg }

// Is makes errors.Is(p, p.Kind) true.
func (p *Problem) Is(target error) bool { return target == p.Kind }

// Problem returns p: a *Problem is its own Describer.
func (p *Problem) Problem() *Problem { return p }

// NotFound is an ErrNotFound problem; en and id are fmt formats sharing args.
func NotFound(en, id string, args ...any) *Problem {
	return &Problem{Kind: ErrNotFound, Code: "not_found", Msg: fmt.Sprintf(en, args...), MsgID: fmt.Sprintf(id, args...)}
}

// Forbidden is an ErrForbidden problem.
func Forbidden(en, id string, args ...any) *Problem {
	return &Problem{Kind: ErrForbidden, Code: "forbidden", Msg: fmt.Sprintf(en, args...), MsgID: fmt.Sprintf(id, args...)}
}

// Conflict is an ErrConflict problem with a stable code.
func Conflict(code, en, id string, args ...any) *Problem {
	return &Problem{Kind: ErrConflict, Code: code, Msg: fmt.Sprintf(en, args...), MsgID: fmt.Sprintf(id, args...)}
}

// Invalid is an ErrInvalid problem naming the field.
func Invalid(field, en, id string) *Problem {
	return &Problem{Kind: ErrInvalid, Code: "validation_failed", Field: field, Msg: en, MsgID: id}
}

// BadParam is an ErrBadParam problem naming the parameter.
func BadParam(param, en, id string) *Problem {
	return &Problem{Kind: ErrBadParam, Code: "invalid_parameter", Field: param, Msg: en, MsgID: id}
}

// Describer is an error that says what a person is told about it: a
// domain type with more fields (a state or version conflict) keeps them
// and still reaches the one mapper.
type Describer interface {
	error
	Problem() *Problem
}

// ProblemOf returns what a person is told about err: the first Describer
// in its chain, described.
func ProblemOf(err error) (*Problem, bool) {
	var d Describer
	if !errors.As(err, &d) {
		return nil, false
	}
	p := d.Problem()
	return p, p != nil
}
