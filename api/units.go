package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

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
	// PublicURL makes setup links absolute (empty: the request's host).
	PublicURL string
	// LinkTTL is how long setup links stay good (72 h when 0).
	LinkTTL time.Duration
	// Links sends setup links by e-mail (optional; nil: the link is only
	// in the answer).
	Links LinkSender
}

// LinkSender delivers a setup link to the person it is for.
type LinkSender interface {
	SendSetupLink(ctx context.Context, m auth.LinkMessage) error
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
	g.POST("/users/:name/setup-link", admin, Handle(d.userSetupLink))
	g.DELETE("/users/:name/totp", admin, Handle(d.userTOTPReset))
	g.GET("/users/:name/tokens", admin, Handle(d.userTokens))
	g.DELETE("/users/:name/tokens/:id", admin, Handle(d.userTokenRevoke))
	g.GET("/audit", admin, Handle(d.audit))

	g.GET("/me", Handle(d.me))
	g.GET("/me/tokens", Handle(d.myTokens))
	g.POST("/me/tokens", Handle(d.createMyToken))
	g.DELETE("/me/tokens/:id", Handle(d.revokeMyToken))

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
	Timezone         *string `json:"timezone"`
	Parent           *string `json:"parent"` // slug or id: moves the unit
	Require2FA       *bool   `json:"require_2fa"`
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
		if err := d.adminScope(c, p, "parent"); err != nil {
			return nil, err
		}
		u.ParentID = p
	} else if ok, err := d.isRootAdmin(c); err != nil {
		return nil, err
	} else if !ok {
		return nil, Unprocessable([]valid.FieldError{{Field: "parent", Message: "give the parent unit: a new unit goes below your own unit or one below it",
			MessageID: "isi unit induk: unit baru berada di bawah unit Anda atau unit di bawahnya"}})
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
	if err := d.adminScope(c, id, "id"); err != nil {
		return nil, err
	}
	p := org.UnitPatch{Name: r.Name, RequiresApproval: r.RequiresApproval,
		ClassificationBy: r.ClassificationBy, AllowHourly: r.AllowHourly, Timezone: r.Timezone, Require2FA: r.Require2FA}
	if r.Parent != nil {
		parent, err := d.resolveUnit(c, *r.Parent, "parent")
		if err != nil {
			return nil, err
		}
		if err := d.adminScope(c, parent, "parent"); err != nil {
			return nil, err
		}
		if id == Principal(c).UnitID {
			return nil, Forbidden("your own unit is moved by an admin of a unit above it")
		}
		p.ParentID = &parent
	}
	if r.Require2FA != nil && *r.Require2FA && !d.Auth.HasKey() {
		return nil, &Error{Status: http.StatusUnprocessableEntity, Code: "no_secret_key", Message: auth.ErrNoKey.Error(),
			MessageID: "server belum punya kunci rahasia untuk verifikasi dua langkah: isi HUMAS_SECRET_KEY lalu mulai ulang"}
	}
	u, err := d.Org.UpdateUnit(c.Request.Context(), id, p)
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
