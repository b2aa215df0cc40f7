package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/auth/sso"
)

// Single sign-on through the institution's OpenID Connect provider.

const ssoCookie = "humas_sso"

// ssoStart sends the browser to the provider, with the flow bound to it
// by a cookie.
func (h *Handler) ssoStart(c *gin.Context) {
	if h.d.SSO == nil {
		h.errorPage(c, http.StatusNotFound, h.l(c).T("sso.off"))
		return
	}
	flow, redirect, err := h.d.SSO.Begin(c.Request.Context(), localPath(c.Query("next"), ""))
	if errors.Is(err, sso.ErrProvider) {
		h.log.WarnContext(c.Request.Context(), "single sign-on provider unreachable", "err", err)
		h.renderSigninPage(c, http.StatusBadGateway, "", nil, h.l(c).T("sso.provider"))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	// Lax: the provider sends the browser back with a top-level GET.
	h.setCookie(c, ssoCookie, flow, 600)
	c.Redirect(http.StatusSeeOther, redirect)
}

// ssoCallback finishes the flow and signs the matching user in.
func (h *Handler) ssoCallback(c *gin.Context) {
	l := h.l(c)
	ctx := c.Request.Context()
	if h.d.SSO == nil {
		h.errorPage(c, http.StatusNotFound, l.T("sso.off"))
		return
	}
	flow, _ := c.Cookie(ssoCookie)
	h.setCookie(c, ssoCookie, "", -1)
	if e := c.Query("error"); e != "" {
		// The person cancelled, or the provider refused them.
		h.log.InfoContext(ctx, "single sign-on refused by the provider", "error", e)
		h.renderSigninPage(c, http.StatusUnauthorized, "", nil, l.T("sso.denied"))
		return
	}
	id, next, err := h.d.SSO.Finish(ctx, flow, c.Query("state"), c.Query("code"))
	if err != nil {
		h.log.WarnContext(ctx, "single sign-on failed", "err", err, "remote", c.ClientIP())
		status, key := http.StatusUnauthorized, "sso.token"
		switch {
		case errors.Is(err, sso.ErrNoFlow):
			status, key = http.StatusBadRequest, "sso.noflow"
		case errors.Is(err, sso.ErrState):
			status, key = http.StatusBadRequest, "sso.state"
		case errors.Is(err, sso.ErrProvider):
			status, key = http.StatusBadGateway, "sso.provider"
		case errors.Is(err, sso.ErrNoClaim):
			key = "sso.noclaim"
		case errors.Is(err, sso.ErrToken):
		default:
			h.fail(c, err)
			return
		}
		if h.d.Throttle != nil {
			h.d.Throttle.Fail(ctx, "web-sso", throttleAddr(c))
		}
		h.renderSigninPage(c, status, "", nil, l.T(key))
		return
	}
	u, err := h.d.Auth.UserBySSO(ctx, id.Match, id.Value)
	if errors.Is(err, auth.ErrUserNotFound) {
		h.log.WarnContext(ctx, "single sign-on of an unknown user", "match", id.Match, "subject", id.Subject)
		h.renderSigninPage(c, http.StatusForbidden, "", nil, l.T("sso.unknown", id.Value))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	h.startSession(c, u, auth.MethodOIDC, localPath(next, startPage(u.Role)))
}
