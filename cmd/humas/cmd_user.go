package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
)

func init() {
	register("user add", "add a user and print the one-time link with which they set a password (alone, on stdout)", cmdUserAdd)
	register("user reset-password", "print a new one-time link with which the user sets a new password", cmdUserReset)
	register("user token", "make an API token for a user (scripts, Grafana) and print it (alone, on stdout)", cmdUserToken)
	register("user list", "list API users", cmdUserList)
	register("user revoke", "disable a user and revoke its tokens (never the last admin)", cmdUserRevoke)
	register("user role", "give a user another role (never the last admin's)", cmdUserRole)
	register("unit add", "add a unit (office) to the tree", cmdUnitAdd)
	register("unit list", "list units", cmdUnitList)
}

// openState opens the stores with migrations applied, for the operational
// commands.
func openState(ctx context.Context, cfgPath string, stderr io.Writer) (*store.SQLite, config.Config, error) {
	cfg, err := config.Load(cfgPath, nil)
	if err != nil {
		return nil, cfg, err
	}
	// Users and units live in SQLite only: these commands work while
	// ClickHouse is down.
	sq, err := store.OpenState(ctx, cfg.State, newLogger(cfg.Log, stderr))
	if err != nil {
		return nil, cfg, err
	}
	if _, err := sq.Migrate(ctx); err != nil {
		sq.Close()
		return nil, cfg, err
	}
	return sq, cfg, nil
}

// asCLI marks ctx as the command line's, so the audit log records the
// actor "cli" for what the operational commands change.
func asCLI(ctx context.Context) context.Context { return auth.WithPrincipal(ctx, auth.CLIActor) }

// findUnit resolves a unit slug or id, explaining how to create one.
func findUnit(ctx context.Context, o *org.Store, ref string) (org.Unit, error) {
	var u org.Unit
	var err error
	if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
		u, err = o.Unit(ctx, id)
	} else {
		u, err = o.UnitBySlug(ctx, ref)
	}
	if errors.Is(err, org.ErrNotFound) {
		units, _ := o.Units(ctx)
		if len(units) == 0 {
			return u, usageError{fmt.Sprintf("no unit %q: there are no units yet; create one first, e.g.\n  humas unit add --name \"KPU RI\" --slug kpu-ri --level national", ref)}
		}
		return u, usageError{fmt.Sprintf("no unit has slug or id %q (see humas unit list)", ref)}
	}
	return u, err
}

func cmdUserAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	ctx = asCLI(ctx)
	fs, cfgPath := newFlags("user add", stderr)
	name := fs.String("name", "", "user `name` (letters, digits, . _ @ -)")
	email := fs.String("email", "", "e-mail `address` (optional; a sign-in name, and where links go)")
	unit := fs.String("unit", "", "unit `slug or id` the user belongs to")
	role := fs.String("role", "", auth.RoleList())
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" || *unit == "" || *role == "" {
		return usageError{"humas user add needs --name, --unit and --role"}
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return usageError{err.Error()}
	}
	st, cfg, err := openState(ctx, *cfgPath, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := findUnit(ctx, org.NewStore(st, nil), *unit)
	if err != nil {
		return err
	}
	users, err := cliAuthStore(cfg, st)
	if err != nil {
		return err
	}
	user, link, err := users.Invite(ctx, auth.NewUser{Name: *name, Email: *email, UnitID: u.ID, Role: r}, cfg.Auth.SetupLinkTTL.D())
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "user %s (%s in %s) created; give them the link below privately: with it they set their password "+
		"(once, until %s; humas user reset-password makes a new one)\n", user.Name, user.Role, u.Slug, link.ExpiresAt.Local().Format("2006-01-02 15:04"))
	fmt.Fprintln(stdout, cfg.BaseURL()+link.Path())
	return nil
}

func cmdUserReset(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	ctx = asCLI(ctx)
	fs, cfgPath := newFlags("user reset-password", stderr)
	name := fs.String("name", "", "user `name`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usageError{"humas user reset-password needs --name"}
	}
	st, cfg, err := openState(ctx, *cfgPath, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	users, err := cliAuthStore(cfg, st)
	if err != nil {
		return err
	}
	_, link, err := users.NewResetLink(ctx, *name, cfg.Auth.SetupLinkTTL.D())
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "a new link for %s (older links stop working; the current password works until the link is used, until %s)\n",
		*name, link.ExpiresAt.Local().Format("2006-01-02 15:04"))
	fmt.Fprintln(stdout, cfg.BaseURL()+link.Path())
	return nil
}

func cmdUserToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	ctx = asCLI(ctx)
	fs, cfgPath := newFlags("user token", stderr)
	name := fs.String("name", "", "user `name` the token acts as")
	tokenName := fs.String("token-name", "", "what the token is for, e.g. grafana")
	days := fs.Int("days", 90, "days until the token expires (1-366)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" || *tokenName == "" {
		return usageError{"humas user token needs --name and --token-name"}
	}
	if *days < 1 || *days > 366 {
		return usageError{"--days must be from 1 to 366"}
	}
	st, cfg, err := openState(ctx, *cfgPath, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	users, err := cliAuthStore(cfg, st)
	if err != nil {
		return err
	}
	u, err := users.UserByName(ctx, *name)
	if err != nil {
		return err
	}
	t, tok, err := users.CreateToken(ctx, u.ID, *tokenName, time.Now().Add(time.Duration(*days)*24*time.Hour))
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "token %q for %s, good until %s; shown only once\n", t.Name, u.Name, t.ExpiresAt.Local().Format("2006-01-02"))
	fmt.Fprintln(stdout, tok)
	return nil
}

