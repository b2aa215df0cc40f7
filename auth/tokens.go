package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/humas-id/humas/store"
)

// APIToken is one API token as listed (never the token itself).
type APIToken struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Live reports whether the token still works at now.
func (t APIToken) Live(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

// ErrTokenNotFound means the user has no token with that id.
var ErrTokenNotFound = errors.New("no such API token")

// ErrBadTokenName means the token's name is empty or too long.
var ErrBadTokenName = errors.New("give the token a name of 1 to 64 characters (what it is for, e.g. grafana)")

// MaxTokenLifetime is the longest expiry a token may be given.
const MaxTokenLifetime = 366 * 24 * time.Hour

const (
	qTokens = `SELECT id, user_id, name, prefix, created_at, expires_at, last_used_at, revoked_at FROM api_tokens
WHERE user_id = ? ORDER BY revoked_at IS NOT NULL, id DESC`
	qTokenRevoke = `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL`
	qTokenOwner  = `SELECT user_id, name FROM api_tokens WHERE id = ?`
)

// CreateToken makes an API token for the user, named for what it is for,
// good until expiresAt (at most MaxTokenLifetime from now). The token is
// returned only here.
func (s *Store) CreateToken(ctx context.Context, userID int64, name string, expiresAt time.Time) (APIToken, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 64 {
		return APIToken{}, "", ErrBadTokenName
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	if !expiresAt.After(now) || expiresAt.Sub(now) > MaxTokenLifetime {
		return APIToken{}, "", fmt.Errorf("the expiry must be after now and at most %d days ahead", int(MaxTokenLifetime.Hours()/24))
	}
	expiresAt = expiresAt.UTC().Truncate(time.Millisecond)
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return APIToken{}, "", err
	}
	if u.DisabledAt != nil {
		return APIToken{}, "", ErrUserNotFound
	}
	tok, err := newToken()
	if err != nil {
		return APIToken{}, "", err
	}
	prefix := tok[:len(TokenPrefix)+6]
	var id int64
	err = s.inTx(ctx, "create API token", func(tx *sql.Tx) error {
		var err error
		if id, err = store.InsertID(ctx, tx, qTokenInsert, userID, HashToken(tok), prefix, store.FormatTime(now), name, store.FormatTime(expiresAt)); err != nil {
			return err
		}
		return AppendAudit(ctx, tx, now, AuditRecord{Actor: Actor(ctx), Entity: "user", EntityID: userID, Action: "token_create",
			Detail: map[string]any{"name": u.Name, "token_id": id, "token_name": name, "expires_at": expiresAt}})
	})
	if err != nil {
		return APIToken{}, "", err
	}
	return APIToken{ID: id, UserID: userID, Name: name, Prefix: prefix, CreatedAt: now, ExpiresAt: &expiresAt}, tok, nil
}

// Tokens lists the user's API tokens, live ones first, newest first.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]APIToken, error) {
	rows, err := s.db.DB.QueryContext(ctx, qTokens, userID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	out := []APIToken{}
	for rows.Next() {
		var t APIToken
		var created string
		var exp, last, revoked sql.NullString
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &created, &exp, &last, &revoked); err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		t.CreatedAt, _ = store.ParseTime(created)
		t.ExpiresAt = store.ParseNullTime(exp)
		t.LastUsedAt = store.ParseNullTime(last)
		t.RevokedAt = store.ParseNullTime(revoked)
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes the user's token id (ErrTokenNotFound when the
// user has no live token with that id).
func (s *Store) RevokeToken(ctx context.Context, userID, tokenID int64) error {
	now := s.now()
	return s.inTx(ctx, "revoke API token", func(tx *sql.Tx) error {
		var owner int64
		var name string
		if err := tx.QueryRowContext(ctx, qTokenOwner, tokenID).Scan(&owner, &name); errors.Is(err, sql.ErrNoRows) || owner != userID {
			return ErrTokenNotFound
		} else if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, qTokenRevoke, store.FormatTime(now), tokenID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrTokenNotFound
		}
		return AppendAudit(ctx, tx, now, AuditRecord{Actor: Actor(ctx), Entity: "user", EntityID: userID, Action: "token_revoke",
			Detail: map[string]any{"token_id": tokenID, "token_name": name}})
	})
}
