package valid

import (
	"errors"
	"fmt"
	"strings"
)

// FieldError is one invalid input field, in English and Bahasa Indonesia.
// The JSON names are the API's.
type FieldError struct {
	Field     string `json:"field"`
	Message   string `json:"message"`
	MessageID string `json:"message_id,omitempty"`
}

func (f FieldError) Error() string { return f.Field + ": " + f.Message }

// FieldErrors makes a single FieldError a Lister too.
func (f FieldError) FieldErrors() []FieldError { return []FieldError{f} }

// Errors lists invalid fields; the zero value is an empty list.
type Errors []FieldError

// Add appends a field error; en and id are fmt formats sharing args.
func (e *Errors) Add(field, en, id string, args ...any) {
	*e = append(*e, FieldError{Field: field, Message: fmt.Sprintf(en, args...), MessageID: fmt.Sprintf(id, args...)})
}

func (e Errors) Error() string { return "invalid input: " + e.Join() }

// Join lists the fields as "field: message; field: message".
func (e Errors) Join() string {
	parts := make([]string, len(e))
	for i, f := range e {
		parts[i] = f.Error()
	}
	return strings.Join(parts, "; ")
}

// FieldErrors returns the list; it makes Errors (and types defined on it)
// a Lister.
func (e Errors) FieldErrors() []FieldError { return e }

// Lister is a validation error of any package: a package may keep its own
// error type (and Error text) and still be found by Fields.
type Lister interface {
	error
	FieldErrors() []FieldError
}

// Fields returns the invalid fields of the first Lister in err's chain.
func Fields(err error) ([]FieldError, bool) {
	var l Lister
	if !errors.As(err, &l) {
		return nil, false
	}
	return l.FieldErrors(), true
}
