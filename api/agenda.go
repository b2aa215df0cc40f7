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
//	POST /events/import-url {url, unit, type}: the same, downloaded from a public http(s) address (again: updated by UID)
//	GET    /events/{id}   one event the caller's unit sees
//	PATCH  /events/{id}   {title, type, start, end, all_day, description}: the fields given change (who may create it in its unit)
//	DELETE /events/{id}   remove it (its posts stay, unlinked)
//	GET    /event-feeds   the calendar subscriptions of the caller's units (re-imported daily)
//	POST   /event-feeds   {url, unit, type}: import now and every day
//	DELETE /event-feeds/{id}  stop (the events stay)
func MountAgenda(g *gin.RouterGroup, d AgendaDeps) {
	g.GET("/event-feeds", Handle(d.feeds))
	g.POST("/event-feeds", Handle(d.subscribe))
	g.DELETE("/event-feeds/:id", Handle(d.unsubscribe))
	g.GET("/events", Handle(d.list))
	g.POST("/events", Handle(d.create))
	g.POST("/events/import", Handle(d.importICS))
	g.POST("/events/import-url", Handle(d.importURL))
	g.GET("/events/:id", Handle(d.get))
	g.PATCH("/events/:id", Handle(d.patch))
	g.DELETE("/events/:id", Handle(d.remove))
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
	// Description is optional.
	Description string `json:"description"`
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
	e, err := d.Agenda.Create(c.Request.Context(), Principal(c), agenda.Input{UnitID: unit, Title: r.Title, Type: r.Type, Start: r.Start, End: r.End, AllDay: r.AllDay,
		Description: r.Description})
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

type importURLRequest struct {
	URL  string `json:"url"`
	Unit string `json:"unit"`
	Type string `json:"type"`
}

func (d AgendaDeps) importURL(c *gin.Context) (any, error) {
	var r importURLRequest
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	unit, err := d.unit(c, r.Unit)
	if err != nil {
		return nil, err
	}
	res, err := d.Agenda.ImportURL(c.Request.Context(), Principal(c), unit, r.URL, r.Type)
	if err != nil {
		return nil, err
	}
	if res.Events == nil {
		res.Events = []agenda.Event{}
	}
	return importAnswer{Added: res.Added, Updated: res.Updated, Events: res.Events}, nil
}

func (d AgendaDeps) get(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	return d.Agenda.Event(c.Request.Context(), Principal(c), id)
}

// eventPatch is a PATCH body: the fields given change.
type eventPatch struct {
	Title       *string    `json:"title"`
	Type        *string    `json:"type"`
	Start       *time.Time `json:"start"`
	End         *time.Time `json:"end"`
	AllDay      *bool      `json:"all_day"`
	Description *string    `json:"description"`
}

func (d AgendaDeps) patch(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	var r eventPatch
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	ctx, p := c.Request.Context(), Principal(c)
	e, err := d.Agenda.Event(ctx, p, id)
	if err != nil {
		return nil, err
	}
	in := agenda.Input{UnitID: e.UnitID, Title: e.Title, Type: e.Type, Start: e.Start, End: e.End, AllDay: e.AllDay, Description: e.Description}
	if r.Start != nil && r.End == nil {
		in.End = r.Start.Add(e.End.Sub(e.Start)) // moved: it keeps its length
	}
	for dst, src := range map[*string]*string{&in.Title: r.Title, &in.Type: r.Type, &in.Description: r.Description} {
		if src != nil {
			*dst = *src
		}
	}
	for dst, src := range map[*time.Time]*time.Time{&in.Start: r.Start, &in.End: r.End} {
		if src != nil {
			*dst = *src
		}
	}
	if r.AllDay != nil {
		in.AllDay = *r.AllDay
	}
	return d.Agenda.Update(ctx, p, id, in)
}

func (d AgendaDeps) remove(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	return nil, d.Agenda.Delete(c.Request.Context(), Principal(c), id)
}

func (d AgendaDeps) feeds(c *gin.Context) (any, error) {
	list, err := d.Agenda.Feeds(c.Request.Context(), Principal(c))
	if list == nil && err == nil {
		list = []agenda.Feed{}
	}
	return list, err
}

type feedAnswer struct {
	Feed    agenda.Feed `json:"feed"`
	Added   int         `json:"added"`
	Updated int         `json:"updated"`
}

func (d AgendaDeps) subscribe(c *gin.Context) (any, error) {
	var r importURLRequest
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	unit, err := d.unit(c, r.Unit)
	if err != nil {
		return nil, err
	}
	f, res, err := d.Agenda.Subscribe(c.Request.Context(), Principal(c), unit, r.URL, r.Type)
	if err != nil {
		return nil, err
	}
	return Status{Code: http.StatusCreated, Body: feedAnswer{Feed: f, Added: res.Added, Updated: res.Updated}}, nil
}

func (d AgendaDeps) unsubscribe(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	return nil, d.Agenda.Unsubscribe(c.Request.Context(), Principal(c), id)
}
