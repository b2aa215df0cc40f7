package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/notify"
)

// In-app notifications (the header's badge and the list) and each
// person's choice of what also comes by email.

func (h *Handler) noticeRoutes(in *gin.RouterGroup) {
	in.GET("/notifications", h.noticesPage)
	in.POST("/notifications/read-all", h.noticesReadAll)
	in.POST("/notifications/:id/open", h.noticeOpen)
	in.POST("/notifications/:id/read", h.noticeRead)
	in.GET("/account/notifications", h.noticePrefsPage)
	in.POST("/account/notifications", h.noticePrefsSave)
	in.POST("/account/notifications/emails/:id/resend", h.noticeResend)
}

// needNotices answers that notifications are not available here.
func (h *Handler) needNotices(c *gin.Context) bool {
	if h.d.Notices == nil {
		h.errorPage(c, http.StatusServiceUnavailable, h.l(c).T("err.unavailable", h.l(c).T("ntf.title")))
		return false
	}
	return true
}

type noticesData struct {
	List   []notify.Notification
	Unread int
	Mail   bool // an SMTP server is configured
}

func (h *Handler) noticesPage(c *gin.Context) {
	if !h.needNotices(c) {
		return
	}
	s, _ := session(c)
	ctx := c.Request.Context()
	list, err := h.d.Notices.List(ctx, s.Principal.UserID, 200)
	if err != nil {
		h.fail(c, err)
		return
	}
	d := noticesData{List: list, Mail: h.d.Notices.MailConfigured()}
	for _, n := range list {
		if n.ReadAt == nil {
			d.Unread++
		}
	}
	h.render(c, http.StatusOK, "notifications", h.view(c, h.l(c).T("ntf.title"), "notifications", d))
}

func (h *Handler) noticesReadAll(c *gin.Context) {
	if !h.needNotices(c) {
		return
	}
	s, _ := session(c)
	if _, err := h.d.Notices.MarkAllRead(c.Request.Context(), s.Principal.UserID); err != nil {
		h.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/notifications?ok=ntf.allread")
}

// noticeOpen marks a notification read and goes where it points.
func (h *Handler) noticeOpen(c *gin.Context) {
	if !h.needNotices(c) {
		return
	}
	s, _ := session(c)
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	link, err := h.d.Notices.Open(c.Request.Context(), s.Principal.UserID, id)
	if h.noticeErr(c, err) {
		return
	}
	c.Redirect(http.StatusSeeOther, localPath(link, "/notifications"))
}

func (h *Handler) noticeRead(c *gin.Context) {
	if !h.needNotices(c) {
		return
	}
	s, _ := session(c)
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	if h.noticeErr(c, h.d.Notices.MarkRead(c.Request.Context(), s.Principal.UserID, id)) {
		return
	}
	c.Redirect(http.StatusSeeOther, "/notifications")
}

// noticeErr answers a notification that is not the person's (404) or a
// failure, and reports whether it did.
func (h *Handler) noticeErr(c *gin.Context, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, notify.ErrNotFound):
		h.errorPage(c, http.StatusNotFound, h.l(c).T("err.notfound"))
	default:
		h.fail(c, err)
	}
	return true
}

type prefsData struct {
	Kinds  []string
	Email  map[string]bool
	Emails []notify.Email
	Mail   bool
	HasAdr bool // the person has an email address
	Addr   string
}

func (h *Handler) noticePrefsPage(c *gin.Context) {
	if !h.needNotices(c) {
		return
	}
	h.renderPrefs(c, http.StatusOK)
}

func (h *Handler) renderPrefs(c *gin.Context, status int) {
	s, _ := session(c)
	ctx := c.Request.Context()
	prefs, err := h.d.Notices.Prefs(ctx, s.Principal.UserID)
	if err != nil {
		h.fail(c, err)
		return
	}
	emails, err := h.d.Notices.Emails(ctx, s.Principal.UserID, 20)
	if err != nil {
		h.fail(c, err)
		return
	}
	u, err := h.d.Auth.UserByID(ctx, s.Principal.UserID)
	if err != nil {
		h.fail(c, err)
		return
	}
	d := prefsData{Kinds: notify.Kinds, Email: prefs, Emails: emails, Mail: h.d.Notices.MailConfigured(), HasAdr: u.Email != "", Addr: u.Email}
	h.render(c, status, "notifyprefs", h.view(c, h.l(c).T("ntf.prefs.title"), "account", d))
}

func (h *Handler) noticePrefsSave(c *gin.Context) {
	if !h.needNotices(c) {
		return
	}
	s, _ := session(c)
	email := map[string]bool{}
	for _, k := range notify.Kinds {
		email[k] = c.PostForm("email_"+k) == "1"
	}
	if err := h.d.Notices.SetPrefs(c.Request.Context(), s.Principal.UserID, email); err != nil {
		h.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/account/notifications?ok=ntf.prefs.saved")
}

func (h *Handler) noticeResend(c *gin.Context) {
	if !h.needNotices(c) {
		return
	}
	s, _ := session(c)
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	err := h.d.Notices.Resend(c.Request.Context(), s.Principal.UserID, id)
	if errors.Is(err, notify.ErrNotFound) {
		h.errorPage(c, http.StatusNotFound, h.l(c).T("err.notfound"))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/account/notifications?ok=ntf.resent")
}
