package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

type queueItem struct {
	Post  PostView
	Audit []AuditView
}

type approvalsData struct {
	Items       []queueItem
	Unavailable string
	RejectID    int64
	RejectErr   string
	RejectText  string
}

type postData struct {
	Post  PostView
	Audit []AuditView
}

func (h *Handler) approvalsPage(c *gin.Context) { h.renderQueue(c, http.StatusOK, approvalsData{}) }

func (h *Handler) renderQueue(c *gin.Context, status int, d approvalsData) {
	l := h.l(c)
	s, _ := session(c)
	ctx := c.Request.Context()
	if h.d.Posts == nil {
		d.Unavailable = l.T("err.unavailable", "scheduler")
	} else {
		posts, err := h.d.Posts.Queue(ctx, s.Principal)
		if err != nil {
			h.fail(c, err)
			return
		}
		for _, p := range posts {
			a, err := h.d.Posts.Audit(ctx, s.Principal, p.ID)
			if err != nil {
				h.fail(c, err)
				return
			}
			d.Items = append(d.Items, queueItem{Post: p, Audit: a})
		}
	}
	h.render(c, status, "approvals", h.view(c, l.T("appr.title"), "approvals", d))
}

func (h *Handler) approve(c *gin.Context) {
	s, _ := session(c)
	id := parseID(c.Param("id"))
	if err := h.d.Posts.Approve(c.Request.Context(), s.Principal, id); err != nil {
		h.postError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/approvals?"+url.Values{"ok": {"appr.approved"}, "n": {strconv.FormatInt(id, 10)}}.Encode())
}

func (h *Handler) reject(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	id := parseID(c.Param("id"))
	reason := strings.TrimSpace(c.PostForm("reason"))
	if reason == "" {
		h.renderQueue(c, http.StatusUnprocessableEntity, approvalsData{RejectID: id, RejectErr: l.T("appr.reason.bad")})
		return
	}
	if err := h.d.Posts.Reject(c.Request.Context(), s.Principal, id, reason); err != nil {
		h.postError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/approvals?"+url.Values{"ok": {"appr.rejected"}, "n": {strconv.FormatInt(id, 10)}}.Encode())
}

func (h *Handler) postPage(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	id := parseID(c.Param("id"))
	p, err := h.d.Posts.Get(c.Request.Context(), s.Principal, id)
	if err != nil {
		h.postError(c, err)
		return
	}
	a, err := h.d.Posts.Audit(c.Request.Context(), s.Principal, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.render(c, http.StatusOK, "post", h.view(c, l.T("post.title", p.ID), "list", postData{Post: p, Audit: a}))
}

// cancelPost cancels a post from its page. Who may cancel what is the
// scheduler's decision: a refusal is its 403 or 409, in the page language.
func (h *Handler) cancelPost(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	id := parseID(c.Param("id"))
	if id == 0 {
		h.errorPage(c, http.StatusNotFound, l.T("err.notfound"))
		return
	}
	reason := strings.TrimSpace(c.PostForm("reason"))
	if err := h.d.Posts.Cancel(c.Request.Context(), s.Principal, id, reason); err != nil {
		h.postError(c, err)
		return
	}
	n := strconv.FormatInt(id, 10)
	c.Redirect(http.StatusSeeOther, "/posts/"+n+"?"+url.Values{"ok": {"post.canceled"}, "n": {n}}.Encode())
}
