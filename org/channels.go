package org

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/humas-id/humas/store"
)

const (
	qChannelCols = `id, unit_id, platform, external_id, name, status, status_reason, token_ciphertext IS NOT NULL,
    token_expires_at, paused_until, last_collected_at, token_checked_at, token_scopes, missing_permissions, health_notified`
	qChannels      = `SELECT ` + qChannelCols + ` FROM channels WHERE deleted_at IS NULL ORDER BY id`
	qAllChannels   = `SELECT ` + qChannelCols + ` FROM channels ORDER BY id`
	qChannel       = `SELECT ` + qChannelCols + ` FROM channels WHERE id = ? AND deleted_at IS NULL`
	qChannelToken  = `SELECT token_ciphertext FROM channels WHERE id = ? AND deleted_at IS NULL`
	qChannelInsert = `INSERT INTO channels (unit_id, platform, external_id, name, token_ciphertext, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`
	qChannelReconnect = `UPDATE channels SET status = 'reconnect_needed', status_reason = ?, updated_at = ?
WHERE id = ? AND status != 'disabled'`
	qChannelPaused    = `UPDATE channels SET paused_until = ?, updated_at = ? WHERE id = ?`
	qChannelCollected = `UPDATE channels SET last_collected_at = ?, updated_at = ? WHERE id = ?`
	qChannelHealth    = `UPDATE channels SET token_checked_at = ?, token_expires_at = ?, token_scopes = ?,
    missing_permissions = ?, updated_at = ? WHERE id = ?`
	qChannelSetUnit  = `UPDATE channels SET unit_id = ?, updated_at = ? WHERE id = ?`
	qChannelSetName  = `UPDATE channels SET name = ?, updated_at = ? WHERE id = ?`
	qChannelSetToken = `UPDATE channels SET token_ciphertext = ?, status = CASE WHEN status = 'reconnect_needed' THEN 'active' ELSE status END,
    status_reason = CASE WHEN status = 'reconnect_needed' THEN '' ELSE status_reason END, updated_at = ? WHERE id = ?`
	qChannelSetStatus = `UPDATE channels SET status = ?, status_reason = '', updated_at = ? WHERE id = ?`
	qChannelDelete    = `UPDATE channels SET deleted_at = ?, status = 'disabled', token_ciphertext = NULL, updated_at = ?
WHERE id = ? AND deleted_at IS NULL`
)

// CreateChannel validates and inserts a channel, encrypting its token.
// A token without a configured key fails with ErrNoKey.
func (s *Store) CreateChannel(ctx context.Context, in ChannelInput) (Channel, error) {
	in.ExternalID = strings.TrimSpace(in.ExternalID)
	in.Name = strings.TrimSpace(in.Name)
	var errs ValidationError
	if in.Platform != Facebook && in.Platform != Instagram {
		errs.Add("platform", "%q is not facebook or instagram", "%q bukan facebook atau instagram", in.Platform)
	}
	if in.ExternalID == "" || len(in.ExternalID) > MaxExternal || strings.ContainsAny(in.ExternalID, "/?&# ") {
		errs.Add("external_id", "give the Page id or Instagram account id (digits, as Meta shows it)",
			"isi id Page atau id akun Instagram (angka, seperti yang ditampilkan Meta)")
	}
	checkChannelName(&errs, in.Name)
	if in.UnitID == 0 {
		errs.Add("unit", "say which unit the channel belongs to", "sebutkan unit pemilik kanal")
	} else if _, err := s.Unit(ctx, in.UnitID); errors.Is(err, ErrNotFound) {
		errs.Add("unit", "no unit has id %d", "tidak ada unit dengan id %d", in.UnitID)
	} else if err != nil {
		return Channel{}, err
	}
	if len(errs) > 0 {
		return Channel{}, errs
	}
	var blob []byte
	if in.AccessToken != "" {
		var err error
		if blob, err = s.sealToken(in.AccessToken); err != nil {
			return Channel{}, err
		}
	}
	at := s.now()
	now := store.FormatTime(at)
	var id int64
	err := s.inTx(ctx, "create channel", func(tx *sql.Tx) error {
		var err error
		id, err = store.InsertID(ctx, tx, qChannelInsert, in.UnitID, in.Platform, in.ExternalID, in.Name, blob, now, now)
		if err != nil {
			if isUnique(err) {
				return &ConflictError{Msg: fmt.Sprintf("a %s channel with external id %s exists already", in.Platform, in.ExternalID)}
			}
			return err
		}
		return s.audit(ctx, tx, at, entityChannel, id, "create", "", StatusActive, map[string]any{"unit_id": in.UnitID,
			"platform": in.Platform, "external_id": in.ExternalID, "name": in.Name, "token_set": blob != nil})
	})
	if err != nil {
		return Channel{}, err
	}
	return s.Channel(ctx, id)
}

