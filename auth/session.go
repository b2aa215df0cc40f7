package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/humas-id/humas/store"
)

// Session stages: a browser that gave a good password may still owe the
// second factor, or have to enrol in it first.
const (
	StageFull  = "full"  // signed in
	StageTOTP  = "totp"  // waits for a TOTP or recovery code
	StageEnrol = "enrol" // must enrol in two-factor sign-in first
)

// Sign-in methods recorded on a session.
const (
	MethodPassword = "password"
	MethodOIDC     = "oidc"
)

// Session is a signed-in browser.
type Session struct {
	Principal Principal
	CSRF      string
	Stage     string
	Method    string
	ExpiresAt time.Time // sliding: idle limit
	MaxAt     time.Time // absolute cap
	IDHash    string
}

// ErrNoSession means the cookie is missing, unknown or expired.
var ErrNoSession = errors.New("no valid session")

// SessionPolicy is how long sessions last.
type SessionPolicy struct {
	// Idle: a session unused this long ends (it slides with every use).
	Idle time.Duration
	// Max: no session outlives this, however used.
	Max time.Duration
	// Pending bounds the stages before StageFull (default 10 minutes).
	Pending time.Duration
}

const (
	qSessionInsert = `INSERT INTO web_sessions (id_hash, user_id, csrf, created_at, last_seen_at, expires_at, max_expires_at, stage, method)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// The user's current name, unit and role come from users, so a role
	// change or a disabled user takes effect on the next request.
	qSessionGet = `SELECT u.id, u.name, u.unit_id, u.role, s.csrf, s.expires_at, COALESCE(s.max_expires_at, s.expires_at), s.stage, s.method, s.last_seen_at
FROM web_sessions s JOIN users u ON u.id = s.user_id
WHERE s.id_hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL`
	qSessionSlide    = `UPDATE web_sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?`
	qSessionDelete   = `DELETE FROM web_sessions WHERE id_hash = ?`
	qSessionExpired  = `DELETE FROM web_sessions WHERE expires_at <= ?`
	qSessionsOfUser  = `DELETE FROM web_sessions WHERE user_id = ? AND id_hash != ?`
	qSessionsCount   = `SELECT count(*) FROM web_sessions WHERE user_id = ? AND expires_at > ?`
	sessionTouchStep = time.Minute
)

// Sessions keeps web sessions in SQLite; the cookie holds a random id and
// only its SHA-256 is stored.
type Sessions struct {
	db  *store.SQLite
	p   SessionPolicy
	now func() time.Time
}

// NewSessions returns the session store (zero policy fields: 12 h idle,
// 7 days max, 10 minutes pending).
func NewSessions(db *store.SQLite, p SessionPolicy, now func() time.Time) *Sessions {
	if p.Idle <= 0 {
		p.Idle = 12 * time.Hour
	}
	if p.Max <= 0 {
		p.Max = 7 * 24 * time.Hour
	}
	if p.Max < p.Idle {
		p.Idle = p.Max
	}
	if p.Pending <= 0 {
		p.Pending = 10 * time.Minute
	}
	if now == nil {
		now = time.Now
	}
	return &Sessions{db: db, p: p, now: now}
}

// Policy is the session policy in force.
func (s *Sessions) Policy() SessionPolicy { return s.p }

// RandomToken is 32 random bytes, base64url.
func RandomToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// HashID is the stored form of a session id.
func HashID(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

// Create starts a session for user at stage and returns the cookie value.
func (s *Sessions) Create(ctx context.Context, userID int64, stage, method string) (string, Session, error) {
	id, err := RandomToken()
	if err != nil {
		return "", Session{}, err
	}
	csrf, err := RandomToken()
	if err != nil {
		return "", Session{}, err
	}
	now := s.now()
	maxAt := now.Add(s.p.Max)
	exp := now.Add(s.p.Idle)
	if stage != StageFull {
		exp = now.Add(s.p.Pending)
		maxAt = exp
	}
	if _, err := s.db.DB.ExecContext(ctx, qSessionInsert, HashID(id), userID, csrf, store.FormatTime(now), store.FormatTime(now),
		store.FormatTime(exp), store.FormatTime(maxAt), stage, method); err != nil {
		return "", Session{}, fmt.Errorf("create web session: %w", err)
	}
	// Sweep expired sessions now and then; sign-in is rare enough.
	if _, err := s.db.DB.ExecContext(ctx, qSessionExpired, store.FormatTime(now)); err != nil {
		return "", Session{}, fmt.Errorf("sweep web sessions: %w", err)
	}
	return id, Session{Principal: Principal{UserID: userID}, CSRF: csrf, Stage: stage, Method: method, ExpiresAt: exp, MaxAt: maxAt, IDHash: HashID(id)}, nil
}

// Get resolves a cookie value to its session and slides its expiry (never
// past the absolute cap).
func (s *Sessions) Get(ctx context.Context, id string) (Session, error) {
	if id == "" {
		return Session{}, ErrNoSession
	}
	var (
		sess                   Session
		role, exp, maxAt, seen string
	)
	h := HashID(id)
	now := s.now()
	err := s.db.DB.QueryRowContext(ctx, qSessionGet, h, store.FormatTime(now)).Scan(
		&sess.Principal.UserID, &sess.Principal.Name, &sess.Principal.UnitID, &role, &sess.CSRF, &exp, &maxAt, &sess.Stage, &sess.Method, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("read web session: %w", err)
	}
	sess.Principal.Role = Role(role)
	sess.IDHash = h
	if sess.ExpiresAt, err = store.ParseTime(exp); err != nil {
		return Session{}, fmt.Errorf("read web session expiry: %w", err)
	}
	if sess.MaxAt, err = store.ParseTime(maxAt); err != nil {
		return Session{}, fmt.Errorf("read web session expiry: %w", err)
	}
	if !now.Before(sess.MaxAt) {
		return Session{}, ErrNoSession
	}
	last, _ := store.ParseTime(seen)
	if sess.Stage == StageFull && now.Sub(last) >= sessionTouchStep {
		next := now.Add(s.p.Idle)
		if next.After(sess.MaxAt) {
			next = sess.MaxAt
		}
		if _, err := s.db.DB.ExecContext(ctx, qSessionSlide, store.FormatTime(now), store.FormatTime(next), h); err != nil {
			return Session{}, fmt.Errorf("touch web session: %w", err)
		}
		sess.ExpiresAt = next
	}
	return sess, nil
}

// Delete ends a session (sign-out).
func (s *Sessions) Delete(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	if _, err := s.db.DB.ExecContext(ctx, qSessionDelete, HashID(id)); err != nil {
		return fmt.Errorf("delete web session: %w", err)
	}
	return nil
}

// EndAll ends every session of the user except the one whose hash is
// keep (empty: all), and answers how many ended.
func (s *Sessions) EndAll(ctx context.Context, userID int64, keep string) (int64, error) {
	return endSessions(ctx, s.db.DB, userID, keep)
}

// Count is how many live sessions the user has.
func (s *Sessions) Count(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.db.DB.QueryRowContext(ctx, qSessionsCount, userID, store.FormatTime(s.now())).Scan(&n)
	return n, err
}

func endSessions(ctx context.Context, x Execer, userID int64, keep string) (int64, error) {
	res, err := x.ExecContext(ctx, qSessionsOfUser, userID, keep)
	if err != nil {
		return 0, fmt.Errorf("end sessions of user %d: %w", userID, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
