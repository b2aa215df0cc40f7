package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
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
	// CanURL: importing from a URL is set up.
	CanURL bool
	// Editable are the units whose events the user may change (their
	// unit and the units below it): an inherited event is changed by the
	// unit it belongs to.
	Editable map[int64]bool
	UnitOf   map[int64]string
	// The manual entry form's values.
	In agendaForm
	// ImportURL is the import form's URL (kept after a refusal).
	ImportURL string
	// Feeds are the calendar subscriptions of the units the user keeps.
	Feeds []agenda.Feed
	// ImportDaily: the refused import had "every day" ticked.
	ImportDaily bool
}

// agendaForm is the event form (add and edit): a start date, a time
// (empty: all day), an optional end date and end time.
type agendaForm struct {
	Title, Type, Date, Time, EndDate, EndTime, Description string
}

// agendaEditData is the edit page's.
type agendaEditData struct {
	Event agenda.Event
	Types []string
	Unit  string
	In    agendaForm
}

// agendaRoutes adds the agenda page: the events the user's unit sees
// (its own and its parents'), an iCalendar import (a file or a URL),
// manual entry, and editing and deleting an event.
func (h *Handler) agendaRoutes(in *gin.RouterGroup) {
	if h.d.Agenda == nil {
		return
	}
	in.GET("/agenda", h.agendaPage)
	in.POST("/agenda", h.agendaAdd)
	in.POST("/agenda/import", h.agendaImport)
	in.GET("/agenda/:id/edit", h.agendaEditPage)
	in.POST("/agenda/:id", h.agendaUpdate)
	in.POST("/agenda/:id/delete", h.agendaDelete)
	in.POST("/agenda/feeds/:id/delete", h.agendaUnsubscribe)
}

func (h *Handler) agendaPage(c *gin.Context) {
	h.renderAgenda(c, http.StatusOK, agendaForm{Type: "election_stage"}, "", "")
}

func canKeepAgenda(r auth.Role) bool {
	return r == auth.RoleEditor || r == auth.RoleApprover || r == auth.RoleAdmin || r == auth.RolePPID
}

func (h *Handler) renderAgenda(c *gin.Context, status int, f agendaForm, importURL, pageErr string) {
	l := h.l(c)
	s, _ := session(c)
	ctx := c.Request.Context()
	now := h.d.Now()
	d := agendaData{Types: agenda.Types, UnitID: parseID(c.Query("unit")), In: f, UnitOf: map[int64]string{}, Editable: map[int64]bool{},
		CanURL: h.d.Agenda.CanImportURL(), ImportURL: importURL, ImportDaily: c.Request.Method == http.MethodPost && c.PostForm("daily") != ""}
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
	d.CanAdd = canKeepAgenda(s.Principal.Role)
	if d.CanAdd {
		for _, u := range units {
			d.Editable[u.ID] = true
		}
		if d.Feeds, err = h.d.Agenda.Feeds(ctx, s.Principal); err != nil {
			h.fail(c, err)
			return
		}
	}
	v := h.view(c, l.T("agenda.title"), "agenda", d)
	v.Error = pageErr
	h.render(c, status, "agenda", v)
}

// eventInput reads the event form in the user's time zone.
func eventInput(c *gin.Context, l L) (agendaForm, agenda.Input) {
	f := agendaForm{Title: c.PostForm("title"), Type: c.PostForm("type"), Date: c.PostForm("date"), Time: c.PostForm("time"),
		EndDate: c.PostForm("end_date"), EndTime: c.PostForm("end_time"), Description: strings.TrimSpace(c.PostForm("description"))}
	in := agenda.Input{UnitID: parseID(c.PostForm("unit")), Title: f.Title, Type: f.Type, AllDay: f.Time == "", Description: f.Description}
	clock := func(day time.Time, hhmm string) (time.Time, bool) {
		t, err := time.Parse("15:04", hhmm)
		if err != nil {
			return day, false
		}
		return time.Date(day.Year(), day.Month(), day.Day(), t.Hour(), t.Minute(), 0, 0, day.Location()), true
	}
	day, err := time.ParseInLocation("2006-01-02", f.Date, l.Loc)
	if err != nil {
		return f, in // no start: the service names the field
	}
	in.Start = day
	endDay, err := time.ParseInLocation("2006-01-02", f.EndDate, l.Loc)
	hasEndDay := err == nil
	if !hasEndDay {
		endDay = day
	}
	if in.AllDay {
		in.End = endDay.AddDate(0, 0, 1) // an all-day event's end is exclusive
		return f, in
	}
	in.Start, _ = clock(day, f.Time)
	switch end, ok := clock(endDay, f.EndTime); {
	case ok:
		in.End = end
	case hasEndDay:
		in.End = endDay.AddDate(0, 0, 1)
	default:
		in.End = in.Start.Add(time.Hour)
	}
	return f, in
}

// formOf fills the event form from an event (the edit page).
func formOf(e agenda.Event, loc *time.Location) agendaForm {
	start, end := e.Start.In(loc), e.End.In(loc)
	f := agendaForm{Title: e.Title, Type: e.Type, Date: start.Format("2006-01-02"), Description: e.Description}
	if e.AllDay {
		if last := end.AddDate(0, 0, -1); last.After(start) {
			f.EndDate = last.Format("2006-01-02")
		}
		return f
	}
	f.Time = start.Format("15:04")
	if end.After(start) {
		f.EndTime = end.Format("15:04")
		if end.Format("2006-01-02") != f.Date {
			f.EndDate = end.Format("2006-01-02")
		}
	}
	return f
}

