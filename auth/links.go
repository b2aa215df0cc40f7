package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/humas-id/humas/store"
)

// Setup link purposes.
const (
	PurposeInvite   = "invite"    // a new user sets a first password
	PurposeReset    = "reset"     // a user sets a new password
	PurposeFirstRun = "first_run" // an empty installation creates its first office and admin
)

// DefaultLinkTTL is how long a setup link stays good unless configured.
const DefaultLinkTTL = 72 * time.Hour

// Link is a one-time setup link's token (shown once; only its hash is
// stored), what it is for and until when it is good.
type Link struct {
	Token     string
	Purpose   string
	ExpiresAt *time.Time // nil: until used (first run)
}

// Path is the link's path on the site: /setup/<token>, or
// /setup/first/<token> for the first run.
func (l Link) Path() string {
	if l.Purpose == PurposeFirstRun {
		return "/setup/first/" + l.Token
	}
	return "/setup/" + l.Token
}

// LinkMessage is what a LinkSender delivers: the link for a user, made by
// an admin (or the command line).
type LinkMessage struct {
	User      User
	URL       string
	Purpose   string
	ExpiresAt time.Time
	// By is who made the link (an admin's name, or "cli").
	By string
}

// Link errors: each is answered with its own page.
var (
	ErrLinkUnknown  = errors.New("this setup link is not known (mistyped, or replaced by a newer link)")
	ErrLinkUsed     = errors.New("this setup link was used already")
	ErrLinkExpired  = errors.New("this setup link has expired")
	ErrAlreadySetUp = errors.New("humas is set up already: sign in, or ask an admin for an invitation")
)

const (
	qLinkInsert = `INSERT INTO setup_links (user_id, purpose, token_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`
	qLinkVoid   = `UPDATE setup_links SET voided_at = ? WHERE user_id IS NOT DISTINCT FROM ? AND purpose IN (?, ?) AND used_at IS NULL AND voided_at IS NULL`
	qLinkGet    = `SELECT l.id, COALESCE(l.user_id, 0), l.purpose, l.expires_at, l.used_at, l.voided_at FROM setup_links l WHERE l.token_hash = ?`
	qLinkUse    = `UPDATE setup_links SET used_at = ? WHERE id = ? AND used_at IS NULL`
	qUserCount  = `SELECT count(*) FROM users`
	qFirstVoid  = `UPDATE setup_links SET voided_at = ? WHERE purpose = 'first_run' AND used_at IS NULL AND voided_at IS NULL`
)

// newLink voids the user's older links and adds one, in tx.
func (s *Store) newLink(ctx context.Context, tx *sql.Tx, userID int64, name, purpose string, now time.Time, ttl time.Duration) (Link, error) {
	if ttl <= 0 {
		ttl = DefaultLinkTTL
	}
	tok, err := RandomToken()
	if err != nil {
		return Link{}, err
	}
	exp := now.Add(ttl).UTC().Truncate(time.Millisecond)
	if _, err := tx.ExecContext(ctx, qLinkVoid, store.FormatTime(now), userID, PurposeInvite, PurposeReset); err != nil {
		return Link{}, err
	}
	if _, err := tx.ExecContext(ctx, qLinkInsert, userID, purpose, HashToken(tok), Actor(ctx).Name, store.FormatTime(now), store.FormatTime(exp)); err != nil {
		return Link{}, err
	}
	// Never the token or its hash.
	if err := AppendAudit(ctx, tx, now, AuditRecord{Actor: Actor(ctx), Entity: "user", EntityID: userID, Action: "setup_link",
		Detail: map[string]any{"name": name, "purpose": purpose, "expires_at": exp}}); err != nil {
		return Link{}, err
	}
	return Link{Token: tok, Purpose: purpose, ExpiresAt: &exp}, nil
}

// NewResetLink makes a new setup link with which the user sets a new
// password (older links of the user stop working). The current password
// keeps working until the link is used.
func (s *Store) NewResetLink(ctx context.Context, name string, ttl time.Duration) (User, Link, error) {
	u, err := s.UserByName(ctx, name)
	if err != nil {
		return User{}, Link{}, err
	}
	if u.DisabledAt != nil {
		return User{}, Link{}, fmt.Errorf("user %q is disabled: %w", name, ErrUserNotFound)
	}
	purpose := PurposeReset
	if !u.HasPassword {
		purpose = PurposeInvite
	}
	var l Link
	err = s.inTx(ctx, "new setup link", func(tx *sql.Tx) error {
		var err error
		l, err = s.newLink(ctx, tx, u.ID, u.Name, purpose, s.now().UTC(), ttl)
		return err
	})
	return u, l, err
}

// LinkInfo is what a setup link is for.
type LinkInfo struct {
	ID        int64
	User      User // zero for the first run
	Purpose   string
	ExpiresAt *time.Time
}

