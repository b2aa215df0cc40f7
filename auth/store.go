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
	"regexp"
	"strings"
	"time"

	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/valid"
)

// User is a person (or a machine) that calls the API.
type User struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	UnitID      int64      `json:"unit_id"`
	Role        Role       `json:"role"`
	CreatedAt   time.Time  `json:"created_at"`
	DisabledAt  *time.Time `json:"disabled_at,omitempty"`
	TokenPrefix string     `json:"token_prefix,omitempty"` // of the newest live token
	LastUsedAt  *time.Time `json:"last_used_at,omitempty"`
	// Email is optional: a sign-in name and where setup links are sent.
	Email string `json:"email,omitempty"`
	// HasPassword: the user has set a password (an invited user has not yet).
	HasPassword bool `json:"has_password"`
	// TOTP: two-factor sign-in is on.
	TOTP bool `json:"totp_enabled"`
}

// The store's errors are valid.Problems: callers test them with
// errors.Is, and the API answers each with its kind's status and message.
var (
	// ErrUserExists means the name is taken (a conflict).
	ErrUserExists error = valid.Conflict("exists", "a user with this name exists already", "nama pengguna ini sudah dipakai")
	// ErrUserNotFound means no (active) user has the name or id.
	ErrUserNotFound error = valid.NotFound("no such user", "pengguna tidak ditemukan")
	// ErrUnknownUnit means the unit given does not exist (field unit).
	ErrUnknownUnit error = valid.Invalid("unit", "no such unit", "unit tidak ditemukan")
	// ErrBadName means the user name is not acceptable (field name).
	ErrBadName error = valid.Invalid("name", "bad user name: use 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit",
		"nama pengguna tidak valid: gunakan huruf, angka, '.', '_', '@' atau '-'")
)

// TokenPrefix starts every API token, so leaked tokens are easy to spot.
const TokenPrefix = "humas_"

const (
	qUserInsert   = `INSERT INTO users (name, unit_id, role, created_at) VALUES (?, ?, ?, ?)`
	qTokenInsert  = `INSERT INTO api_tokens (user_id, token_hash, prefix, created_at, name, expires_at) VALUES (?, ?, ?, ?, ?, ?)`
	qAuthenticate = `SELECT t.id, u.id, u.name, u.unit_id, u.role, t.last_used_at
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled_at IS NULL
  AND (t.expires_at IS NULL OR t.expires_at > ?)`
	qTouchToken = `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`
	qUserCols   = `u.id, u.name, u.unit_id, u.role, u.created_at, u.disabled_at,
    (SELECT t.prefix FROM api_tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL ORDER BY t.id DESC LIMIT 1),
    (SELECT MAX(t.last_used_at) FROM api_tokens t WHERE t.user_id = u.id),
    COALESCE(u.email, ''), u.password_hash != '', u.totp_enabled_at IS NOT NULL`
	qUsers        = `SELECT ` + qUserCols + ` FROM users u ORDER BY u.id`
	qUserByName   = `SELECT id, role, disabled_at FROM users WHERE name = ?`
	qRevokeTokens = `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`
	qDisableUser  = `UPDATE users SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL`
)

// touchEvery bounds how often Authenticate writes last_used_at.
const touchEvery = time.Minute

