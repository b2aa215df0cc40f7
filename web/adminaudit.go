package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/csvsafe"
)

// The audit viewer: who did what, when, to which post, channel, unit or
// user, within the admin's tree; the same filters download as CSV.

const auditPageSize = 100

var auditEntities = []string{"post", "delivery", "channel", "unit", "user"}

type auditData struct {
	Lines    []auth.AuditLine
	Units    []unitNode
	UnitName map[int64]string
	F        auditForm
	Entities []string
	More     string // the next (older) page's query
	CSV      string
}

type auditForm struct {
	Actor, Entity, Action, From, To string
	EntityID, Unit                  int64
}

// auditFilter reads the filters; a bad date is an error naming the field.
func (h *Handler) auditFilter(c *gin.Context, units []unitNode) (auth.AuditFilter, auditForm, error) {
	l := h.l(c)
	f := auditForm{Actor: strings.TrimSpace(c.Query("actor")), Entity: c.Query("entity"), Action: strings.TrimSpace(c.Query("action")),
		From: c.Query("from"), To: c.Query("to")}
	f.EntityID, _ = strconv.ParseInt(c.Query("id"), 10, 64)
	f.Unit, _ = strconv.ParseInt(c.Query("unit"), 10, 64)
	af := auth.AuditFilter{Units: unitIDs(units), Actor: f.Actor, Action: f.Action, EntityID: f.EntityID, UnitID: f.Unit}
	for _, e := range auditEntities {
		if e == f.Entity {
			af.Entity = e
		}
	}
	loc := l.Loc
	for _, d := range []struct {
		s   string
		dst *time.Time
		end bool
	}{{f.From, &af.From, false}, {f.To, &af.To, true}} {
		if d.s == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", d.s, loc)
		if err != nil {
			return af, f, errors.New(l.T("list.dateerror", d.s))
		}
		if d.end {
			t = t.AddDate(0, 0, 1)
		}
		*d.dst = t
	}
	af.BeforeID, _ = strconv.ParseInt(c.Query("before"), 10, 64)
	return af, f, nil
}

func (h *Handler) auditPage(c *gin.Context) {
	s, _ := session(c)
	units, err := h.subtree(c.Request.Context(), s.Principal)
	if err != nil {
		h.fail(c, err)
		return
	}
	d := auditData{Units: units, UnitName: map[int64]string{}, Entities: auditEntities}
	for _, u := range units {
		d.UnitName[u.ID] = u.Name
	}
	af, f, ferr := h.auditFilter(c, units)
	d.F = f
	q := c.Request.URL.Query()
	q.Del("before")
	d.CSV = "/admin/audit.csv?" + q.Encode()
	if ferr != nil {
		v := h.view(c, h.l(c).T("adm.audit.title"), "admin", d)
		v.Error = ferr.Error()
		h.render(c, http.StatusBadRequest, "adminaudit", v)
		return
	}
	af.Limit = auditPageSize + 1
	lines, err := h.d.Auth.QueryAudit(c.Request.Context(), af)
	if err != nil {
		h.fail(c, err)
		return
	}
	if len(lines) > auditPageSize {
		lines = lines[:auditPageSize]
		more := url.Values{}
		for k, v := range q {
			more[k] = v
		}
		more.Set("before", strconv.FormatInt(lines[len(lines)-1].ID, 10))
		d.More = "/admin/audit?" + more.Encode()
	}
	d.Lines = lines
	h.render(c, http.StatusOK, "adminaudit", h.view(c, h.l(c).T("adm.audit.title"), "admin", d))
}

// auditCSV downloads the filtered lines (up to 50 000), formulas defused.
func (h *Handler) auditCSV(c *gin.Context) {
	s, _ := session(c)
	units, err := h.subtree(c.Request.Context(), s.Principal)
	if err != nil {
		h.fail(c, err)
		return
	}
	af, _, err := h.auditFilter(c, units)
	if err != nil {
		h.errorPage(c, http.StatusBadRequest, err.Error())
		return
	}
	af.Limit = 50_000
	lines, err := h.d.Auth.QueryAudit(c.Request.Context(), af)
	if err != nil {
		h.fail(c, err)
		return
	}
	names := map[int64]string{}
	for _, u := range units {
		names[u.ID] = u.Name
	}
	l := h.l(c)
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="humas-audit-`+h.d.Now().In(l.Loc).Format("2006-01-02")+`.csv"`)
	c.Status(http.StatusOK)
	w := csvsafe.NewWriter(c.Writer)
	row := func(cells ...string) { _ = w.Write(cells) }
	row("id", "at_utc", "at_local", "actor_id", "actor", "entity", "entity_id", "unit_id", "unit", "action", "from_state", "to_state", "reason", "detail")
	for _, a := range lines {
		row(strconv.FormatInt(a.ID, 10), a.At.UTC().Format(time.RFC3339), a.At.In(l.Loc).Format("2006-01-02 15:04:05"),
			strconv.FormatInt(a.ActorID, 10), a.ActorName, a.Entity, strconv.FormatInt(a.EntityID, 10), strconv.FormatInt(a.UnitID, 10),
			names[a.UnitID], a.Action, a.From, a.To, a.Reason, a.Detail)
	}
	w.Flush()
}
