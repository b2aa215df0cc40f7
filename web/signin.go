package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/auth/throttle"
)

// signinData is the sign-in form.
type signinData struct {
	Next      string
	PreCSRF   string
	FieldErr  string
	SignedOut bool
}

// signinPage shows the token form. Before a session exists, CSRF uses a
// double-submit cookie: a random value in an HttpOnly cookie that the
// form must echo.
func (h *Handler) signinPage(c *gin.Context) {
	h.renderSignin(c, http.StatusOK, "")
}

func (h *Handler) renderSignin(c *gin.Context, status int, fieldErr string) {
	h.renderSigninPage(c, status, fieldErr, "")
}

// renderThrottled is the sign-in page of an address that must wait: 429
// with Retry-After and the wait in words.
func (h *Handler) renderThrottled(c *gin.Context, wait time.Duration) {
	l := h.l(c)
	secs := throttle.RetryAfter(wait)
	words := l.T("dur.seconds", secs)
	if secs > 90 {
		words = l.T("dur.minutes", (secs+59)/60)
	}
	c.Header("Retry-After", strconv.Itoa(secs))
	h.renderSigninPage(c, http.StatusTooManyRequests, "", l.T("signin.throttled", words))
}

func (h *Handler) renderSigninPage(c *gin.Context, status int, fieldErr, pageErr string) {
	tok, err := randomToken()
	if err != nil {
		h.fail(c, err)
		return
	}
	h.setCookie(c, preCSRFCookie, tok, 3600)
	l := h.l(c)
	next := localPath(c.Query("next"), "")
	if next == "" {
		next = localPath(c.PostForm("next"), "")
	}
	v := h.view(c, l.T("signin.title"), "signin", signinData{Next: next, PreCSRF: tok, FieldErr: fieldErr,
		SignedOut: c.Query("out") == "1"})
	v.Flash = ""
	v.Error = pageErr
	h.render(c, status, "signin", v)
}

// signin checks the token and starts a session.
func (h *Handler) signin(c *gin.Context) {
	l := h.l(c)
	pre, err := c.Cookie(preCSRFCookie)
	if err != nil || !validCSRF(pre, c.PostForm(csrfField)) {
		h.errorPage(c, http.StatusForbidden, l.T("err.csrf"))
		return
	}
	token := strings.TrimSpace(c.PostForm("token"))
	if token == "" {
		h.renderSignin(c, http.StatusUnprocessableEntity, l.T("signin.empty"))
		return
	}
	// Repeated failures from one address wait, exponentially longer, before
	// any token is looked at (the limiter logs them, never the token).
	addr := throttle.Addr(c.ClientIP())
	if h.d.Throttle != nil {
		if wait := h.d.Throttle.Check(addr); wait > 0 {
			h.renderThrottled(c, wait)
			return
		}
	}
	p, err := h.d.Auth.Authenticate(c.Request.Context(), token)
	if errors.Is(err, auth.ErrInvalidToken) {
		if h.d.Throttle == nil {
			h.log.InfoContext(c.Request.Context(), "web sign-in refused", "remote", c.ClientIP())
		} else if d := h.d.Throttle.Fail(c.Request.Context(), "web", addr); d.Wait > 0 {
			h.renderThrottled(c, d.Wait)
			return
		}
		h.renderSignin(c, http.StatusUnauthorized, l.T("signin.invalid"))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	// A fresh id on every sign-in: no session fixation.
	if old, err := c.Cookie(sessionCookie); err == nil {
		_ = h.sess.Delete(c.Request.Context(), old)
	}
	id, _, err := h.sess.Create(c.Request.Context(), p)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.setCookie(c, sessionCookie, id, int(h.d.SessionTTL.Seconds()))
	h.setCookie(c, preCSRFCookie, "", -1)
	h.log.InfoContext(c.Request.Context(), "web sign-in", "user_id", p.UserID, "role", string(p.Role))
	start := "/calendar"
	if p.Role == auth.RoleViewer {
		start = "/report" // a division head reads the report, not the calendar
	}
	c.Redirect(http.StatusSeeOther, localPath(c.PostForm("next"), start))
}

// signout ends the session (POST with the CSRF token, via checkCSRF).
func (h *Handler) signout(c *gin.Context) {
	if id, err := c.Cookie(sessionCookie); err == nil {
		if err := h.sess.Delete(c.Request.Context(), id); err != nil {
			h.fail(c, err)
			return
		}
	}
	h.setCookie(c, sessionCookie, "", -1)
	c.Redirect(http.StatusSeeOther, "/signin?out=1")
}
