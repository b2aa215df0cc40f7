package meta

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Facebook Login for Business, server-side: the dialog a person is sent
// to, the code exchange, the long-lived user token, and what that token
// lists (the Pages the person manages, with each Page's token, tasks and
// linked Instagram account, and the permissions granted or declined).

// DefaultDialogURL is the host of the Facebook Login dialog.
const DefaultDialogURL = "https://www.facebook.com"

// LoginURL is the address of the Facebook Login dialog asking for scopes,
// which sends the browser back to redirectURI with state and a code (or
// error=access_denied). rerequest asks again for permissions the person
// declined before (Facebook does not otherwise).
func (c *Client) LoginURL(redirectURI, state string, scopes []string, rerequest bool) string {
	q := url.Values{"client_id": {c.appID}, "redirect_uri": {redirectURI}, "state": {state},
		"response_type": {"code"}, "scope": {strings.Join(scopes, ",")}}
	if rerequest {
		q.Set("auth_type", "rerequest")
	}
	u := c.dialog.JoinPath(c.version, "dialog", "oauth")
	u.RawQuery = q.Encode()
	return u.String()
}

// UserToken is a person's access token and when it expires (zero: never).
type UserToken struct {
	Token     string
	ExpiresAt time.Time
}

// ErrNoAppSecret: the Facebook Login flow needs graph.app_id and
// graph.app_secret.
var ErrNoAppSecret = errors.New("meta: graph.app_id and graph.app_secret are needed for Facebook Login")

type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

func (c *Client) oauthToken(ctx context.Context, params url.Values, secrets ...string) (UserToken, error) {
	if c.appID == "" || c.secret == "" {
		return UserToken{}, ErrNoAppSecret
	}
	params.Set("client_id", c.appID)
	params.Set("client_secret", c.secret)
	var a tokenAnswer
	req := request{endpoint: "oauth_access_token", method: http.MethodGet, path: "oauth/access_token", params: params}
	if _, err := c.call(ctx, req, &a); err != nil {
		var me *Error
		if errors.As(err, &me) {
			me.Message = redact(me.Message, append(secrets, c.secret)...)
		}
		return UserToken{}, err
	}
	if a.AccessToken == "" {
		return UserToken{}, errors.New("meta: oauth/access_token answered without an access_token")
	}
	t := UserToken{Token: a.AccessToken}
	if a.ExpiresIn > 0 {
		t.ExpiresAt = c.now().Add(time.Duration(a.ExpiresIn) * time.Second).UTC()
	}
	return t, nil
}

// ExchangeCode trades the dialog's code for a (short-lived) user token;
// redirectURI must be the one the dialog was opened with.
func (c *Client) ExchangeCode(ctx context.Context, code, redirectURI string) (UserToken, error) {
	return c.oauthToken(ctx, url.Values{"code": {code}, "redirect_uri": {redirectURI}}, code)
}

// LongLivedToken exchanges a short-lived user token for a long-lived one
// (about 60 days); Page tokens read with it do not expire.
func (c *Client) LongLivedToken(ctx context.Context, token string) (UserToken, error) {
	return c.oauthToken(ctx, url.Values{"grant_type": {"fb_exchange_token"}, "fb_exchange_token": {token}}, token)
}

// Permissions lists the permissions the token's person granted to the
// app and those they declined (GET /me/permissions).
func (c *Client) Permissions(ctx context.Context, token string) (granted, declined []string, err error) {
	type perm struct {
		Permission string `json:"permission"`
		Status     string `json:"status"`
	}
	req := request{endpoint: "me_permissions", method: http.MethodGet, path: "me/permissions", token: token}
	err = listAll(ctx, c, req, func(p perm) {
		switch p.Status {
		case "granted":
			granted = append(granted, p.Permission)
		case "declined", "expired":
			declined = append(declined, p.Permission)
		}
	})
	return granted, declined, err
}

// InstagramAccount is an Instagram professional account linked to a Page.
type InstagramAccount struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

// ManagedPage is a Page the token's person (or system user) manages, with
// the Page's token for the app and the person's tasks on it.
type ManagedPage struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	AccessToken string            `json:"access_token"`
	Category    string            `json:"category"`
	Tasks       []string          `json:"tasks"`
	Instagram   *InstagramAccount `json:"instagram_business_account"`
}

// CanPublish reports whether the person's tasks let them create content
// on the Page (CREATE_CONTENT or MANAGE); a Page listed without tasks is
// not limited.
func (p ManagedPage) CanPublish() bool {
	return p.Tasks == nil || slices.Contains(p.Tasks, "CREATE_CONTENT") || slices.Contains(p.Tasks, "MANAGE")
}

// ManagedPages lists the Pages the token reaches (GET /me/accounts), each
// with its Page token, tasks and linked Instagram account. It is empty
// when the person manages none, chose none in the dialog, or declined
// pages_show_list.
func (c *Client) ManagedPages(ctx context.Context, token string) ([]ManagedPage, error) {
	req := request{endpoint: "me_accounts", method: http.MethodGet, path: "me/accounts", token: token,
		params: url.Values{"fields": {"id,name,access_token,category,tasks,instagram_business_account{id,username}"}, "limit": {"100"}}}
	var out []ManagedPage
	err := listAll(ctx, c, req, func(p ManagedPage) { out = append(out, p) })
	return out, err
}
