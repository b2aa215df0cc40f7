package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/collector"
	"github.com/humas-id/humas/store"
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
			return nil, Unprocessable([]valid.FieldError{{Field: "since", Message: err.Error(),
				MessageID: "since harus berupa tanggal seperti 2026-01-31 atau waktu RFC 3339"}})
		}
		opts.Since = t
	}
	if req.ChannelID < 0 {
		return nil, Unprocessable([]valid.FieldError{{Field: "channel_id", Message: "channel_id must be a channel id (or omitted for all)",
			MessageID: "channel_id harus id kanal (atau dikosongkan untuk semua)"}})
	}
	id, err := h.svc.StartRun(c.Request.Context(), opts)
	if err != nil {
		return nil, collectorError(err)
	}
	return Status{Code: http.StatusAccepted, Body: collectStarted{ID: id, StatusURL: "/api/v1/collect/" + id}}, nil
}

func (h collectHandlers) status(c *gin.Context) (any, error) {
	st, err := h.svc.RunStatus(c.Request.Context(), c.Param("id"))
	if err != nil {
		return nil, collectorError(err)
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
		return time.Time{}, fmt.Errorf("since %q is not a date like 2026-01-31 or an RFC 3339 time like 2026-01-31T07:00:00+07:00", s)
	}
	return t.UTC(), nil
}

// collectorError maps the collector's typed errors to API errors.
func collectorError(err error) error {
	var ie *collector.InputError
	var busy *collector.RunInProgressError
	switch {
	case errors.As(err, &ie):
		if ie.Field == "channel_id" && strings.HasPrefix(ie.Message, "no channel") {
			return &Error{Status: http.StatusNotFound, Code: "not_found", Message: ie.Message, MessageID: ie.MessageID}
		}
		return Unprocessable([]valid.FieldError{*ie})
	case errors.As(err, &busy):
		e := Conflict("collect_in_progress", "a collection run is already in progress; follow it at /api/v1/collect/"+busy.ID)
		e.MessageID = "koleksi lain sedang berjalan"
		e.Details = gin.H{"id": busy.ID}
		return e
	case errors.Is(err, collector.ErrRunNotFound):
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no collection run has this id",
			MessageID: "tidak ada koleksi dengan id ini"}
	case errors.Is(err, collector.ErrPostNotFound):
		return &Error{Status: http.StatusNotFound, Code: "not_found",
			Message:   "this post has not been collected yet; run a collection (POST /api/v1/collect) first",
			MessageID: "posting ini belum dikoleksi; jalankan koleksi terlebih dahulu"}
	case errors.Is(err, store.ErrUnavailable):
		return &Error{Status: http.StatusServiceUnavailable, Code: "clickhouse_unavailable",
			Message:   "ClickHouse is unreachable; try again once it is back",
			MessageID: "ClickHouse tidak dapat dihubungi; coba lagi nanti"}
	}
	return err
}
