package api

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/valid"
)

// Error is an error the client may see: a status, a stable code, a message
// (English and, where staff read it, Bahasa Indonesia) and field errors.
type Error struct {
	Status    int                `json:"-"`
	Code      string             `json:"code"`
	Message   string             `json:"message"`
	MessageID string             `json:"message_id,omitempty"`
	Fields    []valid.FieldError `json:"fields,omitempty"`
	Details   any                `json:"details,omitempty"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf-style constructors for the common statuses.
func BadRequest(code, msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Message: msg}
}

// NotFound says the named thing does not exist.
func NotFound(msg string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "not_found", Message: msg}
}

// Unauthorized is a missing or wrong token.
func Unauthorized(msg string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: "unauthorized", Message: msg}
}

// Forbidden is an action the caller's role or unit does not allow.
func Forbidden(msg string) *Error {
	return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: msg}
}

// Conflict is a request that does not fit the current state.
func Conflict(code, msg string) *Error {
	return &Error{Status: http.StatusConflict, Code: code, Message: msg}
}

// Unprocessable carries per-field validation errors.
func Unprocessable(fields []valid.FieldError) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: "validation_failed",
		Message: "the request has invalid fields", MessageID: "permintaan berisi isian yang tidak valid", Fields: fields}
}

// Status lets a handler choose a success status (e.g. 201) for its value.
type Status struct {
	Code int
	Body any
}

// Handle adapts a handler that returns a value or an error.
func Handle(fn func(c *gin.Context) (any, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		v, err := fn(c)
		if err != nil {
			WriteError(c, err)
			return
		}
		if c.Writer.Written() {
			return // the handler wrote its own answer (e.g. CSV)
		}
		switch v := v.(type) {
		case Status:
			if v.Body == nil {
				c.Status(v.Code)
				return
			}
			c.JSON(v.Code, v.Body)
		case nil:
			c.Status(http.StatusNoContent)
		default:
			c.JSON(http.StatusOK, v)
		}
	}
}

// WriteError answers with err as JSON, classified by Classify; anything
// it does not know is a 500 that says nothing about internals (the cause
// goes to the log).
func WriteError(c *gin.Context, err error) {
	e := Classify(err)
	if e == nil {
		slog.ErrorContext(c.Request.Context(), "request failed", "method", c.Request.Method,
			"route", c.FullPath(), "err", err)
		e = &Error{Status: http.StatusInternalServerError, Code: "internal",
			Message: "internal error; the cause is in the server log", MessageID: "terjadi kesalahan internal"}
	}
	c.AbortWithStatusJSON(e.Status, gin.H{"error": e})
}
