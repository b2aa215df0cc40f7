package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/valid"
)

// ErrBadCredentials means the name or the password is wrong (which one is
// never said).
var ErrBadCredentials = errors.New("wrong user name or password")

// ErrBadEmail means the e-mail address cannot be used.
var ErrBadEmail error = valid.Invalid("email", "bad e-mail address: write it as name@office.go.id", "alamat e-mail tidak valid: tulis seperti nama@kantor.go.id")

// ErrEmailTaken means another user has the e-mail address.
var ErrEmailTaken error = valid.Conflict("email_exists", "another user has this e-mail address", "pengguna lain sudah memakai alamat e-mail ini")

const (
	qLoginCandidates = `SELECT id, name, password_hash FROM users
WHERE disabled_at IS NULL AND (name = ?1 OR lower(name) = lower(?1) OR lower(email) = lower(?1))`
	qSetPassword  = `UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?`
	qPasswordOf   = `SELECT password_hash, name, COALESCE(email, '') FROM users WHERE id = ? AND disabled_at IS NULL`
	qUserInsertPw = `INSERT INTO users (name, unit_id, role, created_at, email, password_hash, password_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)`
	qSetEmail     = `UPDATE users SET email = ? WHERE id = ?`
)

// NewUser is a user to invite.
type NewUser struct {
	Name   string
	Email  string
	UnitID int64
	Role   Role
}

// checkEmail normalises an optional e-mail address ("" stays "").
func checkEmail(e string) (string, error) {
	e = strings.TrimSpace(e)
	if e == "" {
		return "", nil
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || len(e) > 254 || !strings.Contains(e, "@") {
		return "", fmt.Errorf("e-mail %q: %w", e, ErrBadEmail)
	}
	return e, nil
}

func (s *Store) checkNewUser(nu *NewUser) error {
	nu.Name = strings.TrimSpace(nu.Name)
	if !nameRE.MatchString(nu.Name) {
		return fmt.Errorf("%w %q: use 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit", ErrBadName, nu.Name)
	}
	if _, err := ParseRole(string(nu.Role)); err != nil {
		return err
	}
	e, err := checkEmail(nu.Email)
	if err != nil {
		return err
	}
	nu.Email = e
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func uniqueErr(err error, name string) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "users.name"), strings.Contains(msg, "UNIQUE constraint failed: users.name"):
		return fmt.Errorf("user %q: %w", name, ErrUserExists)
	case strings.Contains(msg, "UNIQUE constraint failed") && strings.Contains(msg, "email"):
		return ErrEmailTaken
	case strings.Contains(msg, "UNIQUE constraint failed"):
		return fmt.Errorf("user %q: %w", name, ErrUserExists)
	}
	return err
}

// insertUser adds a user row (with a password hash, possibly empty) and
// its audit line, in tx.
func (s *Store) insertUser(ctx context.Context, tx *sql.Tx, nu NewUser, hash string, now time.Time) (int64, error) {
	var changed any
	if hash != "" {
		changed = store.FormatTime(now)
	}
	// The users table's foreign key names the unit: an unknown one fails
	// the insert (units are org's table; auth does not read it).
	id, err := store.InsertID(ctx, tx, qUserInsertPw, nu.Name, nu.UnitID, string(nu.Role), store.FormatTime(now), nullable(nu.Email), hash, changed)
	if isForeignKey(err) {
		return 0, fmt.Errorf("unit %d: %w", nu.UnitID, ErrUnknownUnit)
	}
	if err != nil {
		return 0, uniqueErr(err, nu.Name)
	}
	detail := map[string]any{"name": nu.Name, "unit_id": nu.UnitID, "role": nu.Role}
	if nu.Email != "" {
		detail["email"] = nu.Email
	}
	if err := AppendAudit(ctx, tx, now, AuditRecord{Actor: Actor(ctx), Entity: "user", EntityID: id, Action: "create",
		To: "active", Detail: detail}); err != nil {
		return 0, err
	}
	return id, nil
}

