package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/inbox"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/ppid"
	"github.com/humas-id/humas/valid"
)

// inboxRoutes adds the comments inbox and the PPID request pages.
func (h *Handler) inboxRoutes(in *gin.RouterGroup) {
	if h.d.Inbox == nil {
		return
	}
	in.GET("/inbox", h.inboxPage)
	in.POST("/inbox/:id/reply", h.inboxAction(func(c *gin.Context, p auth.Principal, id int64) (string, error) {
		r, err := h.d.Inbox.Reply(c.Request.Context(), p, id, c.PostForm("message"))
		if err != nil {
			return "", err
		}
		if r.State == inbox.ReplyAwaitingApproval {
			return "inbox.reply.waiting", nil
		}
		return "inbox.reply.sent", nil
	}))
	in.POST("/inbox/:id/hide", h.inboxAction(func(c *gin.Context, p auth.Principal, id int64) (string, error) {
		hide := c.PostForm("hidden") == "1"
		_, err := h.d.Inbox.Hide(c.Request.Context(), p, id, hide)
		if hide {
			return "inbox.hidden", err
		}
		return "inbox.shown", err
	}))
	in.POST("/inbox/:id/assign", h.inboxAction(func(c *gin.Context, p auth.Principal, id int64) (string, error) {
		_, err := h.d.Inbox.Assign(c.Request.Context(), p, id, parseID(c.PostForm("assignee_id")))
		return "inbox.assigned", err
	}))
	in.POST("/inbox/:id/done", h.inboxAction(func(c *gin.Context, p auth.Principal, id int64) (string, error) {
		_, err := h.d.Inbox.SetDone(c.Request.Context(), p, id, c.PostForm("done") == "1")
		return "inbox.saved", err
	}))
	in.POST("/inbox-replies/:id/approve", h.inboxAction(func(c *gin.Context, p auth.Principal, id int64) (string, error) {
		_, err := h.d.Inbox.ApproveReply(c.Request.Context(), p, id)
		return "inbox.reply.sent", err
	}))
	if h.d.PPID == nil {
		return
	}
	in.POST("/inbox/:id/ppid", h.inboxAction(func(c *gin.Context, p auth.Principal, id int64) (string, error) {
		_, err := h.d.PPID.FromComment(c.Request.Context(), p, id, c.PostForm("category"))
		return "ppid.created", err
	}))
	in.GET("/ppid", h.ppidPage)
	act := func(fn func(c *gin.Context, p auth.Principal, id int64) (ppid.Request, error), ok string) gin.HandlerFunc {
		return h.inboxAction(func(c *gin.Context, p auth.Principal, id int64) (string, error) {
			_, err := fn(c, p, id)
			return ok, err
		})
	}
	in.POST("/ppid/:id/extend", act(func(c *gin.Context, p auth.Principal, id int64) (ppid.Request, error) {
		return h.d.PPID.Extend(c.Request.Context(), p, id, c.PostForm("reason"))
	}, "ppid.extended"))
	in.POST("/ppid/:id/reply", act(func(c *gin.Context, p auth.Principal, id int64) (ppid.Request, error) {
		return h.d.PPID.AnswerByReply(c.Request.Context(), p, id, c.PostForm("message"))
	}, "ppid.answered"))
	in.POST("/ppid/:id/answer", act(func(c *gin.Context, p auth.Principal, id int64) (ppid.Request, error) {
		return h.d.PPID.AnswerOther(c.Request.Context(), p, id, c.PostForm("note"))
	}, "ppid.answered"))
	in.POST("/ppid/:id/refuse", act(func(c *gin.Context, p auth.Principal, id int64) (ppid.Request, error) {
		return h.d.PPID.Refuse(c.Request.Context(), p, id, c.PostForm("legal_basis"), c.PostForm("reason"))
	}, "ppid.refused"))
}

// inboxAction runs an inbox or PPID action and goes back to the page it
// came from (next) with a notice, or shows what was wrong.
func (h *Handler) inboxAction(fn func(c *gin.Context, p auth.Principal, id int64) (string, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		s, _ := session(c)
		id := parseID(c.Param("id"))
		ok, err := fn(c, s.Principal, id)
		back := localPath(c.PostForm("next"), "/inbox")
		if err != nil {
			h.actionProblem(c, err)
			return
		}
		sep := "?"
		if strings.Contains(back, "?") {
			sep = "&"
		}
		back, _, _ = strings.Cut(back, "#")
		c.Redirect(http.StatusSeeOther, back+sep+url.Values{"ok": {ok}}.Encode()+"#c-"+strconv.FormatInt(id, 10))
	}
}

