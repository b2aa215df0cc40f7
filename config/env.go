package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// envVar binds one HUMAS_* variable to a field.
type envVar struct {
	name string
	key  string // the YAML key it overrides, for error messages
	set  func(c *Config, v string) error
}

func str(f func(c *Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *f(c) = v; return nil }
}

func secret(f func(c *Config) *Secret) func(*Config, string) error {
	return func(c *Config, v string) error { *f(c) = Secret(v); return nil }
}

func boolean(f func(c *Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("want true or false")
		}
		*f(c) = b
		return nil
	}
}

func integer(f func(c *Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return errors.New("want a whole number")
		}
		*f(c) = n
		return nil
	}
}

func integer64(f func(c *Config) *int64) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return errors.New("want a whole number")
		}
		*f(c) = n
		return nil
	}
}

// list reads a comma-separated list; spaces around items are dropped and
// an empty value is the empty list.
func list(f func(c *Config) *[]string) func(*Config, string) error {
	return func(c *Config, v string) error {
		var out []string
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		*f(c) = out
		return nil
	}
}

func duration(f func(c *Config) *Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := parseDuration(v)
		if err != nil {
			return errors.New("want a duration like 30s, 15m, 6h or 7d")
		}
		*f(c) = Duration(d)
		return nil
	}
}

// EnvVars lists every environment override, in the README's order.
var envVars = []envVar{
	{"HUMAS_LISTEN", "listen", str(func(c *Config) *string { return &c.Listen })},
	{"HUMAS_TIMEZONE", "timezone", str(func(c *Config) *string { return &c.Timezone })},
	{"HUMAS_SECRET_KEY", "secret_key", secret(func(c *Config) *Secret { return &c.SecretKey })},
	{"HUMAS_SANDBOX", "sandbox", boolean(func(c *Config) *bool { return &c.Sandbox })},
	{"HUMAS_MIGRATE_ON_START", "migrate_on_start", boolean(func(c *Config) *bool { return &c.MigrateOnStart })},
	{"HUMAS_LOG_LEVEL", "log.level", str(func(c *Config) *string { return &c.Log.Level })},
	{"HUMAS_LOG_FORMAT", "log.format", str(func(c *Config) *string { return &c.Log.Format })},
	{"HUMAS_CLICKHOUSE_ADDR", "clickhouse.addr", str(func(c *Config) *string { return &c.ClickHouse.Addr })},
	{"HUMAS_CLICKHOUSE_DATABASE", "clickhouse.database", str(func(c *Config) *string { return &c.ClickHouse.Database })},
	{"HUMAS_CLICKHOUSE_USER", "clickhouse.user", str(func(c *Config) *string { return &c.ClickHouse.User })},
	{"HUMAS_CLICKHOUSE_PASSWORD", "clickhouse.password", secret(func(c *Config) *Secret { return &c.ClickHouse.Password })},
	{"HUMAS_CLICKHOUSE_QUERY_TIMEOUT", "clickhouse.query_timeout", duration(func(c *Config) *Duration { return &c.ClickHouse.QueryTimeout })},
	{"HUMAS_STATE_PATH", "state.path", str(func(c *Config) *string { return &c.State.Path })},
	{"HUMAS_GRAPH_URL", "graph.url", str(func(c *Config) *string { return &c.Graph.URL })},
	{"HUMAS_GRAPH_VERSION", "graph.version", str(func(c *Config) *string { return &c.Graph.Version })},
	{"HUMAS_APP_ID", "graph.app_id", str(func(c *Config) *string { return &c.Graph.AppID })},
	{"HUMAS_APP_SECRET", "graph.app_secret", secret(func(c *Config) *Secret { return &c.Graph.AppSecret })},
	{"HUMAS_GRAPH_REDIRECT_URL", "graph.redirect_url", str(func(c *Config) *string { return &c.Graph.RedirectURL })},
	{"HUMAS_API_ENABLED", "api.enabled", boolean(func(c *Config) *bool { return &c.API.Enabled })},
	{"HUMAS_API_MAX_BODY_BYTES", "api.max_body_bytes", integer64(func(c *Config) *int64 { return &c.API.MaxBodyBytes })},
	{"HUMAS_API_READ_HEADER_TIMEOUT", "api.read_header_timeout", duration(func(c *Config) *Duration { return &c.API.ReadHeaderTimeout })},
	{"HUMAS_API_READ_TIMEOUT", "api.read_timeout", duration(func(c *Config) *Duration { return &c.API.ReadTimeout })},
	{"HUMAS_API_WRITE_TIMEOUT", "api.write_timeout", duration(func(c *Config) *Duration { return &c.API.WriteTimeout })},
	{"HUMAS_API_IDLE_TIMEOUT", "api.idle_timeout", duration(func(c *Config) *Duration { return &c.API.IdleTimeout })},
	{"HUMAS_API_TRUSTED_PROXIES", "api.trusted_proxies", list(func(c *Config) *[]string { return &c.API.TrustedProxies })},
	{"HUMAS_WEB_SECURE_COOKIES", "web.secure_cookies", boolean(func(c *Config) *bool { return &c.Web.SecureCookies })},
	{"HUMAS_WEB_SESSION_TTL", "web.session_ttl", duration(func(c *Config) *Duration { return &c.Web.SessionTTL })},
	{"HUMAS_WEB_SESSION_MAX_AGE", "web.session_max_age", duration(func(c *Config) *Duration { return &c.Web.SessionMaxAge })},
	{"HUMAS_PUBLIC_URL", "public_url", str(func(c *Config) *string { return &c.PublicURL })},
	{"HUMAS_AUTH_PASSWORD_MIN_LENGTH", "auth.password_min_length", integer(func(c *Config) *int { return &c.Auth.PasswordMinLength })},
	{"HUMAS_AUTH_SETUP_LINK_TTL", "auth.setup_link_ttl", duration(func(c *Config) *Duration { return &c.Auth.SetupLinkTTL })},
	{"HUMAS_OIDC_ISSUER", "oidc.issuer", str(func(c *Config) *string { return &c.OIDC.Issuer })},
	{"HUMAS_OIDC_CLIENT_ID", "oidc.client_id", str(func(c *Config) *string { return &c.OIDC.ClientID })},
	{"HUMAS_OIDC_CLIENT_SECRET", "oidc.client_secret", secret(func(c *Config) *Secret { return &c.OIDC.ClientSecret })},
	{"HUMAS_OIDC_REDIRECT_URL", "oidc.redirect_url", str(func(c *Config) *string { return &c.OIDC.RedirectURL })},
	{"HUMAS_OIDC_CLAIM", "oidc.claim", str(func(c *Config) *string { return &c.OIDC.Claim })},
	{"HUMAS_OIDC_MATCH", "oidc.match", str(func(c *Config) *string { return &c.OIDC.Match })},
	{"HUMAS_OIDC_LABEL", "oidc.label", str(func(c *Config) *string { return &c.OIDC.Label })},
	{"HUMAS_OIDC_MFA_BY_PROVIDER", "oidc.mfa_by_provider", boolean(func(c *Config) *bool { return &c.OIDC.MFAByProvider })},
	{"HUMAS_SCHEDULER_ENABLED", "scheduler.enabled", boolean(func(c *Config) *bool { return &c.Scheduler.Enabled })},
	{"HUMAS_SCHEDULER_WORKERS", "scheduler.workers", integer(func(c *Config) *int { return &c.Scheduler.Workers })},
	{"HUMAS_COLLECTOR_ENABLED", "collector.enabled", boolean(func(c *Config) *bool { return &c.Collector.Enabled })},
	{"HUMAS_COLLECTOR_SCHEDULE", "collector.schedule", str(func(c *Config) *string { return &c.Collector.Schedule })},
	{"HUMAS_COLLECTOR_BUFFER_PATH", "collector.buffer_path", str(func(c *Config) *string { return &c.Collector.BufferPath })},
	{"HUMAS_SMTP_HOST", "smtp.host", str(func(c *Config) *string { return &c.SMTP.Host })},
	{"HUMAS_SMTP_PORT", "smtp.port", integer(func(c *Config) *int { return &c.SMTP.Port })},
	{"HUMAS_SMTP_USERNAME", "smtp.username", str(func(c *Config) *string { return &c.SMTP.Username })},
	{"HUMAS_SMTP_PASSWORD", "smtp.password", secret(func(c *Config) *Secret { return &c.SMTP.Password })},
	{"HUMAS_SMTP_FROM", "smtp.from", str(func(c *Config) *string { return &c.SMTP.From })},
	{"HUMAS_SMTP_TLS", "smtp.tls", str(func(c *Config) *string { return &c.SMTP.TLS })},
	{"HUMAS_REPORTS_ENABLED", "reports.enabled", boolean(func(c *Config) *bool { return &c.Reports.Enabled })},
}

// EnvNames returns the supported HUMAS_* variables and the keys they set.
func EnvNames() [][2]string {
	all := append(envVars[:len(envVars):len(envVars)], mediaEnv...)
	out := make([][2]string, len(all))
	for i, e := range all {
		out[i] = [2]string{e.name, e.key}
	}
	return out
}

func applyEnv(c *Config, lookup func(string) (string, bool)) error {
	var errs ValidationError
	for _, e := range append(envVars[:len(envVars):len(envVars)], mediaEnv...) {
		v, ok := lookup(e.name)
		if !ok {
			continue
		}
		if err := e.set(c, v); err != nil {
			errs = append(errs, FieldError{Key: e.key + " (" + e.name + ")", Value: v, Allowed: err.Error()})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// fieldf builds a FieldError with a formatted allowed text.
func fieldf(key string, value any, format string, args ...any) FieldError {
	return FieldError{Key: key, Value: fmt.Sprint(value), Allowed: fmt.Sprintf(format, args...)}
}
