package valid_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/humas-id/humas/valid"
)

// post is how a package keeps its own error text on the shared list.
type post valid.Errors

func (p post) Error() string                   { return "invalid post: " + valid.Errors(p).Join() }
func (p post) FieldErrors() []valid.FieldError { return p }

func TestErrors(t *testing.T) {
	var e valid.Errors
	e.Add("name", "a unit needs a name", "unit harus punya nama")
	e.Add("slug", "%q is not a slug", "%q bukan slug", "A B")
	if got, want := e.Error(), `invalid input: name: a unit needs a name; slug: "A B" is not a slug`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if e[1].MessageID != `"A B" bukan slug` {
		t.Errorf("MessageID = %q", e[1].MessageID)
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"field":"name","message":"a unit needs a name","message_id":"unit harus punya nama"},` +
		`{"field":"slug","message":"\"A B\" is not a slug","message_id":"\"A B\" bukan slug"}]`; string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
	if b, _ := json.Marshal(valid.FieldError{Field: "x", Message: "m"}); string(b) != `{"field":"x","message":"m"}` {
		t.Errorf("JSON without message_id = %s", b)
	}
}

func TestFields(t *testing.T) {
	p := post{{Field: "caption", Message: "too long", MessageID: "terlalu panjang"}}
	err := fmt.Errorf("create: %w", p)
	if err.Error() != "create: invalid post: caption: too long" {
		t.Errorf("Error() = %q", err)
	}
	f, ok := valid.Fields(err)
	if !ok || len(f) != 1 || f[0].Field != "caption" {
		t.Errorf("Fields = %v, %v", f, ok)
	}
	var back post
	if !errors.As(err, &back) || back[0].MessageID != "terlalu panjang" {
		t.Errorf("errors.As(post) = %v", back)
	}
	if _, ok := valid.Fields(errors.New("other")); ok {
		t.Error("Fields found a list in a plain error")
	}
}