// CheckLink answers what a link token is for, or ErrLinkUnknown,
// ErrLinkUsed or ErrLinkExpired.
func (s *Store) CheckLink(ctx context.Context, token string) (LinkInfo, error) {
	return s.checkLink(ctx, s.db.DB, token)
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) checkLink(ctx context.Context, q querier, token string) (LinkInfo, error) {
	if token == "" {
		return LinkInfo{}, ErrLinkUnknown
	}
	var li LinkInfo
	var userID int64
	var exp, used, voided sql.NullString
	err := q.QueryRowContext(ctx, qLinkGet, HashToken(token)).Scan(&li.ID, &userID, &li.Purpose, &exp, &used, &voided)
	if errors.Is(err, sql.ErrNoRows) {
		return LinkInfo{}, ErrLinkUnknown
	}
	if err != nil {
		return LinkInfo{}, fmt.Errorf("setup link: %w", err)
	}
	li.ExpiresAt = store.ParseNullTime(exp)
	switch {
	case used.Valid:
		return li, ErrLinkUsed
	case voided.Valid:
		return li, ErrLinkUnknown
	case li.ExpiresAt != nil && !s.now().Before(*li.ExpiresAt):
		return li, ErrLinkExpired
	}
	if userID != 0 {
		u, err := s.UserByID(ctx, userID)
		if err != nil {
			return li, err
		}
		if u.DisabledAt != nil {
			return li, ErrLinkUnknown
		}
		li.User = u
	}
	return li, nil
}

// UseLink sets the password of the link's user (the policy applies), uses
// the link up and ends the user's web sessions.
func (s *Store) UseLink(ctx context.Context, token, pw string) (User, error) {
	li, err := s.CheckLink(ctx, token)
	if err != nil {
		return User{}, err
	}
	if li.Purpose == PurposeFirstRun {
		return User{}, ErrLinkUnknown
	}
	u := li.User
	ctx = WithPrincipal(ctx, Principal{UserID: u.ID, Name: u.Name, UnitID: u.UnitID, Role: u.Role})
	err = s.setPassword(ctx, u.ID, u.Name, u.Email, pw, "", "password_set", func(tx *sql.Tx, now time.Time) error {
		res, err := tx.ExecContext(ctx, qLinkUse, store.FormatTime(now), li.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrLinkUsed
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	u.HasPassword = true
	return u, nil
}

// FirstRun reports whether the installation has no user yet.
func (s *Store) FirstRun(ctx context.Context) (bool, error) {
	var n int
	if err := s.db.DB.QueryRowContext(ctx, qUserCount).Scan(&n); err != nil {
		return false, fmt.Errorf("count users: %w", err)
	}
	return n == 0, nil
}

// NewFirstRunLink makes the one-time setup link of an empty installation
// (good until used; an older one stops working). ErrAlreadySetUp when a
// user exists.
func (s *Store) NewFirstRunLink(ctx context.Context) (Link, error) {
	var l Link
	err := s.inTx(ctx, "first-run link", func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, qUserCount).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrAlreadySetUp
		}
		tok, err := RandomToken()
		if err != nil {
			return err
		}
		now := store.FormatTime(s.now())
		if _, err := tx.ExecContext(ctx, qFirstVoid, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, qLinkInsert, nil, PurposeFirstRun, HashToken(tok), "serve", now, nil); err != nil {
			return err
		}
		l = Link{Token: tok, Purpose: PurposeFirstRun}
		return nil
	})
	return l, err
}

// CheckFirstRunLink answers whether token is the live first-run link.
func (s *Store) CheckFirstRunLink(ctx context.Context, token string) error {
	if first, err := s.FirstRun(ctx); err != nil {
		return err
	} else if !first {
		return ErrAlreadySetUp
	}
	li, err := s.CheckLink(ctx, token)
	if err != nil {
		return err
	}
	if li.Purpose != PurposeFirstRun {
		return ErrLinkUnknown
	}
	return nil
}

// CompleteFirstRun creates the first administrator, with a password, in
// unitID, and uses up the first-run link, in one transaction: of two
// browsers racing, one wins and the other gets ErrAlreadySetUp.
func (s *Store) CompleteFirstRun(ctx context.Context, token string, nu NewUser, pw string) (User, error) {
	nu.Role = RoleAdmin
	if err := s.checkNewUser(&nu); err != nil {
		return User{}, err
	}
	if err := s.policy.Check(pw, nu.Name, nu.Email); err != nil {
		return User{}, err
	}
	hash, err := s.pw.HashPassword(ctx, pw)
	if err != nil {
		return User{}, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	var id int64
	err = s.inTx(ctx, "first run", func(tx *sql.Tx) error {
		li, err := s.checkLink(ctx, tx, token)
		if err != nil {
			return err
		}
		if li.Purpose != PurposeFirstRun {
			return ErrLinkUnknown
		}
		var n int
		if err := tx.QueryRowContext(ctx, qUserCount).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrAlreadySetUp
		}
		ctx := WithPrincipal(ctx, Principal{Name: nu.Name, UnitID: nu.UnitID, Role: RoleAdmin})
		if id, err = s.insertUser(ctx, tx, nu, hash, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, qLinkUse, store.FormatTime(now), li.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrAlreadySetUp
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return User{ID: id, Name: nu.Name, UnitID: nu.UnitID, Role: RoleAdmin, Email: nu.Email, CreatedAt: now, HasPassword: true}, nil
}
