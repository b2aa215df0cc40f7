package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/org"
)

// letterheadData is the letterhead form of one unit.
type letterheadData struct {
	Unit     org.Unit
	Units    []org.Unit
	L        org.Letterhead
	LogoURL  string
	FieldErr map[string]string
	MaxKiB   int
}

// letterheadUnit is the unit the page is about: ?unit= (one the admin
// sees) or the admin's own.
func (h *Handler) letterheadUnit(c *gin.Context, raw string) (org.Unit, bool) {
	s, _ := session(c)
	id := parseID(raw)
	if id == 0 {
		id = s.Principal.UnitID
	}
	if _, err := h.d.Scope.ScopeUnit(c.Request.Context(), s.Principal, id); err != nil {
		h.scopeError(c, err)
		return org.Unit{}, false
	}
	u, err := h.d.Org.Unit(c.Request.Context(), id)
	if errors.Is(err, org.ErrNotFound) {
		h.errorPage(c, http.StatusNotFound, h.l(c).T("err.notfound"))
		return org.Unit{}, false
	}
	if err != nil {
		h.fail(c, err)
		return org.Unit{}, false
	}
	return u, true
}

func (h *Handler) letterheadPage(c *gin.Context) {
	u, ok := h.letterheadUnit(c, c.Query("unit"))
	if !ok {
		return
	}
	lh, err := h.d.Org.Letterhead(c.Request.Context(), u.ID)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.renderLetterhead(c, http.StatusOK, u, lh, map[string]string{})
}

func (h *Handler) renderLetterhead(c *gin.Context, status int, u org.Unit, lh org.Letterhead, fieldErr map[string]string) {
	l := h.l(c)
	s, _ := session(c)
	units, err := h.d.Scope.VisibleUnits(c.Request.Context(), s.Principal)
	if err != nil {
		h.fail(c, err)
		return
	}
	d := letterheadData{Unit: u, Units: units, L: lh, FieldErr: fieldErr, MaxKiB: org.MaxLogoBytes / 1024}
	if lh.LogoType != "" {
		d.LogoURL = "/units/" + strconv.FormatInt(u.ID, 10) + "/logo?v=" + lh.LogoSHA256[:12]
	}
	v := h.view(c, l.T("lh.title", u.Name), "letterhead", d)
	if len(fieldErr) > 0 {
		v.Error = l.T("form.errors")
	}
	h.render(c, status, "letterhead", v)
}

// letterheadSave stores the form: the text, and the logo when a file is
// chosen (checked for type and size by its content).
func (h *Handler) letterheadSave(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	ctx := c.Request.Context()
	u, ok := h.letterheadUnit(c, c.PostForm("unit"))
	if !ok {
		return
	}
	in := org.Letterhead{Address: c.PostForm("address"), Contact: c.PostForm("contact"), City: c.PostForm("city"),
		HeadTitle: c.PostForm("head_title"), HeadName: c.PostForm("head_name"), HeadID: c.PostForm("head_id")}
	fieldErr := map[string]string{}
	show := func(err error) bool {
		var ve org.ValidationError
		if !errors.As(err, &ve) {
			return false
		}
		for _, e := range ve {
			fieldErr[e.Field] = l.Pick(e.MessageID, e.Message)
		}
		return true
	}
	lh, err := h.d.Org.SetLetterhead(ctx, u.ID, in, s.Principal.UserID)
	if err != nil && !show(err) {
		h.fail(c, err)
		return
	}
	if fh, ferr := c.FormFile("logo"); ferr == nil && fh.Size > 0 && len(fieldErr) == 0 {
		f, err := fh.Open()
		if err != nil {
			h.fail(c, err)
			return
		}
		data, err := io.ReadAll(io.LimitReader(f, org.MaxLogoBytes+1))
		f.Close()
		if err != nil {
			h.fail(c, err)
			return
		}
		if _, err := h.d.Org.SetLogo(ctx, u.ID, data, s.Principal.UserID); err != nil && !show(err) {
			h.fail(c, err)
			return
		}
	}
	if len(fieldErr) > 0 {
		cur, err := h.d.Org.Letterhead(ctx, u.ID)
		if err != nil {
			h.fail(c, err)
			return
		}
		if lh.UnitID == 0 { // the text was refused: show what was typed
			cur.Address, cur.Contact, cur.City, cur.HeadTitle, cur.HeadName, cur.HeadID = in.Address, in.Contact, in.City,
				in.HeadTitle, in.HeadName, in.HeadID
		}
		h.renderLetterhead(c, http.StatusUnprocessableEntity, u, cur, fieldErr)
		return
	}
	c.Redirect(http.StatusSeeOther, "/settings/letterhead?unit="+strconv.FormatInt(u.ID, 10)+"&ok=lh.saved")
}

// unitLogo serves a unit's logo to a user who may see the unit.
func (h *Handler) unitLogo(c *gin.Context) {
	s, _ := session(c)
	id := parseID(c.Param("id"))
	if _, err := h.d.Scope.ScopeUnit(c.Request.Context(), s.Principal, id); err != nil || id == 0 {
		h.errorPage(c, http.StatusNotFound, h.l(c).T("err.notfound"))
		return
	}
	b, typ, err := h.d.Org.Logo(c.Request.Context(), id)
	if errors.Is(err, org.ErrNotFound) {
		h.errorPage(c, http.StatusNotFound, h.l(c).T("err.notfound"))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, max-age=300")
	c.Header("Content-Security-Policy", "default-src 'none'")
	c.Data(http.StatusOK, "image/"+typ, b)
}
