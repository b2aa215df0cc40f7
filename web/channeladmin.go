package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/connect"
	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/valid"
)

// Channel administration (the admin's unit and the units below it):
// connect Pages and Instagram accounts with Facebook Login or a pasted
// system-user token, rename, move to another office, disconnect (history
// kept), and check a token now. Every row says its token's health and what
// to do about it.

// fbCookie carries the Facebook Login flow id to the callback only.
const (
	fbCookie     = "humas_fb_login"
	fbCookiePath = "/admin/channels/facebook"
)

func (h *Handler) channelAdminRoutes(g *gin.RouterGroup) {
	g.GET("/channels", h.channelsAdminPage)
	g.GET("/channels/facebook", h.fbStart)
	g.GET("/channels/facebook/callback", h.fbCallback)
	g.POST("/channels/system-user", h.systemUserToken)
	g.GET("/channels/connect/:offer", h.pickPage)
	g.POST("/channels/connect/:offer", h.pickSave)
	g.POST("/channels/:id/rename", h.channelRename)
	g.POST("/channels/:id/move", h.channelMove)
	g.POST("/channels/:id/disconnect", h.channelDisconnect)
	g.POST("/channels/:id/check", h.channelCheck)
}

// adminChannelRow is one channel with its health.
type adminChannelRow struct {
	Ch       org.Channel
	UnitName string
	Health   org.Health
}

type adminChannelsData struct {
	Rows  []adminChannelRow
	Units []unitNode
	// Connect is false when humas has no Meta app (or no connect
	// service): the page says what to configure.
	Connect  bool
	Redirect string
	Scopes   []string
	FieldErr map[string]string
	// OpenToken opens the system-user form (it has an error).
	OpenToken bool
	// Results are what a connection just did.
	Results []connectResult
}

type connectResult struct {
	connect.Result
	UnitName string
}

// scopeUnits is the admin's subtree and the ids in it.
func (h *Handler) scopeUnits(c *gin.Context) ([]unitNode, map[int64]string, bool) {
	s, _ := session(c)
	units, err := h.subtree(c.Request.Context(), s.Principal)
	if err != nil {
		h.fail(c, err)
		return nil, nil, false
	}
	names := map[int64]string{}
	for _, u := range units {
		names[u.ID] = u.Name
	}
	return units, names, true
}

func (h *Handler) channelsAdminPage(c *gin.Context) {
	h.renderChannelsAdmin(c, http.StatusOK, adminChannelsData{}, "")
}

func (h *Handler) renderChannelsAdmin(c *gin.Context, status int, d adminChannelsData, pageErr string) {
	units, names, ok := h.scopeUnits(c)
	if !ok {
		return
	}
	chans, err := h.d.Org.Channels(c.Request.Context())
	if err != nil {
		h.fail(c, err)
		return
	}
	now := h.d.Now()
	for _, ch := range chans {
		if name, in := names[ch.UnitID]; in {
			d.Rows = append(d.Rows, adminChannelRow{Ch: ch, UnitName: name, Health: ch.Health(now)})
		}
	}
	for i := range d.Results {
		d.Results[i].UnitName = names[d.Results[i].Channel.UnitID]
	}
	d.Units = units
	d.Connect = h.d.Connect != nil && h.d.Connect.Ready()
	d.Scopes = meta.LoginScopes()
	if h.d.Connect != nil {
		d.Redirect = h.d.Connect.RedirectURL()
	}
	v := h.view(c, h.l(c).T("adm.ch.title"), "admin", d)
	v.Error = pageErr
	h.render(c, status, "adminchannels", v)
}

// adminChannel is the channel in the path, when it is in the admin's tree.
func (h *Handler) adminChannel(c *gin.Context) (org.Channel, []unitNode, bool) {
	units, names, ok := h.scopeUnits(c)
	if !ok {
		return org.Channel{}, nil, false
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		h.errorPage(c, http.StatusNotFound, h.l(c).T("adm.ch.notyours"))
		return org.Channel{}, nil, false
	}
	ch, err := h.d.Org.Channel(c.Request.Context(), id)
	if err != nil && !errors.Is(err, org.ErrNotFound) {
		h.fail(c, err)
		return org.Channel{}, nil, false
	}
	if _, in := names[ch.UnitID]; err != nil || !in {
		h.errorPage(c, http.StatusNotFound, h.l(c).T("adm.ch.notyours"))
		return org.Channel{}, nil, false
	}
	return ch, units, true
}

func channelAnchor(id int64) string { return "#channel-" + strconv.FormatInt(id, 10) }

func (h *Handler) channelRename(c *gin.Context) {
	ch, _, ok := h.adminChannel(c)
	if !ok {
		return
	}
	name := strings.TrimSpace(c.PostForm("name"))
	_, err := h.d.Org.UpdateChannel(c.Request.Context(), ch.ID, org.ChannelPatch{Name: &name})
	if fe, ok := valid.Fields(err); ok && len(fe) > 0 {
		h.renderChannelsAdmin(c, http.StatusUnprocessableEntity, adminChannelsData{},
			h.l(c).T("adm.ch.rename.bad", ch.Name, h.l(c).Pick(fe[0].MessageID, fe[0].Message)))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, ChannelsAdminPath+"?ok=adm.ch.renamed"+channelAnchor(ch.ID))
}

