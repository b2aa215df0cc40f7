package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/valid"
)

// Administration of the admin's own unit and the units below it:
// offices, users and the audit log. Channels have their own pages (the
// "Kanal" tab).

func (h *Handler) adminRoutes(g *gin.RouterGroup) {
	g.GET("", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/admin/units") })
	g.GET("/units", h.unitsPage)
	g.POST("/units", h.unitCreate)
	g.GET("/units/:id", h.unitPage)
	g.POST("/units/:id", h.unitSave)
	g.GET("/users", h.usersPage)
	g.POST("/users", h.userInvite)
	g.GET("/users/:name", h.userPage)
	g.POST("/users/:name", h.userSave)
	g.POST("/users/:name/reset", h.userReset)
	g.POST("/users/:name/disable", h.userDisable)
	g.POST("/users/:name/totp-reset", h.userTOTPReset)
	g.POST("/users/:name/tokens/:id/revoke", h.userTokenRevoke)
	g.GET("/audit", h.auditPage)
	g.GET("/audit.csv", h.auditCSV)
}

func fieldErrs(err error) ([]valid.FieldError, bool) { return valid.Fields(err) }

// userFieldErr maps the account errors a form can fix to its fields.
func userFieldErr(l L, err error) (map[string]string, bool) {
	var pe *auth.PasswordError
	switch {
	case err == nil:
		return nil, false
	case errors.As(err, &pe):
		return map[string]string{"new": l.Pick(pe.MessageID, pe.Message)}, true
	case errors.Is(err, auth.ErrBadName):
		return map[string]string{"username": l.T("adm.user.name.bad")}, true
	case errors.Is(err, auth.ErrUserExists):
		return map[string]string{"username": l.T("adm.user.exists")}, true
	case errors.Is(err, auth.ErrBadEmail):
		return map[string]string{"email": l.T("adm.user.email.bad")}, true
	case errors.Is(err, auth.ErrEmailTaken):
		return map[string]string{"email": l.T("adm.user.email.taken")}, true
	case errors.Is(err, auth.ErrUnknownUnit):
		return map[string]string{"unit": l.T("adm.unit.unknown")}, true
	}
	return nil, false
}

// unitNode is a unit in the admin's tree, with its depth for indenting.
type unitNode struct {
	org.Unit
	Depth     int
	Inherited bool // two-factor required by a unit above
	Top       bool // the admin's own unit
}

// subtree is the admin's unit and those below it, in tree order.
func (h *Handler) subtree(ctx context.Context, p auth.Principal) ([]unitNode, error) {
	units, err := h.d.Org.Units(ctx)
	if err != nil {
		return nil, err
	}
	kids := map[int64][]org.Unit{}
	var top org.Unit
	for _, u := range units {
		kids[u.ParentID] = append(kids[u.ParentID], u)
		if u.ID == p.UnitID {
			top = u
		}
	}
	if top.ID == 0 {
		return nil, org.ErrNotFound
	}
	inherited, err := h.d.Org.Requires2FA(ctx, top.ParentID)
	if err != nil && top.ParentID != 0 {
		return nil, err
	}
	var out []unitNode
	var walk func(u org.Unit, depth int, inh bool)
	walk = func(u org.Unit, depth int, inh bool) {
		out = append(out, unitNode{Unit: u, Depth: depth, Inherited: inh, Top: u.ID == top.ID})
		for _, k := range kids[u.ID] {
			walk(k, depth+1, inh || u.Require2FA)
		}
	}
	walk(top, 0, inherited && top.ParentID != 0)
	return out, nil
}

func unitIDs(ns []unitNode) []int64 {
	ids := make([]int64, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	return ids
}

func findNode(ns []unitNode, id int64) (unitNode, bool) {
	for _, n := range ns {
		if n.ID == id {
			return n, true
		}
	}
	return unitNode{}, false
}

// unitsData is the offices page and the office form.
type unitsData struct {
	Units    []unitNode
	Unit     unitNode // the one edited
	Parents  []unitNode
	Zones    []string
	Form     unitForm
	FieldErr map[string]string
	Open     bool // the create form has errors: show it open
}

type unitForm struct {
	Name, Slug, Level, Timezone, ClassificationBy string
	Parent                                        int64
	Approval, Hourly, Require2FA                  bool
}

func zonesWith(tz string) []string {
	if tz == "" || slices.Contains(indonesianZones, tz) {
		return indonesianZones
	}
	return append(slices.Clone(indonesianZones), tz)
}

func (h *Handler) unitsPage(c *gin.Context) {
	s, _ := session(c)
	h.renderUnits(c, http.StatusOK, unitsData{Form: unitForm{Level: "city", Timezone: "Asia/Jakarta", Approval: true,
		ClassificationBy: org.ClassifiedByEditor, Parent: s.Principal.UnitID}}, "")
}

func (h *Handler) renderUnits(c *gin.Context, status int, d unitsData, pageErr string) {
	s, _ := session(c)
	units, err := h.subtree(c.Request.Context(), s.Principal)
	if err != nil {
		h.fail(c, err)
		return
	}
	d.Units, d.Parents, d.Zones = units, units, zonesWith(d.Form.Timezone)
	v := h.view(c, h.l(c).T("adm.units.title"), "admin", d)
	v.Error = pageErr
	h.render(c, status, "adminunits", v)
}

func readUnitForm(c *gin.Context) unitForm {
	parent, _ := strconv.ParseInt(c.PostForm("parent"), 10, 64)
	return unitForm{Name: strings.TrimSpace(c.PostForm("name")), Slug: strings.TrimSpace(c.PostForm("slug")),
		Level: c.PostForm("level"), Timezone: c.PostForm("timezone"), ClassificationBy: c.PostForm("classification_by"),
		Parent: parent, Approval: c.PostForm("approval") == "1", Hourly: c.PostForm("hourly") == "1",
		Require2FA: c.PostForm("require_2fa") == "1"}
}

func orgFieldErr(l L, err error) (map[string]string, bool) {
	fes, ok := fieldErrs(err)
	if !ok {
		return nil, false
	}
	out := map[string]string{}
	for _, f := range fes {
		k := f.Field
		if k == "parent_id" {
			k = "parent"
		}
		out[k] = l.Pick(f.MessageID, f.Message)
	}
	return out, true
}

// unitCreate adds an office below one of the admin's units.
func (h *Handler) unitCreate(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	ctx := c.Request.Context()
	f := readUnitForm(c)
	if f.Slug == "" {
		f.Slug = Slugify(f.Name)
	}
	units, err := h.subtree(ctx, s.Principal)
	if err != nil {
		h.fail(c, err)
		return
	}
	if _, ok := findNode(units, f.Parent); !ok {
		h.renderUnits(c, http.StatusUnprocessableEntity, unitsData{Form: f, Open: true,
			FieldErr: map[string]string{"parent": l.T("adm.unit.parent.scope")}}, l.T("form.errors"))
		return
	}
	u, err := h.d.Org.CreateUnit(ctx, org.Unit{Name: f.Name, Slug: f.Slug, ParentID: f.Parent, Level: f.Level, Timezone: f.Timezone,
		RequiresApproval: f.Approval, ClassificationBy: f.ClassificationBy, AllowHourly: f.Hourly, Require2FA: f.Require2FA})
	var ce *org.ConflictError
	switch fe, ok := orgFieldErr(l, err); {
	case ok:
		h.renderUnits(c, http.StatusUnprocessableEntity, unitsData{Form: f, Open: true, FieldErr: fe}, l.T("form.errors"))
		return
	case errors.As(err, &ce):
		h.renderUnits(c, http.StatusConflict, unitsData{Form: f, Open: true, FieldErr: map[string]string{"slug": l.T("adm.unit.slug.taken", f.Slug)}}, l.T("form.errors"))
		return
	case err != nil:
		h.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/units?ok=adm.unit.created#unit-"+strconv.FormatInt(u.ID, 10))
}

// editableUnit is the unit in the path, when it is in the admin's tree.
func (h *Handler) editableUnit(c *gin.Context) (unitNode, []unitNode, bool) {
	s, _ := session(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	units, serr := h.subtree(c.Request.Context(), s.Principal)
	if serr != nil {
		h.fail(c, serr)
		return unitNode{}, nil, false
	}
	n, ok := findNode(units, id)
	if err != nil || !ok {
		h.errorPage(c, http.StatusNotFound, h.l(c).T("adm.unit.notyours"))
		return unitNode{}, nil, false
	}
	return n, units, true
}

func (h *Handler) unitPage(c *gin.Context) {
	n, units, ok := h.editableUnit(c)
	if !ok {
		return
	}
	f := unitForm{Name: n.Name, Slug: n.Slug, Level: n.Level, Timezone: n.Timezone, ClassificationBy: n.ClassificationBy,
		Parent: n.ParentID, Approval: n.RequiresApproval, Hourly: n.AllowHourly, Require2FA: n.Require2FA}
	h.renderUnit(c, http.StatusOK, n, units, f, nil, "")
}

func (h *Handler) renderUnit(c *gin.Context, status int, n unitNode, units []unitNode, f unitForm, fe map[string]string, pageErr string) {
	// A unit moves under another unit of the tree, never under itself or
	// a unit below it.
	below := map[int64]bool{}
	for _, u := range units {
		if u.ID == n.ID || below[u.ParentID] {
			below[u.ID] = true
		}
	}
	var parents []unitNode
	for _, u := range units {
		if !below[u.ID] {
			parents = append(parents, u)
		}
	}
	d := unitsData{Units: units, Unit: n, Parents: parents, Zones: zonesWith(f.Timezone), Form: f, FieldErr: fe}
	v := h.view(c, h.l(c).T("adm.unit.edit", n.Name), "admin", d)
	v.Error = pageErr
	h.render(c, status, "adminunit", v)
}

// unitSave renames, moves and sets an office's settings.
func (h *Handler) unitSave(c *gin.Context) {
	l := h.l(c)
	n, units, ok := h.editableUnit(c)
	if !ok {
		return
	}
	f := readUnitForm(c)
	f.Slug, f.Level = n.Slug, n.Level
	p := org.UnitPatch{Name: &f.Name, RequiresApproval: &f.Approval, ClassificationBy: &f.ClassificationBy,
		AllowHourly: &f.Hourly, Timezone: &f.Timezone, Require2FA: &f.Require2FA}
	if n.Top {
		f.Parent = n.ParentID // the admin's own unit stays where it is
	} else {
		if _, ok := findNode(units, f.Parent); !ok {
			h.renderUnit(c, http.StatusUnprocessableEntity, n, units, f, map[string]string{"parent": l.T("adm.unit.parent.scope")}, l.T("form.errors"))
			return
		}
		p.ParentID = &f.Parent
	}
	if f.Require2FA && !h.d.Auth.HasKey() {
		h.renderUnit(c, http.StatusUnprocessableEntity, n, units, f, map[string]string{"require_2fa": l.T("tfa.nokey")}, l.T("form.errors"))
		return
	}
	_, err := h.d.Org.UpdateUnit(c.Request.Context(), n.ID, p)
	if fe, ok := orgFieldErr(l, err); ok {
		h.renderUnit(c, http.StatusUnprocessableEntity, n, units, f, fe, l.T("form.errors"))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/units?ok=adm.unit.saved#unit-"+strconv.FormatInt(n.ID, 10))
}

// usersData is the users page and the user form.
type usersData struct {
	Users    []userRow
	Units    []unitNode
	User     userRow
	Tokens   []auth.APIToken
	Now      time.Time
	Form     userForm
	FieldErr map[string]string
	Open     bool
	// Link is a setup link just made (shown once), and whether it was
	// also sent by e-mail.
	Link     string
	LinkFor  string
	LinkExp  *time.Time
	Sent     bool
	SendErr  bool
	UnitName map[int64]string
	Filter   userFilter
	Self     bool
}

type userRow struct {
	auth.User
	UnitName string
	Status   string // active, invited, disabled
}

type userForm struct {
	Name, Email string
	Role        auth.Role
	Unit        int64
}

type userFilter struct {
	Unit   int64
	Status string
	Q      string
}

func userStatus(u auth.User) string {
	switch {
	case u.DisabledAt != nil:
		return "disabled"
	case !u.HasPassword:
		return "invited"
	}
	return "active"
}

// scopedUsers lists the users of the admin's tree.
func (h *Handler) scopedUsers(ctx context.Context, units []unitNode) ([]userRow, error) {
	all, err := h.d.Auth.Users(ctx)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, u := range units {
		names[u.ID] = u.Name
	}
	var out []userRow
	for _, u := range all {
		if n, ok := names[u.UnitID]; ok {
			out = append(out, userRow{User: u, UnitName: n, Status: userStatus(u)})
		}
	}
	return out, nil
}

func (h *Handler) usersPage(c *gin.Context) {
	s, _ := session(c)
	h.renderUsers(c, http.StatusOK, usersData{Form: userForm{Role: auth.RoleEditor, Unit: s.Principal.UnitID}}, "")
}

func (h *Handler) renderUsers(c *gin.Context, status int, d usersData, pageErr string) {
	s, _ := session(c)
	ctx := c.Request.Context()
	units, err := h.subtree(ctx, s.Principal)
	if err != nil {
		h.fail(c, err)
		return
	}
	users, err := h.scopedUsers(ctx, units)
	if err != nil {
		h.fail(c, err)
		return
	}
	d.Filter = userFilter{Status: c.Query("status"), Q: strings.TrimSpace(c.Query("q"))}
	d.Filter.Unit, _ = strconv.ParseInt(c.Query("unit"), 10, 64)
	q := strings.ToLower(d.Filter.Q)
	for _, u := range users {
		if (d.Filter.Unit == 0 || u.UnitID == d.Filter.Unit) && (d.Filter.Status == "" || u.Status == d.Filter.Status) &&
			(q == "" || strings.Contains(strings.ToLower(u.Name), q) || strings.Contains(strings.ToLower(u.Email), q)) {
			d.Users = append(d.Users, u)
		}
	}
	d.Units = units
	v := h.view(c, h.l(c).T("adm.users.title"), "admin", d)
	v.Error = pageErr
	h.render(c, status, "adminusers", v)
}

// linkURL is the absolute address of a setup link.
func (h *Handler) linkURL(c *gin.Context, l auth.Link) string {
	base := strings.TrimRight(h.d.PublicURL, "/")
	if base == "" {
		scheme := "http"
		if c.Request.TLS != nil || h.d.SecureCookies {
			scheme = "https"
		}
		base = scheme + "://" + c.Request.Host
	}
	return base + l.Path()
}

// sendLink hands the link to the sender, if any; a failure is logged and
// shown (the admin still has the link on the page).
func (h *Handler) sendLink(c *gin.Context, u auth.User, link auth.Link, url string, d *usersData) {
	d.Link, d.LinkFor, d.LinkExp = url, u.Name, link.ExpiresAt
	if h.d.Links == nil || u.Email == "" {
		return
	}
	s, _ := session(c)
	exp := time.Time{}
	if link.ExpiresAt != nil {
		exp = *link.ExpiresAt
	}
	err := h.d.Links.SendSetupLink(c.Request.Context(), auth.LinkMessage{User: u, URL: url, Purpose: link.Purpose, ExpiresAt: exp, By: s.Principal.Name})
	if err != nil {
		h.log.WarnContext(c.Request.Context(), "setup link not sent", "user_id", u.ID, "err", err)
		d.SendErr = true
		return
	}
	d.Sent = true
}

// userInvite adds a user in the admin's tree and shows the setup link once.
func (h *Handler) userInvite(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	ctx := c.Request.Context()
	unit, _ := strconv.ParseInt(c.PostForm("unit"), 10, 64)
	f := userForm{Name: strings.TrimSpace(c.PostForm("username")), Email: strings.TrimSpace(c.PostForm("email")),
		Role: auth.Role(c.PostForm("role")), Unit: unit}
	units, err := h.subtree(ctx, s.Principal)
	if err != nil {
		h.fail(c, err)
		return
	}
	fe := map[string]string{}
	if _, ok := findNode(units, f.Unit); !ok {
		fe["unit"] = l.T("adm.unit.parent.scope")
	}
	if _, err := auth.ParseRole(string(f.Role)); err != nil {
		fe["role"] = l.T("adm.user.role.bad")
	}
	if f.Name == "" {
		fe["username"] = l.T("form.required")
	}
	if len(fe) > 0 {
		h.renderUsers(c, http.StatusUnprocessableEntity, usersData{Form: f, FieldErr: fe, Open: true}, l.T("form.errors"))
		return
	}
	u, link, err := h.d.Auth.Invite(ctx, auth.NewUser{Name: f.Name, Email: f.Email, UnitID: f.Unit, Role: f.Role}, h.d.LinkTTL)
	if fe, ok := userFieldErr(l, err); ok {
		h.renderUsers(c, http.StatusUnprocessableEntity, usersData{Form: f, FieldErr: fe, Open: true}, l.T("form.errors"))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	d := usersData{Form: userForm{Role: f.Role, Unit: f.Unit}}
	h.sendLink(c, u, link, h.linkURL(c, link), &d)
	h.renderUsers(c, http.StatusCreated, d, "")
}

// editableUser is the user in the path, when in the admin's tree.
func (h *Handler) editableUser(c *gin.Context) (userRow, []unitNode, bool) {
	s, _ := session(c)
	ctx := c.Request.Context()
	units, err := h.subtree(ctx, s.Principal)
	if err != nil {
		h.fail(c, err)
		return userRow{}, nil, false
	}
	u, err := h.d.Auth.UserByName(ctx, c.Param("name"))
	n, in := findNode(units, u.UnitID)
	if errors.Is(err, auth.ErrUserNotFound) || (err == nil && !in) {
		h.errorPage(c, http.StatusNotFound, h.l(c).T("adm.user.notyours"))
		return userRow{}, nil, false
	}
	if err != nil {
		h.fail(c, err)
		return userRow{}, nil, false
	}
	return userRow{User: u, UnitName: n.Name, Status: userStatus(u)}, units, true
}

func (h *Handler) userPage(c *gin.Context) {
	u, units, ok := h.editableUser(c)
	if !ok {
		return
	}
	h.renderUser(c, http.StatusOK, u, units, usersData{Form: userForm{Name: u.Name, Email: u.Email, Role: u.Role, Unit: u.UnitID}}, "")
}

func (h *Handler) renderUser(c *gin.Context, status int, u userRow, units []unitNode, d usersData, pageErr string) {
	s, _ := session(c)
	toks, err := h.d.Auth.Tokens(c.Request.Context(), u.ID)
	if err != nil {
		h.fail(c, err)
		return
	}
	d.User, d.Units, d.Tokens, d.Now, d.Self = u, units, toks, h.d.Now(), u.ID == s.Principal.UserID
	v := h.view(c, h.l(c).T("adm.user.edit", u.Name), "admin", d)
	v.Error = pageErr
	h.render(c, status, "adminuser", v)
}

// userSave changes a user's role, unit or e-mail (the last admin keeps
// the admin role).
func (h *Handler) userSave(c *gin.Context) {
	l := h.l(c)
	u, units, ok := h.editableUser(c)
	if !ok {
		return
	}
	unit, _ := strconv.ParseInt(c.PostForm("unit"), 10, 64)
	f := userForm{Name: u.Name, Email: strings.TrimSpace(c.PostForm("email")), Role: auth.Role(c.PostForm("role")), Unit: unit}
	d := usersData{Form: f}
	if _, in := findNode(units, f.Unit); !in {
		d.FieldErr = map[string]string{"unit": l.T("adm.unit.parent.scope")}
		h.renderUser(c, http.StatusUnprocessableEntity, u, units, d, l.T("form.errors"))
		return
	}
	if _, err := auth.ParseRole(string(f.Role)); err != nil {
		d.FieldErr = map[string]string{"role": l.T("adm.user.role.bad")}
		h.renderUser(c, http.StatusUnprocessableEntity, u, units, d, l.T("form.errors"))
		return
	}
	ctx := c.Request.Context()
	if f.Email != u.Email {
		if _, err := h.d.Auth.SetEmail(ctx, u.Name, f.Email); err != nil {
			if fe, ok := userFieldErr(l, err); ok {
				d.FieldErr = fe
				h.renderUser(c, http.StatusUnprocessableEntity, u, units, d, l.T("form.errors"))
				return
			}
			h.fail(c, err)
			return
		}
	}
	if f.Role != u.Role || f.Unit != u.UnitID {
		_, err := h.d.Auth.UpdateUser(ctx, u.Name, auth.UserChange{Role: &f.Role, UnitID: &f.Unit})
		if errors.Is(err, auth.ErrLastAdmin) {
			h.renderUser(c, http.StatusConflict, u, units, d, l.T("adm.lastadmin"))
			return
		}
		if err != nil {
			h.fail(c, err)
			return
		}
	}
	c.Redirect(http.StatusSeeOther, "/admin/users/"+url.PathEscape(u.Name)+"?ok=adm.user.saved")
}

// userReset makes a new setup link (the old password works until it is
// used) and shows it once.
func (h *Handler) userReset(c *gin.Context) {
	u, units, ok := h.editableUser(c)
	if !ok {
		return
	}
	if u.DisabledAt != nil {
		h.renderUser(c, http.StatusConflict, u, units, usersData{Form: userForm{Name: u.Name, Email: u.Email, Role: u.Role, Unit: u.UnitID}}, h.l(c).T("adm.user.isdisabled"))
		return
	}
	_, link, err := h.d.Auth.NewResetLink(c.Request.Context(), u.Name, h.d.LinkTTL)
	if err != nil {
		h.fail(c, err)
		return
	}
	d := usersData{Form: userForm{Name: u.Name, Email: u.Email, Role: u.Role, Unit: u.UnitID}}
	h.sendLink(c, u.User, link, h.linkURL(c, link), &d)
	h.renderUser(c, http.StatusCreated, u, units, d, "")
}

// userDisable disables a user: sessions end, API tokens are revoked.
func (h *Handler) userDisable(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	u, units, ok := h.editableUser(c)
	if !ok {
		return
	}
	d := usersData{Form: userForm{Name: u.Name, Email: u.Email, Role: u.Role, Unit: u.UnitID}}
	if u.ID == s.Principal.UserID {
		h.renderUser(c, http.StatusConflict, u, units, d, l.T("adm.user.self"))
		return
	}
	err := h.d.Auth.Revoke(c.Request.Context(), u.Name)
	if errors.Is(err, auth.ErrLastAdmin) {
		h.renderUser(c, http.StatusConflict, u, units, d, l.T("adm.lastadmin"))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users?ok=adm.user.disabled")
}

// userTOTPReset turns a user's two-factor sign-in off (a lost phone); if
// the unit requires it, they enrol again at their next sign-in.
func (h *Handler) userTOTPReset(c *gin.Context) {
	u, _, ok := h.editableUser(c)
	if !ok {
		return
	}
	if err := h.d.Auth.DisableTOTP(c.Request.Context(), u.ID); err != nil {
		h.fail(c, err)
		return
	}
	if _, err := h.sess.EndAll(c.Request.Context(), u.ID, ""); err != nil {
		h.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users/"+url.PathEscape(u.Name)+"?ok=adm.user.totp.done")
}

func (h *Handler) userTokenRevoke(c *gin.Context) {
	u, _, ok := h.editableUser(c)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err == nil {
		err = h.d.Auth.RevokeToken(c.Request.Context(), u.ID, id)
	}
	if err != nil && (errors.Is(err, auth.ErrTokenNotFound) || id == 0) {
		h.errorPage(c, http.StatusNotFound, h.l(c).T("err.notfound"))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users/"+url.PathEscape(u.Name)+"?ok=adm.token.revoked")
}
