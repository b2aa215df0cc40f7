package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/humas-id/humas/store"
)

// Two-factor sign-in: TOTP (RFC 6238: 6 digits, 30 s, SHA-1, what every
// authenticator app reads from a QR code) with one-time recovery codes.

// ErrBadCode means the TOTP or recovery code is wrong, already used, or
// the user has no two-factor sign-in.
var ErrBadCode = errors.New("wrong or already used code")

// ErrTOTPOn means two-factor sign-in is on already (turn it off first).
var ErrTOTPOn = errors.New("two-factor sign-in is on already")

// RecoveryCodeCount is how many recovery codes a user gets.
const RecoveryCodeCount = 10

const totpIssuer = "humas"

var totpOpts = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

const (
	qTOTPGet      = `SELECT name, totp_secret, totp_enabled_at IS NOT NULL, totp_last_step FROM users WHERE id = ? AND disabled_at IS NULL`
	qTOTPPending  = `UPDATE users SET totp_secret = ?, totp_enabled_at = NULL, totp_last_step = 0 WHERE id = ?`
	qTOTPEnable   = `UPDATE users SET totp_enabled_at = ?, totp_last_step = ? WHERE id = ? AND totp_enabled_at IS NULL`
	qTOTPStep     = `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`
	qTOTPOff      = `UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = 0 WHERE id = ?`
	qRecoveryDel  = `DELETE FROM recovery_codes WHERE user_id = ?`
	qRecoveryIns  = `INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)`
	qRecoveryUse  = `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`
	qRecoveryLeft = `SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`
)

// Enrolment is a TOTP secret waiting for its first code.
type Enrolment struct {
	Secret string // base32, for typing into an app
	URL    string // otpauth:// URL, for the QR code
	Key    *otp.Key
}

// StartTOTP makes a new secret for the user and keeps it (sealed) until
// ConfirmTOTP proves the app has it. ErrTOTPOn if it is on already.
func (s *Store) StartTOTP(ctx context.Context, userID int64) (Enrolment, error) {
	if s.seal == nil {
		return Enrolment{}, ErrNoKey
	}
	name, _, on, _, err := s.totpState(ctx, userID)
	if err != nil {
		return Enrolment{}, err
	}
	if on {
		return Enrolment{}, ErrTOTPOn
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: name, Period: 30, Digits: otp.DigitsSix,
		Algorithm: otp.AlgorithmSHA1, SecretSize: 20})
	if err != nil {
		return Enrolment{}, fmt.Errorf("totp secret: %w", err)
	}
	blob, err := s.seal.seal(key.Secret())
	if err != nil {
		return Enrolment{}, err
	}
	if _, err := s.db.DB.ExecContext(ctx, qTOTPPending, blob, userID); err != nil {
		return Enrolment{}, fmt.Errorf("store totp secret: %w", err)
	}
	return Enrolment{Secret: key.Secret(), URL: key.URL(), Key: key}, nil
}

// PendingTOTP returns the enrolment waiting for its first code.
func (s *Store) PendingTOTP(ctx context.Context, userID int64) (Enrolment, error) {
	name, secret, on, _, err := s.totpState(ctx, userID)
	if err != nil {
		return Enrolment{}, err
	}
	if on || secret == "" {
		return Enrolment{}, ErrBadCode
	}
	key, err := otp.NewKeyFromURL(fmt.Sprintf("otpauth://totp/%s:%s?secret=%s&issuer=%s&period=30&digits=6&algorithm=SHA1",
		totpIssuer, name, secret, totpIssuer))
	if err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: secret, URL: key.URL(), Key: key}, nil
}

func (s *Store) totpState(ctx context.Context, userID int64) (name, secret string, on bool, last int64, err error) {
	var blob []byte
	err = s.db.DB.QueryRowContext(ctx, qTOTPGet, userID).Scan(&name, &blob, &on, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, 0, ErrUserNotFound
	}
	if err != nil {
		return "", "", false, 0, fmt.Errorf("read totp: %w", err)
	}
	if blob != nil {
		if secret, err = s.seal.open(blob); err != nil {
			return "", "", false, 0, err
		}
	}
	return name, secret, on, last, nil
}

// matchStep finds the 30-second step (now, one before, one after) whose
// code is code and that is newer than last; 0 if none.
func matchStep(secret, code string, now time.Time, last int64) int64 {
	cur := now.Unix() / 30
	for _, step := range []int64{cur, cur - 1, cur + 1} {
		if step <= last {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*30, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step
		}
	}
	return 0
}

