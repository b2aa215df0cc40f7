package api

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
)

// Authenticator resolves a bearer token to its user.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (auth.Principal, error)
}

const principalKey = "humas.principal"

// RequireAuth answers 401 unless the request carries a valid
// "Authorization: Bearer <token>".
func RequireAuth(a Authenticator) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.GetHeader("Authorization")
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			c.Header("WWW-Authenticate", `Bearer realm="humas"`)
			WriteError(c, Unauthorized("send an API token as \"Authorization: Bearer <token>\" (humas user add prints one)"))
			return
		}
		p, err := a.Authenticate(c.Request.Context(), strings.TrimSpace(token))
		if err != nil {
			if errors.Is(err, auth.ErrInvalidToken) {
				c.Header("WWW-Authenticate", `Bearer realm="humas", error="invalid_token"`)
				WriteError(c, Unauthorized("the API token is unknown or revoked"))
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
