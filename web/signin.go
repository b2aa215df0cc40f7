package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/auth/throttle"
)

// Sign-in: a user name (or e-mail) and password, or single sign-on, then
// the second factor when the user has one (or enrolment when the unit
// requires one). API tokens are for scripts and are not accepted here:
// they skip the per-account throttle and the second factor, and a token
// typed into a browser ends up in its history and password manager.

const nextCookie = "humas_next"

// signinData is the sign-in form.
type signinData struct {
	Next      string
	PreCSRF   string
	Username  string
	FieldErr  map[string]string
	SignedOut bool
	SSO       string // the SSO button's label; empty without SSO
}

// signinPage shows the form. Before a session exists, CSRF uses a
// double-submit cookie: a random value in an HttpOnly cookie that the
// form must echo.
func (h *Handler) signinPage(c *gin.Context) {
	if s, ok := anySession(c); ok {
		h.sendToStage(c, s, ok)
		return
	}
	h.renderSigninPage(c, http.StatusOK, "", nil, "")
}

// renderThrottled is the sign-in page of an address or account that must
// wait: 429 with Retry-After and the wait in words.
func (h *Handler) renderThrottled(c *gin.Context, wait time.Duration, username string) {
	c.Header("Retry-After", strconv.Itoa(throttle.RetryAfter(wait)))
	h.renderSigninPage(c, http.StatusTooManyRequests, username, nil, h.l(c).T("signin.throttled", h.waitWords(c, wait)))
}

func (h *Handler) waitWords(c *gin.Context, wait time.Duration) string {
	l := h.l(c)
	secs := throttle.RetryAfter(wait)
	if secs > 90 {
		return l.T("dur.minutes", (secs+59)/60)
	}
	return l.T("dur.seconds", secs)
}

func (h *Handler) renderSigninPage(c *gin.Context, status int, username string, fieldErr map[string]string, pageErr string) {
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
	if username == "" && c.Request.Method == http.MethodGet {
		username = c.Query("user")
	}
	d := signinData{Next: next, PreCSRF: tok, Username: username, FieldErr: fieldErr, SignedOut: c.Query("out") == "1"}
	if h.d.SSO != nil {
		d.SSO = h.d.SSO.Label()
	}
	v := h.view(c, l.T("signin.title"), "signin", d)
	if c.Query("ok") != "setup.done" {
		v.Flash = ""
	}
	v.Error = pageErr
	h.render(c, status, "signin", v)
}