// ConfirmTOTP turns two-factor sign-in on when code matches the pending
// secret, and returns new recovery codes (shown once).
func (s *Store) ConfirmTOTP(ctx context.Context, userID int64, code string) ([]string, error) {
	name, secret, on, _, err := s.totpState(ctx, userID)
	if err != nil {
		return nil, err
	}
	if on {
		return nil, ErrTOTPOn
	}
	if secret == "" {
		return nil, ErrBadCode
	}
	step := matchStep(secret, normalizeCode(code), s.now(), 0)
	if step == 0 {
		return nil, ErrBadCode
	}
	var codes []string
	now := s.now()
	err = s.inTx(ctx, "enable totp", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, qTOTPEnable, store.FormatTime(now), step, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrTOTPOn
		}
		if codes, err = replaceRecoveryCodes(ctx, tx, userID, now); err != nil {
			return err
		}
		return AppendAudit(ctx, tx, now, AuditRecord{Actor: Actor(ctx), Entity: "user", EntityID: userID, Action: "totp_enable",
			From: "off", To: "on", Detail: map[string]any{"name": name}})
	})
	return codes, err
}

// NewRecoveryCodes replaces the user's recovery codes (shown once).
func (s *Store) NewRecoveryCodes(ctx context.Context, userID int64) ([]string, error) {
	_, _, on, _, err := s.totpState(ctx, userID)
	if err != nil {
		return nil, err
	}
	if !on {
		return nil, ErrBadCode
	}
	var codes []string
	now := s.now()
	err = s.inTx(ctx, "new recovery codes", func(tx *sql.Tx) error {
		var err error
		if codes, err = replaceRecoveryCodes(ctx, tx, userID, now); err != nil {
			return err
		}
		return AppendAudit(ctx, tx, now, AuditRecord{Actor: Actor(ctx), Entity: "user", EntityID: userID, Action: "recovery_codes"})
	})
	return codes, err
}

// RecoveryCodesLeft is how many unused recovery codes the user has.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.db.DB.QueryRowContext(ctx, qRecoveryLeft, userID).Scan(&n)
	return n, err
}

const codeAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

func replaceRecoveryCodes(ctx context.Context, tx *sql.Tx, userID int64, now time.Time) ([]string, error) {
	if _, err := tx.ExecContext(ctx, qRecoveryDel, userID); err != nil {
		return nil, err
	}
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		var b strings.Builder
		for j := 0; j < 10; j++ {
			if j == 5 {
				b.WriteByte('-')
			}
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(codeAlphabet))))
			if err != nil {
				return nil, err
			}
			b.WriteByte(codeAlphabet[n.Int64()])
		}
		codes[i] = b.String()
		if _, err := tx.ExecContext(ctx, qRecoveryIns, userID, HashToken(normalizeCode(codes[i])), store.FormatTime(now)); err != nil {
			return nil, err
		}
	}
	return codes, nil
}

// normalizeCode drops spaces and dashes and lowers the case.
func normalizeCode(c string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return r
	}, c)
}

// VerifySecondFactor checks a TOTP code (each good once) or a recovery
// code (used up). recovery says which it was.
func (s *Store) VerifySecondFactor(ctx context.Context, userID int64, code string) (recovery bool, err error) {
	name, secret, on, last, err := s.totpState(ctx, userID)
	if err != nil {
		return false, err
	}
	if !on {
		return false, ErrBadCode
	}
	c := normalizeCode(code)
	if len(c) == 6 && strings.Trim(c, "0123456789") == "" {
		step := matchStep(secret, c, s.now(), last)
		if step == 0 {
			return false, ErrBadCode
		}
		res, err := s.db.DB.ExecContext(ctx, qTOTPStep, step, userID, step)
		if err != nil {
			return false, fmt.Errorf("totp step: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return false, ErrBadCode // the same code raced in twice
		}
		return false, nil
	}
	now := s.now()
	err = s.inTx(ctx, "use recovery code", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, qRecoveryUse, store.FormatTime(now), userID, HashToken(c))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrBadCode
		}
		return AppendAudit(ctx, tx, now, AuditRecord{Actor: Principal{UserID: userID, Name: name}, Entity: "user", EntityID: userID,
			Action: "recovery_code_used"})
	})
	if err != nil {
		return false, err
	}
	return true, nil
}

// DisableTOTP turns two-factor sign-in off for the user (themself, after
// their password, or an admin resetting it) and drops the recovery codes.
func (s *Store) DisableTOTP(ctx context.Context, userID int64) error {
	name, _, on, _, err := s.totpState(ctx, userID)
	if err != nil && !errors.Is(err, ErrNoKey) {
		return err
	}
	now := s.now()
	return s.inTx(ctx, "disable totp", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, qTOTPOff, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, qRecoveryDel, userID); err != nil {
			return err
		}
		from := "off"
		if on {
			from = "on"
		}
		return AppendAudit(ctx, tx, now, AuditRecord{Actor: Actor(ctx), Entity: "user", EntityID: userID, Action: "totp_disable",
			From: from, To: "off", Detail: map[string]any{"name": name}})
	})
}

// TOTPCode is the current code of secret (tests, and the sandbox's
// documentation).
func TOTPCode(secret string, at time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, at, totpOpts)
}
