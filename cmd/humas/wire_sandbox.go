package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
)

// Sandbox credentials of the in-process simulator; they reach nothing real.
const (
	sandboxAppID     = "100000000000001"
	sandboxAppSecret = "sandbox-app-secret"
	sandboxHistory   = 90 // days of demo history on the simulated accounts
)

// sandbox is the in-process Graph API simulator as a component.
type sandbox struct {
	sim  *graphsim.Sim
	stop func(context.Context) error
}

func (s *sandbox) Start(context.Context) error    { return nil }
func (s *sandbox) Stop(ctx context.Context) error { return s.stop(ctx) }

// startSandbox serves the simulator on a loopback port with the demo
// accounts and their history, and points cfg's Graph client at it. It also
// makes a secret key for stored tokens when none is set, kept beside the
// state database so the tokens stay readable across restarts.
func startSandbox(ctx context.Context, cfg *config.Config, stateDir string) (*sandbox, error) {
	if cfg.SecretKey == "" {
		key, err := sandboxKey(filepath.Join(stateDir, "sandbox-secret.key"))
		if err != nil {
			return nil, err
		}
		cfg.SecretKey = config.Secret(key)
	}
	base, sim, stop, err := graphsim.Start(ctx, "127.0.0.1:0", graphsim.Options{
		Seed: 20261127, AppID: sandboxAppID, AppSecret: sandboxAppSecret,
		// Instagram containers fetch humas's public media links, as Meta does.
		FetchMedia: true,
	})
	if err != nil {
		return nil, fmt.Errorf("sandbox: start Graph API simulator: %w", err)
	}
	if _, err := sim.SetupDemo(sandboxHistory); err != nil {
		_ = stop(ctx)
		return nil, fmt.Errorf("sandbox: demo accounts: %w", err)
	}
	// "Connect with Facebook" works against the simulator: its dialog
	// continues as the demo Pages' manager, back to humas's callback.
	sim.AllowRedirectURI(cfg.FacebookRedirectURL())
	// Demo carousels are meant to be explored: count them as interactive,
	// so the demo report shows every content type.
	cfg.Collector.CarouselAs = "interactive"
	cfg.Graph.URL = base
	cfg.Graph.AppID = sandboxAppID
	cfg.Graph.AppSecret = sandboxAppSecret
	return &sandbox{sim: sim, stop: stop}, nil
}

func sandboxKey(path string) (string, error) {
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	var k [32]byte
	if _, err := rand.Read(k[:]); err != nil {
		return "", err
	}
	key := hex.EncodeToString(k[:])
	if err := store.WritePrivateFile(path, []byte(key+"\n")); err != nil {
		return "", fmt.Errorf("sandbox: write %s: %w", path, err)
	}
	return key, nil
}

// demoUsers are created once in sandbox mode, in the city office.
var demoUsers = []struct {
	name string
	role auth.Role
	top  bool // in the province office instead
}{
	{"admin", auth.RoleAdmin, true},
	{"editor.salatiga", auth.RoleEditor, false},
	{"approver.salatiga", auth.RoleApprover, false},
	{"kepala.jateng", auth.RoleViewer, true},
	{"ppid.jateng", auth.RolePPID, true},
}

