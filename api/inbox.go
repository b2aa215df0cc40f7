package api

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/inbox"
	"github.com/humas-id/humas/valid"
)

// InboxDeps are what the comments inbox routes need.
type InboxDeps struct {
	Inbox *inbox.Service
	// Units resolves a unit id or slug (the scheduler's deps do).
	Units SchedulerDeps
}

// MountInbox adds the comments inbox routes to g (behind RequireAuth):
//
//	GET  /comments                     the inbox: ?unit= (id or slug; units below roll up), channel_id, post, status, question, assignee, limit, offset
//	GET  /comments/:id                 one comment with its replies
//	POST /comments/:id/replies         {message}: reply (approval first where the unit requires it; published once)
//	POST /comments/:id/hide            {hidden}: hide on the platform, or show again
//	POST /comments/:id/assign          {assignee_id}: give to a colleague (0: nobody)
//	POST /comments/:id/done            {done}: mark done, or new again
//	POST /comment-replies/:id/approve  approve a waiting reply (an approver who did not write it) and publish it
//	POST /comment-replies/:id/reject   {reason}: turn a waiting reply down
func MountInbox(g *gin.RouterGroup, d InboxDeps) {
	g.GET("/comments", Handle(d.list))
	g.GET("/comments/:id", Handle(d.get))
	g.POST("/comments/:id/replies", Handle(d.reply))
	g.POST("/comments/:id/hide", Handle(d.hide))
	g.POST("/comments/:id/assign", Handle(d.assign))
	g.POST("/comments/:id/done", Handle(d.done))
	g.POST("/comment-replies/:id/approve", Handle(d.approve))
	g.POST("/comment-replies/:id/reject", Handle(d.reject))
}

type inboxPage struct {
	Comments []inbox.Comment `json:"comments"`
	Total    int             `json:"total"`
}

func queryInt(c *gin.Context, name string) (int64, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, valid.BadParam(name, name+" must be a non-negative number, not "+strconv.Quote(v),
			name+" harus bilangan tidak negatif, bukan "+strconv.Quote(v))
	}
	return n, nil
}

// InboxFilter reads the inbox's query parameters.
func (d InboxDeps) InboxFilter(c *gin.Context) (inbox.Filter, error) {
	var f inbox.Filter
	var err error
	if ref := c.Query("unit"); ref != "" {
		if f.UnitID, err = d.Units.resolveUnit(c, ref, "unit"); err != nil {
			return f, err
		}
	}
	ints := map[string]*int64{"channel_id": &f.ChannelID, "assignee": &f.Assignee}
	for name, dst := range ints {
		if *dst, err = queryInt(c, name); err != nil {
			return f, err
		}
	}
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		n, err := queryInt(c, name)
		if err != nil {
			return f, err
		}
		*dst = int(n)
	}
	f.ObjectID, f.Status = c.Query("post"), c.Query("status")
	switch q := c.Query("question"); q {
	case "":
	case "true", "1", "yes":
		t := true
		f.Question = &t
	case "false", "0", "no":
		no := false
		f.Question = &no
	default:
		return f, valid.BadParam("question", "question must be true or false", "question harus true atau false")
	}
	return f, nil
}

func (d InboxDeps) list(c *gin.Context) (any, error) {
	f, err := d.InboxFilter(c)
	if err != nil {
		return nil, err
	}
	list, total, err := d.Inbox.List(c.Request.Context(), Principal(c), f)
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []inbox.Comment{}
	}
	return inboxPage{Comments: list, Total: total}, nil
}

func (d InboxDeps) get(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	return d.Inbox.Get(c.Request.Context(), Principal(c), id)
}

type replyRequest struct {
	Message string `json:"message"`
}

func (d InboxDeps) reply(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	var r replyRequest
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	return d.Inbox.Reply(c.Request.Context(), Principal(c), id, r.Message)
}

type hideRequest struct {
	Hidden *bool `json:"hidden"`
}

func (d InboxDeps) hide(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	var r hideRequest
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	if r.Hidden == nil {
		return nil, valid.Invalid("hidden", "hidden (true or false) is required", "hidden (true atau false) wajib diisi")
	}
	return d.Inbox.Hide(c.Request.Context(), Principal(c), id, *r.Hidden)
}

type assignRequest struct {
	AssigneeID *int64 `json:"assignee_id"`
}

func (d InboxDeps) assign(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	var r assignRequest
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	if r.AssigneeID == nil || *r.AssigneeID < 0 {
		return nil, valid.Invalid("assignee_id", "assignee_id (a user id, or 0 for nobody) is required", "assignee_id (id pengguna, atau 0) wajib diisi")
	}
	return d.Inbox.Assign(c.Request.Context(), Principal(c), id, *r.AssigneeID)
}

type doneRequest struct {
	Done *bool `json:"done"`
}

func (d InboxDeps) done(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	var r doneRequest
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	if r.Done == nil {
		return nil, valid.Invalid("done", "done (true or false) is required", "done (true atau false) wajib diisi")
	}
	return d.Inbox.SetDone(c.Request.Context(), Principal(c), id, *r.Done)
}

type rejectReplyRequest struct {
	Reason string `json:"reason"`
}

func (d InboxDeps) approve(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	return d.Inbox.ApproveReply(c.Request.Context(), Principal(c), id)
}

func (d InboxDeps) reject(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	var r rejectReplyRequest
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	return d.Inbox.RejectReply(c.Request.Context(), Principal(c), id, r.Reason)
}
