package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/humas-id/humas/store"
)

// Token health states, as staff are told them. A channel is never shown
// healthy unless its token was checked and is valid, complete and not
// about to expire.
const (
	// HealthUnchecked: the token was never checked (a check runs when a
	// channel is connected and every day).
	HealthUnchecked = "unchecked"
	// HealthOK: checked, valid, every permission, not expiring soon.
	HealthOK = "ok"
	// HealthExpiring: valid, but it expires (or loses data access) within
	// ExpiryWarning.
	HealthExpiring = "expiring"
	// HealthMissing: valid, but permissions that publishing or insights
	// need are missing (Health.Missing names them).
	HealthMissing = "missing_permissions"
	// HealthReconnect: no token, an expired or revoked one, or one that
	// cannot serve the channel (Health.Reason says why).
	HealthReconnect = "reconnect_needed"
)

// ExpiryWarning is how early an expiring token is flagged.
const ExpiryWarning = 7 * 24 * time.Hour

// Health is a channel's token health.
type Health struct {
	State     string
	Missing   []string // HealthMissing: the permissions missing
	Reason    string   // HealthReconnect: why ("" when it has no token)
	ExpiresAt *time.Time
	CheckedAt *time.Time
}

// NeedsAttention reports whether an admin must act (reconnect, grant
// permissions, renew before expiry).
func (h Health) NeedsAttention() bool {
	return h.State == HealthReconnect || h.State == HealthMissing || h.State == HealthExpiring
}

// Health is the channel's token health at now: reconnect when there is no
// token, it expired or a check or a publish found it unusable (missing
// permissions when those are what is wrong), unchecked until a check ran,
// expiring within ExpiryWarning, else ok.
func (c Channel) Health(now time.Time) Health {
	h := Health{ExpiresAt: c.TokenExpiresAt, CheckedAt: c.TokenCheckedAt}
	expired := c.TokenExpiresAt != nil && !c.TokenExpiresAt.After(now)
	switch {
	case !c.HasToken:
		h.State = HealthReconnect
	case len(c.MissingPermissions) > 0 && !expired:
		h.State, h.Missing = HealthMissing, c.MissingPermissions
	case c.Status == StatusReconnectNeeded:
		h.State, h.Reason = HealthReconnect, c.StatusReason
	case expired:
		h.State = HealthReconnect
		h.Reason = "the access token expired on " + c.TokenExpiresAt.UTC().Format(time.RFC3339)
	case c.TokenCheckedAt == nil:
		h.State = HealthUnchecked
	case c.TokenExpiresAt != nil && c.TokenExpiresAt.Before(now.Add(ExpiryWarning)):
		h.State = HealthExpiring
	default:
		h.State = HealthOK
	}
	return h
}

const qChannelNotified = `UPDATE channels SET health_notified = ? WHERE id = ?`

// SetHealthNotified records the health state the unit's admins were last
// told about.
func (s *Store) SetHealthNotified(ctx context.Context, id int64, state string) error {
	if _, err := s.db.DB.ExecContext(ctx, qChannelNotified, state, id); err != nil {
		return fmt.Errorf("channel %d health notified: %w", id, err)
	}
	return nil
}

// Connect results.
const (
	ConnectCreated  = "created"  // a new channel
	ConnectRevived  = "revived"  // a disconnected channel back, with its history
	ConnectReplaced = "replaced" // a connected channel's token replaced (reconnected)
)

const (
	qChannelByExternal = `SELECT id, deleted_at IS NOT NULL, unit_id, name FROM channels WHERE platform = ? AND external_id = ?`
	// qChannelConnect gives a channel a new token and a fresh, unchecked
	// health; a disconnected one comes back.
	qChannelConnect = `UPDATE channels SET unit_id = ?, name = ?, token_ciphertext = ?, status = 'active', status_reason = '',
    token_checked_at = NULL, token_expires_at = NULL, token_scopes = '[]', missing_permissions = '[]', health_notified = '',
    paused_until = NULL, deleted_at = NULL, updated_at = ? WHERE id = ?`
)

// Connect stores a channel connected with a new token (through Facebook
// Login or a system-user token): a new channel, a disconnected one brought
// back under its id (its posts, deliveries and reports stay its own), or a
// connected one whose token is replaced. It goes to in.UnitID with
// in.Name; its health is unchecked until the token check that should
// follow at once. via ("facebook_login", "system_user") is audited.
func (s *Store) Connect(ctx context.Context, in ChannelInput, via string) (Channel, string, error) {
	var id int64
	var deleted bool
	var oldUnit int64
	var oldName string
	err := s.db.DB.QueryRowContext(ctx, qChannelByExternal, in.Platform, in.ExternalID).Scan(&id, &deleted, &oldUnit, &oldName)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Channel{}, "", fmt.Errorf("find channel %s/%s: %w", in.Platform, in.ExternalID, err)
	}
	if id == 0 {
		c, err := s.CreateChannel(ctx, in)
		return c, ConnectCreated, err
	}
	var errs ValidationError
	checkChannelName(&errs, in.Name)
	if in.AccessToken == "" {
		errs.Add("access_token", "the access token is empty", "token akses kosong")
	}
	if _, err := s.Unit(ctx, in.UnitID); err != nil {
		errs.Add("unit", "no unit has id %d", "tidak ada unit dengan id %d", in.UnitID)
	}
	if len(errs) > 0 {
		return Channel{}, "", errs
	}
	blob, err := s.sealToken(in.AccessToken)
	if err != nil {
		return Channel{}, "", err
	}
	result := ConnectReplaced
	if deleted {
		result = ConnectRevived
	}
	at := s.now()
	err = s.inTx(ctx, fmt.Sprintf("connect channel %d", id), func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, qChannelConnect, in.UnitID, in.Name, blob, store.FormatTime(at), id); err != nil {
			return err
		}
		return s.audit(ctx, tx, at, entityChannel, id, "connect", "", StatusActive, map[string]any{"via": via, "result": result,
			"unit_id": map[string]int64{"from": oldUnit, "to": in.UnitID}, "name": map[string]string{"from": oldName, "to": in.Name}})
	})
	if err != nil {
		return Channel{}, "", err
	}
	c, err := s.Channel(ctx, id)
	return c, result, err
}

// ChannelByExternalID finds a connected channel by platform and Page or
// Instagram id (ErrNotFound when none, or it was disconnected).
func (s *Store) ChannelByExternalID(ctx context.Context, platform, externalID string) (Channel, error) {
	var id int64
	var deleted bool
	var unit int64
	var name string
	err := s.db.DB.QueryRowContext(ctx, qChannelByExternal, platform, externalID).Scan(&id, &deleted, &unit, &name)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && deleted) {
		return Channel{}, fmt.Errorf("%s channel %s: %w", platform, externalID, ErrNotFound)
	}
	if err != nil {
		return Channel{}, err
	}
	return s.Channel(ctx, id)
}

const qChannelUsable = `UPDATE channels SET status = 'active', status_reason = '', updated_at = ? WHERE id = ? AND status = 'reconnect_needed'`

// MarkUsable makes a channel that needed reconnecting active again: a
// check found its token valid, of this app, of its Page, with every
// permission (e.g. permissions granted since in Business Manager).
func (s *Store) MarkUsable(ctx context.Context, id int64) error {
	if _, err := s.db.DB.ExecContext(ctx, qChannelUsable, store.FormatTime(s.now()), id); err != nil {
		return fmt.Errorf("channel %d usable again: %w", id, err)
	}
	return nil
}
