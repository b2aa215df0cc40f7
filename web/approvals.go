package web

import (
	"errors"
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
	// ConflictID is the post that changed while it was reviewed; Conflict
	// says so (the queue shows its current version).
	ConflictID int64
	Conflict   string
	// ClassifyID, ClassifyErrs: the classification form that failed.
	ClassifyID   int64
	ClassifyErrs map[string]string
	ClassifyIn   ClassifyInput
	Categories   []string
	Classes      []string
}

type postData struct {
	Post  PostView
	Audit []AuditView
	// Ages are the published deliveries' figures over age (postages.go).
	Ages []ageView
}

func (h *Handler) approvalsPage(c *gin.Context) { h.renderQueue(c, http.StatusOK, approvalsData{}) }

func (h *Handler) renderQueue(c *gin.Context, status int, d approvalsData) {
	l := h.l(c)
	s, _ := session(c)
	ctx := c.Request.Context()
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
	d.Categories, d.Classes = categories, classifications
	h.render(c, status, "approvals", h.view(c, l.T("appr.title"), "approvals", d))
}

// reviewedVersion reads the version and content hash an approval form
// carries: the version the approver saw.
func reviewedVersion(c *gin.Context) (int64, string) {
	return parseID(c.PostForm("version")), strings.TrimSpace(c.PostForm("content_hash"))
}

func (h *Handler) approve(c *gin.Context) {
	s, _ := session(c)
	id := parseID(c.Param("id"))
	version, hash := reviewedVersion(c)
	if err := h.d.Posts.Approve(c.Request.Context(), s.Principal, id, version, hash); err != nil {
		h.reviewError(c, id, err)
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
	version, hash := reviewedVersion(c)
	if err := h.d.Posts.Reject(c.Request.Context(), s.Principal, id, version, hash, reason); err != nil {
		var fe FieldErrors
		if errors.As(err, &fe) {
			h.renderQueue(c, http.StatusUnprocessableEntity, approvalsData{RejectID: id, RejectErr: fieldText(l, fe), RejectText: reason})
			return
		}
		h.reviewError(c, id, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/approvals?"+url.Values{"ok": {"appr.rejected"}, "n": {strconv.FormatInt(id, 10)}}.Encode())
}

// classify is a PPID officer's classification of the version shown.
func (h *Handler) classify(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	id := parseID(c.Param("id"))
	in := ClassifyInput{Level: c.PostForm("classification"), Category: c.PostForm("category"),
		LegalBasis: strings.TrimSpace(c.PostForm("legal_basis")), Reason: strings.TrimSpace(c.PostForm("classification_reason"))}
	in.Version, in.ContentHash = reviewedVersion(c)
	if err := h.d.Posts.Classify(c.Request.Context(), s.Principal, id, in); err != nil {
		var fe FieldErrors
		if errors.As(err, &fe) {
			d := approvalsData{ClassifyID: id, ClassifyErrs: map[string]string{}, ClassifyIn: in}
			for _, f := range fe {
				d.ClassifyErrs[f.Field] = strings.TrimSpace(d.ClassifyErrs[f.Field] + " " + l.Pick(f.MessageID, f.Message))
			}
			h.renderQueue(c, http.StatusUnprocessableEntity, d)
			return
		}
		h.reviewError(c, id, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/approvals?"+url.Values{"ok": {"appr.classified"}, "n": {strconv.FormatInt(id, 10)}}.Encode())
}

// reviewError answers a refused review: a changed post re-renders the
// queue (409) with its current version and a notice, the rest as
// postError.
func (h *Handler) reviewError(c *gin.Context, id int64, err error) {
	var ce *ConflictError
	if errors.As(err, &ce) {
		l := h.l(c)
		h.renderQueue(c, http.StatusConflict, approvalsData{ConflictID: id,
			Conflict: l.T("appr.conflict", id, ce.Current.Version)})
		return
	}
	h.postError(c, err)
}

// fieldText joins field messages in the page language.
func fieldText(l L, fe FieldErrors) string {
	parts := make([]string, len(fe))
	for i, f := range fe {
		parts[i] = l.Pick(f.MessageID, f.Message)
	}
	return strings.Join(parts, " ")
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
	h.render(c, http.StatusOK, "post", h.view(c, l.T("post.title", p.ID), "list", postData{Post: p, Audit: a, Ages: h.postAges(c, p)}))
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
