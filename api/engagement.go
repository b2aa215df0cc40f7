package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
)

// Scope decides which units a caller may read: their own unit and the
// units below it, every unit for an admin (*scheduler.Service implements
// it; the rule is the scheduler's, see scheduler/scope.go).
type Scope interface {
	// ScopeUnit is the unit a report covers when unitID (0: none) is
	// asked: that unit when the caller may see it (else a 403 naming it),
	// the caller's own unit when none is asked (0, all, for an admin).
	ScopeUnit(ctx context.Context, p auth.Principal, unitID int64) (int64, error)
	// CheckUnit is nil when the caller may see unitID (else a 403 naming it).
	CheckUnit(ctx context.Context, p auth.Principal, unitID int64) error
	// CheckChannel is nil when the caller may see the channel's unit.
	CheckChannel(ctx context.Context, p auth.Principal, channelID int64) error
}

// Unscoped lets every caller read every unit. Only for a tool that serves
// reports to one trusted operator (cmd/humas-load); humas serve scopes by
// unit.
type Unscoped struct{}

func (Unscoped) ScopeUnit(_ context.Context, _ auth.Principal, unitID int64) (int64, error) {
	return unitID, nil
}
func (Unscoped) CheckUnit(context.Context, auth.Principal, int64) error    { return nil }
func (Unscoped) CheckChannel(context.Context, auth.Principal, int64) error { return nil }

// MountAnalytics adds the engagement reports to g (already behind
// RequireAuth; any role may read them, for the units scope lets them see).
// Every report answers JSON, or CSV with "Accept: text/csv" or format=csv
// (Indonesian headers with lang=id).
func MountAnalytics(g *gin.RouterGroup, svc *analytics.Service, scope Scope) {
	if scope == nil {
		panic("api: MountAnalytics needs a Scope (the scheduler's, or Unscoped for a single-operator tool)")
	}
	h := analyticsHandlers{svc: svc, scope: scope}
	g.GET("/engagement", Handle(h.engagement))
	g.GET("/engagement/posts", Handle(h.posts))
	g.GET("/engagement/best-times", Handle(h.bestTimes))
	g.GET("/engagement/hashtags", Handle(h.hashtags))
	g.GET("/engagement/campaigns", Handle(h.campaigns))
	g.GET("/followers", Handle(h.followers))
}

type analyticsHandlers struct {
	svc   *analytics.Service
	scope Scope
}

// reportRequest is a parsed report request: the query and how to answer.
type reportRequest struct {
	q    analytics.Query
	csv  bool
	lang string
}

func parseReport(c *gin.Context) (reportRequest, error) {
	v := c.Request.URL.Query()
	r := reportRequest{lang: "en"}
	switch f := v.Get("format"); f {
	case "", "json":
		r.csv = f == "" && strings.Contains(c.GetHeader("Accept"), "text/csv")
	case "csv":
		r.csv = true
	default:
		return r, (&analytics.ParamError{Param: "format",
			Message:   "\"" + f + "\" is not allowed; use json or csv (or send Accept: text/csv)",
			MessageID: "\"" + f + "\" tidak dikenal; gunakan json atau csv (atau kirim Accept: text/csv)"})
	}
	switch l := v.Get("lang"); l {
	case "", "en":
	case "id":
		r.lang = "id"
	default:
		return r, (&analytics.ParamError{Param: "lang",
			Message:   "\"" + l + "\" is not allowed; use en or id",
			MessageID: "\"" + l + "\" tidak dikenal; gunakan en atau id"})
	}
	q, err := analytics.ParseQuery(v)
	if err != nil {
		return r, err
	}
	r.q = q
	return r, nil
}

