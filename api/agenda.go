package api

import (
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/agenda"
	"github.com/humas-id/humas/valid"
)

// AgendaDeps are what the agenda routes need.
type AgendaDeps struct {
	Agenda *agenda.Service
	Units  SchedulerDeps
}

// MountAgenda adds the agenda routes to g (behind RequireAuth):
//
//	GET  /events          ?unit=, from=, to= (dates; default 30 days back to 90 ahead): the unit's events and its parents'
//	POST /events          {title, type, start, end, all_day, unit}: an event entered by hand
//	POST /events/import   an iCalendar body (Content-Type text/calendar), ?unit=, type= (when the file does not say)
func MountAgenda(g *gin.RouterGroup, d AgendaDeps) {
	g.GET("/events", Handle(d.list))
	g.POST("/events", Handle(d.create))
	g.POST("/events/import", Handle(d.importICS))
}

func (d AgendaDeps) unit(c *gin.Context, ref string) (int64, error) {
	if ref == "" {
		return 0, nil
	}
	return d.Units.resolveUnit(c, ref, "unit")
}

func (d AgendaDeps) list(c *gin.Context) (any, error) {
	unit, err := d.unit(c, c.Query("unit"))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	from, to := now.AddDate(0, 0, -30), now.AddDate(0, 0, 90)
	for name, dst := range map[string]*time.Time{"from": &from, "to": &to} {
		if v := c.Query(name); v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				return nil, valid.BadParam(name, name+" must be a date like 2026-11-01", name+" harus tanggal seperti 2026-11-01")
			}
			*dst = t
		}
	}
	list, err := d.Agenda.List(c.Request.Context(), Principal(c), unit, from, to)
	if list == nil && err == nil {
		list = []agenda.Event{}
	}
	return list, err
}

type eventRequest struct {
	Title  string    `json:"title"`
	Type   string    `json:"type"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	AllDay bool      `json:"all_day"`
	Unit   string    `json:"unit"`
}

func (d AgendaDeps) create(c *gin.Context) (any, error) {
	var r eventRequest
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	unit, err := d.unit(c, r.Unit)
	if err != nil {
		return nil, err
	}
	e, err := d.Agenda.Create(c.Request.Context(), Principal(c), agenda.Input{UnitID: unit, Title: r.Title, Type: r.Type, Start: r.Start, End: r.End, AllDay: r.AllDay})
	if err != nil {
		return nil, err
	}
	return Status{Code: http.StatusCreated, Body: e}, nil
}

type importAnswer struct {
	Added   int            `json:"added"`
	Updated int            `json:"updated"`
	Events  []agenda.Event `json:"events"`
}

func (d AgendaDeps) importICS(c *gin.Context) (any, error) {
	unit, err := d.unit(c, c.Query("unit"))
	if err != nil {
		return nil, err
	}
	res, err := d.Agenda.Import(c.Request.Context(), Principal(c), unit, io.LimitReader(c.Request.Body, 4<<20), c.Query("type"))
	if err != nil {
		return nil, err
	}
	if res.Events == nil {
		res.Events = []agenda.Event{}
	}
	return importAnswer{Added: res.Added, Updated: res.Updated, Events: res.Events}, nil
}
