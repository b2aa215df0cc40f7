package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/agenda"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
)

type agendaData struct {
	Events []agenda.Event
	Types  []string
	Units  []org.Unit
	UnitID int64
	CanAdd bool
	UnitOf map[int64]string
	// The manual entry form's values.
	In agendaForm
}

type agendaForm struct {
	Title, Type, Date, Time, EndDate string
}

// agendaRoutes adds the agenda page: the events the user's unit sees
// (its own and its parents'), an iCalendar import and manual entry.
func (h *Handler) agendaRoutes(in *gin.RouterGroup) {
	if h.d.Agenda == nil {
		return
	}
	in.GET("/agenda", h.agendaPage)
	in.POST("/agenda", h.agendaAdd)
	in.POST("/agenda/import", h.agendaImport)
}

func (h *Handler) agendaPage(c *gin.Context) {
	h.renderAgenda(c, http.StatusOK, agendaForm{Type: "election_stage"}, "")
}

func (h *Handler) renderAgenda(c *gin.Context, status int, f agendaForm, pageErr string) {
	l := h.l(c)
	s, _ := session(c)
	ctx := c.Request.Context()
	now := h.d.Now()
	d := agendaData{Types: agenda.Types, UnitID: parseID(c.Query("unit")), In: f, UnitOf: map[int64]string{}}
	list, err := h.d.Agenda.List(ctx, s.Principal, d.UnitID, now.AddDate(0, 0, -45), now.AddDate(0, 0, 120))
	if err != nil {
		h.actionProblem(c, err)
		return
	}
	d.Events = list
	units, err := h.d.Scope.VisibleUnits(ctx, s.Principal)
	if err != nil {
		h.fail(c, err)
		return
	}
	d.Units = units
	all, _ := h.d.Org.Units(ctx)
	for _, u := range all {
		d.UnitOf[u.ID] = u.Name
	}
	r := s.Principal.Role
	d.CanAdd = r == auth.RoleEditor || r == auth.RoleApprover || r == auth.RoleAdmin || r == auth.RolePPID
	v := h.view(c, l.T("agenda.title"), "agenda", d)
	v.Error = pageErr
	h.render(c, status, "agenda", v)
}

func (h *Handler) agendaAdd(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	f := agendaForm{Title: c.PostForm("title"), Type: c.PostForm("type"), Date: c.PostForm("date"), Time: c.PostForm("time"), EndDate: c.PostForm("end_date")}
	in := agenda.Input{UnitID: parseID(c.PostForm("unit")), Title: f.Title, Type: f.Type, AllDay: f.Time == ""}
	if day, err := time.ParseInLocation("2006-01-02", f.Date, l.Loc); err == nil {
		in.Start = day
		if t, err := time.Parse("15:04", f.Time); err == nil {
			in.Start = day.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute)
			in.End = in.Start.Add(time.Hour)
		}
		if end, err := time.ParseInLocation("2006-01-02", f.EndDate, l.Loc); err == nil && f.EndDate != "" {
			in.End = end.AddDate(0, 0, 1)
		}
	}
	if _, err := h.d.Agenda.Create(c.Request.Context(), s.Principal, in); err != nil {
		h.agendaError(c, f, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/agenda?"+url.Values{"ok": {"agenda.added"}}.Encode())
}

func (h *Handler) agendaImport(c *gin.Context) {
	s, _ := session(c)
	fh, err := c.FormFile("file")
	if err != nil {
		h.renderAgenda(c, http.StatusUnprocessableEntity, agendaForm{Type: "election_stage"}, h.l(c).T("agenda.nofile"))
		return
	}
	f, err := fh.Open()
	if err != nil {
		h.fail(c, err)
		return
	}
	defer f.Close()
	res, err := h.d.Agenda.Import(c.Request.Context(), s.Principal, parseID(c.PostForm("unit")), f, c.PostForm("type"))
	if err != nil {
		h.agendaError(c, agendaForm{Type: "election_stage"}, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/agenda?"+url.Values{"ok": {"agenda.imported"}, "n": {strconv.Itoa(res.Added + res.Updated)}}.Encode())
}

func (h *Handler) agendaError(c *gin.Context, f agendaForm, err error) {
	l := h.l(c)
	if msgs := problemText(l, err); msgs != "" {
		h.renderAgenda(c, statusOfProblem(err), f, msgs)
		return
	}
	h.fail(c, err)
}
