package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/valid"
)

// Accounts through the API: an admin manages the users of their own unit
// and the units below it (setup links, two-step reset, tokens, audit);
// everyone manages their own API tokens. Passwords and two-step
// enrolment are web-only: a token must not be able to change them.

// adminScope answers 403 unless unit is the caller's unit or one below it.
func (d SchedulerDeps) adminScope(c *gin.Context, unit int64, field string) error {
	ok, err := d.Org.InSubtree(c.Request.Context(), Principal(c).UnitID, unit)
	if err != nil {
		return err
	}
	if !ok {
		e := Forbidden(field + ": unit " + strconv.FormatInt(unit, 10) + " is outside your unit and the units below it")
		e.MessageID = field + ": unit " + strconv.FormatInt(unit, 10) + " di luar unit Anda dan unit di bawahnya"
		return e
	}
	return nil
}

// isRootAdmin: the caller's unit is a top unit.
func (d SchedulerDeps) isRootAdmin(c *gin.Context) (bool, error) {
	u, err := d.Org.Unit(c.Request.Context(), Principal(c).UnitID)
	if err != nil {
		return false, err
	}
	return u.ParentID == 0, nil
}

// scopedUser is the user named in the path, when the caller may manage
// them (404 otherwise, so names outside the tree are not revealed).
func (d SchedulerDeps) scopedUser(c *gin.Context) (auth.User, error) {
	u, err := d.Auth.UserByName(c.Request.Context(), c.Param("name"))
	if errors.Is(err, auth.ErrUserNotFound) {
		return auth.User{}, NotFound("no user is named " + c.Param("name"))
	}
	if err != nil {
		return auth.User{}, err
	}
	ok, err := d.Org.InSubtree(c.Request.Context(), Principal(c).UnitID, u.UnitID)
	if err != nil {
		return auth.User{}, err
	}
	if !ok {
		return auth.User{}, NotFound("no user is named " + c.Param("name") + " in your unit or the units below it")
	}
	return u, nil
}

// linkURL makes a setup link absolute.
func (d SchedulerDeps) linkURL(c *gin.Context, l auth.Link) string {
	base := strings.TrimRight(d.PublicURL, "/")
	if base == "" {
		scheme := "http"
		if c.Request.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + c.Request.Host
	}
	return base + l.Path()
}

// linkBody is the answer carrying a new setup link (shown once), sent by
// e-mail too when a sender is wired and the user has an address.
func (d SchedulerDeps) linkBody(c *gin.Context, u auth.User, l auth.Link) gin.H {
	url := d.linkURL(c, l)
	body := gin.H{"user": u, "setup_link": url, "purpose": l.Purpose, "expires_at": l.ExpiresAt, "emailed": false,
		"note": "give the link to the user privately: it is shown only once / berikan tautan secara pribadi: hanya ditampilkan sekali"}
	if d.Links != nil && u.Email != "" && l.ExpiresAt != nil {
		err := d.Links.SendSetupLink(c.Request.Context(), auth.LinkMessage{User: u, URL: url, Purpose: l.Purpose,
			ExpiresAt: *l.ExpiresAt, By: Principal(c).Name})
		body["emailed"] = err == nil
	}
	return body
}

func (d SchedulerDeps) linkTTL() time.Duration {
	if d.LinkTTL > 0 {
		return d.LinkTTL
	}
	return auth.DefaultLinkTTL
}

// userSetupLink makes a new setup link: a password reset, or a new
// invitation for a user who never set one.
func (d SchedulerDeps) userSetupLink(c *gin.Context) (any, error) {
	u, err := d.scopedUser(c)
	if err != nil {
		return nil, err
	}
	if u.DisabledAt != nil {
		return nil, Conflict("disabled", "user "+u.Name+" is disabled")
	}
	u, l, err := d.Auth.NewResetLink(c.Request.Context(), u.Name, d.linkTTL())
	if err != nil {
		return nil, err
	}
	return Status{Code: http.StatusCreated, Body: d.linkBody(c, u, l)}, nil
}

// userTOTPReset turns a user's two-step verification off (a lost phone).
func (d SchedulerDeps) userTOTPReset(c *gin.Context) (any, error) {
	u, err := d.scopedUser(c)
	if err != nil {
		return nil, err
	}
	if err := d.Auth.DisableTOTP(c.Request.Context(), u.ID); err != nil {
		return nil, err
	}
	return nil, nil
}

func (d SchedulerDeps) userTokens(c *gin.Context) (any, error) {
	u, err := d.scopedUser(c)
	if err != nil {
		return nil, err
	}
	toks, err := d.Auth.Tokens(c.Request.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	return gin.H{"tokens": toks}, nil
}

func tokenID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, BadRequest("bad_id", "the token id in the path must be a positive number, not "+strconv.Quote(c.Param("id")))
	}
	return id, nil
}

