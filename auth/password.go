package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// PasswordParams are the argon2id costs. The defaults are OWASP's first
// recommendation (19 MiB, 2 passes, 1 lane): about 30 ms on one core,
// and a bounded number of hashes run at once, so a burst of sign-ins
// cannot take the server's memory.
type PasswordParams struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultPasswordParams are used unless a Store is told otherwise.
var DefaultPasswordParams = PasswordParams{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen    = 16
	keyLen     = 32
	maxHashing = 4 // argon2id hashes computed at once
)

// hashSlots bounds concurrent hashing (memory: MemoryKiB each).
var hashSlots = make(chan struct{}, maxHashing)

// normalizePassword applies NFKC (NIST SP 800-63B 3.1.1.2), so the same
// password typed on another keyboard or OS still matches.
func normalizePassword(pw string) string { return norm.NFKC.String(pw) }

// HashPassword returns the PHC string of pw:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func (p PasswordParams) HashPassword(ctx context.Context, pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key, err := p.derive(ctx, normalizePassword(pw), salt)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

func (p PasswordParams) derive(ctx context.Context, pw string, salt []byte) ([]byte, error) {
	select {
	case hashSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-hashSlots }()
	return argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, keyLen), nil
}

var errBadHash = errors.New("stored password hash is not an argon2id PHC string")

// parsePHC reads a hash written by HashPassword.
func parsePHC(s string) (PasswordParams, []byte, []byte, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return PasswordParams{}, nil, nil, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return PasswordParams{}, nil, nil, errBadHash
	}
	var p PasswordParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil ||
		p.MemoryKiB == 0 || p.Time == 0 || p.Threads == 0 || p.MemoryKiB > 4<<20 {
		return PasswordParams{}, nil, nil, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return PasswordParams{}, nil, nil, errBadHash
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) == 0 {
		return PasswordParams{}, nil, nil, errBadHash
	}
	return p, salt, key, nil
}

// verifyPassword checks pw against a stored PHC hash in constant time and
// says whether the hash should be renewed with the current parameters.
func (p PasswordParams) verifyPassword(ctx context.Context, stored, pw string) (ok, rehash bool, err error) {
	hp, salt, key, err := parsePHC(stored)
	if err != nil {
		return false, false, err
	}
	got, err := hp.derive(ctx, normalizePassword(pw), salt)
	if err != nil {
		return false, false, err
	}
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false, nil
	}
	return true, hp != p, nil
}
