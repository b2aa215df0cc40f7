package auth_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }
func newClock() *clock               { return &clock{t: time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)} }
func key() []byte                    { return []byte("0123456789abcdef0123456789abcdef") }
func cheap() auth.PasswordParams     { return auth.PasswordParams{MemoryKiB: 1024, Time: 1, Threads: 1} }
func unit(t *testing.T, db *store.SQLite) {
	t.Helper()
	mustExec(t, db, `INSERT INTO units (name, slug, created_at) VALUES ('KPU RI', 'kpu-ri', '2026-01-01T00:00:00.000Z')`)
}

func mustExec(t *testing.T, db *store.SQLite, q string, args ...any) {
	t.Helper()
	if _, err := db.DB.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

func newStore(t *testing.T) (*auth.Store, *store.SQLite, *clock) {
	t.Helper()
	db := storetest.SQLite(t)
	unit(t, db)
	c := newClock()
	return auth.NewStore(db).WithKey(key()).WithPasswordParams(cheap()).WithClock(c.Now), db, c
}

func TestPasswordPolicy(t *testing.T) {
	p := auth.PasswordPolicy{}
	for _, tc := range []struct {
		pw, name, email string
		ok              bool
		why             string
	}{
		{"rapat pleno terbuka kamis", "sari", "", true, ""},
		{"Kopi pagi di aula KPU", "sari", "", true, ""},
		{"short pass", "sari", "", false, "at least 12"},
		{"password1234", "sari", "", false, "pick first"},
		{"Password2024!", "sari", "", false, "pick first"},
		{"indonesia1945", "sari", "", false, "pick first"},
		{"sayangsayang", "sari", "", false, "pick first"},
		{"123456789012", "sari", "", false, "pick first"},
		{"abcdefghijklm", "sari", "", false, "repeats or counts"},
		{"aaaaaaaaaaaabbbb", "sari", "", false, "repeats or counts"},
		{"sari.humas rapat 2029", "sari.humas", "", false, "user name"},
		{"pleno budi santoso 77", "admin", "budi.santoso@kpu.go.id", false, "e-mail name"},
		{strings.Repeat("kata sandi panjang ", 8), "sari", "", false, "at most 128"},
	} {
		err := p.Check(tc.pw, tc.name, tc.email)
		var pe *auth.PasswordError
		switch {
		case tc.ok && err != nil:
			t.Errorf("%q refused: %v", tc.pw, err)
		case !tc.ok && (err == nil || !errors.As(err, &pe)):
			t.Errorf("%q accepted (%v)", tc.pw, err)
		case !tc.ok && (!strings.Contains(pe.Message, tc.why) || pe.MessageID == "" || pe.MessageID == pe.Message):
			t.Errorf("%q: %q / %q, want it to say %q in both languages", tc.pw, pe.Message, pe.MessageID, tc.why)
		}
	}
	if err := (auth.PasswordPolicy{MinLen: 20}).Check("rapat pleno kamis", "sari", ""); err == nil || !strings.Contains(err.Error(), "at least 20") {
		t.Errorf("a configured minimum of 20 and 17 characters: %v", err)
	}
}

// TestWrongPasswordAndRehash: a wrong password and an unknown name are
// the same error; the stored hash is an argon2id PHC string (never the
// password); a hash with older costs is renewed on a good sign-in.
func TestWrongPasswordAndRehash(t *testing.T) {
	ctx := context.Background()
	s, db, _ := newStore(t)
	if _, _, err := s.CreateUser(ctx, "sari", 1, auth.RoleEditor); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassword(ctx, "sari", "rapat pleno terbuka kamis"); err != nil {
		t.Fatal(err)
	}
	var hash string
	if err := db.DB.QueryRow(`SELECT password_hash FROM users WHERE name = 'sari'`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=1024,t=1,p=1$") || strings.Contains(hash, "rapat") {
		t.Fatalf("stored hash %q", hash)
	}
	for _, tc := range []struct{ login, pw string }{{"sari", "rapat pleno terbuka jumat"}, {"nobody", "rapat pleno terbuka kamis"}, {"", ""}} {
		if _, err := s.VerifyPassword(ctx, tc.login, tc.pw); !errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("%s/%s: %v, want ErrBadCredentials", tc.login, tc.pw, err)
		}
	}
	if u, err := s.VerifyPassword(ctx, "Sari", "rapat pleno terbuka kamis"); err != nil || u.Name != "sari" {
		t.Fatalf("name in another case: %+v %v", u, err)
	}
	// Stronger costs: the next good sign-in renews the hash.
	s.WithPasswordParams(auth.PasswordParams{MemoryKiB: 2048, Time: 1, Threads: 1})
	if _, err := s.VerifyPassword(ctx, "sari", "rapat pleno terbuka kamis"); err != nil {
		t.Fatal(err)
	}
	if err := db.DB.QueryRow(`SELECT password_hash FROM users WHERE name = 'sari'`).Scan(&hash); err != nil || !strings.Contains(hash, "m=2048") {
		t.Errorf("hash not renewed: %q %v", hash, err)
	}
	// A disabled user cannot sign in.
	if err := s.Revoke(ctx, "sari"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.VerifyPassword(ctx, "sari", "rapat pleno terbuka kamis"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("disabled user: %v", err)
	}
}

// TestSetupLinks: an invitation link sets a first password once; it
// expires; a newer link voids the older one; the link's token is stored
// hashed and never in the audit log.
func TestSetupLinks(t *testing.T) {
	ctx := context.Background()
	s, db, c := newStore(t)
	u, l, err := s.Invite(ctx, auth.NewUser{Name: "budi", Email: "budi@kpu.go.id", UnitID: 1, Role: auth.RoleApprover}, 72*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if u.HasPassword || l.Purpose != auth.PurposeInvite || !strings.HasPrefix(l.Path(), "/setup/") {
		t.Fatalf("invite: %+v %+v", u, l)
	}
	if _, err := s.VerifyPassword(ctx, "budi", ""); !errors.Is(err, auth.ErrBadCredentials) {
		t.Fatal("an invited user signs in without a password")
	}
	li, err := s.CheckLink(ctx, l.Token)
	if err != nil || li.User.Name != "budi" {
		t.Fatalf("check: %+v %v", li, err)
	}
	if _, err := s.UseLink(ctx, l.Token, "budi pleno 2029 x"); err == nil {
		t.Fatal("a password with the user's name accepted")
	}
	if _, err := s.UseLink(ctx, l.Token, "rapat pleno terbuka kamis"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UseLink(ctx, l.Token, "rapat pleno terbuka jumat"); !errors.Is(err, auth.ErrLinkUsed) {
		t.Fatalf("second use: %v", err)
	}
	if _, err := s.VerifyPassword(ctx, "budi@KPU.go.id", "rapat pleno terbuka kamis"); err != nil {
		t.Fatalf("sign in by e-mail: %v", err)
	}
	// A reset link: the old one is void, the new one expires after 72 h.
	_, r1, err := s.NewResetLink(ctx, "budi", 72*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	_, r2, err := s.NewResetLink(ctx, "budi", 72*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckLink(ctx, r1.Token); !errors.Is(err, auth.ErrLinkUnknown) {
		t.Errorf("the older reset link: %v, want ErrLinkUnknown", err)
	}
	c.Add(72*time.Hour + time.Second)
	if _, err := s.UseLink(ctx, r2.Token, "sidang pleno rekapitulasi"); !errors.Is(err, auth.ErrLinkExpired) {
		t.Errorf("expired link: %v, want ErrLinkExpired", err)
	}
	if _, err := s.CheckLink(ctx, "made-up"); !errors.Is(err, auth.ErrLinkUnknown) {
		t.Errorf("made-up link: %v", err)
	}
	var n int
	if err := db.DB.QueryRow(`SELECT count(*) FROM setup_links WHERE token_hash IN (?, ?, ?)`, l.Token, r1.Token, r2.Token).Scan(&n); err != nil || n != 0 {
		t.Errorf("raw link tokens stored: %d %v", n, err)
	}
	if err := db.DB.QueryRow(`SELECT count(*) FROM audit_log WHERE detail LIKE '%' || ? || '%' OR detail LIKE '%' || ? || '%'`,
		l.Token[:20], auth.HashToken(l.Token)[:20]).Scan(&n); err != nil || n != 0 {
		t.Errorf("link token in the audit log: %d %v", n, err)
	}
}

// TestFirstRun: an empty installation has one live first-run link; it
// makes the first admin once.
func TestFirstRun(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	unit(t, db)
	s := auth.NewStore(db).WithPasswordParams(cheap())
	if first, err := s.FirstRun(ctx); err != nil || !first {
		t.Fatalf("first run: %v %v", first, err)
	}
	old, err := s.NewFirstRunLink(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.NewFirstRunLink(ctx) // a restart prints a new one
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckFirstRunLink(ctx, old.Token); !errors.Is(err, auth.ErrLinkUnknown) {
		t.Errorf("the link of an earlier start: %v", err)
	}
	if _, err := s.CheckLink(ctx, l.Token); err != nil || l.ExpiresAt != nil {
		t.Fatalf("first-run link: %v %+v", err, l)
	}
	if _, err := s.UseLink(ctx, l.Token, "rapat pleno terbuka kamis"); !errors.Is(err, auth.ErrLinkUnknown) {
		t.Errorf("the first-run link used as a password link: %v", err)
	}
	u, err := s.CompleteFirstRun(ctx, l.Token, auth.NewUser{Name: "admin.ri", UnitID: 1}, "rapat pleno terbuka kamis")
	if err != nil || u.Role != auth.RoleAdmin {
		t.Fatalf("complete: %+v %v", u, err)
	}
	if _, err := s.CompleteFirstRun(ctx, l.Token, auth.NewUser{Name: "other", UnitID: 1}, "rapat pleno terbuka kamis"); err == nil {
		t.Fatal("the first-run link worked twice")
	}
	if _, err := s.NewFirstRunLink(ctx); !errors.Is(err, auth.ErrAlreadySetUp) {
		t.Errorf("a first-run link with a user: %v", err)
	}
	if _, err := s.VerifyPassword(ctx, "admin.ri", "rapat pleno terbuka kamis"); err != nil {
		t.Fatal(err)
	}
}

// TestTOTPAndRecoveryCodes: enrolment needs a right code; a code is good
// once; a wrong code fails; a recovery code works once; an admin reset
// turns it off.
func TestTOTPAndRecoveryCodes(t *testing.T) {
	ctx := context.Background()
	s, db, c := newStore(t)
	u, _, err := s.CreateUser(ctx, "ppid.ri", 1, auth.RolePPID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.VerifySecondFactor(ctx, u.ID, "123456"); !errors.Is(err, auth.ErrBadCode) {
		t.Fatalf("no TOTP yet: %v", err)
	}
	en, err := s.StartTOTP(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	var blob []byte
	if err := db.DB.QueryRow(`SELECT totp_secret FROM users WHERE id = ?`, u.ID).Scan(&blob); err != nil || strings.Contains(string(blob), en.Secret) {
		t.Fatalf("secret stored in clear: %v", err)
	}
	code := func(at time.Time) string {
		c, err := auth.TOTPCode(en.Secret, at)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	wrong := func(c string) string { return string(rune('0'+(c[0]-'0'+1)%10)) + c[1:] }
	if _, err := s.ConfirmTOTP(ctx, u.ID, wrong(code(c.Now()))); !errors.Is(err, auth.ErrBadCode) {
		t.Fatalf("enrol with a wrong code: %v", err)
	}
	codes, err := s.ConfirmTOTP(ctx, u.ID, code(c.Now()))
	if err != nil || len(codes) != auth.RecoveryCodeCount {
		t.Fatalf("enrol: %v %d codes", err, len(codes))
	}
	// The code used to enrol does not sign in again (replay).
	if _, err := s.VerifySecondFactor(ctx, u.ID, code(c.Now())); !errors.Is(err, auth.ErrBadCode) {
		t.Errorf("replayed code: %v", err)
	}
	c.Add(30 * time.Second)
	if _, err := s.VerifySecondFactor(ctx, u.ID, wrong(code(c.Now()))); !errors.Is(err, auth.ErrBadCode) {
		t.Errorf("wrong code: %v", err)
	}
	if rec, err := s.VerifySecondFactor(ctx, u.ID, code(c.Now())); err != nil || rec {
		t.Errorf("good code: %v recovery=%v", err, rec)
	}
	// Recovery codes: once each, typed with spaces or capitals.
	typed := strings.ToUpper(strings.Replace(codes[3], "-", " ", 1))
	if rec, err := s.VerifySecondFactor(ctx, u.ID, typed); err != nil || !rec {
		t.Fatalf("recovery code: %v %v", rec, err)
	}
	if _, err := s.VerifySecondFactor(ctx, u.ID, codes[3]); !errors.Is(err, auth.ErrBadCode) {
		t.Errorf("recovery code used twice: %v", err)
	}
	if n, _ := s.RecoveryCodesLeft(ctx, u.ID); n != auth.RecoveryCodeCount-1 {
		t.Errorf("%d codes left", n)
	}
	if err := s.DisableTOTP(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.VerifySecondFactor(ctx, u.ID, codes[4]); !errors.Is(err, auth.ErrBadCode) {
		t.Errorf("a recovery code after the reset: %v", err)
	}
	// Without a secret key there is no enrolment.
	if _, err := auth.NewStore(db).StartTOTP(ctx, u.ID); !errors.Is(err, auth.ErrNoKey) {
		t.Errorf("no key: %v", err)
	}
}

// TestAPITokens: a named token works until it expires or is revoked; an
// admin-created user's default token has no expiry; disabling the user
// revokes every token.
func TestAPITokens(t *testing.T) {
	ctx := context.Background()
	s, _, c := newStore(t)
	u, _, err := s.CreateUser(ctx, "grafana", 1, auth.RoleViewer)
	if err != nil {
		t.Fatal(err)
	}
	tk, tok, err := s.CreateToken(ctx, u.ID, "grafana dashboards", c.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, tok); err != nil {
		t.Fatal(err)
	}
	c.Add(24 * time.Hour)
	if _, err := s.Authenticate(ctx, tok); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("expired token: %v", err)
	}
	_, tok2, err := s.CreateToken(ctx, u.ID, "script", c.Now().Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	list, _ := s.Tokens(ctx, u.ID)
	var id2 int64
	for _, x := range list {
		if x.Name == "script" {
			id2 = x.ID
		}
	}
	if err := s.RevokeToken(ctx, u.ID+1, id2); !errors.Is(err, auth.ErrTokenNotFound) {
		t.Errorf("revoke another user's token: %v", err)
	}
	if err := s.RevokeToken(ctx, u.ID, id2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, tok2); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("revoked token: %v", err)
	}
	if _, _, err := s.CreateToken(ctx, u.ID, "", c.Now().Add(time.Hour)); err == nil {
		t.Error("a token without a name")
	}
	if _, _, err := s.CreateToken(ctx, u.ID, "forever", c.Now().Add(400*24*time.Hour)); err == nil {
		t.Error("a token for 400 days")
	}
	if tk.ExpiresAt == nil || tk.Prefix == "" || strings.Contains(tk.Prefix, tok[len(tk.Prefix):]) {
		t.Errorf("listed token %+v", tk)
	}
}

// TestSessionsSlideUpToTheCap: each use moves the idle limit on, but
// never past the absolute cap; a password change ends the other sessions,
// disabling the user ends all.
func TestSessionsSlideUpToTheCap(t *testing.T) {
	ctx := context.Background()
	s, db, c := newStore(t)
	u, _, err := s.CreateUser(ctx, "sari", 1, auth.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassword(ctx, "sari", "rapat pleno terbuka kamis"); err != nil {
		t.Fatal(err)
	}
	ss := auth.NewSessions(db, auth.SessionPolicy{Idle: time.Hour, Max: 5 * time.Hour}, c.Now)
	id, _, err := ss.Create(ctx, u.ID, auth.StageFull, auth.MethodPassword)
	if err != nil {
		t.Fatal(err)
	}
	// Used every 50 minutes, it lives past the idle hour, up to the cap.
	for i := 0; i < 5; i++ {
		c.Add(50 * time.Minute)
		if _, err := ss.Get(ctx, id); err != nil {
			t.Fatalf("after %d uses (%s): %v", i+1, c.Now().Format(time.Kitchen), err)
		}
	}
	c.Add(50 * time.Minute) // 5 h after sign-in
	if _, err := ss.Get(ctx, id); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("past the 5 h cap: %v", err)
	}
	// Unused for an hour, it ends.
	id, _, _ = ss.Create(ctx, u.ID, auth.StageFull, auth.MethodPassword)
	c.Add(time.Hour)
	if _, err := ss.Get(ctx, id); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("idle for the whole hour: %v", err)
	}
	// A password change keeps the session that made it and ends others.
	a, sa, _ := ss.Create(ctx, u.ID, auth.StageFull, auth.MethodPassword)
	b, _, _ := ss.Create(ctx, u.ID, auth.StageFull, auth.MethodPassword)
	if err := s.ChangePassword(ctx, u.ID, "wrong", "sidang pleno rekapitulasi", sa.IDHash); !errors.Is(err, auth.ErrBadCredentials) {
		t.Fatalf("change with a wrong current password: %v", err)
	}
	if err := s.ChangePassword(ctx, u.ID, "rapat pleno terbuka kamis", "sidang pleno rekapitulasi", sa.IDHash); err != nil {
		t.Fatal(err)
	}
	if _, err := ss.Get(ctx, a); err != nil {
		t.Errorf("the session that changed the password: %v", err)
	}
	if _, err := ss.Get(ctx, b); !errors.Is(err, auth.ErrNoSession) {
		t.Errorf("another session after the change: %v", err)
	}
	if err := s.Revoke(ctx, "sari"); err != nil {
		t.Fatal(err)
	}
	if n, _ := ss.Count(ctx, u.ID); n != 0 {
		t.Errorf("%d sessions after disabling", n)
	}
}
