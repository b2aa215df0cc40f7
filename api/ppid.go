package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/ppid"
	"github.com/humas-id/humas/valid"
)

// PPIDDeps are what the information-request routes need.
type PPIDDeps struct {
	Requests *ppid.Service
	Units    SchedulerDeps
}

// MountPPID adds the information-request routes to g (behind RequireAuth):
//
//	GET  /ppid-requests                ?unit=, status=: open ones first, by working days left
//	GET  /ppid-requests/:id
//	POST /ppid-requests                {requester_name, question, category, received_at, unit}: a request entered by hand
//	POST /comments/:id/ppid-request    {category}: the comment's question becomes a request
//	POST /ppid-requests/:id/extend     {reason}: once, 7 working days
//	POST /ppid-requests/:id/reply      {message}: answer with a public reply (closes when published)
//	POST /ppid-requests/:id/answer     {note}: answered through another channel
//	POST /ppid-requests/:id/refuse     {legal_basis, reason}
func MountPPID(g *gin.RouterGroup, d PPIDDeps) {
	g.GET("/ppid-requests", Handle(d.list))
	g.GET("/ppid-requests/:id", Handle(d.get))
	g.POST("/ppid-requests", Handle(d.create))
	g.POST("/comments/:id/ppid-request", Handle(d.fromComment))
	g.POST("/ppid-requests/:id/extend", Handle(d.extend))
	g.POST("/ppid-requests/:id/reply", Handle(d.reply))
	g.POST("/ppid-requests/:id/answer", Handle(d.answer))
	g.POST("/ppid-requests/:id/refuse", Handle(d.refuse))
}

func (d PPIDDeps) list(c *gin.Context) (any, error) {
	f := ppid.Filter{Status: c.Query("status")}
	if ref := c.Query("unit"); ref != "" {
		id, err := d.Units.resolveUnit(c, ref, "unit")
		if err != nil {
			return nil, err
		}
		f.UnitID = id
	}
	list, err := d.Requests.List(c.Request.Context(), Principal(c), f)
	if list == nil && err == nil {
		list = []ppid.Request{}
	}
	return list, err
}

func (d PPIDDeps) get(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	return d.Requests.Get(c.Request.Context(), Principal(c), id)
}

type ppidCreate struct {
	RequesterName string `json:"requester_name"`
	RequesterID   string `json:"requester_id"`
	Question      string `json:"question"`
	Category      string `json:"category"`
	ReceivedAt    string `json:"received_at"`
	Unit          string `json:"unit"`
}

func (d PPIDDeps) create(c *gin.Context) (any, error) {
	var r ppidCreate
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	in := ppid.Input{RequesterName: r.RequesterName, RequesterID: r.RequesterID, Question: r.Question, Category: r.Category}
	if r.ReceivedAt != "" {
		t, err := time.Parse(time.RFC3339, r.ReceivedAt)
		if err != nil {
			return nil, valid.Invalid("received_at", "received_at must be a time like 2026-11-06T18:30:00+07:00",
				"received_at harus berupa waktu seperti 2026-11-06T18:30:00+07:00")
		}
		in.ReceivedAt = t
	}
	if r.Unit != "" {
		id, err := d.Units.resolveUnit(c, r.Unit, "unit")
		if err != nil {
			return nil, err
		}
		in.UnitID = id
	}
	q, err := d.Requests.Create(c.Request.Context(), Principal(c), in)
	if err != nil {
		return nil, err
	}
	return Status{Code: 201, Body: q}, nil
}

type ppidFromComment struct {
	Category string `json:"category"`
}

func (d PPIDDeps) fromComment(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	var r ppidFromComment
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	q, err := d.Requests.FromComment(c.Request.Context(), Principal(c), id, r.Category)
	if err != nil {
		return nil, err
	}
	return Status{Code: 201, Body: q}, nil
}

type ppidText struct {
	Reason     string `json:"reason"`
	Message    string `json:"message"`
	Note       string `json:"note"`
	LegalBasis string `json:"legal_basis"`
}

func (d PPIDDeps) act(c *gin.Context, fn func(id int64, r ppidText) (ppid.Request, error)) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	var r ppidText
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	return fn(id, r)
}

func (d PPIDDeps) extend(c *gin.Context) (any, error) {
	return d.act(c, func(id int64, r ppidText) (ppid.Request, error) {
		return d.Requests.Extend(c.Request.Context(), Principal(c), id, r.Reason)
	})
}

func (d PPIDDeps) reply(c *gin.Context) (any, error) {
	return d.act(c, func(id int64, r ppidText) (ppid.Request, error) {
		return d.Requests.AnswerByReply(c.Request.Context(), Principal(c), id, r.Message)
	})
}

func (d PPIDDeps) answer(c *gin.Context) (any, error) {
	return d.act(c, func(id int64, r ppidText) (ppid.Request, error) {
		return d.Requests.AnswerOther(c.Request.Context(), Principal(c), id, r.Note)
	})
}

func (d PPIDDeps) refuse(c *gin.Context) (any, error) {
	return d.act(c, func(id int64, r ppidText) (ppid.Request, error) {
		return d.Requests.Refuse(c.Request.Context(), Principal(c), id, r.LegalBasis, r.Reason)
	})
}