func (h *Handler) agendaAdd(c *gin.Context) {
	s, _ := session(c)
	f, in := eventInput(c, h.l(c))
	if _, err := h.d.Agenda.Create(c.Request.Context(), s.Principal, in); err != nil {
		h.agendaError(c, f, "", err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/agenda?"+url.Values{"ok": {"agenda.added"}}.Encode())
}

// agendaImport imports the chosen .ics file, or the calendar at the URL
// given instead.
func (h *Handler) agendaImport(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	ctx := c.Request.Context()
	def, unit := c.PostForm("type"), parseID(c.PostForm("unit"))
	raw := strings.TrimSpace(c.PostForm("url"))
	fh, ferr := c.FormFile("file")
	switch {
	case raw != "" && ferr == nil:
		h.renderAgenda(c, http.StatusUnprocessableEntity, agendaForm{Type: "election_stage"}, raw, l.T("agenda.both"))
		return
	case raw != "":
		var res agenda.ImportResult
		var err error
		key := "agenda.imported.url"
		if c.PostForm("daily") != "" {
			key = "agenda.subscribed"
			_, res, err = h.d.Agenda.Subscribe(ctx, s.Principal, unit, raw, def)
		} else {
			res, err = h.d.Agenda.ImportURL(ctx, s.Principal, unit, raw, def)
		}
		if err != nil {
			h.agendaError(c, agendaForm{Type: "election_stage"}, raw, err)
			return
		}
		c.Redirect(http.StatusSeeOther, "/agenda?"+url.Values{"ok": {key}, "n": {strconv.Itoa(res.Added + res.Updated)}}.Encode())
		return
	case ferr != nil:
		key := "agenda.nofile"
		if h.d.Agenda.CanImportURL() {
			key = "agenda.nofile.url"
		}
		h.renderAgenda(c, http.StatusUnprocessableEntity, agendaForm{Type: "election_stage"}, "", l.T(key))
		return
	}
	f, err := fh.Open()
	if err != nil {
		h.fail(c, err)
		return
	}
	defer f.Close()
	res, err := h.d.Agenda.Import(ctx, s.Principal, unit, f, def)
	if err != nil {
		h.agendaError(c, agendaForm{Type: "election_stage"}, "", err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/agenda?"+url.Values{"ok": {"agenda.imported"}, "n": {strconv.Itoa(res.Added + res.Updated)}}.Encode())
}

func (h *Handler) agendaError(c *gin.Context, f agendaForm, importURL string, err error) {
	l := h.l(c)
	if msgs := problemText(l, err); msgs != "" {
		h.renderAgenda(c, statusOfProblem(err), f, importURL, msgs)
		return
	}
	h.fail(c, err)
}

// editableEvent loads the event of the path for a change: the same rule
// as the service's (a refusal is the page's error).
func (h *Handler) editableEvent(c *gin.Context) (agenda.Event, bool) {
	s, _ := session(c)
	e, err := h.d.Agenda.ForChange(c.Request.Context(), s.Principal, parseID(c.Param("id")))
	if err != nil {
		h.actionProblem(c, err)
		return agenda.Event{}, false
	}
	return e, true
}

func (h *Handler) agendaEditPage(c *gin.Context) {
	e, ok := h.editableEvent(c)
	if !ok {
		return
	}
	h.renderEdit(c, http.StatusOK, e, formOf(e, h.l(c).Loc), "")
}

func (h *Handler) renderEdit(c *gin.Context, status int, e agenda.Event, f agendaForm, pageErr string) {
	l := h.l(c)
	d := agendaEditData{Event: e, Types: agenda.Types, In: f}
	if u, err := h.d.Org.Unit(c.Request.Context(), e.UnitID); err == nil {
		d.Unit = u.Name
	}
	v := h.view(c, l.T("agenda.edit.title"), "agenda", d)
	v.Error = pageErr
	h.render(c, status, "agendaedit", v)
}

func (h *Handler) agendaUpdate(c *gin.Context) {
	e, ok := h.editableEvent(c)
	if !ok {
		return
	}
	s, _ := session(c)
	f, in := eventInput(c, h.l(c))
	if _, err := h.d.Agenda.Update(c.Request.Context(), s.Principal, e.ID, in); err != nil {
		if msgs := problemText(h.l(c), err); msgs != "" {
			h.renderEdit(c, statusOfProblem(err), e, f, msgs)
			return
		}
		h.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/agenda?"+url.Values{"ok": {"agenda.updated"}}.Encode()+"#ev-"+strconv.FormatInt(e.ID, 10))
}

func (h *Handler) agendaDelete(c *gin.Context) {
	e, ok := h.editableEvent(c)
	if !ok {
		return
	}
	s, _ := session(c)
	if err := h.d.Agenda.Delete(c.Request.Context(), s.Principal, e.ID); err != nil {
		h.actionProblem(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/agenda?"+url.Values{"ok": {"agenda.deleted"}}.Encode())
}

func (h *Handler) agendaUnsubscribe(c *gin.Context) {
	s, _ := session(c)
	if err := h.d.Agenda.Unsubscribe(c.Request.Context(), s.Principal, parseID(c.Param("id"))); err != nil {
		h.actionProblem(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/agenda?"+url.Values{"ok": {"agenda.unsubscribed"}}.Encode()+"#feeds")
}
