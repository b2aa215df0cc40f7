package meta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// TokenProblem kinds: why a token cannot serve a channel.
const (
	TokenInvalid      = "invalid"             // not valid (expired, revoked, made up): TokenProblem.Detail says why
	TokenOtherApp     = "other_app"           // issued to another app (TokenProblem.AppID)
	TokenWrongType    = "wrong_type"          // not a Page or system-user token (TokenProblem.Type)
	TokenWrongPage    = "wrong_page"          // a Page token of another Page (TokenProblem.ProfileID)
	TokenNotLinked    = "not_linked"          // the IG account is not linked to the token's Page
	TokenNoPage       = "no_page"             // a system user without access to the Page (or to a Page linked to the IG account)
	TokenMissingPerms = "missing_permissions" // TokenProblem.Missing, by function
	TokenNoAppSecret  = "no_app_secret"       // humas has no app id and secret to ask debug_token with
)

// TokenProblem is a token that cannot serve the channel it is meant for,
// with what is wrong in detail.
type TokenProblem struct {
	Kind      string
	AppID     string // the token's app (TokenOtherApp)
	Type      string // the token's type
	ProfileID string // the Page a Page token belongs to
	PageID    string // the Page of the channel (for an IG channel: the linked Page, when known)
	// Missing lists, per function, the permissions the token lacks.
	Missing map[Function][]string
	Detail  string // Meta's reason for an invalid token
}

func (p *TokenProblem) Error() string {
	switch p.Kind {
	case TokenInvalid:
		return "meta: the token is not valid: " + p.Detail
	case TokenOtherApp:
		return "meta: the token belongs to another app (" + p.AppID + ")"
	case TokenWrongType:
		return "meta: a " + p.Type + " token; a Page token or a Business Manager system-user token is needed"
	case TokenWrongPage:
		return "meta: the token is the Page token of " + p.ProfileID + ", not of this channel's Page"
	case TokenNotLinked:
		return "meta: the Instagram account is not linked to the token's Page " + p.PageID
	case TokenNoPage:
		return "meta: the system user has no access to the channel's Page"
	case TokenMissingPerms:
		var parts []string
		for _, f := range []Function{FuncPagePublish, FuncPageInsights, FuncIGPublish, FuncIGInsights} {
			if m := p.Missing[f]; len(m) > 0 {
				parts = append(parts, string(f)+" needs "+strings.Join(m, ", "))
			}
		}
		return "meta: missing permissions: " + strings.Join(parts, "; ")
	case TokenNoAppSecret:
		return "meta: graph.app_id and graph.app_secret are needed to check tokens (debug_token)"
	}
	return "meta: unusable token (" + p.Kind + ")"
}

// ChannelToken is a token checked for a channel. CheckChannelToken fills
// Info (and what else it learnt) even when it returns a *TokenProblem.
type ChannelToken struct {
	// Token is the Page token to store: the one given, or the Page token
	// derived from a system-user token.
	Token string
	// PageID is the channel's Page (for an IG channel, the linked Page).
	PageID string
	// Info is debug_token's answer about the given token; PageInfo about
	// Token when it was derived.
	Info, PageInfo TokenInfo
	// Derived is true when Token was derived from a system-user token.
	Derived bool
	// BusinessManager is true for a system-user token (and its Page token).
	BusinessManager bool
}