// actionProblem answers a refused action with its status and the
// person-readable reason (both languages come from the domain).
func (h *Handler) actionProblem(c *gin.Context, err error) {
	if msg := problemText(h.l(c), err); msg != "" {
		h.errorPage(c, statusOfProblem(err), msg)
		return
	}
	h.fail(c, err)
}

// problemText is what a person is told about a domain refusal ("" for an
// internal error).
func problemText(l L, err error) string {
	if fe, ok := valid.Fields(err); ok {
		msgs := make([]string, len(fe))
		for i, f := range fe {
			msgs[i] = l.Pick(f.MessageID, f.Message)
		}
		return strings.Join(msgs, "; ")
	}
	if p, ok := valid.ProblemOf(err); ok {
		return l.Pick(p.MsgID, p.Msg)
	}
	return ""
}

// statusOfProblem is the page status of a domain refusal.
func statusOfProblem(err error) int {
	if _, ok := valid.Fields(err); ok {
		return http.StatusUnprocessableEntity
	}
	switch {
	case errors.Is(err, valid.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, valid.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, valid.ErrInvalid), errors.Is(err, valid.ErrBadParam):
		return http.StatusUnprocessableEntity
	}
	return http.StatusConflict
}

type inboxData struct {
	Comments   []inbox.Comment
	Total      int
	Status     string
	Question   string
	ChannelID  int64
	UnitID     int64
	Post       string
	Channels   []org.Channel
	Units      []org.Unit
	Users      []auth.User
	Categories []string
	CanAct     bool
	CanApprove bool
	HasPPID    bool
	ChannelOf  map[int64]org.Channel
}

func (h *Handler) inboxPage(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	ctx := c.Request.Context()
	d := inboxData{Status: c.Query("status"), Question: c.Query("question"), ChannelID: parseID(c.Query("channel")),
		UnitID: parseID(c.Query("unit")), Post: c.Query("post"), Categories: ppid.Categories, HasPPID: h.d.PPID != nil,
		ChannelOf: map[int64]org.Channel{}}
	if c.Query("status") == "" && !c.Request.URL.Query().Has("status") {
		d.Status = inbox.StatusNew
	}
	if d.Status == "all" {
		d.Status = ""
	}
	f := inbox.Filter{UnitID: d.UnitID, ChannelID: d.ChannelID, ObjectID: d.Post, Status: d.Status, Limit: 100}
	switch d.Question {
	case "1":
		t := true
		f.Question = &t
	case "0":
		no := false
		f.Question = &no
	}
	list, total, err := h.d.Inbox.List(ctx, s.Principal, f)
	if err != nil {
		h.actionProblem(c, err)
		return
	}
	d.Comments, d.Total = list, total
	if d.Units, err = h.d.Scope.VisibleUnits(ctx, s.Principal); err != nil {
		h.fail(c, err)
		return
	}
	if d.Channels, err = h.d.Scope.VisibleChannels(ctx, s.Principal); err != nil {
		h.fail(c, err)
		return
	}
	for _, ch := range d.Channels {
		d.ChannelOf[ch.ID] = ch
	}
	role := s.Principal.Role
	d.CanAct = role == auth.RoleEditor || role == auth.RoleApprover || role == auth.RolePPID || role == auth.RoleAdmin
	d.CanApprove = role == auth.RoleApprover
	if d.CanAct {
		users, err := h.d.Auth.Users(ctx)
		if err != nil {
			h.fail(c, err)
			return
		}
		for _, u := range users {
			if u.DisabledAt == nil {
				d.Users = append(d.Users, u)
			}
		}
	}
	if d.Status == "" {
		d.Status = "all"
	}
	h.render(c, http.StatusOK, "inbox", h.view(c, l.T("inbox.title"), "inbox", d))
}

type ppidData struct {
	Requests []ppid.Request
	Status   string
	CanAct   bool
}

func (h *Handler) ppidPage(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	d := ppidData{Status: c.Query("status")}
	list, err := h.d.PPID.List(c.Request.Context(), s.Principal, ppid.Filter{Status: d.Status, UnitID: parseID(c.Query("unit"))})
	if err != nil {
		h.actionProblem(c, err)
		return
	}
	d.Requests = list
	d.CanAct = s.Principal.Role == auth.RolePPID || s.Principal.Role == auth.RoleAdmin
	h.render(c, http.StatusOK, "ppid", h.view(c, l.T("ppid.title"), "ppid", d))
}
