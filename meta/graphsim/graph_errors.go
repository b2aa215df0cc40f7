package graphsim

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// gErr is a Graph API error answer.
type gErr struct {
	status    int
	code      int
	subcode   int
	typ       string
	msg       string
	userTitle string
	userMsg   string
	transient bool
	header    http.Header
}

func (e *gErr) Error() string { return e.msg }

func errInvalidParam(format string, a ...any) *gErr {
	return &gErr{status: 400, code: 100, typ: "OAuthException", msg: "(#100) " + fmt.Sprintf(format, a...)}
}

func errIG(code, sub int, msg, title string) *gErr {
	return &gErr{status: 400, code: code, subcode: sub, typ: "OAuthException", msg: msg, userTitle: title, userMsg: msg}
}

func errNoObject(method, id string) *gErr {
	return &gErr{status: 400, code: 100, subcode: 33, typ: "GraphMethodException",
		msg: fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api", method, id)}
}

func errNoField(field, node string) *gErr {
	return errInvalidParam("Tried accessing nonexisting field (%s) on node type (%s)", field, node)
}

var errInvalidMetric = &gErr{status: 400, code: 100, typ: "OAuthException", msg: "(#100) The value must be a valid insights metric"}

// body renders Meta's error envelope.
func (s *Sim) errBody(e *gErr) []byte {
	inner := map[string]any{"message": e.msg, "type": e.typ, "code": e.code, "fbtrace_id": s.traceID()}
	if e.subcode != 0 {
		inner["error_subcode"] = e.subcode
	}
	if e.userTitle != "" {
		inner["error_user_title"] = e.userTitle
	}
	if e.userMsg != "" {
		inner["error_user_msg"] = e.userMsg
	}
	inner["is_transient"] = e.transient
	b, _ := json.Marshal(map[string]any{"error": inner})
	return b
}

func (s *Sim) traceID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 23)
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	return string(b)
}