// signin checks the password and starts a session (or its second step).
func (h *Handler) signin(c *gin.Context) {
	l := h.l(c)
	pre, err := c.Cookie(preCSRFCookie)
	if err != nil || !validCSRF(pre, c.PostForm(csrfField)) {
		h.errorPage(c, http.StatusForbidden, l.T("err.csrf"))
		return
	}
	username := strings.TrimSpace(c.PostForm("username"))
	password := c.PostForm("password")
	if c.PostForm("token") != "" && username == "" {
		// The old token form, bookmarked or scripted.
		h.renderSigninPage(c, http.StatusUnprocessableEntity, "", map[string]string{"username": l.T("signin.notoken")}, "")
		return
	}
	fe := map[string]string{}
	if username == "" {
		fe["username"] = l.T("signin.empty.user")
	}
	if password == "" {
		fe["password"] = l.T("signin.empty.pw")
	}
	if len(fe) > 0 {
		h.renderSigninPage(c, http.StatusUnprocessableEntity, username, fe, "")
		return
	}
	// Repeated failures from one address, or against one account, wait
	// exponentially longer before any password is looked at (the limiter
	// logs them, never the password).
	keys := []string{throttleAddr(c), throttle.Account(username)}
	if h.d.Throttle != nil {
		if wait := h.d.Throttle.Check(keys...); wait > 0 {
			h.renderThrottled(c, wait, username)
			return
		}
	}
	u, err := h.d.Auth.VerifyPassword(c.Request.Context(), username, password)
	if errors.Is(err, auth.ErrBadCredentials) {
		if h.d.Throttle == nil {
			h.log.InfoContext(c.Request.Context(), "web sign-in refused", "remote", c.ClientIP())
		} else if d := h.d.Throttle.Fail(c.Request.Context(), "web", keys...); d.Wait > 0 {
			h.renderThrottled(c, d.Wait, username)
			return
		}
		h.renderSigninPage(c, http.StatusUnauthorized, username, map[string]string{"password": l.T("signin.invalid")}, "")
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	if h.d.Throttle != nil {
		// A good password clears the account, not the address.
		h.d.Throttle.Reset(keys[1])
	}
	h.startSession(c, u, auth.MethodPassword, localPath(c.PostForm("next"), startPage(u.Role)))
}

// needsTOTP says what second step a user who proved who they are owes:
// the code (TOTP on), enrolment (the unit requires it of their role), or
// nothing.
func (h *Handler) needsTOTP(ctx context.Context, u auth.User, method string) (string, error) {
	if method == auth.MethodOIDC && h.d.SSOCoversTOTP {
		return auth.StageFull, nil
	}
	if u.TOTP {
		return auth.StageTOTP, nil
	}
	switch u.Role {
	case auth.RoleAdmin, auth.RoleApprover, auth.RolePPID:
		req, err := h.d.Org.Requires2FA(ctx, u.UnitID)
		if err != nil {
			return "", err
		}
		if req {
			return auth.StageEnrol, nil
		}
	}
	return auth.StageFull, nil
}

// startSession begins a session for u (a fresh id: no session fixation)
// at the stage its second factor asks for, and sends the browser on.
func (h *Handler) startSession(c *gin.Context, u auth.User, method, next string) {
	ctx := c.Request.Context()
	stage, err := h.needsTOTP(ctx, u, method)
	if err != nil {
		h.fail(c, err)
		return
	}
	if old, err := c.Cookie(sessionCookie); err == nil {
		_ = h.sess.Delete(ctx, old)
	}
	id, _, err := h.sess.Create(ctx, u.ID, stage, method)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.setSessionCookie(c, id, stage)
	h.setCookie(c, preCSRFCookie, "", -1)
	h.log.InfoContext(ctx, "web sign-in", "user_id", u.ID, "role", string(u.Role), "method", method, "stage", stage)
	switch stage {
	case auth.StageFull:
		c.Redirect(http.StatusSeeOther, next)
	case auth.StageTOTP:
		h.setCookie(c, nextCookie, next, 600)
		c.Redirect(http.StatusSeeOther, "/signin/2fa")
	default:
		h.setCookie(c, nextCookie, next, 600)
		c.Redirect(http.StatusSeeOther, "/account/2fa")
	}
}

func (h *Handler) setSessionCookie(c *gin.Context, id, stage string) {
	p := h.sess.Policy()
	age := p.Max
	if stage != auth.StageFull {
		age = p.Pending
	}
	h.setCookie(c, sessionCookie, id, int(age.Seconds()))
}

// promote replaces a half-way session with a full one (a new id), after
// the second factor or enrolment, and answers where to go next.
func (h *Handler) promote(c *gin.Context, s Session) (string, bool) {
	ctx := c.Request.Context()
	if err := h.sess.Delete(ctx, mustCookie(c, sessionCookie)); err != nil {
		h.fail(c, err)
		return "", false
	}
	id, _, err := h.sess.Create(ctx, s.Principal.UserID, auth.StageFull, s.Method)
	if err != nil {
		h.fail(c, err)
		return "", false
	}
	h.setSessionCookie(c, id, auth.StageFull)
	next := startPage(s.Principal.Role)
	if v, err := c.Cookie(nextCookie); err == nil {
		next = localPath(v, next)
	}
	h.setCookie(c, nextCookie, "", -1)
	return next, true
}

func mustCookie(c *gin.Context, name string) string {
	v, _ := c.Cookie(name)
	return v
}

// totpData is the second-factor form.
type totpData struct {
	FieldErr string
}

func (h *Handler) totpPage(c *gin.Context) {
	h.render(c, http.StatusOK, "totp", h.view(c, h.l(c).T("totp.title"), "signin", totpData{}))
}

// totpSubmit checks a TOTP or recovery code; failures count against the
// address and the account like wrong passwords.
func (h *Handler) totpSubmit(c *gin.Context) {
	l := h.l(c)
	s, _ := anySession(c)
	code := strings.TrimSpace(c.PostForm("code"))
	keys := []string{throttleAddr(c), throttle.Account(s.Principal.Name)}
	if h.d.Throttle != nil {
		if wait := h.d.Throttle.Check(keys...); wait > 0 {
			c.Header("Retry-After", strconv.Itoa(throttle.RetryAfter(wait)))
			v := h.view(c, l.T("totp.title"), "signin", totpData{})
			v.Error = l.T("signin.throttled", h.waitWords(c, wait))
			h.render(c, http.StatusTooManyRequests, "totp", v)
			return
		}
	}
	if code == "" {
		h.render(c, http.StatusUnprocessableEntity, "totp", h.view(c, l.T("totp.title"), "signin", totpData{FieldErr: l.T("totp.empty")}))
		return
	}
	recovery, err := h.d.Auth.VerifySecondFactor(c.Request.Context(), s.Principal.UserID, code)
	if errors.Is(err, auth.ErrBadCode) {
		if h.d.Throttle != nil {
			if d := h.d.Throttle.Fail(c.Request.Context(), "web-2fa", keys...); d.Wait > 0 {
				c.Header("Retry-After", strconv.Itoa(throttle.RetryAfter(d.Wait)))
				v := h.view(c, l.T("totp.title"), "signin", totpData{})
				v.Error = l.T("signin.throttled", h.waitWords(c, d.Wait))
				h.render(c, http.StatusTooManyRequests, "totp", v)
				return
			}
		}
		h.render(c, http.StatusUnauthorized, "totp", h.view(c, l.T("totp.title"), "signin", totpData{FieldErr: l.T("totp.bad")}))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	if h.d.Throttle != nil {
		h.d.Throttle.Reset(keys[1])
	}
	next, ok := h.promote(c, s)
	if !ok {
		return
	}
	if recovery {
		next = "/account/2fa?ok=acct.recovery.used"
	}
	c.Redirect(http.StatusSeeOther, next)
}

// signout ends the session (POST with the CSRF token).
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

func throttleAddr(c *gin.Context) string { return throttle.Addr(c.ClientIP()) }
