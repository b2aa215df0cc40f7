package web

import (
	"bytes"
	"encoding/base64"
	"errors"
	"html/template"
	"image/png"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
)

// The user's own account: password, two-factor sign-in, API tokens,
// sessions.

func (h *Handler) accountRoutes(in *gin.RouterGroup) {
	in.GET("/account", h.accountPage)
	in.POST("/account/password", h.changePassword)
	in.POST("/account/signout-all", h.signoutAll)
	in.POST("/account/2fa/disable", h.totpDisable)
	in.POST("/account/2fa/recovery", h.totpRecovery)
	in.GET("/account/tokens", h.tokensPage)
	in.POST("/account/tokens", h.tokenCreate)
	in.POST("/account/tokens/:id/revoke", h.tokenRevoke)
}

type accountData struct {
	User     auth.User
	Unit     org.Unit
	Sessions int
	Method   string
	Required bool
	FieldErr map[string]string
	MinLen   int
}

func (h *Handler) accountData(c *gin.Context) (accountData, error) {
	s, _ := session(c)
	ctx := c.Request.Context()
	u, err := h.d.Auth.UserByID(ctx, s.Principal.UserID)
	if err != nil {
		return accountData{}, err
	}
	unit, err := h.d.Org.Unit(ctx, u.UnitID)
	if err != nil {
		return accountData{}, err
	}
	n, err := h.sess.Count(ctx, u.ID)
	if err != nil {
		return accountData{}, err
	}
	stage, err := h.needsTOTP(ctx, auth.User{Role: u.Role, UnitID: u.UnitID}, auth.MethodPassword)
	if err != nil {
		return accountData{}, err
	}
	return accountData{User: u, Unit: unit, Sessions: n, Method: s.Method, Required: stage == auth.StageEnrol,
		MinLen: minLen(h.d.Auth.Policy())}, nil
}

func minLen(p auth.PasswordPolicy) int {
	if p.MinLen > 0 {
		return p.MinLen
	}
	return auth.MinPasswordLen
}

func (h *Handler) accountPage(c *gin.Context) {
	h.renderAccount(c, http.StatusOK, nil, "")
}

