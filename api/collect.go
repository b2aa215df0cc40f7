package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/collector"
	"github.com/humas-id/humas/valid"
)

// CollectorService is what the collector routes need
// (*collector.Collector implements it).
type CollectorService interface {
	StartRun(ctx context.Context, opts collector.RunOptions) (string, error)
	RunStatus(ctx context.Context, id string) (collector.RunStatus, error)
	SetContentType(ctx context.Context, platform, postID, contentType string, by auth.Principal) (collector.ContentTypeChange, error)
	// PostUnit is the unit a collected platform post belongs to.
	PostUnit(ctx context.Context, platform, postID string) (int64, error)
}

// MountCollector adds the collector routes to g, which must already be
// behind RequireAuth:
//
//	POST  /collect                           start a run (admin) → 202 {id}
//	GET   /collect/:id                       a run's progress
//	PATCH /platform-posts/:platform/:id      correct a post's content type (editor or above, in the post's unit or above)
func MountCollector(g *gin.RouterGroup, svc CollectorService, scope Scope) {
	if scope == nil {
		panic("api: MountCollector needs a Scope")
	}
	h := collectHandlers{svc: svc, scope: scope}
	g.POST("/collect", RequireRole(auth.RoleAdmin), Handle(h.start))
	g.GET("/collect/:id", Handle(h.status))
	mountPlatformPosts(g, h)
}

type collectHandlers struct {
	svc   CollectorService
	scope Scope
}

type collectRequest struct {
	ChannelID int64  `json:"channel_id"`
	Since     string `json:"since"` // 2026-01-31 (UTC) or RFC 3339
}

type collectStarted struct {
	ID        string `json:"id"`
	StatusURL string `json:"status_url"`
}

func (h collectHandlers) start(c *gin.Context) (any, error) {
	var req collectRequest
	if _, err := bindOptionalJSON(c, &req); err != nil { // {"channel_id": 3, "since": "2026-01-31"}, both optional
		return nil, err
	}
	opts := collector.RunOptions{ChannelID: req.ChannelID, Trigger: collector.TriggerAPI, RequestedBy: Principal(c).Name}
	if req.Since != "" {
		t, err := ParseSince(req.Since)
		if err != nil {
			return nil, err
		}
		opts.Since = t
	}
	if req.ChannelID < 0 {
		return nil, Unprocessable([]valid.FieldError{{Field: "channel_id", Message: "channel_id must be a channel id (or omitted for all)",
			MessageID: "channel_id harus id kanal (atau dikosongkan untuk semua)"}})
	}
	id, err := h.svc.StartRun(c.Request.Context(), opts)
	if err != nil {
		return nil, err
	}
	return Status{Code: http.StatusAccepted, Body: collectStarted{ID: id, StatusURL: "/api/v1/collect/" + id}}, nil
}

func (h collectHandlers) status(c *gin.Context) (any, error) {
	st, err := h.svc.RunStatus(c.Request.Context(), c.Param("id"))
	if err != nil {
		return nil, err
	}
	return st, nil
}

// ParseSince reads a date (2026-01-31, UTC midnight) or an RFC 3339 time.
func ParseSince(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, valid.Invalid("since",
			fmt.Sprintf("since %q is not a date like 2026-01-31 or an RFC 3339 time like 2026-01-31T07:00:00+07:00", s),
			"since harus berupa tanggal seperti 2026-01-31 atau waktu RFC 3339")
	}
	return t.UTC(), nil
}
