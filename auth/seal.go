package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// ErrNoKey means the server has no secret key (HUMAS_SECRET_KEY), so
// two-factor secrets cannot be stored encrypted.
var ErrNoKey = errors.New("the server has no secret key to encrypt two-factor secrets: set HUMAS_SECRET_KEY (openssl rand -hex 32) and restart")

// totpAAD binds sealed TOTP secrets to their purpose.
var totpAAD = []byte("humas totp secret v1")

type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("secret key is %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(plain string) ([]byte, error) {
	if s == nil {
		return nil, ErrNoKey
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return s.aead.Seal(nonce, nonce, []byte(plain), totpAAD), nil
}

func (s *sealer) open(blob []byte) (string, error) {
	if s == nil {
		return "", ErrNoKey
	}
	n := s.aead.NonceSize()
	if len(blob) < n+s.aead.Overhead() {
		return "", errors.New("stored two-factor secret is damaged")
	}
	plain, err := s.aead.Open(nil, blob[:n], blob[n:], totpAAD)
	if err != nil {
		return "", errors.New("stored two-factor secret cannot be decrypted with this secret key (was HUMAS_SECRET_KEY changed?)")
	}
	return string(plain), nil
}