// CheckChannelToken asks Meta about a token pasted for a channel (platform
// "facebook" with the Page id, or "instagram" with the IG account id) and
// returns the Page token to store, or a *TokenProblem saying precisely what
// is wrong. The token must be valid, belong to this app, and be a Page
// token whose profile is the Page (or the Page the IG account is linked
// to), or a Business Manager system-user token with access to that Page, in
// which case the Page token is derived (GET /{page}?fields=access_token).
// It must carry the permissions of every function of the channel
// (FunctionsOf, RequiredPermissions).
func (c *Client) CheckChannelToken(ctx context.Context, token, platform, objectID string) (ChannelToken, error) {
	if c.appID == "" || c.secret == "" {
		return ChannelToken{}, &TokenProblem{Kind: TokenNoAppSecret}
	}
	info, err := c.DebugToken(ctx, token)
	if err != nil {
		return ChannelToken{}, err
	}
	out := ChannelToken{Token: token, Info: info, PageInfo: info}
	if p := c.basicProblem(info); p != nil {
		return out, p
	}
	switch info.Type {
	case "PAGE":
		out.PageID = info.ProfileID
		if platform == "instagram" {
			ig, err := c.PageInstagramAccount(ctx, token, info.ProfileID)
			if err != nil {
				return out, err
			}
			if ig != objectID {
				return out, &TokenProblem{Kind: TokenNotLinked, Type: info.Type, ProfileID: info.ProfileID, PageID: info.ProfileID}
			}
		} else if info.ProfileID != objectID {
			return out, &TokenProblem{Kind: TokenWrongPage, Type: info.Type, ProfileID: info.ProfileID, PageID: objectID}
		}
	case "SYSTEM_USER":
		out.BusinessManager, out.Derived = true, true
		pageID, err := c.systemUserPage(ctx, token, info, platform, objectID)
		if err != nil {
			return out, err
		}
		var a struct {
			AccessToken string `json:"access_token"`
		}
		req := request{endpoint: "page_token", method: http.MethodGet, path: pageID, params: url.Values{"fields": {"access_token"}}, token: token}
		if _, err := c.call(ctx, req, &a); err != nil {
			return out, err
		}
		if a.AccessToken == "" {
			return out, &TokenProblem{Kind: TokenNoPage, Type: info.Type, PageID: pageID}
		}
		pinfo, err := c.DebugToken(ctx, a.AccessToken)
		if err != nil {
			return out, err
		}
		if p := c.basicProblem(pinfo); p != nil {
			return out, p
		}
		if pinfo.Type != "PAGE" || pinfo.ProfileID != pageID {
			return out, &TokenProblem{Kind: TokenWrongPage, Type: pinfo.Type, ProfileID: pinfo.ProfileID, PageID: pageID}
		}
		out.Token, out.PageID, out.PageInfo = a.AccessToken, pageID, pinfo
	default:
		return out, &TokenProblem{Kind: TokenWrongType, Type: info.Type}
	}
	missing := map[Function][]string{}
	for _, f := range FunctionsOf(platform) {
		if m := out.PageInfo.MissingPermissions(RequiredPermissions(f, out.BusinessManager)...); len(m) > 0 {
			missing[f] = m
		}
	}
	if len(missing) > 0 {
		return out, &TokenProblem{Kind: TokenMissingPerms, Type: info.Type, PageID: out.PageID, Missing: missing}
	}
	return out, nil
}

// basicProblem checks validity and app.
func (c *Client) basicProblem(info TokenInfo) *TokenProblem {
	if !info.Valid {
		d := info.ErrorMessage
		if d == "" {
			d = "Meta says it is not valid"
		}
		return &TokenProblem{Kind: TokenInvalid, Type: info.Type, Detail: d}
	}
	if info.AppID != c.appID {
		return &TokenProblem{Kind: TokenOtherApp, Type: info.Type, AppID: info.AppID}
	}
	return nil
}

// systemUserPage finds the Page a system-user token is to act for: the
// channel's Page, or for an IG channel the Page the IG account is linked to
// among those the token was granted.
func (c *Client) systemUserPage(ctx context.Context, token string, info TokenInfo, platform, objectID string) (string, error) {
	var pages []string
	for scope, ids := range info.Targets {
		if strings.HasPrefix(scope, "pages_") {
			for _, id := range ids {
				if !slices.Contains(pages, id) {
					pages = append(pages, id)
				}
			}
		}
	}
	slices.Sort(pages)
	if platform != "instagram" {
		if len(info.Targets) > 0 && !slices.Contains(pages, objectID) {
			return "", &TokenProblem{Kind: TokenNoPage, Type: info.Type, PageID: objectID}
		}
		return objectID, nil
	}
	for _, p := range pages {
		ig, err := c.PageInstagramAccount(ctx, token, p)
		var me *Error
		if errors.As(err, &me) && me.Class != ClassThrottled && me.Class != ClassTransient {
			continue // a Page this token reaches but cannot read: not it
		}
		if err != nil {
			return "", err
		}
		if ig == objectID {
			return p, nil
		}
	}
	return "", &TokenProblem{Kind: TokenNotLinked, Type: info.Type, Detail: fmt.Sprintf("none of %d Pages", len(pages))}
}
