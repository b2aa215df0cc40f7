package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
)

// Setup links: an invited user (or one whose password an admin reset)
// sets a password; an empty installation creates its first office and
// administrator. The token is in the path; pages never load anything from
// elsewhere and send no Referer off the site.

type setupData struct {
	User     auth.User
	Purpose  string
	Expires  *time.Time
	FieldErr map[string]string
	MinLen   int
	PreCSRF  string
	// First run.
	Office, Slug, Level, Timezone, Name, Email string
	Zones                                      []string
}

// Time zones of Indonesia first; any IANA name is accepted.
var indonesianZones = []string{"Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura"}

// linkError answers a link that cannot be used: 410 for used or expired
// links (saying what to do), 404 for unknown ones.
func (h *Handler) linkError(c *gin.Context, err error) {
	l := h.l(c)
	switch {
	case errors.Is(err, auth.ErrLinkExpired):
		h.errorPage(c, http.StatusGone, l.T("setup.expired"))
	case errors.Is(err, auth.ErrLinkUsed):
		h.errorPage(c, http.StatusGone, l.T("setup.used"))
	case errors.Is(err, auth.ErrAlreadySetUp):
		h.errorPage(c, http.StatusGone, l.T("first.done"))
	case errors.Is(err, auth.ErrLinkUnknown):
		h.errorPage(c, http.StatusNotFound, l.T("setup.unknown"))
	default:
		h.fail(c, err)
	}
}

func (h *Handler) setupPage(c *gin.Context) {
	li, err := h.d.Auth.CheckLink(c.Request.Context(), c.Param("token"))
	if err == nil && li.Purpose == auth.PurposeFirstRun {
		err = auth.ErrLinkUnknown
	}
	if err != nil {
		h.linkError(c, err)
		return
	}
	h.renderSetup(c, http.StatusOK, setupData{User: li.User, Purpose: li.Purpose, Expires: li.ExpiresAt}, "")
}

func (h *Handler) renderSetup(c *gin.Context, status int, d setupData, pageErr string) {
	d.MinLen = minLen(h.d.Auth.Policy())
	var ok bool
	if d.PreCSRF, ok = h.setPreCSRF(c); !ok {
		return
	}
	key := "setup.title.invite"
	if d.Purpose == auth.PurposeReset {
		key = "setup.title.reset"
	}
	v := h.view(c, h.l(c).T(key), "signin", d)
	v.Error = pageErr
	h.render(c, status, "setup", v)
}

// setupSave sets the password and sends the user to sign in with it.
func (h *Handler) setupSave(c *gin.Context) {
	l := h.l(c)
	ctx := c.Request.Context()
	tok := c.Param("token")
	li, err := h.d.Auth.CheckLink(ctx, tok)
	if err == nil && li.Purpose == auth.PurposeFirstRun {
		err = auth.ErrLinkUnknown
	}
	if err != nil {
		h.linkError(c, err)
		return
	}
	// The form carries no session: the link itself is the secret, and the
	// double-submit cookie of the page keeps other sites from posting it.
	if pre, err := c.Cookie(preCSRFCookie); err != nil || !validCSRF(pre, c.PostForm(csrfField)) {
		h.errorPage(c, http.StatusForbidden, l.T("err.csrf"))
		return
	}
	d := setupData{User: li.User, Purpose: li.Purpose, Expires: li.ExpiresAt}
	pw, again := c.PostForm("new"), c.PostForm("repeat")
	if pw != again {
		d.FieldErr = map[string]string{"repeat": l.T("pw.mismatch")}
		h.renderSetupForm(c, http.StatusUnprocessableEntity, d)
		return
	}
	u, err := h.d.Auth.UseLink(ctx, tok, pw)
	var pe *auth.PasswordError
	switch {
	case errors.As(err, &pe):
		d.FieldErr = map[string]string{"new": l.Pick(pe.MessageID, pe.Message)}
		h.renderSetupForm(c, http.StatusUnprocessableEntity, d)
		return
	case err != nil:
		h.linkError(c, err)
		return
	}
	h.log.InfoContext(ctx, "password set with a setup link", "user_id", u.ID, "purpose", li.Purpose)
	c.Redirect(http.StatusSeeOther, "/signin?ok=setup.done&user="+url.QueryEscape(u.Name))
}

func (h *Handler) renderSetupForm(c *gin.Context, status int, d setupData) {
	h.renderSetup(c, status, d, h.l(c).T("form.errors"))
}

// setPreCSRF gives a form without a session its double-submit token.
func (h *Handler) setPreCSRF(c *gin.Context) (string, bool) {
	tok, err := randomToken()
	if err != nil {
		h.fail(c, err)
		return "", false
	}
	h.setCookie(c, preCSRFCookie, tok, 3600)
	return tok, true
}

