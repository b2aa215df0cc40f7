// Package sso signs people in through an OpenID Connect provider (for
// example an institution's Keycloak) with the authorization code flow:
// state, nonce and a PKCE verifier are kept server-side for 10 minutes,
// bound to the browser by a cookie holding a random id (stored hashed),
// and used once. The ID token is verified by go-oidc (signature from the
// provider's JWKS, issuer, audience, expiry), its nonce compared with the
// flow's, and one configured claim names the humas user. Nobody is
// created: the claim must match an existing user.
package sso

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/store"
)

// Config is the provider and how its users map to humas users.
type Config struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string // https://humas.example.go.id/signin/sso/callback
	Scopes       []string
	// Claim is the ID token claim that names the user (preferred_username
	// or email); Match is the humas field it is compared with: "name" or
	// "email".
	Claim, Match string
	// Label is the button's text.
	Label string
	// HTTPClient reaches the provider (default http.DefaultClient with a
	// 10 s timeout).
	HTTPClient *http.Client
	Now        func() time.Time
}

// Errors of a sign-in that did not work, each shown with its own text.
var (
	ErrNoFlow   = errors.New("no single sign-on in progress in this browser (it expired after 10 minutes, or cookies are blocked)")
	ErrState    = errors.New("the answer of the identity provider does not belong to this sign-in (state mismatch)")
	ErrToken    = errors.New("the identity provider's ID token is not valid for this sign-in")
	ErrProvider = errors.New("the identity provider could not be reached or refused the code")
	ErrNoClaim  = errors.New("the ID token lacks the claim that names the user")
)

// flowTTL bounds a sign-in at the provider.
const flowTTL = 10 * time.Minute

// Identity is who the provider says signed in.
type Identity struct {
	Issuer, Subject string
	// Value is the configured claim's value; Match which humas field it
	// names.
	Value, Match string
}

// Client is the relying party.
type Client struct {
	cfg Config
	db  *store.SQLite

	mu       sync.Mutex
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	oauth    *oauth2.Config
}

// New returns a client; the provider's discovery document is read at
// first use (and again after a failure), so humas starts while the
// provider is down.
func New(db *store.SQLite, cfg Config) *Client {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{oidc.ScopeOpenID, "profile", "email"}
	}
	if cfg.Claim == "" {
		cfg.Claim = "preferred_username"
	}
	if cfg.Match == "" {
		cfg.Match = "name"
	}
	if cfg.Label == "" {
		cfg.Label = "Single sign-on"
	}
	return &Client{cfg: cfg, db: db}
}

// Label is the sign-in button's text.
func (c *Client) Label() string { return c.cfg.Label }

// Match is the humas field the claim names ("name" or "email").
func (c *Client) Match() string { return c.cfg.Match }

func (c *Client) ctx(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, c.cfg.HTTPClient)
}

// setup reads the discovery document once.
func (c *Client) setup(ctx context.Context) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.oauth, c.verifier, nil
	}
	p, err := oidc.NewProvider(c.ctx(ctx), c.cfg.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: discovery of %s: %v", ErrProvider, c.cfg.Issuer, err)
	}
	c.provider = p
	c.verifier = p.VerifierContext(c.ctx(context.WithoutCancel(ctx)), &oidc.Config{ClientID: c.cfg.ClientID, Now: c.cfg.Now})
	c.oauth = &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: c.cfg.RedirectURL, Scopes: c.cfg.Scopes}
	return c.oauth, c.verifier, nil
}

const (
	qFlowInsert = `INSERT INTO oidc_flows (id_hash, state, nonce, verifier, next, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`
	qFlowTake   = `DELETE FROM oidc_flows WHERE id_hash = ? RETURNING state, nonce, verifier, next, expires_at`
	qFlowSweep  = `DELETE FROM oidc_flows WHERE expires_at <= ?`
)

// Begin starts a sign-in: it keeps state, nonce and PKCE verifier under a
// new flow id and answers the id (for an HttpOnly cookie) and the
// provider's authorization URL to send the browser to.
func (c *Client) Begin(ctx context.Context, next string) (flow, redirect string, err error) {
	oc, _, err := c.setup(ctx)
	if err != nil {
		return "", "", err
	}
	var vals [3]string
	for i := range vals {
		if vals[i], err = auth.RandomToken(); err != nil {
			return "", "", err
		}
	}
	flow, state, nonce := vals[0], vals[1], vals[2]
	verifier := oauth2.GenerateVerifier()
	now := c.cfg.Now()
	if _, err := c.db.DB.ExecContext(ctx, qFlowSweep, store.FormatTime(now)); err != nil {
		return "", "", fmt.Errorf("sweep sign-in flows: %w", err)
	}
	if _, err := c.db.DB.ExecContext(ctx, qFlowInsert, auth.HashID(flow), state, nonce, verifier, next,
		store.FormatTime(now), store.FormatTime(now.Add(flowTTL))); err != nil {
		return "", "", fmt.Errorf("store sign-in flow: %w", err)
	}
	return flow, oc.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), nil
}

// Finish completes a sign-in with the provider's answer: the flow is
// used up whatever happens, state must match, the code is exchanged with
// the PKCE verifier, and the ID token must verify and carry the flow's
// nonce and the configured claim.
func (c *Client) Finish(ctx context.Context, flow, state, code string) (Identity, string, error) {
	if flow == "" {
		return Identity{}, "", ErrNoFlow
	}
	var want, nonce, verifier, next, exp string
	err := c.db.DB.QueryRowContext(ctx, qFlowTake, auth.HashID(flow)).Scan(&want, &nonce, &verifier, &next, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return Identity{}, "", ErrNoFlow
	}
	if err != nil {
		return Identity{}, "", fmt.Errorf("read sign-in flow: %w", err)
	}
	if t, err := store.ParseTime(exp); err != nil || !c.cfg.Now().Before(t) {
		return Identity{}, "", ErrNoFlow
	}
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(want)) != 1 {
		return Identity{}, "", ErrState
	}
	oc, v, err := c.setup(ctx)
	if err != nil {
		return Identity{}, "", err
	}
	tok, err := oc.Exchange(c.ctx(ctx), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return Identity{}, "", fmt.Errorf("%w: %v", ErrProvider, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return Identity{}, "", fmt.Errorf("%w: the token answer has no id_token", ErrToken)
	}
	idt, err := v.Verify(c.ctx(ctx), raw)
	if err != nil {
		return Identity{}, "", fmt.Errorf("%w: %v", ErrToken, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return Identity{}, "", fmt.Errorf("%w: nonce mismatch", ErrToken)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, "", fmt.Errorf("%w: %v", ErrToken, err)
	}
	val, _ := claims[c.cfg.Claim].(string)
	if strings.TrimSpace(val) == "" {
		return Identity{}, "", fmt.Errorf("%w %q", ErrNoClaim, c.cfg.Claim)
	}
	if c.cfg.Claim == "email" {
		if verified, ok := claims["email_verified"].(bool); ok && !verified {
			return Identity{}, "", fmt.Errorf("%w: the provider has not verified the e-mail address", ErrToken)
		}
	}
	return Identity{Issuer: idt.Issuer, Subject: idt.Subject, Value: strings.TrimSpace(val), Match: c.cfg.Match}, next, nil
}