func tokenErr(err error) error {
	if errors.Is(err, auth.ErrTokenNotFound) {
		return NotFound("no such live API token")
	}
	return err
}

// userTokenRevoke lets an admin revoke anyone's token (in their tree).
func (d SchedulerDeps) userTokenRevoke(c *gin.Context) (any, error) {
	u, err := d.scopedUser(c)
	if err != nil {
		return nil, err
	}
	id, err := tokenID(c)
	if err != nil {
		return nil, err
	}
	return nil, tokenErr(d.Auth.RevokeToken(c.Request.Context(), u.ID, id))
}

func (d SchedulerDeps) me(c *gin.Context) (any, error) {
	u, err := d.Auth.UserByID(c.Request.Context(), Principal(c).UserID)
	if err != nil {
		return nil, err
	}
	return gin.H{"user": u}, nil
}

func (d SchedulerDeps) myTokens(c *gin.Context) (any, error) {
	toks, err := d.Auth.Tokens(c.Request.Context(), Principal(c).UserID)
	if err != nil {
		return nil, err
	}
	return gin.H{"tokens": toks}, nil
}

type tokenRequest struct {
	Name          string `json:"name"`
	ExpiresInDays int    `json:"expires_in_days"`
}

// createMyToken makes a token for the caller (answered once).
func (d SchedulerDeps) createMyToken(c *gin.Context) (any, error) {
	var r tokenRequest
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	var fe valid.Errors
	if strings.TrimSpace(r.Name) == "" || len([]rune(strings.TrimSpace(r.Name))) > 64 {
		fe.Add("name", "give the token a name of 1 to 64 characters (what it is for, e.g. grafana)",
			"beri nama token 1 sampai 64 karakter (untuk apa, mis. grafana)")
	}
	if r.ExpiresInDays < 1 || r.ExpiresInDays > 366 {
		fe.Add("expires_in_days", "a number of days from 1 to 366, not %d", "jumlah hari 1 sampai 366, bukan %d", r.ExpiresInDays)
	}
	if len(fe) > 0 {
		return nil, Unprocessable(fe)
	}
	t, tok, err := d.Auth.CreateToken(c.Request.Context(), Principal(c).UserID, r.Name,
		d.Auth.Now().Add(time.Duration(r.ExpiresInDays)*24*time.Hour))
	if err != nil {
		return nil, err
	}
	return Status{Code: http.StatusCreated, Body: gin.H{"token": tok, "api_token": t,
		"note": "store the token now: it is not shown again / simpan token sekarang: tidak ditampilkan lagi"}}, nil
}

func (d SchedulerDeps) revokeMyToken(c *gin.Context) (any, error) {
	id, err := tokenID(c)
	if err != nil {
		return nil, err
	}
	return nil, tokenErr(d.Auth.RevokeToken(c.Request.Context(), Principal(c).UserID, id))
}

// audit answers audit lines about the caller's unit and the units below
// it, newest first, with filters (actor, entity, entity_id, unit, action,
// from, to as RFC 3339 or YYYY-MM-DD, before_id, limit ≤ 1000).
func (d SchedulerDeps) audit(c *gin.Context) (any, error) {
	ctx := c.Request.Context()
	units, err := d.Org.Descendants(ctx, Principal(c).UnitID)
	if err != nil {
		return nil, err
	}
	f := auth.AuditFilter{Units: units, Actor: c.Query("actor"), Entity: c.Query("entity"), Action: c.Query("action"), Limit: 200}
	var fe valid.Errors
	num := func(name string, dst *int64) {
		if v := c.Query(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				fe.Add(name, "%q is not a positive number", "%q bukan bilangan positif", v)
			}
			*dst = n
		}
	}
	num("entity_id", &f.EntityID)
	num("unit", &f.UnitID)
	num("before_id", &f.BeforeID)
	var limit int64
	num("limit", &limit)
	if limit > 0 {
		f.Limit = int(min(limit, 1000))
	}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := c.Query(t.name); v != "" {
			at, err := time.Parse(time.RFC3339, v)
			if err != nil {
				at, err = time.Parse("2006-01-02", v)
			}
			if err != nil {
				fe.Add(t.name, "%q is not a time: use RFC 3339 (2026-11-27T09:00:00+07:00) or a date (2026-11-27, UTC)",
					"%q bukan waktu: gunakan RFC 3339 (2026-11-27T09:00:00+07:00) atau tanggal (2026-11-27, UTC)", v)
			}
			*t.dst = at
		}
	}
	if len(fe) > 0 {
		return nil, Unprocessable(fe)
	}
	lines, err := d.Auth.QueryAudit(ctx, f)
	if err != nil {
		return nil, err
	}
	return gin.H{"lines": lines}, nil
}