func (h *Handler) channelMove(c *gin.Context) {
	ch, units, ok := h.adminChannel(c)
	if !ok {
		return
	}
	unit, _ := strconv.ParseInt(c.PostForm("unit"), 10, 64)
	if _, in := findNode(units, unit); !in {
		h.renderChannelsAdmin(c, http.StatusUnprocessableEntity, adminChannelsData{}, h.l(c).T("adm.ch.move.bad", ch.Name))
		return
	}
	if _, err := h.d.Org.UpdateChannel(c.Request.Context(), ch.ID, org.ChannelPatch{UnitID: &unit}); err != nil {
		h.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, ChannelsAdminPath+"?ok=adm.ch.moved"+channelAnchor(ch.ID))
}

// channelDisconnect disconnects a channel: its token is forgotten and it
// stops publishing and collecting; its posts, deliveries and reports stay.
func (h *Handler) channelDisconnect(c *gin.Context) {
	ch, _, ok := h.adminChannel(c)
	if !ok {
		return
	}
	if err := h.d.Org.DeleteChannel(c.Request.Context(), ch.ID); err != nil {
		h.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, ChannelsAdminPath+"?ok=adm.ch.disconnected")
}

// channelCheck runs the token check of one channel now.
func (h *Handler) channelCheck(c *gin.Context) {
	ch, _, ok := h.adminChannel(c)
	if !ok {
		return
	}
	if h.d.Checks == nil {
		h.errorPage(c, http.StatusServiceUnavailable, h.l(c).T("err.unavailable", "Graph API"))
		return
	}
	if _, err := h.d.Checks.Check(c.Request.Context(), ch.ID); err != nil {
		h.log.WarnContext(c.Request.Context(), "token check now failed", "channel_id", ch.ID, "err", err)
		h.renderChannelsAdmin(c, http.StatusBadGateway, adminChannelsData{}, h.l(c).T("adm.ch.check.failed", ch.Name, err.Error()))
		return
	}
	back := ChannelsAdminPath
	if c.PostForm("back") == "health" {
		back = "/channels" // "periksa sekarang" on the channel health page
	}
	c.Redirect(http.StatusSeeOther, back+"?ok=adm.ch.checked"+channelAnchor(ch.ID))
}

// fbStart sends the admin's browser to Facebook Login, the flow bound to
// this browser by a cookie and to the admin on the server.
func (h *Handler) fbStart(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	if h.d.Connect == nil || !h.d.Connect.Ready() {
		h.renderChannelsAdmin(c, http.StatusServiceUnavailable, adminChannelsData{}, l.T("adm.ch.noapp"))
		return
	}
	flow, dialog, err := h.d.Connect.Begin(s.Principal.UserID, c.Query("rerequest") == "1")
	if err != nil {
		h.fail(c, err)
		return
	}
	// Lax: Facebook sends the browser back with a top-level GET.
	http.SetCookie(c.Writer, &http.Cookie{Name: fbCookie, Value: flow, Path: fbCookiePath, MaxAge: 600, HttpOnly: true,
		Secure: h.d.SecureCookies, SameSite: http.SameSiteLaxMode})
	c.Redirect(http.StatusSeeOther, dialog)
}

// fbCallback finishes Facebook Login and shows the Pages found.
func (h *Handler) fbCallback(c *gin.Context) {
	l := h.l(c)
	ctx := c.Request.Context()
	s, _ := session(c)
	if h.d.Connect == nil {
		h.errorPage(c, http.StatusNotFound, l.T("adm.ch.noapp"))
		return
	}
	flow, _ := c.Cookie(fbCookie)
	http.SetCookie(c.Writer, &http.Cookie{Name: fbCookie, Value: "", Path: fbCookiePath, MaxAge: -1, HttpOnly: true,
		Secure: h.d.SecureCookies, SameSite: http.SameSiteLaxMode})
	id, _, err := h.d.Connect.Finish(ctx, flow, s.Principal.UserID, c.Query("state"), c.Query("code"), c.Query("error"))
	var me *connect.MetaError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, ChannelsAdminPath+"/connect/"+url.PathEscape(id))
	case errors.Is(err, connect.ErrNoFlow):
		h.renderChannelsAdmin(c, http.StatusBadRequest, adminChannelsData{}, l.T("adm.ch.fb.noflow"))
	case errors.Is(err, connect.ErrState), errors.Is(err, connect.ErrOtherUser):
		h.log.WarnContext(ctx, "facebook login answer refused", "err", err, "user_id", s.Principal.UserID, "remote", c.ClientIP())
		h.renderChannelsAdmin(c, http.StatusBadRequest, adminChannelsData{}, l.T("adm.ch.fb.state"))
	case errors.Is(err, connect.ErrDenied):
		h.renderChannelsAdmin(c, http.StatusOK, adminChannelsData{}, l.T("adm.ch.fb.denied"))
	case errors.As(err, &me):
		h.log.WarnContext(ctx, "facebook login refused by meta", "step", me.Step, "err", me.Err)
		h.renderChannelsAdmin(c, http.StatusBadGateway, adminChannelsData{}, l.T("adm.ch.fb.meta", me.Err.Error()))
	default:
		h.fail(c, err)
	}
}

