package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/valid"
)

// SchedulerDeps is what the calendar API needs.
type SchedulerDeps struct {
	Org      *org.Store
	Auth     *auth.Store
	Calendar *scheduler.Service
	// Tokens, when set, checks a pasted access token with Meta before a
	// channel stores it (and gives the token to store).
	Tokens TokenChecker
}

// TokenChecker checks an access token for a channel (scheduler.TokenChecker).
type TokenChecker interface {
	Check(ctx context.Context, platform, externalID, token string) (string, error)
}

// MountScheduler adds units, channels, users and posts under g, which must
// already be behind RequireAuth.
func MountScheduler(g *gin.RouterGroup, d SchedulerDeps) {
	admin := RequireRole(auth.RoleAdmin)
	g.GET("/units", Handle(d.listUnits))
	g.POST("/units", admin, Handle(d.createUnit))
	g.PATCH("/units/:id", admin, Handle(d.patchUnit))

	g.GET("/channels", Handle(d.listChannels))
	g.GET("/channels/:id", Handle(d.getChannel))
	g.POST("/channels", admin, Handle(d.createChannel))
	g.PATCH("/channels/:id", admin, Handle(d.patchChannel))
	g.DELETE("/channels/:id", admin, Handle(d.deleteChannel))

	g.GET("/users", admin, Handle(d.listUsers))
	g.POST("/users", admin, Handle(d.createUser))
	g.PATCH("/users/:name", admin, Handle(d.patchUser))
	g.DELETE("/users/:name", admin, Handle(d.revokeUser))

	g.GET("/posts", Handle(d.listPosts))
	g.POST("/posts", Handle(d.createPost))
	g.GET("/posts/:id", Handle(d.getPost))
	g.PATCH("/posts/:id", Handle(d.patchPost))
	g.POST("/posts/:id/submit", Handle(d.submitPost))
	g.POST("/posts/:id/approve", Handle(d.approvePost))
	g.POST("/posts/:id/reject", Handle(d.rejectPost))
	g.POST("/posts/:id/classify", Handle(d.classifyPost))
	g.POST("/posts/:id/cancel", Handle(d.cancelPost))
	g.GET("/posts/:id/audit", Handle(d.postAudit))
}

type unitRequest struct {
	Name             string `json:"name"`
	Slug             string `json:"slug"`
	Parent           string `json:"parent"` // slug or id
	Level            string `json:"level"`
	Timezone         string `json:"timezone"`
	RequiresApproval *bool  `json:"requires_approval"`
	ClassificationBy string `json:"classification_by"`
	AllowHourly      bool   `json:"allow_hourly_recurrence"`
}

// unitPatch changes a unit's name and settings.
type unitPatch struct {
	Name             *string `json:"name"`
	RequiresApproval *bool   `json:"requires_approval"`
	ClassificationBy *string `json:"classification_by"`
	AllowHourly      *bool   `json:"allow_hourly_recurrence"`
}

func (d SchedulerDeps) listUnits(c *gin.Context) (any, error) {
	units, err := d.Org.Units(c.Request.Context())
	if err != nil {
		return nil, err
	}
	if units == nil {
		units = []org.Unit{}
	}
	return gin.H{"units": units}, nil
}

func (d SchedulerDeps) createUnit(c *gin.Context) (any, error) {
	var r unitRequest
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	u := org.Unit{Name: r.Name, Slug: r.Slug, Level: r.Level, Timezone: r.Timezone, RequiresApproval: true,
		ClassificationBy: r.ClassificationBy, AllowHourly: r.AllowHourly}
	if r.RequiresApproval != nil {
		u.RequiresApproval = *r.RequiresApproval
	}
	if r.Parent != "" {
		p, err := d.resolveUnit(c, r.Parent, "parent")
		if err != nil {
			return nil, err
		}
		u.ParentID = p
	}
	// The request context carries the caller for the audit log.
	u, err := d.Org.CreateUnit(c.Request.Context(), u)
	if err != nil {
		return nil, err
	}
	return Status{Code: http.StatusCreated, Body: u}, nil
}

// patchUnit changes a unit's settings (admin): who classifies its posts,
// whether they need approval, whether they may recur hourly.
func (d SchedulerDeps) patchUnit(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	var r unitPatch
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	u, err := d.Org.UpdateUnit(c.Request.Context(), id, org.UnitPatch{Name: r.Name, RequiresApproval: r.RequiresApproval,
		ClassificationBy: r.ClassificationBy, AllowHourly: r.AllowHourly})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// resolveUnit accepts a unit id or slug.
func (d SchedulerDeps) resolveUnit(c *gin.Context, ref, field string) (int64, error) {
	var u org.Unit
	var err error
	if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
		u, err = d.Org.Unit(c.Request.Context(), id)
	} else {
		u, err = d.Org.UnitBySlug(c.Request.Context(), ref)
	}
	if errors.Is(err, org.ErrNotFound) {
		return 0, Unprocessable([]valid.FieldError{{Field: field, Message: "no unit has id or slug " + strconv.Quote(ref),
			MessageID: "tidak ada unit dengan id atau slug " + strconv.Quote(ref)}})
	}
	if err != nil {
		return 0, err
	}
	return u.ID, nil
}

func pathID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, BadRequest("bad_id", "the id in the path must be a positive number, not "+strconv.Quote(c.Param("id")))
	}
	return id, nil
}

// mapErr adds to a version conflict (409 version_mismatch, as Classify
// answers it) the current version, its content hash and the post as it is
// now (in the unit's time zone), so the client can show what changed.
// Other errors pass as they are.
func (d SchedulerDeps) mapErr(c *gin.Context, err error) error {
	var ve *scheduler.VersionError
	if !errors.As(err, &ve) {
		return err
	}
	e := *Classify(err)
	e.Details = gin.H{"current_version": ve.Current.Version, "content_hash": ve.CurrentHash, "post": d.locs(c).view(ve.Current)}
	return &e
}
