package api_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/collector"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/valid"
)

// secret is internal text wrapped around every error below: no answer
// may contain it.
const secret = "SELECT token_ciphertext FROM channels /var/lib/humas/state.db"

// TestClassifyEveryTypedError: each typed error of the domain packages,
// wrapped with internal context, gets its status, code and the message
// its producer wrote, and the internal context never reaches the client.
func TestClassifyEveryTypedError(t *testing.T) {
	gin.SetMode(gin.TestMode)
	cases := []struct {
		name    string
		err     error
		status  int
		code    string
		message string // a part of the client message
		field   string // the field error's field, for 400/422
	}{
		{"field errors", valid.Errors{{Field: "caption", Message: "too long", MessageID: "terlalu panjang"}}, 422, "validation_failed", "invalid fields", "caption"},
		{"one field error", &collector.InputError{Field: "platform", Message: "unknown platform"}, 422, "validation_failed", "invalid fields", "platform"},
		{"scheduler validation", scheduler.ValidationError{{Field: "channels", Message: "pick one"}}, 422, "validation_failed", "invalid fields", "channels"},
		{"invalid problem", auth.ErrUnknownUnit, 422, "validation_failed", "invalid fields", "unit"},
		{"bad role", mustErr(auth.ParseRole("owner")), 422, "validation_failed", "invalid fields", "role"},
		{"bad since", mustTimeErr(api.ParseSince("yesterday")), 422, "validation_failed", "invalid fields", "since"},
		{"bad parameter", &analytics.ParamError{Param: "from", Message: "not a date", MessageID: "bukan tanggal"}, 400, "invalid_parameter", "from: not a date", "from"},
		{"not found problem", valid.NotFound("post %d does not exist", "kiriman %d tidak ada", 7), 404, "not_found", "post 7 does not exist", ""},
		{"bare not found", scheduler.ErrNotFound, 404, "not_found", "not found", ""},
		{"org not found", org.ErrNotFound, 404, "not_found", "not found", ""},
		{"user not found", auth.ErrUserNotFound, 404, "not_found", "no such user", ""},
		{"run not found", collector.ErrRunNotFound, 404, "not_found", "no collection run has this id", ""},
		{"post not collected", collector.ErrPostNotFound, 404, "not_found", "has not been collected", ""},
		{"forbidden", &scheduler.ForbiddenError{Msg: "an editor writes posts in its own unit (3) only", MsgID: "x"}, 403, "forbidden", "its own unit", ""},
		{"forbidden problem", valid.Forbidden("no", "tidak"), 403, "forbidden", "no", ""},
		{"state conflict", &scheduler.StateError{Msg: "cannot cancel a post that is published", MsgID: "x"}, 409, "wrong_state", "cannot cancel", ""},
		{"version conflict", &scheduler.VersionError{Given: 1, Current: scheduler.Post{ID: 4, Version: 2}}, 409, "version_mismatch", "post 4 changed", ""},
		{"org conflict", &org.ConflictError{Msg: "slug kpu-x exists"}, 409, "exists", "slug kpu-x exists", ""},
		{"user exists", auth.ErrUserExists, 409, "exists", "exists already", ""},
		{"last admin", auth.ErrLastAdmin, 409, "last_admin", "last active admin", ""},
		{"run in progress", &collector.RunInProgressError{ID: "r1"}, 409, "collect_in_progress", "/api/v1/collect/r1", ""},
		{"clickhouse away", store.ErrUnavailable, 503, "clickhouse_unavailable", "ClickHouse is unreachable", ""},
		{"no secret key", org.ErrNoKey, 422, "no_secret_key", "HUMAS_SECRET_KEY", ""},
		{"api error", api.Conflict("busy", "busy now"), 409, "busy", "busy now", ""},
		{"anything else", errors.New("disk I/O error"), 500, "internal", "internal error", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := fmt.Errorf("%s: %w", secret, tc.err)
			rec := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(rec)
			c.Request = httptest.NewRequest(http.MethodGet, "/", nil)
			api.WriteError(c, err)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d; body %s", rec.Code, tc.status, rec.Body)
			}
			body := rec.Body.String()
			if strings.Contains(body, "token_ciphertext") || strings.Contains(body, "/var/lib") || strings.Contains(body, "disk I/O") {
				t.Errorf("internal text reached the client: %s", body)
			}
			var got struct {
				Error struct {
					Code    string             `json:"code"`
					Message string             `json:"message"`
					Fields  []valid.FieldError `json:"fields"`
				} `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if got.Error.Code != tc.code || !strings.Contains(got.Error.Message, tc.message) {
				t.Errorf("code %q message %q, want %q and a message with %q", got.Error.Code, got.Error.Message, tc.code, tc.message)
			}
			if tc.field != "" && (len(got.Error.Fields) == 0 || got.Error.Fields[0].Field != tc.field) {
				t.Errorf("fields %+v, want %s first", got.Error.Fields, tc.field)
			}
			// The same classification, asked directly.
			if e := api.Classify(err); (e == nil) != (tc.status == 500) || e != nil && e.Status != tc.status {
				t.Errorf("Classify = %+v, want status %d", e, tc.status)
			}
		})
	}
}

func mustErr(_ auth.Role, err error) error { return err }

func mustTimeErr[T any](_ T, err error) error { return err }
