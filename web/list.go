package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
)

// Content types and classifications offered by the forms; the scheduler
// decides which are valid for which platform.
var (
	contentTypes    = []string{"photo", "video", "interactive", "text", "link"}
	classifications = []string{"public", "exempt"}
	categories      = scheduler.Categories
	recurrences     = []string{"", "daily", "weekly", "monthly"}
)

type listData struct {
	Filter      PostFilter
	FromText    string
	ToText      string
	Posts       []PostView
	Units       []org.Unit
	Channels    []org.Channel
	States      []string
	Types       []string
	Unavailable string
	FieldErr    map[string]string
	// External are posts published outside humas in ExtFrom..ExtTo.
	External       []analytics.PlatformPost
	ExtFrom, ExtTo time.Time
}

func (h *Handler) listPage(c *gin.Context) {
	l := h.l(c)
	ctx := c.Request.Context()
	s, _ := session(c)
	d := listData{States: postStates, Types: contentTypes, FieldErr: map[string]string{},
		FromText: c.Query("from"), ToText: c.Query("to")}
	f := PostFilter{UnitID: parseID(c.Query("unit")), ChannelID: parseID(c.Query("channel")),
		Query: strings.TrimSpace(c.Query("q"))}
	if st := c.Query("state"); slices.Contains(postStates, st) {
		f.State = st
	}
	if ct := c.Query("type"); slices.Contains(contentTypes, ct) {
		f.ContentType = ct
	}
	status := http.StatusOK
	if d.FromText != "" {
		if t, err := time.ParseInLocation("2006-01-02", d.FromText, l.Loc); err == nil {
			f.From = t
		} else {
			d.FieldErr["from"] = l.T("list.dateerror", d.FromText)
			status = http.StatusBadRequest
		}
	}
	if d.ToText != "" {
		if t, err := time.ParseInLocation("2006-01-02", d.ToText, l.Loc); err == nil {
			f.To = t.AddDate(0, 0, 1)
		} else {
			d.FieldErr["to"] = l.T("list.dateerror", d.ToText)
			status = http.StatusBadRequest
		}
	}
	d.Filter = f
	var err error
	if f.UnitID != 0 {
		if _, err := h.d.Scope.ScopeUnit(ctx, s.Principal, f.UnitID); err != nil {
			h.scopeError(c, err)
			return
		}
	}
	if d.Units, err = h.d.Scope.VisibleUnits(ctx, s.Principal); err != nil {
		h.fail(c, err)
		return
	}
	if d.Channels, err = h.d.Scope.VisibleChannels(ctx, s.Principal); err != nil {
		h.fail(c, err)
		return
	}
	switch {
	case len(d.FieldErr) == 0:
		if d.Posts, err = h.d.Posts.List(ctx, s.Principal, f); err != nil {
			var fe FieldErrors
			if errors.As(err, &fe) { // a date outside the scheduler's window
				for _, e := range fe {
					d.FieldErr[e.Field] = l.Pick(e.MessageID, e.Message)
				}
				status = http.StatusBadRequest
				break
			}
			h.scopeError(c, err)
			return
		}
	}
	if len(d.FieldErr) == 0 && (f.State == "" || f.State == "published") {
		if err := h.listExternal(c, &d, f); err != nil {
			h.scopeError(c, err)
			return
		}
	}
	h.render(c, status, "list", h.view(c, l.T("list.title"), "list", d))
}

// listExternal adds the posts published outside humas in the filter's
// dates (default: the last 30 days), matching its unit, channel, type and
// text.
func (h *Handler) listExternal(c *gin.Context, d *listData, f PostFilter) error {
	l := h.l(c)
	s, _ := session(c)
	scoped, err := h.d.Scope.ScopeUnit(c.Request.Context(), s.Principal, f.UnitID)
	if err != nil {
		return err
	}
	to := f.To
	if to.IsZero() {
		n := h.d.Now().In(l.Loc)
		to = time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, l.Loc).AddDate(0, 0, 1)
	}
	from := f.From
	if from.IsZero() || !from.Before(to) {
		from = to.AddDate(0, 0, -30)
	}
	posts, err := h.externalPosts(c, from, to, scoped, f.ChannelID)
	if err != nil {
		return err
	}
	q := strings.ToLower(f.Query)
	for i := len(posts) - 1; i >= 0; i-- { // newest first, as the list
		p := posts[i]
		if (f.ContentType != "" && p.ContentType != f.ContentType) || (q != "" && !strings.Contains(strings.ToLower(p.Caption), q)) {
			continue
		}
		d.External = append(d.External, p)
	}
	d.ExtFrom, d.ExtTo = from, to.AddDate(0, 0, -1)
	return nil
}
