package web

import (
	"crypto/subtle"

	"github.com/humas-id/humas/auth"
)

// Session is a signed-in browser (kept by auth.Sessions).
type Session = auth.Session

// randomToken is 32 random bytes, base64url.
func randomToken() (string, error) { return auth.RandomToken() }

// hashID is the stored form of a session id.
func hashID(id string) string { return auth.HashID(id) }

// validCSRF compares a submitted token with the expected one in constant
// time; an empty expected token never matches.
func validCSRF(expected, got string) bool {
	return expected != "" && subtle.ConstantTimeCompare([]byte(expected), []byte(got)) == 1
}
