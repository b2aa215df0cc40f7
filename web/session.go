package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/store"
)

// Session is a signed-in browser.
type Session struct {
	Principal auth.Principal
	CSRF      string
	ExpiresAt time.Time
}

// errNoSession means the cookie is missing, unknown or expired.
var errNoSession = errors.New("no valid session")

const (
	qSessionInsert = `INSERT INTO web_sessions (id_hash, user_id, csrf, created_at, last_seen_at, expires_at)
VALUES (?, ?, ?, ?, ?, ?)`
	// The user's current name, unit and role come from auth, so a role
	// change or a disabled user takes effect on the next request.
	qSessionGet     = `SELECT user_id, csrf, expires_at, last_seen_at FROM web_sessions WHERE id_hash = ? AND expires_at > ?`
	qSessionTouch   = `UPDATE web_sessions SET last_seen_at = ? WHERE id_hash = ?`
	qSessionDelete  = `DELETE FROM web_sessions WHERE id_hash = ?`
	qSessionExpired = `DELETE FROM web_sessions WHERE expires_at <= ?`
)

// touchEvery is how often a session's last_seen_at is written: at most
// once a minute, not on every page view.
const touchEvery = time.Minute

// sessions keeps web sessions in SQLite.
type sessions struct {
	db    *store.SQLite
	users Authenticator
	ttl   time.Duration
	now   func() time.Time
}

func randomToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func hashID(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

// Create starts a session for p and returns the cookie value.
func (s *sessions) Create(ctx context.Context, p auth.Principal) (id string, sess Session, err error) {
	id, err = randomToken()
	if err != nil {
		return "", Session{}, err
	}
	csrf, err := randomToken()
	if err != nil {
		return "", Session{}, err
	}
	now := s.now()
	exp := now.Add(s.ttl)
	if _, err := s.db.DB.ExecContext(ctx, qSessionInsert, hashID(id), p.UserID, csrf,
		store.FormatTime(now), store.FormatTime(now), store.FormatTime(exp)); err != nil {
		return "", Session{}, fmt.Errorf("create web session: %w", err)
	}
	// Sweep expired sessions now and then; sign-in is rare enough.
	if _, err := s.db.DB.ExecContext(ctx, qSessionExpired, store.FormatTime(now)); err != nil {
		return "", Session{}, fmt.Errorf("sweep web sessions: %w", err)
	}
	return id, Session{Principal: p, CSRF: csrf, ExpiresAt: exp}, nil
}

// Get resolves a cookie value to its session.
func (s *sessions) Get(ctx context.Context, id string) (Session, error) {
	if id == "" {
		return Session{}, errNoSession
	}
	var (
		sess          Session
		userID        int64
		exp, lastSeen string
	)
	h := hashID(id)
	now := s.now()
	err := s.db.DB.QueryRowContext(ctx, qSessionGet, h, store.FormatTime(now)).Scan(&userID, &sess.CSRF, &exp, &lastSeen)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, errNoSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("read web session: %w", err)
	}
	if sess.ExpiresAt, err = store.ParseTime(exp); err != nil {
		return Session{}, fmt.Errorf("read web session expiry: %w", err)
	}
	seen, err := store.ParseTime(lastSeen)
	if err != nil {
		return Session{}, fmt.Errorf("read web session last seen: %w", err)
	}
	sess.Principal, err = s.users.Principal(ctx, userID)
	if errors.Is(err, auth.ErrUserNotFound) {
		return Session{}, errNoSession // disabled or removed
	}
	if err != nil {
		return Session{}, fmt.Errorf("read web session user: %w", err)
	}
	if now.Sub(seen) >= touchEvery {
		if _, err := s.db.DB.ExecContext(ctx, qSessionTouch, store.FormatTime(now), h); err != nil {
			return Session{}, fmt.Errorf("touch web session: %w", err)
		}
	}
	return sess, nil
}

// Delete ends a session (sign-out).
func (s *sessions) Delete(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	if _, err := s.db.DB.ExecContext(ctx, qSessionDelete, hashID(id)); err != nil {
		return fmt.Errorf("delete web session: %w", err)
	}
	return nil
}

// validCSRF compares a submitted token with the expected one in constant
// time; an empty expected token never matches.
func validCSRF(expected, got string) bool {
	return expected != "" && subtle.ConstantTimeCompare([]byte(expected), []byte(got)) == 1
}