// systemUserToken checks a pasted system-user token and shows its Pages.
func (h *Handler) systemUserToken(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	if h.d.Connect == nil || !h.d.Connect.Ready() {
		h.renderChannelsAdmin(c, http.StatusServiceUnavailable, adminChannelsData{}, l.T("adm.ch.noapp"))
		return
	}
	id, _, err := h.d.Connect.FromSystemUser(c.Request.Context(), s.Principal.UserID, c.PostForm("token"))
	var me *connect.MetaError
	if fe, ok := valid.Fields(err); ok && len(fe) > 0 {
		h.renderChannelsAdmin(c, http.StatusUnprocessableEntity, adminChannelsData{OpenToken: true,
			FieldErr: map[string]string{"token": l.Pick(fe[0].MessageID, fe[0].Message)}}, l.T("form.errors"))
		return
	}
	if errors.As(err, &me) {
		h.renderChannelsAdmin(c, http.StatusBadGateway, adminChannelsData{OpenToken: true}, l.T("adm.ch.fb.meta", me.Err.Error()))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, ChannelsAdminPath+"/connect/"+url.PathEscape(id))
}

type pickData struct {
	Offer   *connect.Offer
	OfferID string
	Units   []unitNode
	Home    int64 // the admin's own unit: the default office
	Names   map[int64]string
}

func (h *Handler) offer(c *gin.Context) (*connect.Offer, bool) {
	s, _ := session(c)
	if h.d.Connect == nil {
		h.errorPage(c, http.StatusNotFound, h.l(c).T("adm.ch.noapp"))
		return nil, false
	}
	o, err := h.d.Connect.Offer(c.Param("offer"), s.Principal.UserID)
	if errors.Is(err, connect.ErrNoOffer) {
		h.renderChannelsAdmin(c, http.StatusGone, adminChannelsData{}, h.l(c).T("adm.ch.nooffer"))
		return nil, false
	}
	if err != nil {
		h.fail(c, err)
		return nil, false
	}
	return o, true
}

// pickPage shows the Pages and Instagram accounts found, to pick which go
// to which office.
func (h *Handler) pickPage(c *gin.Context) {
	o, ok := h.offer(c)
	if !ok {
		return
	}
	units, names, ok := h.scopeUnits(c)
	if !ok {
		return
	}
	s, _ := session(c)
	d := pickData{Offer: o, OfferID: c.Param("offer"), Units: units, Home: s.Principal.UnitID, Names: names}
	h.render(c, http.StatusOK, "connectpick", h.view(c, h.l(c).T("adm.ch.pick.title"), "admin", d))
}

// pickSave connects what was picked and shows the outcome with each
// channel's health.
func (h *Handler) pickSave(c *gin.Context) {
	o, ok := h.offer(c)
	if !ok {
		return
	}
	_, names, ok := h.scopeUnits(c)
	if !ok {
		return
	}
	s, _ := session(c)
	var picks []connect.Pick
	for _, p := range o.Pages {
		pk := connect.Pick{PageID: p.ID}
		if c.PostForm("fb_"+p.ID) == "1" {
			pk.FBUnit, _ = strconv.ParseInt(c.PostForm("fbunit_"+p.ID), 10, 64)
		}
		if c.PostForm("ig_"+p.ID) == "1" {
			pk.IGUnit, _ = strconv.ParseInt(c.PostForm("igunit_"+p.ID), 10, 64)
		}
		if pk.FBUnit != 0 || pk.IGUnit != 0 {
			picks = append(picks, pk)
		}
	}
	if len(picks) == 0 {
		units, _, _ := h.scopeUnits(c)
		v := h.view(c, h.l(c).T("adm.ch.pick.title"), "admin", pickData{Offer: o, OfferID: c.Param("offer"), Units: units,
			Home: s.Principal.UnitID, Names: names})
		v.Error = h.l(c).T("adm.ch.pick.none")
		h.render(c, http.StatusUnprocessableEntity, "connectpick", v)
		return
	}
	allowed := func(unit int64) bool { _, in := names[unit]; return in }
	res, err := h.d.Connect.Connect(c.Request.Context(), c.Param("offer"), s.Principal.UserID, picks, allowed)
	if errors.Is(err, connect.ErrNoOffer) {
		h.renderChannelsAdmin(c, http.StatusGone, adminChannelsData{}, h.l(c).T("adm.ch.nooffer"))
		return
	}
	if fe, ok := valid.Fields(err); ok && len(fe) > 0 {
		h.renderChannelsAdmin(c, http.StatusUnprocessableEntity, adminChannelsData{}, h.l(c).Pick(fe[0].MessageID, fe[0].Message))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	d := adminChannelsData{}
	for _, r := range res {
		d.Results = append(d.Results, connectResult{Result: r})
	}
	h.renderChannelsAdmin(c, http.StatusOK, d, "")
}
