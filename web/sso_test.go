package web

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/auth/sso"
)

// oidcProvider is a small OpenID Connect provider for the tests: a
// discovery document, a JWKS, an authorization endpoint that signs in a
// chosen user at once, and a token endpoint that checks the client, the
// redirect URI and the PKCE verifier and issues RS256-signed ID tokens.
// The client under test is the real go-oidc and x/oauth2.
type oidcProvider struct {
	srv    *httptest.Server
	key    *rsa.PrivateKey
	mu     sync.Mutex
	user   string // preferred_username of whoever signs in
	codes  map[string]oidcCode
	mode   string // "", "wrong-nonce", "wrong-issuer", "wrong-key"
	tokens int
}

type oidcCode struct{ nonce, challenge, redirect string }

const oidcClient, oidcSecret = "humas-web", "rahasia-klien"

func newOIDCProvider(t *testing.T) *oidcProvider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &oidcProvider{key: key, codes: map[string]oidcCode{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"issuer": p.srv.URL, "authorization_endpoint": p.srv.URL + "/authorize",
			"token_endpoint": p.srv.URL + "/token", "jwks_uri": p.srv.URL + "/jwks", "response_types_supported": []string{"code"},
			"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"RS256"},
			"code_challenge_methods_supported": []string{"S256"}})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		b64 := base64.RawURLEncoding.EncodeToString
		writeJSON(w, map[string]any{"keys": []map[string]any{{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}}})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != oidcClient || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" ||
			q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" || !strings.Contains(q.Get("scope"), "openid") {
			http.Error(w, "bad authorization request: "+r.URL.RawQuery, http.StatusBadRequest)
			return
		}
		code, _ := auth.RandomToken()
		p.mu.Lock()
		p.codes[code] = oidcCode{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri")}
		p.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?code="+url.QueryEscape(code)+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
		}
		p.mu.Lock()
		c, found := p.codes[r.PostFormValue("code")]
		delete(p.codes, r.PostFormValue("code"))
		user, mode := p.user, p.mode
		p.tokens++
		p.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
		switch {
		case id != oidcClient || secret != oidcSecret:
			w.WriteHeader(http.StatusUnauthorized)
			writeJSON(w, map[string]string{"error": "invalid_client"})
			return
		case !found || c.redirect != r.PostFormValue("redirect_uri") || base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge:
			w.WriteHeader(http.StatusBadRequest)
			writeJSON(w, map[string]string{"error": "invalid_grant"})
			return
		}
		iss, nonce, signer := p.srv.URL, c.nonce, p.key
		switch mode {
		case "wrong-nonce":
			nonce = "another-nonce"
		case "wrong-issuer":
			iss = "https://sso.elsewhere.example/realms/other"
		case "wrong-key":
			signer, _ = rsa.GenerateKey(rand.Reader, 2048)
		}
		now := time.Now()
		idt := signJWT(signer, map[string]any{"iss": iss, "sub": "sub-" + user, "aud": oidcClient, "iat": now.Unix(),
			"exp": now.Add(5 * time.Minute).Unix(), "nonce": nonce, "preferred_username": user, "email": user + "@kpu.go.id"})
		writeJSON(w, map[string]any{"access_token": "at-" + user, "token_type": "Bearer", "expires_in": 300, "id_token": idt})
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *oidcProvider) set(user, mode string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.user, p.mode = user, mode
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func signJWT(key *rsa.PrivateKey, claims map[string]any) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	head := enc(map[string]string{"alg": "RS256", "kid": "k1", "typ": "JWT"}) + "." + enc(claims)
	sum := sha256.Sum256([]byte(head))
	sig, _ := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	return head + "." + base64.RawURLEncoding.EncodeToString(sig)
}

const ssoRedirect = "http://humas.test/signin/sso/callback"