// parse reads the request and narrows it to the units the caller may
// see: a unit or channel of another unit is a 403 naming it; with no unit
// asked, the report covers the caller's unit and the units below it.
func (h analyticsHandlers) parse(c *gin.Context) (reportRequest, error) {
	r, err := parseReport(c)
	if err != nil {
		return r, err
	}
	ctx, p := c.Request.Context(), Principal(c)
	unit, err := h.scope.ScopeUnit(ctx, p, int64(r.q.Unit))
	if err != nil {
		return r, err
	}
	r.q.Unit = uint64(unit)
	if r.q.Channel != 0 {
		err := h.scope.CheckChannel(ctx, p, int64(r.q.Channel))
		if errors.Is(err, org.ErrNotFound) {
			return r, (&analytics.ParamError{Param: "channel",
				Message:   fmt.Sprintf("no channel has id %d; GET /api/v1/channels lists them", r.q.Channel),
				MessageID: fmt.Sprintf("tidak ada kanal dengan id %d; GET /api/v1/channels menampilkan daftarnya", r.q.Channel)})
		}
		if err != nil {
			return r, err
		}
	}
	return r, nil
}

// answer writes v as JSON, or t as CSV. Both are written as they are made
// (streamJSON, csvTable.each): a large report is not held a second time
// as text.
func (r reportRequest) answer(c *gin.Context, name string, v any, t csvTable) (any, error) {
	var err error
	if r.csv {
		err = writeCSV(c, name, t, r.lang)
	} else {
		c.Header("Content-Type", "application/json; charset=utf-8")
		c.Status(http.StatusOK)
		err = streamJSON(c.Writer, v)
	}
	if err != nil && c.Writer.Written() {
		// Part of the answer is out: all that is left is to cut it short.
		slog.ErrorContext(c.Request.Context(), "writing a report failed", "route", c.FullPath(), "err", err)
		c.Abort()
		return nil, nil
	}
	return nil, err
}

func (h analyticsHandlers) engagement(c *gin.Context) (any, error) {
	r, err := h.parse(c)
	if err != nil {
		return nil, err
	}
	rep, err := h.svc.Engagement(c.Request.Context(), r.q)
	if err != nil {
		return nil, err
	}
	return r.answer(c, "engagement_"+rep.From+"_"+rep.To, rep, engagementTable(rep))
}

func (h analyticsHandlers) campaigns(c *gin.Context) (any, error) {
	r, err := h.parse(c)
	if err != nil {
		return nil, err
	}
	rep, err := h.svc.Campaigns(c.Request.Context(), r.q)
	if err != nil {
		return nil, err
	}
	return r.answer(c, "campaigns_"+rep.From+"_"+rep.To, rep, engagementTable(rep))
}

func (h analyticsHandlers) posts(c *gin.Context) (any, error) {
	r, err := h.parse(c)
	if err != nil {
		return nil, err
	}
	rep, err := h.svc.TopPosts(c.Request.Context(), r.q)
	if err != nil {
		return nil, err
	}
	return r.answer(c, "posts_"+rep.From+"_"+rep.To, rep, postsTable(rep))
}

func (h analyticsHandlers) bestTimes(c *gin.Context) (any, error) {
	r, err := h.parse(c)
	if err != nil {
		return nil, err
	}
	rep, err := h.svc.BestTimes(c.Request.Context(), r.q)
	if err != nil {
		return nil, err
	}
	return r.answer(c, "best_times_"+rep.From+"_"+rep.To, rep, bestTimesTable(rep))
}

func (h analyticsHandlers) hashtags(c *gin.Context) (any, error) {
	r, err := h.parse(c)
	if err != nil {
		return nil, err
	}
	rep, err := h.svc.Hashtags(c.Request.Context(), r.q)
	if err != nil {
		return nil, err
	}
	return r.answer(c, "hashtags_"+rep.From+"_"+rep.To, rep, hashtagsTable(rep))
}

func (h analyticsHandlers) followers(c *gin.Context) (any, error) {
	r, err := h.parse(c)
	if err != nil {
		return nil, err
	}
	rep, err := h.svc.Followers(c.Request.Context(), r.q)
	if err != nil {
		return nil, err
	}
	return r.answer(c, "followers_"+rep.From+"_"+rep.To, rep, followersTable(rep))
}
