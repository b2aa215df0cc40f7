package meta

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// TokenInfo is the answer of debug_token.
type TokenInfo struct {
	Valid               bool
	AppID               string
	Type                string // USER, PAGE, SYSTEM_USER, APP
	ProfileID           string // the Page for Page tokens
	UserID              string
	IssuedAt            time.Time
	ExpiresAt           time.Time // zero: never expires
	DataAccessExpiresAt time.Time
	Scopes              []string
	// Targets are granular_scopes: for each scope, the objects (Pages, IG
	// accounts) it was granted on; absent when granted on all.
	Targets map[string][]string
	// Application is the app's name.
	Application string
	// ErrorCode/ErrorSubcode/ErrorMessage explain an invalid token (e.g. 190/463 expired).
	ErrorCode    int
	ErrorSubcode int
	ErrorMessage string
}

// ExpiresWithin reports whether the token is invalid or expires (or loses
// data access) within d of now.
func (t TokenInfo) ExpiresWithin(now time.Time, d time.Duration) bool {
	if !t.Valid {
		return true
	}
	limit := now.Add(d)
	return (!t.ExpiresAt.IsZero() && t.ExpiresAt.Before(limit)) ||
		(!t.DataAccessExpiresAt.IsZero() && t.DataAccessExpiresAt.Before(limit))
}

func unixOrZero(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// DebugToken inspects inputToken (GET /debug_token) using the app token
// "{app-id}|{app-secret}" built from Options. An invalid or expired token is
// not an error: it gives Valid=false with the reason.
func (c *Client) DebugToken(ctx context.Context, inputToken string) (TokenInfo, error) {
	if c.appID == "" || c.secret == "" {
		return TokenInfo{}, errors.New("meta: debug_token: AppID and AppSecret are required")
	}
	var a struct {
		Data struct {
			AppID          string `json:"app_id"`
			Application    string `json:"application"`
			GranularScopes []struct {
				Scope     string   `json:"scope"`
				TargetIDs []string `json:"target_ids"`
			} `json:"granular_scopes"`
			Type                string   `json:"type"`
			ExpiresAt           int64    `json:"expires_at"`
			DataAccessExpiresAt int64    `json:"data_access_expires_at"`
			IssuedAt            int64    `json:"issued_at"`
			IsValid             bool     `json:"is_valid"`
			ProfileID           string   `json:"profile_id"`
			UserID              string   `json:"user_id"`
			Scopes              []string `json:"scopes"`
			Error               *struct {
				Code    int    `json:"code"`
				Subcode int    `json:"subcode"`
				Message string `json:"message"`
			} `json:"error"`
		} `json:"data"`
	}
	appToken := c.appID + "|" + c.secret
	req := request{endpoint: "debug_token", method: http.MethodGet, path: "debug_token",
		params: url.Values{"input_token": {inputToken}}, token: appToken}
	if _, err := c.call(ctx, req, &a); err != nil {
		var me *Error
		if errors.As(err, &me) {
			me.Message = redact(me.Message, inputToken)
		}
		return TokenInfo{}, err
	}
	d := a.Data
	t := TokenInfo{
		Valid: d.IsValid, AppID: d.AppID, Type: d.Type, ProfileID: d.ProfileID, UserID: d.UserID,
		IssuedAt: unixOrZero(d.IssuedAt), ExpiresAt: unixOrZero(d.ExpiresAt),
		DataAccessExpiresAt: unixOrZero(d.DataAccessExpiresAt), Scopes: d.Scopes, Application: d.Application,
	}
	for _, g := range d.GranularScopes {
		if len(g.TargetIDs) > 0 {
			if t.Targets == nil {
				t.Targets = map[string][]string{}
			}
			t.Targets[g.Scope] = g.TargetIDs
		}
	}
	if d.Error != nil {
		t.ErrorCode, t.ErrorSubcode, t.ErrorMessage = d.Error.Code, d.Error.Subcode, redact(d.Error.Message, inputToken)
	}
	return t, nil
}