func cmdUserList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("user list", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	st, _, err := openState(ctx, *cfgPath, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	users, err := auth.NewStore(st).Users(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tROLE\tUNIT\tTOKEN\tLAST USED\tSTATUS")
	for _, u := range users {
		status, last := "active", "-"
		if !u.HasPassword {
			status = "invited"
		}
		if u.TOTP {
			status += ", 2fa"
		}
		if u.DisabledAt != nil {
			status = "revoked " + u.DisabledAt.Format("2006-01-02")
		}
		if u.LastUsedAt != nil {
			last = u.LastUsedAt.Format("2006-01-02 15:04")
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%s…\t%s\t%s\n", u.Name, u.Role, u.UnitID, u.TokenPrefix, last, status)
	}
	return w.Flush()
}

func cmdUserRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	ctx = asCLI(ctx)
	fs, cfgPath := newFlags("user revoke", stderr)
	name := fs.String("name", "", "user `name` to revoke")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usageError{"humas user revoke needs --name"}
	}
	st, _, err := openState(ctx, *cfgPath, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := auth.NewStore(st).Revoke(ctx, *name); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s revoked\n", *name)
	return nil
}

func cmdUserRole(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	ctx = asCLI(ctx)
	fs, cfgPath := newFlags("user role", stderr)
	name := fs.String("name", "", "user `name`")
	role := fs.String("role", "", auth.RoleList())
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" || *role == "" {
		return usageError{"humas user role needs --name and --role"}
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return usageError{err.Error()}
	}
	st, _, err := openState(ctx, *cfgPath, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := auth.NewStore(st).UpdateUser(ctx, *name, auth.UserChange{Role: &r})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s is now %s\n", u.Name, u.Role)
	return nil
}

func cmdUnitAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	ctx = asCLI(ctx)
	fs, cfgPath := newFlags("unit add", stderr)
	name := fs.String("name", "", "unit `name`, e.g. \"KPU Kota Salatiga\"")
	slug := fs.String("slug", "", "unit `slug`, e.g. kpu-salatiga")
	parent := fs.String("parent", "", "parent unit `slug or id` (none: a top unit)")
	level := fs.String("level", "other", "national, province, city or other")
	tz := fs.String("timezone", "", "IANA time `zone` (default: the configured timezone)")
	noApproval := fs.Bool("no-approval", false, "posts of this unit need no approval")
	classifiedBy := fs.String("classification-by", "editor", "who classifies posts: editor, or ppid (a PPID officer of the unit or above confirms)")
	hourly := fs.Bool("allow-hourly", false, "posts of this unit may recur hourly (default: at most daily)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	st, cfg, err := openState(ctx, *cfgPath, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	o := org.NewStore(st, nil).WithDefaultTimezone(cfg.Timezone)
	u := org.Unit{Name: *name, Slug: *slug, Level: *level, Timezone: *tz, RequiresApproval: !*noApproval,
		ClassificationBy: *classifiedBy, AllowHourly: *hourly}
	if *parent != "" {
		p, err := findUnit(ctx, o, *parent)
		if err != nil {
			return err
		}
		u.ParentID = p.ID
	}
	if u, err = o.CreateUnit(ctx, u); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "unit %s created (id %d)\n", u.Slug, u.ID)
	if err := mirrorUnits(ctx, cfg, o, stderr); err != nil {
		fmt.Fprintf(stderr, "warning: unit not yet in ClickHouse reports (humas serve copies it within a minute): %v\n", err)
	}
	return nil
}

func cmdUnitList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("unit list", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	st, _, err := openState(ctx, *cfgPath, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	units, err := org.NewStore(st, nil).Units(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tSLUG\tNAME\tPARENT\tLEVEL\tTIMEZONE\tAPPROVAL\tCLASSIFIED BY\tHOURLY")
	for _, u := range units {
		fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%s\t%s\t%v\t%s\t%v\n", u.ID, u.Slug, u.Name, u.ParentID, u.Level, u.Timezone,
			u.RequiresApproval, u.ClassificationBy, u.AllowHourly)
	}
	return w.Flush()
}

// mirrorUnits copies units and channels into ClickHouse now, when it answers.
func mirrorUnits(ctx context.Context, cfg config.Config, o *org.Store, stderr io.Writer) error {
	ch, err := store.OpenClickHouse(ctx, cfg.ClickHouse, newLogger(cfg.Log, stderr))
	if err != nil {
		return err
	}
	defer ch.Close()
	if _, err := ch.Migrate(ctx); err != nil {
		return err
	}
	return o.MirrorToClickHouse(ctx, ch)
}