// seedSandbox registers the demo offices, channels and users unless they
// exist, and writes new users' tokens to tokensPath (shown once).
func seedSandbox(ctx context.Context, orgs *org.Store, users *auth.Store, tokensPath string) ([]string, error) {
	accts := graphsim.DemoAccounts()
	if len(accts) == 0 {
		return nil, errors.New("sandbox: the simulator has no demo accounts")
	}
	// The first demo account's office is the city, the others sit above it
	// in the province office (units are looked up by slug).
	units := map[string]org.Unit{}
	ensureUnit := func(name, level string, parent int64) (org.Unit, error) {
		slug := slugify(name)
		if u, err := orgs.UnitBySlug(ctx, slug); err == nil {
			return u, nil
		} else if !errors.Is(err, org.ErrNotFound) {
			return org.Unit{}, err
		}
		return orgs.CreateUnit(ctx, org.Unit{Name: name, Slug: slug, Level: level, ParentID: parent,
			Timezone: "Asia/Jakarta", RequiresApproval: true})
	}
	var province org.Unit
	for _, a := range accts {
		if strings.Contains(a.Unit, "Provinsi") {
			u, err := ensureUnit(a.Unit, "province", 0)
			if err != nil {
				return nil, fmt.Errorf("sandbox unit %s: %w", a.Unit, err)
			}
			province, units[a.Unit] = u, u
		}
	}
	for _, a := range accts {
		if _, ok := units[a.Unit]; ok {
			continue
		}
		u, err := ensureUnit(a.Unit, "city", province.ID)
		if err != nil {
			return nil, fmt.Errorf("sandbox unit %s: %w", a.Unit, err)
		}
		units[a.Unit] = u
	}
	existing, err := orgs.Channels(ctx)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, c := range existing {
		have[c.Platform+"/"+c.ExternalID] = true
	}
	for _, a := range accts {
		for _, ch := range []org.ChannelInput{
			{UnitID: units[a.Unit].ID, Platform: org.Facebook, ExternalID: a.PageID, Name: a.PageName, AccessToken: a.PageToken},
			{UnitID: units[a.Unit].ID, Platform: org.Instagram, ExternalID: a.IGID, Name: "@" + a.IGUsername, AccessToken: a.PageToken},
		} {
			if have[ch.Platform+"/"+ch.ExternalID] {
				continue
			}
			if _, err := orgs.CreateChannel(ctx, ch); err != nil {
				return nil, fmt.Errorf("sandbox channel %s: %w", ch.Name, err)
			}
		}
	}

	known, err := users.Users(ctx)
	if err != nil {
		return nil, err
	}
	exists := map[string]bool{}
	for _, u := range known {
		exists[u.Name] = true
	}
	var city org.Unit
	for _, u := range units {
		if u.ID != province.ID {
			city = u
		}
	}
	var lines []string
	for _, du := range demoUsers {
		if exists[du.name] {
			continue
		}
		unit := city
		if du.top {
			unit = province
		}
		_, token, err := users.CreateUser(ctx, du.name, unit.ID, du.role)
		if err != nil {
			return nil, fmt.Errorf("sandbox user %s: %w", du.name, err)
		}
		pw, err := demoPassword()
		if err != nil {
			return nil, err
		}
		if err := users.SetPassword(ctx, du.name, pw); err != nil {
			return nil, fmt.Errorf("sandbox user %s: %w", du.name, err)
		}
		lines = append(lines, fmt.Sprintf("%-18s %-8s %-26s %-28s %s", du.name, du.role, unit.Name, pw, token))
	}
	if len(lines) > 0 {
		body := "# humas sandbox users (shown once): name, role, unit, password (sign in at /signin), API token (scripts:\n" +
			"# curl -H \"Authorization: Bearer <token>\" http://127.0.0.1:8080/api/v1/posts)\n" +
			strings.Join(lines, "\n") + "\n"
		if err := store.WritePrivateFile(tokensPath, []byte(body)); err != nil {
			return nil, fmt.Errorf("sandbox: write %s: %w", tokensPath, err)
		}
	}
	return lines, nil
}

// demoWords make the sandbox's passwords: three random words and a
// number, easy to type and far from any common password.
var demoWords = []string{"merapi", "kopi", "pantai", "batik", "rapat", "pleno", "suara", "jalan", "hujan", "pelangi",
	"sawah", "gunung", "sungai", "danau", "lontar", "wayang", "angklung", "bambu", "melati", "cempaka"}

func demoPassword() (string, error) {
	pick := func(n int) (int, error) {
		var b [1]byte
		for {
			if _, err := rand.Read(b[:]); err != nil {
				return 0, err
			}
			if int(b[0]) < 256/n*n {
				return int(b[0]) % n, nil
			}
		}
	}
	var parts []string
	for range 3 {
		i, err := pick(len(demoWords))
		if err != nil {
			return "", err
		}
		parts = append(parts, demoWords[i])
	}
	d, err := pick(90)
	if err != nil {
		return "", err
	}
	return strings.Join(parts, "-") + "-" + fmt.Sprint(d+10), nil
}

func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
