package org

import (
	"errors"
	"time"

	"github.com/humas-id/humas/valid"
)

// Unit is an office. ParentID 0 means a top unit.
type Unit struct {
	ID               int64  `json:"id"`
	ParentID         int64  `json:"parent_id"`
	Name             string `json:"name"`
	Slug             string `json:"slug"`
	Level            string `json:"level"` // national, province, city, other
	Timezone         string `json:"timezone"`
	RequiresApproval bool   `json:"requires_approval"`
	// ClassificationBy says who classifies the unit's posts: "editor" (the
	// writer's classification stands) or "ppid" (a PPID officer of the unit
	// or above confirms it before approval).
	ClassificationBy string `json:"classification_by"`
	// AllowHourly lets posts recur hourly; by default at most daily.
	AllowHourly bool `json:"allow_hourly_recurrence"`
	// Require2FA: admins, approvers and PPID officers of this unit and the
	// units below it must sign in with a second factor.
	Require2FA bool `json:"require_2fa"`
}

// Who classifies a unit's posts.
const (
	ClassifiedByEditor = "editor"
	ClassifiedByPPID   = "ppid"
)

// NeedsPPID reports whether a PPID officer must confirm classifications.
func (u Unit) NeedsPPID() bool { return u.ClassificationBy == ClassifiedByPPID }

// UnitPatch changes a unit's settings; nil fields stay as they are.
type UnitPatch struct {
	Name             *string
	RequiresApproval *bool
	ClassificationBy *string
	AllowHourly      *bool
	Timezone         *string
	// ParentID moves the unit under another (never under itself or a
	// unit below it).
	ParentID   *int64
	Require2FA *bool
}

// Field maxima of units and channels (runes): names reach the audit log.
const (
	MaxNameRunes = 200
	MaxSlugLen   = 64
	MaxExternal  = 64
)

// Location loads the unit's time zone (UTC if the name is unknown, which
// CreateUnit prevents).
func (u Unit) Location() *time.Location {
	if loc, err := time.LoadLocation(u.Timezone); err == nil {
		return loc
	}
	return time.UTC
}

// Platforms.
const (
	Facebook  = "facebook"
	Instagram = "instagram"
)

// Channel statuses.
const (
	StatusActive          = "active"
	StatusReconnectNeeded = "reconnect_needed"
	StatusDisabled        = "disabled"
)

// Levels lists the unit levels.
var Levels = []string{"national", "province", "city", "other"}

// Channel is a Facebook Page or an Instagram professional account. Its
// token is never part of this struct: ask Store.ChannelToken.
type Channel struct {
	ID                 int64      `json:"id"`
	UnitID             int64      `json:"unit_id"`
	Platform           string     `json:"platform"`
	ExternalID         string     `json:"external_id"`
	Name               string     `json:"name"`
	Status             string     `json:"status"`
	StatusReason       string     `json:"status_reason,omitempty"`
	HasToken           bool       `json:"has_token"`
	TokenExpiresAt     *time.Time `json:"token_expires_at,omitempty"`
	PausedUntil        *time.Time `json:"paused_until,omitempty"`
	LastCollectedAt    *time.Time `json:"last_collected_at,omitempty"`
	TokenCheckedAt     *time.Time `json:"token_checked_at,omitempty"`
	Scopes             []string   `json:"scopes"`
	MissingPermissions []string   `json:"missing_permissions"`
	// HealthNotified is the token health the unit's admins were last told
	// about (a Health state, "" for none).
	HealthNotified string `json:"-"`
}

// ChannelInput creates a channel.
type ChannelInput struct {
	UnitID      int64
	Platform    string
	ExternalID  string
	Name        string
	AccessToken string
}

// ChannelPatch changes a channel; nil fields stay as they are. A new
// AccessToken makes a reconnect_needed channel active again.
type ChannelPatch struct {
	UnitID      *int64
	Name        *string
	AccessToken *string
	Status      *string // active or disabled
}

// TokenHealth is what the daily token check found.
type TokenHealth struct {
	CheckedAt          time.Time
	ExpiresAt          *time.Time
	Scopes             []string
	MissingPermissions []string
}

// ErrNotFound means no unit or channel has the id asked for: the errors
// are valid.NotFound problems (naming the unit or channel), and
// errors.Is(err, ErrNotFound) holds for them.
var ErrNotFound = valid.ErrNotFound

func unitNotFound(id int64) error {
	return valid.NotFound("unit %d does not exist", "unit %d tidak ada", id)
}

func channelNotFound(id int64) error {
	return valid.NotFound("channel %d does not exist", "kanal %d tidak ada", id)
}

// ErrNoKey means a token was to be stored or read without a secret key.
var ErrNoKey = errors.New("no secret key configured: set HUMAS_SECRET_KEY (or secret_key) to 32 random bytes, " +
	"e.g. `openssl rand -hex 32`, to store channel access tokens")

// ErrNoToken means the channel has no stored access token.
var ErrNoToken = errors.New("the channel has no access token: set one with PATCH /api/v1/channels/{id} {\"access_token\": ...}")

// ValidationError lists invalid fields ("invalid input: field: message;
// ..."), in English and Bahasa Indonesia.
type ValidationError = valid.Errors

// ConflictError is a unique constraint hit (a slug or channel that exists).
type ConflictError struct{ Msg string }

func (e *ConflictError) Error() string { return e.Msg }

// Is makes errors.Is(err, valid.ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == valid.ErrConflict }

// Problem describes the conflict for the API and the pages.
func (e *ConflictError) Problem() *valid.Problem {
	return &valid.Problem{Kind: valid.ErrConflict, Code: "exists", Msg: e.Msg, MsgID: e.Msg}
}