var nameRE = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}._@-]{0,63}$`)

// Store keeps users, their passwords (argon2id), API tokens (as SHA-256
// hashes), two-factor secrets (sealed), setup links and web sessions in
// SQLite.
type Store struct {
	db     *store.SQLite
	now    func() time.Time
	pw     PasswordParams
	policy PasswordPolicy
	seal   *sealer
}

// NewStore returns a store over the state database.
func NewStore(db *store.SQLite) *Store {
	return &Store{db: db, now: time.Now, pw: DefaultPasswordParams}
}

// WithKey sets the 32-byte secret key that seals two-factor secrets
// (HUMAS_SECRET_KEY). Without one, enrolling in two-factor sign-in is
// ErrNoKey.
func (s *Store) WithKey(key []byte) *Store {
	if key != nil {
		if se, err := newSealer(key); err == nil {
			s.seal = se
		}
	}
	return s
}

// HasKey reports whether two-factor secrets can be stored.
func (s *Store) HasKey() bool { return s.seal != nil }

// WithPasswordParams sets the argon2id costs of new hashes; stored hashes
// with other costs are renewed at the next good sign-in.
func (s *Store) WithPasswordParams(p PasswordParams) *Store { s.pw = p; return s }

// WithPolicy sets the password policy.
func (s *Store) WithPolicy(p PasswordPolicy) *Store { s.policy = p; return s }

// Policy is the password policy in force.
func (s *Store) Policy() PasswordPolicy { return s.policy }

// WithClock sets the clock (tests).
func (s *Store) WithClock(now func() time.Time) *Store { s.now = now; return s }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// HashToken is the stored form of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make token: %w", err)
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// CreateUser adds a user in unitID with role and returns the user and an
// API token (named "default", without expiry) for scripts and tests. The
// token is shown only here: only its hash is stored. People are invited
// with Invite instead, and set their own password.
func (s *Store) CreateUser(ctx context.Context, name string, unitID int64, role Role) (User, string, error) {
	name = strings.TrimSpace(name)
	if !nameRE.MatchString(name) {
		return User{}, "", fmt.Errorf("user %q: %w", name, ErrBadName)
	}
	if _, err := ParseRole(string(role)); err != nil {
		return User{}, "", err
	}
	token, err := newToken()
	if err != nil {
		return User{}, "", err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	tx, err := s.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return User{}, "", fmt.Errorf("create user: %w", err)
	}
	defer tx.Rollback()
	// The users table's foreign key names the unit: an unknown one fails
	// the insert (units are org's table; auth does not read it).
	id, err := store.InsertID(ctx, tx, qUserInsert, name, unitID, string(role), store.FormatTime(now))
	if err != nil {
		if isForeignKey(err) {
			return User{}, "", fmt.Errorf("unit %d: %w", unitID, ErrUnknownUnit)
		}
		if strings.Contains(err.Error(), "UNIQUE constraint failed") {
			return User{}, "", fmt.Errorf("user %q: %w", name, ErrUserExists)
		}
		return User{}, "", fmt.Errorf("create user: %w", err)
	}
	prefix := token[:len(TokenPrefix)+6]
	if _, err := tx.ExecContext(ctx, qTokenInsert, id, HashToken(token), prefix, store.FormatTime(now), "default", nil); err != nil {
		return User{}, "", fmt.Errorf("create user token: %w", err)
	}
	// Neither the token nor its hash or prefix goes into the audit log.
	if err := AppendAudit(ctx, tx, now, AuditRecord{Actor: Actor(ctx), Entity: "user", EntityID: id, Action: "create",
		To: "active", Detail: map[string]any{"name": name, "unit_id": unitID, "role": role}}); err != nil {
		return User{}, "", fmt.Errorf("create user: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return User{}, "", fmt.Errorf("create user: %w", err)
	}
	return User{ID: id, Name: name, UnitID: unitID, Role: role, CreatedAt: now, TokenPrefix: prefix}, token, nil
}

// Authenticate resolves a bearer token; an unknown or revoked token (or a
// disabled user) is ErrInvalidToken.
func (s *Store) Authenticate(ctx context.Context, token string) (Principal, error) {
	if !strings.HasPrefix(token, TokenPrefix) {
		return Principal{}, ErrInvalidToken
	}
	var p Principal
	var tokenID int64
	var role string
	var lastUsed sql.NullString
	err := s.db.DB.QueryRowContext(ctx, qAuthenticate, HashToken(token), store.FormatTime(s.now())).Scan(&tokenID, &p.UserID, &p.Name, &p.UnitID, &role, &lastUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, ErrInvalidToken
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate: %w", err)
	}
	p.Role = Role(role)
	now := s.now()
	if t, err := store.ParseTime(lastUsed.String); !lastUsed.Valid || err != nil || now.Sub(t) > touchEvery {
		// Best effort: a failed write must not refuse a valid token.
		_, _ = s.db.DB.ExecContext(ctx, qTouchToken, store.FormatTime(now), tokenID)
	}
	return p, nil
}

// Users lists every user, disabled ones included, by id.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.db.DB.QueryContext(ctx, qUsers)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

type rowScanner interface{ Scan(dest ...any) error }

func scanUser(r rowScanner) (User, error) {
	var u User
	var role, created string
	var disabled, prefix, last sql.NullString
	if err := r.Scan(&u.ID, &u.Name, &u.UnitID, &role, &created, &disabled, &prefix, &last, &u.Email, &u.HasPassword, &u.TOTP); err != nil {
		return User{}, err
	}
	u.Role = Role(role)
	u.CreatedAt, _ = store.ParseTime(created)
	u.DisabledAt = store.ParseNullTime(disabled)
	u.LastUsedAt = store.ParseNullTime(last)
	if u.DisabledAt == nil {
		u.TokenPrefix = prefix.String
	}
	return u, nil
}

const (
	qUserByID      = `SELECT ` + qUserCols + ` FROM users u WHERE u.id = ?`
	qUserByNameAll = `SELECT ` + qUserCols + ` FROM users u WHERE u.name = ?`
)

// UserByID returns one user (ErrUserNotFound).
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(s.db.DB.QueryRowContext(ctx, qUserByID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %d: %w", id, ErrUserNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("user %d: %w", id, err)
	}
	return u, nil
}

// UserByName returns one user by name (ErrUserNotFound).
func (s *Store) UserByName(ctx context.Context, name string) (User, error) {
	u, err := scanUser(s.db.DB.QueryRowContext(ctx, qUserByNameAll, name))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %q: %w", name, ErrUserNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("user %q: %w", name, err)
	}
	return u, nil
}

// Revoke disables the user, revokes all its API tokens and ends its web
// sessions.
func (s *Store) Revoke(ctx context.Context, name string) error {
	tx, err := s.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("revoke %q: %w", name, err)
	}
	defer tx.Rollback()
	var id int64
	var role string
	var disabled sql.NullString
	if err := tx.QueryRowContext(ctx, qUserByName, name).Scan(&id, &role, &disabled); errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("user %q: %w", name, ErrUserNotFound)
	} else if err != nil {
		return fmt.Errorf("revoke %q: %w", name, err)
	}
	if Role(role) == RoleAdmin && !disabled.Valid {
		if err := keepOneAdmin(ctx, tx, id, name); err != nil {
			return err
		}
	}
	at := s.now()
	now := store.FormatTime(at)
	res, err := tx.ExecContext(ctx, qRevokeTokens, now, id)
	if err != nil {
		return fmt.Errorf("revoke %q: %w", name, err)
	}
	tokens, _ := res.RowsAffected()
	if _, err := tx.ExecContext(ctx, qDisableUser, now, id); err != nil {
		return fmt.Errorf("revoke %q: %w", name, err)
	}
	sessions, err := endSessions(ctx, tx, id, "")
	if err != nil {
		return fmt.Errorf("revoke %q: %w", name, err)
	}
	from := "active"
	if disabled.Valid {
		from = "disabled"
	}
	if err := AppendAudit(ctx, tx, at, AuditRecord{Actor: Actor(ctx), Entity: "user", EntityID: id, Action: "revoke",
		From: from, To: "disabled", Detail: map[string]any{"name": name, "tokens_revoked": tokens, "sessions_ended": sessions}}); err != nil {
		return fmt.Errorf("revoke %q: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("revoke %q: %w", name, err)
	}
	return nil
}

// isForeignKey is SQLite's answer to a row that names a missing parent
// (foreign_keys is on: store.OpenSQLite).
func isForeignKey(err error) bool {
	return err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}