func (s *Store) sealToken(tok string) ([]byte, error) {
	if s.keyErr != nil {
		return nil, s.keyErr
	}
	return s.seal.seal(tok)
}

// UpdateChannel applies p to channel id and returns the channel.
func (s *Store) UpdateChannel(ctx context.Context, id int64, p ChannelPatch) (Channel, error) {
	before, err := s.Channel(ctx, id)
	if err != nil {
		return Channel{}, err
	}
	var errs ValidationError
	if p.UnitID != nil {
		if _, err := s.Unit(ctx, *p.UnitID); errors.Is(err, ErrNotFound) {
			errs.Add("unit", "no unit has id %d", "tidak ada unit dengan id %d", *p.UnitID)
		} else if err != nil {
			return Channel{}, err
		}
	}
	if p.Name != nil {
		checkChannelName(&errs, strings.TrimSpace(*p.Name))
	}
	if p.Status != nil && *p.Status != StatusActive && *p.Status != StatusDisabled {
		errs.Add("status", "status can be set to active or disabled", "status hanya bisa diisi active atau disabled")
	}
	if p.AccessToken != nil && strings.TrimSpace(*p.AccessToken) == "" {
		errs.Add("access_token", "the access token is empty", "token akses kosong")
	}
	if len(errs) > 0 {
		return Channel{}, errs
	}
	var blob []byte
	if p.AccessToken != nil {
		var err error
		if blob, err = s.sealToken(strings.TrimSpace(*p.AccessToken)); err != nil {
			return Channel{}, err
		}
	}
	at := s.now()
	now := store.FormatTime(at)
	type step struct {
		q    string
		args []any
	}
	var steps []step
	// changes are what the audit line records: each given field's old
	// and new value (never the token: only that it was replaced).
	changes := map[string]any{}
	if p.UnitID != nil {
		steps = append(steps, step{qChannelSetUnit, []any{*p.UnitID, now, id}})
		changes["unit_id"] = map[string]int64{"from": before.UnitID, "to": *p.UnitID}
	}
	if p.Name != nil {
		name := strings.TrimSpace(*p.Name)
		steps = append(steps, step{qChannelSetName, []any{name, now, id}})
		changes["name"] = map[string]string{"from": before.Name, "to": name}
	}
	status := before.Status
	if p.Status != nil {
		steps = append(steps, step{qChannelSetStatus, []any{*p.Status, now, id}})
		status = *p.Status
	}
	err = s.inTx(ctx, fmt.Sprintf("update channel %d", id), func(tx *sql.Tx) error {
		for _, st := range steps {
			if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
				return err
			}
		}
		if len(steps) > 0 {
			if err := s.audit(ctx, tx, at, entityChannel, id, "update", before.Status, status, changes); err != nil {
				return err
			}
		}
		if blob == nil {
			return nil
		}
		if _, err := tx.ExecContext(ctx, qChannelSetToken, blob, now, id); err != nil {
			return err
		}
		// The token change reconnects a channel that needed it.
		from, to := status, status
		if from == StatusReconnectNeeded {
			to = StatusActive
		}
		return s.audit(ctx, tx, at, entityChannel, id, "replace_token", from, to, map[string]any{"token_replaced": true})
	})
	if err != nil {
		return Channel{}, err
	}
	return s.Channel(ctx, id)
}

// DeleteChannel disables the channel and forgets its token; its history
// (posts, deliveries, reports) stays.
func (s *Store) DeleteChannel(ctx context.Context, id int64) error {
	before, err := s.Channel(ctx, id)
	if err != nil {
		return err
	}
	at := s.now()
	now := store.FormatTime(at)
	return s.inTx(ctx, fmt.Sprintf("delete channel %d", id), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, qChannelDelete, now, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return channelNotFound(id)
		}
		return s.audit(ctx, tx, at, entityChannel, id, "delete", before.Status, StatusDisabled, map[string]any{
			"unit_id": before.UnitID, "platform": before.Platform, "external_id": before.ExternalID, "name": before.Name,
			"token_forgotten": before.HasToken})
	})
}

// Channels lists the channels that are not deleted, by id.
func (s *Store) Channels(ctx context.Context) ([]Channel, error) {
	return s.listChannels(ctx, qChannels)
}