func (h *Handler) firstRunPage(c *gin.Context) {
	if err := h.d.Auth.CheckFirstRunLink(c.Request.Context(), c.Param("token")); err != nil {
		h.linkError(c, err)
		return
	}
	h.renderFirstRun(c, http.StatusOK, setupData{Purpose: auth.PurposeFirstRun, Level: "national", Timezone: "Asia/Jakarta"}, "")
}

func (h *Handler) renderFirstRun(c *gin.Context, status int, d setupData, pageErr string) {
	d.MinLen = minLen(h.d.Auth.Policy())
	d.Zones = indonesianZones
	var ok bool
	if d.PreCSRF, ok = h.setPreCSRF(c); !ok {
		return
	}
	v := h.view(c, h.l(c).T("first.title"), "signin", d)
	v.Error = pageErr
	h.render(c, status, "firstrun", v)
}

// firstRunSave creates the first office and its administrator, then
// sends the browser to sign in.
func (h *Handler) firstRunSave(c *gin.Context) {
	l := h.l(c)
	ctx := c.Request.Context()
	tok := c.Param("token")
	if err := h.d.Auth.CheckFirstRunLink(ctx, tok); err != nil {
		h.linkError(c, err)
		return
	}
	if pre, err := c.Cookie(preCSRFCookie); err != nil || !validCSRF(pre, c.PostForm(csrfField)) {
		h.errorPage(c, http.StatusForbidden, l.T("err.csrf"))
		return
	}
	d := setupData{Purpose: auth.PurposeFirstRun, Office: strings.TrimSpace(c.PostForm("office")), Slug: strings.TrimSpace(c.PostForm("slug")),
		Level: c.PostForm("level"), Timezone: c.PostForm("timezone"), Name: strings.TrimSpace(c.PostForm("username")),
		Email: strings.TrimSpace(c.PostForm("email"))}
	if d.Slug == "" {
		d.Slug = Slugify(d.Office)
	}
	fe := map[string]string{}
	pw := c.PostForm("new")
	if pw != c.PostForm("repeat") {
		fe["repeat"] = l.T("pw.mismatch")
	}
	if err := h.d.Auth.Policy().Check(pw, d.Name, d.Email); err != nil {
		var pe *auth.PasswordError
		if errors.As(err, &pe) {
			fe["new"] = l.Pick(pe.MessageID, pe.Message)
		}
	}
	if d.Name == "" {
		fe["username"] = l.T("form.required")
	}
	if len(fe) > 0 {
		d.FieldErr = fe
		h.renderFirstRun(c, http.StatusUnprocessableEntity, d, l.T("form.errors"))
		return
	}
	// The office: a new one, or the one a half-finished earlier attempt
	// made (no user exists yet, so nobody else made it).
	unit, err := h.d.Org.UnitBySlug(ctx, d.Slug)
	if errors.Is(err, org.ErrNotFound) {
		unit, err = h.d.Org.CreateUnit(auth.WithPrincipal(ctx, auth.Principal{Name: d.Name}), org.Unit{Name: d.Office, Slug: d.Slug,
			Level: d.Level, Timezone: d.Timezone, RequiresApproval: true})
	}
	if fes, ok := fieldErrs(err); ok {
		d.FieldErr = map[string]string{}
		for _, f := range fes {
			key := map[string]string{"name": "office", "slug": "slug", "level": "level", "timezone": "timezone"}[f.Field]
			if key == "" {
				key = "office"
			}
			d.FieldErr[key] = l.Pick(f.MessageID, f.Message)
		}
		h.renderFirstRun(c, http.StatusUnprocessableEntity, d, l.T("form.errors"))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	u, err := h.d.Auth.CompleteFirstRun(ctx, tok, auth.NewUser{Name: d.Name, Email: d.Email, UnitID: unit.ID}, pw)
	if fe, ok := userFieldErr(l, err); ok {
		d.FieldErr = fe
		h.renderFirstRun(c, http.StatusUnprocessableEntity, d, l.T("form.errors"))
		return
	}
	if err != nil {
		h.linkError(c, err)
		return
	}
	h.log.InfoContext(ctx, "first run: office and administrator created", "unit_id", unit.ID, "user_id", u.ID)
	c.Redirect(http.StatusSeeOther, "/signin?ok=setup.done&user="+url.QueryEscape(u.Name))
}

// Slugify makes a unit slug from a name: "KPU Kota Salatiga" → kpu-kota-salatiga.
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if len(out) > org.MaxSlugLen {
		out = strings.TrimSuffix(out[:org.MaxSlugLen], "-")
	}
	return out
}
