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
	qTokenInsert  = `INSERT INTO api_tokens (user_id, token_hash, prefix, created_at) VALUES (?, ?, ?, ?)`
	qAuthenticate = `SELECT t.id, u.id, u.name, u.unit_id, u.role, t.last_used_at
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled_at IS NULL`
	qTouchToken = `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`
	qUsers      = `SELECT u.id, u.name, u.unit_id, u.role, u.created_at, u.disabled_at,
    (SELECT t.prefix FROM api_tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL ORDER BY t.id DESC LIMIT 1),
    (SELECT MAX(t.last_used_at) FROM api_tokens t WHERE t.user_id = u.id)
FROM users u ORDER BY u.id`
	qUserByName   = `SELECT id, role, disabled_at FROM users WHERE name = ?`
	qPrincipal    = `SELECT id, name, unit_id, role FROM users WHERE id = ? AND disabled_at IS NULL`
	qRevokeTokens = `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`
	qDisableUser  = `UPDATE users SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL`
)

// touchEvery bounds how often Authenticate writes last_used_at.
const touchEvery = time.Minute

var nameRE = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}._@-]{0,63}$`)

// Store keeps users and their API tokens (as SHA-256 hashes) in SQLite.
type Store struct {
	db  *store.SQLite
	now func() time.Time
}

// NewStore returns a store over the state database.
func NewStore(db *store.SQLite) *Store { return &Store{db: db, now: time.Now} }

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

// CreateUser adds a user in unitID with role and returns the user and its
// API token. The token is shown only here: only its hash is stored.
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
	res, err := tx.ExecContext(ctx, qUserInsert, name, unitID, string(role), store.FormatTime(now))
	if err != nil {
		if isForeignKey(err) {
			return User{}, "", fmt.Errorf("unit %d: %w", unitID, ErrUnknownUnit)
		}
		if strings.Contains(err.Error(), "UNIQUE constraint failed") {
			return User{}, "", fmt.Errorf("user %q: %w", name, ErrUserExists)
		}
		return User{}, "", fmt.Errorf("create user: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return User{}, "", fmt.Errorf("create user: %w", err)
	}
	prefix := token[:len(TokenPrefix)+6]
	if _, err := tx.ExecContext(ctx, qTokenInsert, id, HashToken(token), prefix, store.FormatTime(now)); err != nil {
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

// Principal returns the user with this id as it is now (name, unit,
// role), or ErrUserNotFound when there is none or it is disabled: a web
// session asks on every request, so a role change or a disabled user
// takes effect at once.
func (s *Store) Principal(ctx context.Context, userID int64) (Principal, error) {
	var p Principal
	var role string
	err := s.db.DB.QueryRowContext(ctx, qPrincipal, userID).Scan(&p.UserID, &p.Name, &p.UnitID, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, fmt.Errorf("user %d: %w", userID, ErrUserNotFound)
	}
	if err != nil {
		return Principal{}, fmt.Errorf("user %d: %w", userID, err)
	}
	p.Role = Role(role)
	return p, nil
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
	err := s.db.DB.QueryRowContext(ctx, qAuthenticate, HashToken(token)).Scan(&tokenID, &p.UserID, &p.Name, &p.UnitID, &role, &lastUsed)
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
		var u User
		var role, created string
		var disabled, prefix, last sql.NullString
		if err := rows.Scan(&u.ID, &u.Name, &u.UnitID, &role, &created, &disabled, &prefix, &last); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		u.Role = Role(role)
		u.CreatedAt, _ = store.ParseTime(created)
		u.DisabledAt = store.ParseNullTime(disabled)
		u.LastUsedAt = store.ParseNullTime(last)
		if u.DisabledAt == nil {
			u.TokenPrefix = prefix.String
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Revoke disables the user and revokes all its tokens.
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
	from := "active"
	if disabled.Valid {
		from = "disabled"
	}
	if err := AppendAudit(ctx, tx, at, AuditRecord{Actor: Actor(ctx), Entity: "user", EntityID: id, Action: "revoke",
		From: from, To: "disabled", Detail: map[string]any{"name": name, "tokens_revoked": tokens}}); err != nil {
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