func (h *Handler) renderAccount(c *gin.Context, status int, fe map[string]string, pageErr string) {
	d, err := h.accountData(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	d.FieldErr = fe
	v := h.view(c, h.l(c).T("acct.title"), "account", d)
	v.Error = pageErr
	h.render(c, status, "account", v)
}

// changePassword checks the current password, applies the policy, and
// ends the user's other sessions (this one stays, with a new id).
func (h *Handler) changePassword(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	cur, next, again := c.PostForm("current"), c.PostForm("new"), c.PostForm("repeat")
	fe := map[string]string{}
	if cur == "" {
		fe["current"] = l.T("form.required")
	}
	if next == "" {
		fe["new"] = l.T("form.required")
	} else if next != again {
		fe["repeat"] = l.T("pw.mismatch")
	}
	if len(fe) > 0 {
		h.renderAccount(c, http.StatusUnprocessableEntity, fe, l.T("form.errors"))
		return
	}
	err := h.d.Auth.ChangePassword(c.Request.Context(), s.Principal.UserID, cur, next, s.IDHash)
	var pe *auth.PasswordError
	switch {
	case errors.Is(err, auth.ErrBadCredentials):
		h.renderAccount(c, http.StatusUnprocessableEntity, map[string]string{"current": l.T("pw.current.bad")}, l.T("form.errors"))
		return
	case errors.As(err, &pe):
		h.renderAccount(c, http.StatusUnprocessableEntity, map[string]string{"new": l.Pick(pe.MessageID, pe.Message)}, l.T("form.errors"))
		return
	case err != nil:
		h.fail(c, err)
		return
	}
	// A fresh id for this browser too.
	if _, ok := h.promote(c, s); !ok {
		return
	}
	h.setCookie(c, nextCookie, "", -1)
	c.Redirect(http.StatusSeeOther, "/account?ok=acct.pw.changed")
}

// signoutAll ends every session of the user, this one included.
func (h *Handler) signoutAll(c *gin.Context) {
	s, _ := session(c)
	if _, err := h.sess.EndAll(c.Request.Context(), s.Principal.UserID, ""); err != nil {
		h.fail(c, err)
		return
	}
	h.setCookie(c, sessionCookie, "", -1)
	c.Redirect(http.StatusSeeOther, "/signin?out=1")
}

// totpSetupData is the two-factor page.
type totpSetupData struct {
	User     auth.User
	Enrol    bool         // half-way: must enrol before going on
	Required bool         // the unit requires it of this role
	QR       template.URL // data: URL of the QR code (made here), while enrolling
	Secret   string
	Codes    []string // recovery codes, shown once
	Left     int
	FieldErr map[string]string
	NoKey    bool
	Next     string
}

func (h *Handler) totpData(c *gin.Context) (totpSetupData, error) {
	s, _ := anySession(c)
	ctx := c.Request.Context()
	u, err := h.d.Auth.UserByID(ctx, s.Principal.UserID)
	if err != nil {
		return totpSetupData{}, err
	}
	stage, err := h.needsTOTP(ctx, auth.User{Role: u.Role, UnitID: u.UnitID}, auth.MethodPassword)
	if err != nil {
		return totpSetupData{}, err
	}
	d := totpSetupData{User: u, Enrol: s.Stage == auth.StageEnrol, Required: stage == auth.StageEnrol, NoKey: !h.d.Auth.HasKey()}
	if u.TOTP {
		if d.Left, err = h.d.Auth.RecoveryCodesLeft(ctx, u.ID); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (h *Handler) renderTOTP(c *gin.Context, status int, d totpSetupData, pageErr string) {
	nav := "account"
	if d.Enrol {
		nav = "signin"
	}
	v := h.view(c, h.l(c).T("tfa.title"), nav, d)
	v.Error = pageErr
	h.render(c, status, "twofactor", v)
}

func (h *Handler) totpSetupPage(c *gin.Context) {
	d, err := h.totpData(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.renderTOTP(c, http.StatusOK, d, "")
}

// totpStart makes a secret and shows its QR code.
func (h *Handler) totpStart(c *gin.Context) {
	d, err := h.totpData(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	en, err := h.d.Auth.StartTOTP(c.Request.Context(), d.User.ID)
	switch {
	case errors.Is(err, auth.ErrNoKey):
		h.renderTOTP(c, http.StatusServiceUnavailable, d, h.l(c).T("tfa.nokey"))
		return
	case errors.Is(err, auth.ErrTOTPOn):
		c.Redirect(http.StatusSeeOther, "/account/2fa")
		return
	case err != nil:
		h.fail(c, err)
		return
	}
	if err := h.withQR(&d, en); err != nil {
		h.fail(c, err)
		return
	}
	h.renderTOTP(c, http.StatusOK, d, "")
}

func (h *Handler) withQR(d *totpSetupData, en auth.Enrolment) error {
	img, err := en.Key.Image(220, 220)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return err
	}
	// A PNG made here, not text from anyone: safe as a data: URL.
	d.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes()))
	d.Secret = groupSecret(en.Secret)
	return nil
}

// groupSecret writes a base32 secret in groups of four for typing.
func groupSecret(s string) string {
	var parts []string
	for len(s) > 4 {
		parts = append(parts, s[:4])
		s = s[4:]
	}
	return strings.Join(append(parts, s), " ")
}

// totpConfirm turns two-factor sign-in on with the first code and shows
// the recovery codes once; a half-way session becomes a full one.
func (h *Handler) totpConfirm(c *gin.Context) {
	l := h.l(c)
	d, err := h.totpData(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	codes, err := h.d.Auth.ConfirmTOTP(c.Request.Context(), d.User.ID, c.PostForm("code"))
	if errors.Is(err, auth.ErrBadCode) {
		en, perr := h.d.Auth.PendingTOTP(c.Request.Context(), d.User.ID)
		if perr != nil { // nothing pending: start again
			c.Redirect(http.StatusSeeOther, "/account/2fa")
			return
		}
		if err := h.withQR(&d, en); err != nil {
			h.fail(c, err)
			return
		}
		d.FieldErr = map[string]string{"code": l.T("totp.bad")}
		h.renderTOTP(c, http.StatusUnprocessableEntity, d, l.T("form.errors"))
		return
	}
	if err != nil && !errors.Is(err, auth.ErrTOTPOn) {
		h.fail(c, err)
		return
	}
	d.User.TOTP, d.Codes, d.Left = true, codes, len(codes)
	if s, _ := anySession(c); s.Stage != auth.StageFull {
		next, ok := h.promote(c, s)
		if !ok {
			return
		}
		d.Enrol, d.Next = false, next
	}
	h.renderTOTP(c, http.StatusOK, d, "")
}

// totpDisable turns two-factor sign-in off after the password, unless the
// unit requires it.
func (h *Handler) totpDisable(c *gin.Context) {
	l := h.l(c)
	d, err := h.totpData(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	if d.Required {
		h.renderTOTP(c, http.StatusForbidden, d, l.T("tfa.required.off"))
		return
	}
	if _, err := h.d.Auth.VerifyPassword(c.Request.Context(), d.User.Name, c.PostForm("password")); err != nil {
		d.FieldErr = map[string]string{"password": l.T("pw.current.bad")}
		h.renderTOTP(c, http.StatusUnprocessableEntity, d, l.T("form.errors"))
		return
	}
	if err := h.d.Auth.DisableTOTP(c.Request.Context(), d.User.ID); err != nil {
		h.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/account/2fa?ok=acct.totp.off")
}

// totpRecovery replaces the recovery codes (after the password).
func (h *Handler) totpRecovery(c *gin.Context) {
	l := h.l(c)
	d, err := h.totpData(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	if _, err := h.d.Auth.VerifyPassword(c.Request.Context(), d.User.Name, c.PostForm("password")); err != nil {
		d.FieldErr = map[string]string{"password": l.T("pw.current.bad")}
		h.renderTOTP(c, http.StatusUnprocessableEntity, d, l.T("form.errors"))
		return
	}
	codes, err := h.d.Auth.NewRecoveryCodes(c.Request.Context(), d.User.ID)
	if err != nil {
		h.fail(c, err)
		return
	}
	d.Codes, d.Left = codes, len(codes)
	h.renderTOTP(c, http.StatusOK, d, "")
}

// tokensData is the API tokens page.
type tokensData struct {
	Tokens   []auth.APIToken
	Now      time.Time
	New      string // the token just made, shown once
	NewName  string
	FieldErr map[string]string
	Days     []int
}

var tokenDays = []int{30, 90, 180, 365}

func (h *Handler) renderTokens(c *gin.Context, status int, d tokensData, pageErr string) {
	s, _ := session(c)
	list, err := h.d.Auth.Tokens(c.Request.Context(), s.Principal.UserID)
	if err != nil {
		h.fail(c, err)
		return
	}
	d.Tokens, d.Now, d.Days = list, h.d.Now(), tokenDays
	v := h.view(c, h.l(c).T("tok.title"), "account", d)
	v.Error = pageErr
	h.render(c, status, "tokens", v)
}

func (h *Handler) tokensPage(c *gin.Context) { h.renderTokens(c, http.StatusOK, tokensData{}, "") }

// tokenCreate makes a token for the signed-in user and shows it once.
func (h *Handler) tokenCreate(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	name := strings.TrimSpace(c.PostForm("name"))
	days, err := strconv.Atoi(c.PostForm("days"))
	fe := map[string]string{}
	if name == "" || len([]rune(name)) > 64 {
		fe["name"] = l.T("tok.name.bad")
	}
	valid := false
	for _, d := range tokenDays {
		valid = valid || (err == nil && d == days)
	}
	if !valid {
		fe["days"] = l.T("tok.days.bad")
	}
	if len(fe) > 0 {
		h.renderTokens(c, http.StatusUnprocessableEntity, tokensData{FieldErr: fe, NewName: name}, l.T("form.errors"))
		return
	}
	t, tok, err := h.d.Auth.CreateToken(c.Request.Context(), s.Principal.UserID, name, h.d.Now().Add(time.Duration(days)*24*time.Hour))
	if err != nil {
		h.fail(c, err)
		return
	}
	h.renderTokens(c, http.StatusCreated, tokensData{New: tok, NewName: t.Name}, "")
}

func (h *Handler) tokenRevoke(c *gin.Context) {
	s, _ := session(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		h.errorPage(c, http.StatusNotFound, h.l(c).T("err.notfound"))
		return
	}
	err = h.d.Auth.RevokeToken(c.Request.Context(), s.Principal.UserID, id)
	if errors.Is(err, auth.ErrTokenNotFound) {
		h.errorPage(c, http.StatusNotFound, h.l(c).T("err.notfound"))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/account/tokens?ok=acct.token.revoked")
}