// Invite adds a user without a password and makes a setup link (valid for
// ttl) with which the user sets one. The link's token is shown only here.
func (s *Store) Invite(ctx context.Context, nu NewUser, ttl time.Duration) (User, Link, error) {
	if err := s.checkNewUser(&nu); err != nil {
		return User{}, Link{}, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	var link Link
	var id int64
	err := s.inTx(ctx, "invite user", func(tx *sql.Tx) error {
		var err error
		if id, err = s.insertUser(ctx, tx, nu, "", now); err != nil {
			return err
		}
		link, err = s.newLink(ctx, tx, id, nu.Name, PurposeInvite, now, ttl)
		return err
	})
	if err != nil {
		return User{}, Link{}, err
	}
	return User{ID: id, Name: nu.Name, UnitID: nu.UnitID, Role: nu.Role, Email: nu.Email, CreatedAt: now}, link, nil
}

// loginUser finds the active user a sign-in name means: the exact user
// name, else a unique match of the name ignoring case or of the e-mail.
func (s *Store) loginUser(ctx context.Context, login string) (id int64, name, hash string, err error) {
	rows, err := s.db.DB.QueryContext(ctx, qLoginCandidates, strings.TrimSpace(login))
	if err != nil {
		return 0, "", "", fmt.Errorf("find user: %w", err)
	}
	defer rows.Close()
	type cand struct {
		id         int64
		name, hash string
	}
	var cs []cand
	for rows.Next() {
		var c cand
		if err := rows.Scan(&c.id, &c.name, &c.hash); err != nil {
			return 0, "", "", fmt.Errorf("find user: %w", err)
		}
		if c.name == strings.TrimSpace(login) {
			return c.id, c.name, c.hash, nil
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return 0, "", "", fmt.Errorf("find user: %w", err)
	}
	if len(cs) != 1 {
		return 0, "", "", ErrUserNotFound
	}
	return cs[0].id, cs[0].name, cs[0].hash, nil
}

// VerifyPassword checks a sign-in name (user name or e-mail) and password
// and returns the user. A wrong name, a wrong password, a disabled user
// and one who has not set a password are all ErrBadCredentials, and take
// about as long. A good password hashed with older costs is rehashed.
func (s *Store) VerifyPassword(ctx context.Context, login, pw string) (User, error) {
	id, _, hash, err := s.loginUser(ctx, login)
	if err != nil && !errors.Is(err, ErrUserNotFound) {
		return User{}, err
	}
	if err != nil || hash == "" {
		// Spend the same work as a real check.
		_, _ = s.pw.derive(ctx, pw, make([]byte, saltLen))
		return User{}, ErrBadCredentials
	}
	ok, rehash, err := s.pw.verifyPassword(ctx, hash, pw)
	if err != nil {
		return User{}, fmt.Errorf("user %d: %w", id, err)
	}
	if !ok {
		return User{}, ErrBadCredentials
	}
	if rehash {
		if h, err := s.pw.HashPassword(ctx, pw); err == nil {
			_, _ = s.db.DB.ExecContext(ctx, qSetPassword, h, store.FormatTime(s.now()), id)
		}
	}
	return s.UserByID(ctx, id)
}

// ChangePassword sets a new password after checking the current one, and
// ends every other web session of the user (keep is the hash of the
// session to keep; empty ends all). The policy applies.
func (s *Store) ChangePassword(ctx context.Context, userID int64, current, next, keep string) error {
	var hash, name, email string
	if err := s.db.DB.QueryRowContext(ctx, qPasswordOf, userID).Scan(&hash, &name, &email); errors.Is(err, sql.ErrNoRows) {
		return ErrUserNotFound
	} else if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if hash == "" {
		return ErrBadCredentials
	}
	ok, _, err := s.pw.verifyPassword(ctx, hash, current)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if !ok {
		return ErrBadCredentials
	}
	if current == next {
		return pwErr("the new password is the same as the current one", "kata sandi baru sama dengan yang sekarang")
	}
	return s.setPassword(ctx, userID, name, email, next, keep, "password_change", nil)
}

// SetPassword sets a user's password without the current one (command
// line, sandbox) and ends the user's web sessions. The policy applies.
func (s *Store) SetPassword(ctx context.Context, name, pw string) error {
	u, err := s.UserByName(ctx, name)
	if err != nil {
		return err
	}
	return s.setPassword(ctx, u.ID, u.Name, u.Email, pw, "", "password_set", nil)
}

// setPassword checks pw against the policy, stores its hash and ends the
// user's sessions except keep, with an audit line; extra runs in the same
// transaction.
func (s *Store) setPassword(ctx context.Context, userID int64, name, email, pw, keep, action string, extra func(tx *sql.Tx, now time.Time) error) error {
	if err := s.policy.Check(pw, name, email); err != nil {
		return err
	}
	hash, err := s.pw.HashPassword(ctx, pw)
	if err != nil {
		return err
	}
	now := s.now()
	return s.inTx(ctx, "set password", func(tx *sql.Tx) error {
		if extra != nil {
			if err := extra(tx, now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, qSetPassword, hash, store.FormatTime(now), userID); err != nil {
			return err
		}
		n, err := endSessions(ctx, tx, userID, keep)
		if err != nil {
			return err
		}
		// Never the password or its hash.
		return AppendAudit(ctx, tx, now, AuditRecord{Actor: Actor(ctx), Entity: "user", EntityID: userID, Action: action,
			Detail: map[string]any{"name": name, "sessions_ended": n}})
	})
}

// SetEmail changes a user's e-mail address ("" removes it).
func (s *Store) SetEmail(ctx context.Context, name, email string) (User, error) {
	u, err := s.UserByName(ctx, name)
	if err != nil {
		return User{}, err
	}
	e, err := checkEmail(email)
	if err != nil {
		return User{}, err
	}
	if e == u.Email {
		return u, nil
	}
	err = s.inTx(ctx, "set email", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, qSetEmail, nullable(e), u.ID); err != nil {
			return uniqueErr(err, name)
		}
		return AppendAudit(ctx, tx, s.now(), AuditRecord{Actor: Actor(ctx), Entity: "user", EntityID: u.ID, Action: "update",
			Detail: map[string]any{"name": name, "email": map[string]any{"before": u.Email, "after": e}}})
	})
	if err != nil {
		return User{}, err
	}
	u.Email = e
	return u, nil
}

// inTx runs fn in a transaction.
func (s *Store) inTx(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

const (
	qUserBySSOName  = `SELECT ` + qUserCols + ` FROM users u WHERE u.name = ? AND u.disabled_at IS NULL`
	qUserBySSOEmail = `SELECT ` + qUserCols + ` FROM users u WHERE lower(u.email) = lower(?) AND u.disabled_at IS NULL`
)

// UserBySSO finds the active user a single sign-on claim names: by user
// name (match "name") or e-mail address (match "email").
func (s *Store) UserBySSO(ctx context.Context, match, value string) (User, error) {
	q := qUserBySSOName
	if match == "email" {
		q = qUserBySSOEmail
	}
	u, err := scanUser(s.db.DB.QueryRowContext(ctx, q, value))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrUserNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("single sign-on user: %w", err)
	}
	return u, nil
}