func (s *Store) listChannels(ctx context.Context, q string) ([]Channel, error) {
	rows, err := s.db.DB.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list channels: %w", err)
	}
	defer rows.Close()
	var out []Channel
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, fmt.Errorf("list channels: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Channel returns one channel, or ErrNotFound.
func (s *Store) Channel(ctx context.Context, id int64) (Channel, error) {
	c, err := scanChannel(s.db.DB.QueryRowContext(ctx, qChannel, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Channel{}, channelNotFound(id)
	}
	if err != nil {
		return Channel{}, fmt.Errorf("channel %d: %w", id, err)
	}
	return c, nil
}

// TokenUnusable reports whether err, from ChannelToken, says the token
// cannot be used until someone acts (no key, no token, no such channel, a
// key that does not open it), rather than that the database did not
// answer: a publisher fails the delivery on the first and tries again on
// the second.
func TokenUnusable(err error) bool {
	return errors.Is(err, ErrNoKey) || errors.Is(err, ErrNoToken) || errors.Is(err, ErrNotFound) ||
		errors.Is(err, errBadCiphertext)
}

// ChannelToken decrypts the channel's access token. Never log it.
func (s *Store) ChannelToken(ctx context.Context, id int64) (string, error) {
	var blob []byte
	err := s.db.DB.QueryRowContext(ctx, qChannelToken, id).Scan(&blob)
	if errors.Is(err, sql.ErrNoRows) {
		return "", channelNotFound(id)
	}
	if err != nil {
		return "", fmt.Errorf("channel %d token: %w", id, err)
	}
	if blob == nil {
		return "", fmt.Errorf("channel %d: %w", id, ErrNoToken)
	}
	if s.keyErr != nil {
		return "", s.keyErr
	}
	tok, err := s.seal.open(blob)
	if err != nil {
		return "", fmt.Errorf("channel %d: %w", id, err)
	}
	return tok, nil
}

// MarkReconnect marks the channel reconnect_needed with the reason staff
// see (no token text in it).
func (s *Store) MarkReconnect(ctx context.Context, id int64, reason string) error {
	if _, err := s.db.DB.ExecContext(ctx, qChannelReconnect, reason, store.FormatTime(s.now()), id); err != nil {
		return fmt.Errorf("mark channel %d reconnect needed: %w", id, err)
	}
	return nil
}

// SetPausedUntil pauses publishing and collection on the channel until t
// (a zero t lifts the pause).
func (s *Store) SetPausedUntil(ctx context.Context, id int64, t time.Time) error {
	if _, err := s.db.DB.ExecContext(ctx, qChannelPaused, nullTime(t), store.FormatTime(s.now()), id); err != nil {
		return fmt.Errorf("pause channel %d: %w", id, err)
	}
	return nil
}

// SetLastCollected records when the collector last read the channel.
func (s *Store) SetLastCollected(ctx context.Context, id int64, t time.Time) error {
	if _, err := s.db.DB.ExecContext(ctx, qChannelCollected, nullTime(t), store.FormatTime(s.now()), id); err != nil {
		return fmt.Errorf("channel %d last collected: %w", id, err)
	}
	return nil
}

// SetTokenHealth records what the token check found.
func (s *Store) SetTokenHealth(ctx context.Context, id int64, h TokenHealth) error {
	scopes, _ := json.Marshal(nonNil(h.Scopes))
	missing, _ := json.Marshal(nonNil(h.MissingPermissions))
	var exp any
	if h.ExpiresAt != nil {
		exp = store.FormatTime(*h.ExpiresAt)
	}
	if _, err := s.db.DB.ExecContext(ctx, qChannelHealth, store.FormatTime(h.CheckedAt), exp, string(scopes), string(missing),
		store.FormatTime(s.now()), id); err != nil {
		return fmt.Errorf("channel %d token health: %w", id, err)
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return store.FormatTime(t)
}

func scanChannel(r scanner) (Channel, error) {
	var c Channel
	var exp, paused, collected, checked sql.NullString
	var scopes, missing string
	err := r.Scan(&c.ID, &c.UnitID, &c.Platform, &c.ExternalID, &c.Name, &c.Status, &c.StatusReason, &c.HasToken,
		&exp, &paused, &collected, &checked, &scopes, &missing, &c.HealthNotified)
	if err != nil {
		return c, err
	}
	c.TokenExpiresAt = store.ParseNullTime(exp)
	c.PausedUntil = store.ParseNullTime(paused)
	c.LastCollectedAt = store.ParseNullTime(collected)
	c.TokenCheckedAt = store.ParseNullTime(checked)
	if err := json.Unmarshal([]byte(scopes), &c.Scopes); err != nil {
		c.Scopes = nil
	}
	if err := json.Unmarshal([]byte(missing), &c.MissingPermissions); err != nil {
		c.MissingPermissions = nil
	}
	c.Scopes, c.MissingPermissions = nonNil(c.Scopes), nonNil(c.MissingPermissions)
	return c, nil
}

func checkChannelName(errs *ValidationError, name string) {
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		errs.Add("name", "a channel needs a name", "kanal harus punya nama")
	case n > MaxNameRunes:
		errs.Add("name", "a channel name has at most %d characters; this one has %d", "nama kanal paling banyak %d karakter; ini %d karakter", MaxNameRunes, n)
	}
}
