package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/agenda"
	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/org"
)

// calDay is one day cell of the calendar.
type calDay struct {
	Date    time.Time
	InRange bool // in the month shown (month view)
	Today   bool
	Posts   []PostView
	// External are posts published outside humas (the collector found
	// them on the Page or account).
	External []analytics.PlatformPost
	// Events are the agenda's events on the day.
	Events []agenda.Event
}

type calendarData struct {
	View        string // week or month
	Heading     string
	Days        []calDay
	Weekdays    []string
	PrevURL     string
	NextURL     string
	TodayURL    string
	WeekURL     string
	MonthURL    string
	Units       []org.Unit
	Channels    []org.Channel
	UnitID      int64
	ChannelID   int64
	Count       int
	EventCount  int
	External    int
	States      []string
	Unavailable string
}

// States in the order the legend lists them.
var postStates = []string{"draft", "submitted", "approved", "scheduled", "publishing", "published", "failed", "rejected", "canceled"}

// calendarRange is the first day shown and the number of days for a view
// around date: a week starts on Monday; a month view shows whole weeks.
func calendarRange(view string, date time.Time) (start time.Time, days int, inMonth func(time.Time) bool) {
	d := time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, date.Location())
	monday := func(t time.Time) time.Time {
		off := (int(t.Weekday()) + 6) % 7
		return t.AddDate(0, 0, -off)
	}
	if view == "week" {
		return monday(d), 7, func(time.Time) bool { return true }
	}
	first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, d.Location())
	last := first.AddDate(0, 1, -1)
	start = monday(first)
	end := monday(last).AddDate(0, 0, 7)
	days = int(end.Sub(start).Hours()/24 + 0.5)
	return start, days, func(t time.Time) bool { return t.Month() == first.Month() }
}

// parseDay reads a YYYY-MM-DD date in loc; empty is today.
func parseDay(s string, loc *time.Location, now time.Time) (time.Time, bool) {
	if s == "" {
		return now.In(loc), true
	}
	t, err := time.ParseInLocation("2006-01-02", s, loc)
	return t, err == nil
}

func parseID(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func (h *Handler) calendarPage(c *gin.Context) {
	l := h.l(c)
	ctx := c.Request.Context()
	s, _ := session(c)
	now := h.d.Now()
	view := c.DefaultQuery("view", "week")
	if view != "month" {
		view = "week"
	}
	date, ok := parseDay(c.Query("date"), l.Loc, now)
	if !ok {
		h.errorPage(c, http.StatusBadRequest, l.T("err.badrequest", l.T("list.dateerror", c.Query("date"))))
		return
	}
	d := calendarData{View: view, UnitID: parseID(c.Query("unit")), ChannelID: parseID(c.Query("channel")), States: postStates}
	var err error
	scoped, err := h.d.Scope.ScopeUnit(ctx, s.Principal, d.UnitID)
	if err != nil {
		h.scopeError(c, err)
		return
	}
	if d.Units, err = h.d.Scope.VisibleUnits(ctx, s.Principal); err != nil {
		h.fail(c, err)
		return
	}
	if d.Channels, err = h.d.Scope.VisibleChannels(ctx, s.Principal); err != nil {
		h.fail(c, err)
		return
	}
	start, n, inMonth := calendarRange(view, date)
	end := start.AddDate(0, 0, n)
	var posts []PostView
	if posts, err = h.d.Posts.List(ctx, s.Principal, PostFilter{From: start, To: end, UnitID: d.UnitID, ChannelID: d.ChannelID}); err != nil {
		h.scopeError(c, err)
		return
	}
	today := now.In(l.Loc).Format("2006-01-02")
	for i := 0; i < n; i++ {
		day := start.AddDate(0, 0, i)
		d.Days = append(d.Days, calDay{Date: day, InRange: inMonth(day), Today: day.Format("2006-01-02") == today})
	}
	for _, p := range posts {
		i := int(p.ScheduledAt.In(l.Loc).Sub(start).Hours() / 24)
		if i >= 0 && i < n {
			d.Days[i].Posts = append(d.Days[i].Posts, p)
			d.Count++
		}
	}
	if h.d.Agenda != nil {
		unit := scoped
		if unit == 0 {
			unit = s.Principal.UnitID
		}
		evs, err := h.d.Agenda.ForUnit(ctx, unit, start, end)
		if err != nil {
			h.fail(c, err)
			return
		}
		seen := map[int64]bool{}
		for _, e := range evs {
			for i := range d.Days {
				day := d.Days[i].Date
				if e.Start.Before(day.AddDate(0, 0, 1)) && (e.End.After(day) || e.End.Equal(e.Start) && !e.Start.Before(day)) {
					d.Days[i].Events = append(d.Days[i].Events, e)
					seen[e.ID] = true
				}
			}
		}
		d.EventCount = len(seen)
	}
	ext, err := h.externalPosts(c, start, end, scoped, d.ChannelID)
	if err != nil {
		h.fail(c, err)
		return
	}
	for _, p := range ext {
		i := int(p.PublishedAt.In(l.Loc).Sub(start).Hours() / 24)
		if i >= 0 && i < n {
			d.Days[i].External = append(d.Days[i].External, p)
			d.External++
		}
	}
	for i := 0; i < 7; i++ {
		d.Weekdays = append(d.Weekdays, weekdayShort(l.Lang, weekdayOfRow(i)))
	}
	link := func(v string, t time.Time) string {
		q := url.Values{"view": {v}, "date": {t.Format("2006-01-02")}}
		if d.UnitID > 0 {
			q.Set("unit", strconv.FormatInt(d.UnitID, 10))
		}
		if d.ChannelID > 0 {
			q.Set("channel", strconv.FormatInt(d.ChannelID, 10))
		}
		return "/calendar?" + q.Encode()
	}
	if view == "week" {
		d.Heading = l.T("cal.weekof", l.Date(start), l.Date(end.AddDate(0, 0, -1)))
		d.PrevURL, d.NextURL = link(view, start.AddDate(0, 0, -7)), link(view, start.AddDate(0, 0, 7))
	} else {
		first := time.Date(date.Year(), date.Month(), 1, 0, 0, 0, 0, l.Loc)
		d.Heading = l.Month(first)
		d.PrevURL, d.NextURL = link(view, first.AddDate(0, -1, 0)), link(view, first.AddDate(0, 1, 0))
	}
	d.TodayURL = link(view, now.In(l.Loc))
	d.WeekURL, d.MonthURL = link("week", date), link("month", date)
	v := h.view(c, l.T("cal.title"), "calendar", d)
	h.render(c, http.StatusOK, "calendar", v)
}