// ssoSignin starts single sign-on in b, lets the provider answer, and
// delivers the answer to humas' callback (state changed by tamper).
func ssoSignin(t *testing.T, b *browser, p *oidcProvider, tamper func(q url.Values)) resp {
	t.Helper()
	r := b.get("/signin/sso?next=%2Fposts")
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), p.srv.URL+"/authorize?") {
		t.Fatalf("start: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	pr, err := noFollow.Get(r.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	pr.Body.Close()
	back, err := url.Parse(pr.Header.Get("Location"))
	if err != nil || pr.StatusCode != http.StatusFound || !strings.HasPrefix(back.String(), ssoRedirect) {
		t.Fatalf("provider: %d %q", pr.StatusCode, pr.Header.Get("Location"))
	}
	q := back.Query()
	if tamper != nil {
		tamper(q)
	}
	return b.get("/signin/sso/callback?" + q.Encode())
}

// TestSingleSignOn: against a real OpenID Connect provider (in-process),
// a known user signs in (to the page asked for); a changed state, a token
// with another nonce, another issuer or another key, an unknown user and
// a replayed answer are each refused with what to do, and start no
// session.
func TestSingleSignOn(t *testing.T) {
	p := newOIDCProvider(t)
	e := newEnv(t, envOpts{deps: func(d *Deps) {
		d.SSO = sso.New(d.SQL, sso.Config{Issuer: p.srv.URL, ClientID: oidcClient, ClientSecret: oidcSecret,
			RedirectURL: ssoRedirect, Label: "Masuk dengan SSO KPU", HTTPClient: p.srv.Client()})
	}})
	// Without a page asked for, the start page follows the role (a division
	// head's is the report).
	mustContain(t, e.browser().get("/signin").Body, `id="sso" href="/signin/sso?next="`, "Masuk dengan SSO KPU")

	// Good: user-editor signs in and lands on the page asked for.
	p.set("user-editor", "")
	b := e.browser()
	r := ssoSignin(t, b, p, nil)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/posts" {
		t.Fatalf("good sign-in: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	mustContain(t, b.get("/calendar").Body, "Masuk sebagai user-editor (editor)")
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == ssoCookie && c.MaxAge >= 0 {
			t.Errorf("the flow cookie stays: %+v", c)
		}
	}

	refused := func(name string, status int, want string, tamper func(url.Values)) {
		t.Helper()
		b := e.browser()
		r := ssoSignin(t, b, p, tamper)
		if r.Status != status || !strings.Contains(r.Body, want) {
			t.Errorf("%s: %d, want %d with %q:\n%s", name, r.Status, status, want, r.Body)
		}
		if c := b.get("/calendar"); c.Status != http.StatusSeeOther {
			t.Errorf("%s: a session started", name)
		}
	}
	refused("wrong state", http.StatusBadRequest, "state berbeda", func(q url.Values) { q.Set("state", "forged-state") })
	p.set("user-editor", "wrong-nonce")
	refused("wrong nonce", http.StatusUnauthorized, "Token identitas dari penyedia SSO tidak sah", nil)
	p.set("user-editor", "wrong-issuer")
	refused("wrong issuer", http.StatusUnauthorized, "Token identitas dari penyedia SSO tidak sah", nil)
	p.set("user-editor", "wrong-key")
	refused("wrong key", http.StatusUnauthorized, "Token identitas dari penyedia SSO tidak sah", nil)
	p.set("tidak.terdaftar", "")
	refused("unknown user", http.StatusForbidden, "Akun SSO &#34;tidak.terdaftar&#34; belum terdaftar di humas", nil)
	refused("provider refused", http.StatusUnauthorized, "dibatalkan atau ditolak", func(q url.Values) { q.Del("code"); q.Set("error", "access_denied") })

	// A replayed answer: the flow was used up by the first delivery.
	p.set("user-editor", "")
	b = e.browser()
	first := ssoSignin(t, b, p, nil)
	mustStatus(t, first, http.StatusSeeOther)
	b2 := e.browser()
	r = b2.get("/signin/sso/callback?code=x&state=y")
	mustStatus(t, r, http.StatusBadRequest)
	mustContain(t, r.Body, "kedaluwarsa atau dimulai di peramban lain")
}
