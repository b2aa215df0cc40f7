package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/auth/throttle"
)

// Authenticator resolves a bearer token to its user.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (auth.Principal, error)
}

const principalKey = "humas.principal"

// AuthOption configures RequireAuth.
type AuthOption func(*authConfig)

type authConfig struct {
	throttle *throttle.Limiter
}

// WithThrottle counts unknown or revoked tokens per client address in l:
// after its free failures the address is answered 429 with Retry-After,
// for exponentially longer, before any token is looked at. The web
// sign-in shares the same limiter.
func WithThrottle(l *throttle.Limiter) AuthOption {
	return func(c *authConfig) { c.throttle = l }
}

// RequireAuth answers 401 unless the request carries a valid
// "Authorization: Bearer <token>".
func RequireAuth(a Authenticator, opts ...AuthOption) gin.HandlerFunc {
	var cfg authConfig
	for _, o := range opts {
		o(&cfg)
	}
	return func(c *gin.Context) {
		h := c.GetHeader("Authorization")
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			c.Header("WWW-Authenticate", `Bearer realm="humas"`)
			WriteError(c, Unauthorized("send an API token as \"Authorization: Bearer <token>\" (make one on the API tokens page of your account, or with humas user token)"))
			return
		}
		addr := throttle.Addr(c.ClientIP())
		if cfg.throttle != nil {
			if wait := cfg.throttle.Check(addr); wait > 0 {
				tooManyFailures(c, wait)
				return
			}
		}
		p, err := a.Authenticate(c.Request.Context(), strings.TrimSpace(token))
		if err != nil {
			if errors.Is(err, auth.ErrInvalidToken) {
				if cfg.throttle != nil {
					if d := cfg.throttle.Fail(c.Request.Context(), "api", addr); d.Wait > 0 {
						tooManyFailures(c, d.Wait)
						return
					}
				}
				c.Header("WWW-Authenticate", `Bearer realm="humas", error="invalid_token"`)
				WriteError(c, Unauthorized("the API token is unknown, revoked or expired"))
				return
			}
			WriteError(c, err)
			return
		}
		c.Set(principalKey, p)
		c.Request = c.Request.WithContext(auth.WithPrincipal(c.Request.Context(), p))
		c.Next()
	}
}

// tooManyFailures is the 429 of a throttled address.
func tooManyFailures(c *gin.Context, wait time.Duration) {
	secs := throttle.RetryAfter(wait)
	c.Header("Retry-After", strconv.Itoa(secs))
	WriteError(c, &Error{Status: http.StatusTooManyRequests, Code: "too_many_failures",
		Message:   fmt.Sprintf("too many failed sign-ins from this address; try again in %d s", secs),
		MessageID: fmt.Sprintf("terlalu banyak percobaan masuk yang gagal dari alamat ini; coba lagi dalam %d detik", secs),
		Details:   gin.H{"retry_after_seconds": secs}})
}

// RequireRole answers 403 unless the caller has one of roles.
func RequireRole(roles ...auth.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := Principal(c)
		if !slices.Contains(roles, p.Role) {
			WriteError(c, Forbidden("this action needs the role "+joinRoles(roles)+"; you are "+string(p.Role)))
			return
		}
		c.Next()
	}
}

// Principal is the authenticated caller (zero when RequireAuth did not run).
func Principal(c *gin.Context) auth.Principal {
	v, _ := c.Get(principalKey)
	p, _ := v.(auth.Principal)
	return p
}

func joinRoles(rs []auth.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, " or ")
}
