package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/auth/sso"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/store"
)

// newAuthStore is the account store with the configured password policy
// and the secret key that seals two-factor secrets.
func newAuthStore(cfg config.Config, db *store.SQLite, key []byte) *auth.Store {
	return auth.NewStore(db).WithKey(key).WithPolicy(auth.PasswordPolicy{MinLen: cfg.Auth.PasswordMinLength})
}

// cliAuthStore is newAuthStore for the operational commands.
func cliAuthStore(cfg config.Config, db *store.SQLite) (*auth.Store, error) {
	var key []byte
	if s := cfg.SecretKey.Reveal(); s != "" {
		k, err := config.DecodeKey(s)
		if err != nil {
			return nil, fmt.Errorf("secret_key: %w", err)
		}
		key = k
	}
	return newAuthStore(cfg, db, key), nil
}

// newSSO is the single sign-on client, or nil when oidc.issuer is empty.
func newSSO(cfg config.Config, db *store.SQLite) *sso.Client {
	o := cfg.OIDC
	if !o.Enabled() {
		return nil
	}
	return sso.New(db, sso.Config{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret.Reveal(),
		RedirectURL: cfg.SSORedirectURL(), Scopes: o.Scopes, Claim: o.Claim, Match: o.Match, Label: o.Label})
}

// firstRun is a component that, on an installation without users, makes
// the one-time setup link and prints it (as Grafana and Jenkins do): it
// creates the first office and its administrator, no command line needed.
// A restart prints a new link; the old one stops working.
type firstRun struct {
	users *auth.Store
	base  string
	log   *slog.Logger
	out   io.Writer
}

func (f *firstRun) Start(ctx context.Context) error {
	first, err := f.users.FirstRun(ctx)
	if err != nil || !first {
		return err
	}
	l, err := f.users.NewFirstRunLink(ctx)
	if err != nil {
		return err
	}
	url := f.base + l.Path()
	f.log.WarnContext(ctx, "first run: no user yet; open the setup address to create the first office and its administrator", "url", url)
	fmt.Fprintf(f.out, "\n*************************************************************\n"+
		"humas has no user yet. Open this address to create the first\n"+
		"office and its administrator (good until used):\n\n    %s\n\n"+
		"humas belum punya pengguna. Buka alamat di atas untuk membuat\n"+
		"kantor pertama dan administratornya.\n"+
		"*************************************************************\n\n", url)
	return nil
}

func (f *firstRun) Stop(context.Context) error { return nil }

func newFirstRun(a *app) *firstRun {
	return &firstRun{users: a.users, base: a.cfg.BaseURL(), log: a.log, out: os.Stderr}
}
