package config

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// FieldError names one bad setting, its value and what is allowed.
type FieldError struct {
	Key     string
	Value   string
	Allowed string
}

func (e FieldError) Error() string {
	return fmt.Sprintf("%s: %q is not allowed: %s", e.Key, e.Value, e.Allowed)
}

// ValidationError lists every bad setting found, not just the first.
type ValidationError []FieldError

func (v ValidationError) Error() string {
	parts := make([]string, len(v))
	for i, e := range v {
		parts[i] = e.Error()
	}
	return "invalid configuration:\n  " + strings.Join(parts, "\n  ")
}

// CronParser parses the cron specs humas uses: with seconds, and descriptors.
var CronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

var (
	dbName     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	apiVersion = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)
)

// Validate checks every setting and reports all problems at once.
func (c Config) Validate() error {
	var errs ValidationError
	add := func(e FieldError) { errs = append(errs, e) }

	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		add(fieldf("listen", c.Listen, "want host:port, e.g. 127.0.0.1:8080"))
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "" {
		add(fieldf("timezone", c.Timezone, "want an IANA time zone such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura"))
	}
	if c.SecretKey != "" {
		if _, err := DecodeKey(c.SecretKey.Reveal()); err != nil {
			// Never echo the key itself.
			add(FieldError{Key: "secret_key (HUMAS_SECRET_KEY)", Value: masked, Allowed: err.Error()})
		}
	}
	if c.ShutdownTimeout.D() <= 0 {
		add(fieldf("shutdown_timeout", c.ShutdownTimeout, "want a positive duration such as 20s"))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		add(fieldf("log.level", c.Log.Level, "one of debug, info, warn, error"))
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		add(fieldf("log.format", c.Log.Format, "one of text, json"))
	}

	ch := c.ClickHouse
	addrs := ch.Addrs()
	if len(addrs) == 0 {
		add(fieldf("clickhouse.addr", ch.Addr, "want host:port of ClickHouse's native protocol, e.g. 127.0.0.1:9000 (replicas: comma-separated)"))
	}
	for _, a := range addrs {
		if _, _, err := net.SplitHostPort(a); err != nil {
			add(fieldf("clickhouse.addr", ch.Addr, "want host:port of ClickHouse's native protocol, e.g. 127.0.0.1:9000 (replicas: comma-separated)"))
			break
		}
	}
	if ch.Cluster != "" && !dbName.MatchString(ch.Cluster) {
		add(fieldf("clickhouse.cluster", ch.Cluster, "the remote_servers cluster name: letters, digits and _; not starting with a digit"))
	}
	if !dbName.MatchString(ch.Database) {
		add(fieldf("clickhouse.database", ch.Database, "letters, digits and _; not starting with a digit"))
	}
	if ch.MaxOpenConns < 1 || ch.MaxOpenConns > 256 {
		add(fieldf("clickhouse.max_open_conns", ch.MaxOpenConns, "a number from 1 to 256"))
	}
	for key, d := range map[string]Duration{"clickhouse.dial_timeout": ch.DialTimeout, "clickhouse.read_timeout": ch.ReadTimeout} {
		if d.D() <= 0 {
			add(fieldf(key, d, "want a positive duration such as 5s"))
		}
	}
	if ch.QueryTimeout.D() < time.Second {
		add(fieldf("clickhouse.query_timeout", ch.QueryTimeout, "at least 1s (ClickHouse counts max_execution_time in whole seconds)"))
	}
	switch ch.Compression {
	case "lz4", "zstd", "none":
	default:
		add(fieldf("clickhouse.compression", ch.Compression, "one of lz4, zstd, none"))
	}

	if strings.TrimSpace(c.State.Path) == "" {
		add(fieldf("state.path", c.State.Path, "a file path for the SQLite database, e.g. ./var/humas.db"))
	}
	switch c.State.Driver {
	case "sqlite":
	case "postgres":
		if u, err := url.Parse(c.State.DSN.Reveal()); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
			add(fieldf("state.dsn", c.State.DSN, "a PostgreSQL URL such as postgres://humas:secret@10.0.0.5:5432/humas?sslmode=require"))
		}
	default:
		add(fieldf("state.driver", c.State.Driver, "sqlite or postgres"))
	}
	if c.State.Lease.D() < 3*time.Second || c.State.Lease.D() > 10*time.Minute {
		add(fieldf("state.lease", c.State.Lease, "a duration from 3s to 10m, e.g. 30s"))
	}

	g := c.Graph
	if u, err := url.Parse(g.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add(fieldf("graph.url", g.URL, "an http(s) URL such as https://graph.facebook.com"))
	}
	if !apiVersion.MatchString(g.Version) {
		add(fieldf("graph.version", g.Version, "a Graph API version such as v26.0"))
	}
	if g.Timeout.D() <= 0 {
		add(fieldf("graph.timeout", g.Timeout, "want a positive duration such as 30s"))
	}
	if (g.AppID == "") != (g.AppSecret == "") && !c.Sandbox {
		add(fieldf("graph.app_id", g.AppID, "set graph.app_id and graph.app_secret together, or neither"))
	}

	a := c.API
	if a.MaxConcurrentReports < 1 {
		add(fieldf("api.max_concurrent_reports", a.MaxConcurrentReports, "a number of at least 1"))
	}
	if a.MaxBodyBytes < 1<<10 || a.MaxBodyBytes > 64<<20 {
		add(fieldf("api.max_body_bytes", a.MaxBodyBytes, "from 1024 (1 KiB) to 67108864 (64 MiB); default 1048576"))
	}
	if a.ReadHeaderTimeout.D() <= 0 {
		add(fieldf("api.read_header_timeout", a.ReadHeaderTimeout, "want a positive duration such as 10s"))
	}
	if a.ReadTimeout.D() <= 0 {
		add(fieldf("api.read_timeout", a.ReadTimeout, "want a positive duration such as 30s"))
	} else if a.ReadHeaderTimeout.D() > a.ReadTimeout.D() {
		add(fieldf("api.read_header_timeout", a.ReadHeaderTimeout, "at most api.read_timeout (%s): the headers are part of the request", a.ReadTimeout))
	}
	if a.WriteTimeout.D() <= ch.QueryTimeout.D() {
		add(fieldf("api.write_timeout", a.WriteTimeout, "longer than clickhouse.query_timeout (%s), or slow reports lose their answer", ch.QueryTimeout))
	}
	if a.IdleTimeout.D() <= 0 {
		add(fieldf("api.idle_timeout", a.IdleTimeout, "want a positive duration such as 2m"))
	}
	for i, p := range a.TrustedProxies {
		if !validProxy(p) {
			add(fieldf(fmt.Sprintf("api.trusted_proxies[%d]", i), p, "an IP address or CIDR range of a reverse proxy, e.g. 10.0.0.5 or 172.16.0.0/12"))
		}
	}
	if m := c.MemoryLimitBytes; m != 0 && m < MinMemoryLimit {
		add(fieldf("memory_limit_bytes", m, "0 (no limit) or at least %d (32 MiB), e.g. 104857600 for 100 MiB", MinMemoryLimit))
	}
	if c.API.ReportCacheBytes < 0 {
		add(fieldf("api.report_cache_bytes", c.API.ReportCacheBytes, "a size in bytes, e.g. 33554432 for 32 MiB, or 0 for no cache"))
	}

	if c.Web.SessionTTL.D() < time.Minute {
		add(fieldf("web.session_ttl", c.Web.SessionTTL, "at least 1m, e.g. 12h"))
	}
	if c.Web.SessionMaxAge.D() < c.Web.SessionTTL.D() || c.Web.SessionMaxAge.D() > 366*24*time.Hour {
		add(fieldf("web.session_max_age", c.Web.SessionMaxAge, "from web.session_ttl (%s) to 366d, e.g. 7d", c.Web.SessionTTL))
	}
	if r := c.Graph.RedirectURL; r != "" {
		if u, err := url.Parse(r); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			add(fieldf("graph.redirect_url", r, "the Facebook Login callback registered in the Meta app, e.g. https://humas.kpu.go.id/admin/channels/facebook/callback"))
		}
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.RawQuery != "" || u.Fragment != "" {
			add(fieldf("public_url", c.PublicURL, "the http(s) address people open humas at, e.g. https://humas.kpu.go.id"))
		}
	}
	if n := c.Auth.PasswordMinLength; n < 8 || n > 64 {
		add(fieldf("auth.password_min_length", n, "a number from 8 to 64; 12 or more suits an office (NIST SP 800-63B)"))
	}
	if d := c.Auth.SetupLinkTTL.D(); d < 10*time.Minute || d > 30*24*time.Hour {
		add(fieldf("auth.setup_link_ttl", c.Auth.SetupLinkTTL, "from 10m to 30d, e.g. 72h"))
	}
	if o := c.OIDC; o.Enabled() {
		if u, err := url.Parse(o.Issuer); err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
			add(fieldf("oidc.issuer", o.Issuer, "the provider's https issuer URL, e.g. https://sso.kpu.go.id/realms/kpu (http only on loopback)"))
		}
		if o.ClientID == "" {
			add(fieldf("oidc.client_id", o.ClientID, "the client id registered at the provider (required with oidc.issuer)"))
		}
		if o.Claim == "" {
			add(fieldf("oidc.claim", o.Claim, "the ID token claim naming the user, e.g. preferred_username or email"))
		}
		if o.Match != "name" && o.Match != "email" {
			add(fieldf("oidc.match", o.Match, "name or email: the humas field the claim is compared with"))
		}
		if o.RedirectURL != "" {
			if u, err := url.Parse(o.RedirectURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				add(fieldf("oidc.redirect_url", o.RedirectURL, "an http(s) URL ending in /signin/sso/callback"))
			}
		}
	}

	s := c.Scheduler
	if _, err := CronParser.Parse(s.Tick); err != nil {
		add(fieldf("scheduler.tick", s.Tick, "a cron spec with seconds, e.g. \"* * * * * *\" (every second) or @every 5s"))
	}
	if _, err := CronParser.Parse(s.TokenCheck); err != nil {
		add(fieldf("scheduler.token_check", s.TokenCheck, "a cron spec with seconds, e.g. \"0 0 6 * * *\" (06:00 daily)"))
	}
	if s.Workers < 1 || s.Workers > 256 {
		add(fieldf("scheduler.workers", s.Workers, "a number from 1 to 256"))
	}
	if s.RetryDeadline.D() <= 0 {
		add(fieldf("scheduler.retry_deadline", s.RetryDeadline, "want a positive duration such as 30m"))
	}
	// Waiting on Meta (issue 14): polling, deadlines, blocks, hashtag caps.
	if d := s.StatusPollInterval.D(); d < time.Second || d > 10*time.Minute {
		add(fieldf("scheduler.status_poll_interval", s.StatusPollInterval, "a duration from 1s to 10m; Meta advises about once a minute, e.g. 30s"))
	}
	for _, dl := range []struct {
		key string
		d   Duration
	}{{"scheduler.video_ready_deadline", s.VideoReadyDeadline}, {"scheduler.image_ready_deadline", s.ImageReadyDeadline}} {
		if dl.d.D() < s.StatusPollInterval.D() || dl.d.D() > 23*time.Hour {
			add(fieldf(dl.key, dl.d, "a duration from the poll interval to 23h (containers expire after 24h), e.g. 15m for video, 5m for images"))
		}
	}
	if s.PolicyBlockPause.D() < time.Minute {
		add(fieldf("scheduler.policy_block_pause", s.PolicyBlockPause, "at least 1m, e.g. 6h (Meta's posting blocks last hours)"))
	}
	if s.InstagramHashtagsMax < 1 || s.InstagramHashtagsMax > 30 {
		add(fieldf("scheduler.instagram_hashtags_max", s.InstagramHashtagsMax, "a number from 1 to 30 (the API's own limit)"))
	}
	if s.InstagramHashtagsWarn < 0 || s.InstagramHashtagsWarn > s.InstagramHashtagsMax {
		add(fieldf("scheduler.instagram_hashtags_warn", s.InstagramHashtagsWarn, "0 (never) to scheduler.instagram_hashtags_max, e.g. 5"))
	}

	co := c.Collector
	if _, err := CronParser.Parse(co.Schedule); err != nil {
		add(fieldf("collector.schedule", co.Schedule, "a cron spec with seconds, e.g. \"0 */15 * * * *\" (every 15 minutes)"))
	}
	if co.Concurrency < 1 || co.Concurrency > 64 {
		add(fieldf("collector.concurrency", co.Concurrency, "a number from 1 to 64"))
	}
	if len(co.Cadence) == 0 {
		add(fieldf("collector.cadence", "[]", "at least one step {up_to, every}"))
	}
	var prev time.Duration
	for i, st := range co.Cadence {
		key := fmt.Sprintf("collector.cadence[%d]", i)
		if st.Every.D() <= 0 {
			add(fieldf(key+".every", st.Every, "want a positive duration such as 1h"))
		}
		if st.UpTo.D() <= prev {
			add(fieldf(key+".up_to", st.UpTo, "must be longer than the step before (%s)", prev))
		}
		prev = st.UpTo.D()
	}
	if co.SlowdownPercent < 1 || co.SlowdownPercent > 100 {
		add(fieldf("collector.slowdown_percent", co.SlowdownPercent, "a percentage from 1 to 100"))
	}
	if strings.TrimSpace(co.BufferPath) == "" {
		add(fieldf("collector.buffer_path", co.BufferPath, "a directory for the on-disk snapshot buffer, e.g. ./var/buffer"))
	}
	if co.BufferMaxBytes < 1<<20 {
		add(fieldf("collector.buffer_max_bytes", co.BufferMaxBytes, "at least 1048576 (1 MiB)"))
	}
	switch co.CarouselAs {
	case "photo", "interactive":
	default:
		add(fieldf("collector.carousel_as", co.CarouselAs, "photo or interactive"))
	}
	if co.CommentsMaxAge.D() < 0 {
		add(fieldf("collector.comments_max_age", co.CommentsMaxAge, "a duration of 0 (off) or more, e.g. 14d"))
	}

	errs = append(errs, c.SMTP.validate()...)
	errs = append(errs, c.Reports.validate()...)
	errs = append(errs, c.PPID.validate()...)
	c.validateMedia(add)
	c.validateBackup(add)

	if len(errs) > 0 {
		return errs
	}
	return nil
}

// isLoopback reports a loopback host name or address.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validProxy is an IP address or a CIDR range (what Gin's trusted
// proxies accept).
func validProxy(s string) bool {
	if _, _, err := net.ParseCIDR(s); err == nil {
		return true
	}
	return net.ParseIP(s) != nil
}

// DecodeKey reads a 32-byte AES key written as hex (64 characters) or base64.
func DecodeKey(s string) ([]byte, error) {
	if b, err := hex.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	return nil, errors.New("want 32 random bytes as 64 hex characters or base64; make one with `openssl rand -hex 32`")
}
