package org

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// tokenAAD binds ciphertexts to their purpose.
var tokenAAD = []byte("humas channel access token v1")

type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	if key == nil {
		return nil, nil
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("secret key is %d bytes, want 32 (AES-256); make one with `openssl rand -hex 32`", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	return &sealer{aead: aead}, nil
}

// seal returns nonce || ciphertext.
func (s *sealer) seal(plain string) ([]byte, error) {
	if s == nil {
		return nil, ErrNoKey
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("token nonce: %w", err)
	}
	return s.aead.Seal(nonce, nonce, []byte(plain), tokenAAD), nil
}

var errBadCiphertext = errors.New("the stored access token cannot be decrypted with this secret key " +
	"(was HUMAS_SECRET_KEY changed? set the old key back, or reconnect the channel with a new token)")

func (s *sealer) open(blob []byte) (string, error) {
	if s == nil {
		return "", ErrNoKey
	}
	n := s.aead.NonceSize()
	if len(blob) < n+s.aead.Overhead() {
		return "", errBadCiphertext
	}
	plain, err := s.aead.Open(nil, blob[:n], blob[n:], tokenAAD)
	if err != nil {
		return "", errBadCiphertext
	}
	return string(plain), nil
}
