package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// DefaultMemoryLimit is memory_limit_bytes's default, 100 MiB: under 200
// concurrent report requests the live heap stays under about 80 MB, and
// without a limit the heap grows to twice that before a collection.
const DefaultMemoryLimit = 100 << 20

// MinMemoryLimit is the smallest memory_limit_bytes accepted (other than
// 0): below it the collector would run almost without pause.
const MinMemoryLimit = 32 << 20

// Config is everything humas reads at start. Zero values are filled by
// Default; a YAML file and HUMAS_* variables override it, in that order.
type Config struct {
	// Listen is the HTTP address for the API, pages, /metrics and probes.
	Listen string `yaml:"listen"`
	// Timezone is the default time zone of units (IANA name).
	Timezone string `yaml:"timezone"`
	// SecretKey encrypts stored channel tokens (AES-256-GCM); 32 bytes as
	// hex or base64. Generate one with `openssl rand -hex 32`.
	SecretKey Secret `yaml:"secret_key"`
	// Sandbox starts the Graph API simulator in-process and points the
	// client at it, with demo channels.
	Sandbox bool `yaml:"sandbox"`
	// MigrateOnStart applies pending migrations when `serve` starts.
	MigrateOnStart bool `yaml:"migrate_on_start"`
	// ShutdownTimeout bounds the graceful shutdown (flushes included).
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
	// PublicURL is the address people and Meta reach humas at, e.g.
	// https://humas.kpu.go.id: setup links and the single sign-on
	// callback use it, and Instagram fetches media from
	// PublicURL/m/<signed token>. Empty: the listen address over http.
	PublicURL string `yaml:"public_url"`
	// MemoryLimitBytes is the Go runtime's soft memory limit
	// (runtime/debug.SetMemoryLimit): near it the garbage collector runs
	// more often instead of letting the heap grow to twice what is live.
	// 0 leaves the runtime's default (no limit); GOMEMLIMIT, when set,
	// wins. It is a target, not a cap: memory in use beyond it is kept.
	MemoryLimitBytes int64 `yaml:"memory_limit_bytes"`

	Log        Log        `yaml:"log"`
	ClickHouse ClickHouse `yaml:"clickhouse"`
	State      State      `yaml:"state"`
	Graph      Graph      `yaml:"graph"`
	API        API        `yaml:"api"`
	Web        Web        `yaml:"web"`
	Auth       Auth       `yaml:"auth"`
	OIDC       OIDC       `yaml:"oidc"`
	Scheduler  Scheduler  `yaml:"scheduler"`
	Collector  Collector  `yaml:"collector"`
	Media      Media      `yaml:"media"`
	SMTP       SMTP       `yaml:"smtp"`
	Reports    Reports    `yaml:"reports"`
	Backup     Backup     `yaml:"backup"`
	Retention  Retention  `yaml:"retention"`
	PPID       PPID       `yaml:"ppid"`
}

// SMTP is the mail server humas sends through (scheduled reports,
// notifications). With no host, humas sends no mail.
type SMTP struct {
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	Username string `yaml:"username"`
	Password Secret `yaml:"password"`
	// From is the sender, e.g. "Humas KPU Jateng <humas@jateng.kpu.go.id>".
	From string `yaml:"from"`
	// TLS is starttls (port 587, required), tls (implicit TLS, port 465)
	// or none (a local relay only).
	TLS     string   `yaml:"tls"`
	Timeout Duration `yaml:"timeout"`
}

// Reports is the scheduled delivery of reports by email.
type Reports struct {
	Enabled bool `yaml:"enabled"`
	// Check is the cron spec (with seconds) of the delivery job: it sends
	// what is due and retries what failed.
	Check string `yaml:"check"`
	// SendHour is the local hour from which the first working day's
	// reports go out.
	SendHour int `yaml:"send_hour"`
	// Holidays are extra non-working days (YYYY-MM-DD) besides weekends
	// and the fixed national holidays.
	Holidays []string `yaml:"holidays"`
}

// PPID configures the public-information requests' deadlines.
type PPID struct {
	// HolidaysFile lists the public holidays and collective leave days
	// deadlines skip, one "YYYY-MM-DD name" a line ("": the built-in list).
	HolidaysFile string `yaml:"holidays_file"`
	// OfficeCloses: a request received at or after this local time (HH:MM)
	// counts from the next working day ("": the whole day counts).
	OfficeCloses string `yaml:"office_closes"`
	// OverdueCheck is the cron spec (with seconds) of the check that tells
	// the PPID officers and the unit head about overdue requests.
	OverdueCheck string `yaml:"overdue_check"`
}

// Log configures log/slog output.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text or json
}

// ClickHouse is the metric store.
type ClickHouse struct {
	// Addr is host:port of the native protocol; with replicas, several
	// comma-separated: the client connects to the first that answers and
	// moves to another when one goes down.
	Addr string `yaml:"addr"`
	// Cluster, when set, is the remote_servers cluster of the replicas:
	// migrations run ON CLUSTER and create Replicated* engines (ZooKeeper
	// or Keeper paths under /clickhouse/tables/{shard}/DATABASE/TABLE,
	// replica {replica}: both macros must be defined on every server).
	Cluster      string   `yaml:"cluster"`
	Database     string   `yaml:"database"`
	User         string   `yaml:"user"`
	Password     Secret   `yaml:"password"`
	MaxOpenConns int      `yaml:"max_open_conns"`
	DialTimeout  Duration `yaml:"dial_timeout"`
	ReadTimeout  Duration `yaml:"read_timeout"`
	// QueryTimeout is max_execution_time for report reads.
	QueryTimeout Duration `yaml:"query_timeout"`
	Compression  string   `yaml:"compression"` // lz4, zstd or none
}

// Addrs is Addr split on commas, blanks trimmed.
func (c ClickHouse) Addrs() []string {
	var out []string
	for _, a := range strings.Split(c.Addr, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// State is the database for the calendar, users and audit log: the
// embedded SQLite file (the default) or a PostgreSQL database that several
// serve replicas share.
type State struct {
	Driver string `yaml:"driver"` // sqlite or postgres
	Path   string `yaml:"path"`   // the SQLite file (also the folder of logos and media when driver is postgres)
	DSN    Secret `yaml:"dsn"`    // postgres://user:pass@host:port/db?sslmode=...
	// Lease is how long a replica's claim on a delivery or a cron job
	// lasts without renewal (renewed every third of it): a replica that
	// dies loses its claims within this time.
	Lease Duration `yaml:"lease"`
}

// Graph is the Meta Graph API client.
type Graph struct {
	URL       string   `yaml:"url"`
	Version   string   `yaml:"version"`
	AppID     string   `yaml:"app_id" env:"HUMAS_APP_ID"`
	AppSecret Secret   `yaml:"app_secret" env:"HUMAS_APP_SECRET"`
	Timeout   Duration `yaml:"timeout"`
	// RedirectURL is the Facebook Login callback registered in the Meta
	// app; default <public_url>/admin/channels/facebook/callback.
	RedirectURL string `yaml:"redirect_url"`
	// Metrics overrides insight metric names when Meta renames them.
	Metrics GraphMetrics `yaml:"metrics"`
}

// GraphMetrics overrides insight metric names when Meta renames one
// (keys match meta.MetricNames). Empty fields keep the client's defaults.
type GraphMetrics struct {
	FacebookReach     string `yaml:"fb_reach"`
	FacebookViews     string `yaml:"fb_views"`
	FacebookClicks    string `yaml:"fb_clicks"`
	FacebookReactions string `yaml:"fb_reactions_by_type"`
	InstagramReach    string `yaml:"ig_reach"`
	InstagramViews    string `yaml:"ig_views"`
	InstagramLikes    string `yaml:"ig_likes"`
	InstagramComments string `yaml:"ig_comments"`
	InstagramShares   string `yaml:"ig_shares"`
	InstagramSaved    string `yaml:"ig_saved"`
	InstagramTotal    string `yaml:"ig_total_interactions"`
}

// API is the HTTP server (API and pages).
type API struct {
	Enabled bool `yaml:"enabled"`
	// MaxConcurrentReports bounds report queries running on ClickHouse at
	// once (the analytics service's MaxQueries); more requests wait.
	MaxConcurrentReports int `yaml:"max_concurrent_reports"`
	// ReportCacheBytes bounds the report answer cache (least recently
	// used answers go first); 0 turns the cache off.
	ReportCacheBytes int64 `yaml:"report_cache_bytes"`
	// MaxBodyBytes is the largest request body accepted (API and web
	// forms); a larger one is answered 413 without being read.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// ReadHeaderTimeout bounds reading a request's headers.
	ReadHeaderTimeout Duration `yaml:"read_header_timeout"`
	// ReadTimeout bounds reading a whole request, body included: a client
	// trickling a body is cut off when it passes.
	ReadTimeout Duration `yaml:"read_timeout"`
	// WriteTimeout bounds writing an answer (longer than
	// clickhouse.query_timeout, so a slow report still gets its answer).
	WriteTimeout Duration `yaml:"write_timeout"`
	// IdleTimeout closes a kept-alive connection without requests.
	IdleTimeout Duration `yaml:"idle_timeout"`
	// TrustedProxies are the addresses or CIDR ranges of reverse proxies
	// whose X-Forwarded-For / X-Real-IP is believed. Empty: none, and the
	// client address is the TCP peer's.
	TrustedProxies []string `yaml:"trusted_proxies"`
}

// Web is the pages for staff and division heads.
type Web struct {
	// SecureCookies marks session cookies Secure: set it when humas is
	// reached over HTTPS (behind a TLS proxy), as in production.
	SecureCookies bool `yaml:"secure_cookies"`
	// SessionTTL is how long an unused sign-in lasts; each use slides it,
	// up to SessionMaxAge.
	SessionTTL Duration `yaml:"session_ttl"`
	// SessionMaxAge is the absolute cap of a sign-in, however used.
	SessionMaxAge Duration `yaml:"session_max_age"`
}

// Auth is how people sign in with passwords.
type Auth struct {
	// PasswordMinLength is the shortest password accepted (characters).
	PasswordMinLength int `yaml:"password_min_length"`
	// SetupLinkTTL is how long invitation and password-reset links stay good.
	SetupLinkTTL Duration `yaml:"setup_link_ttl"`
}

// OIDC is single sign-on through an OpenID Connect provider (e.g. the
// institution's Keycloak). Off while Issuer is empty.
type OIDC struct {
	// Issuer is the provider's issuer URL, e.g.
	// https://sso.kpu.go.id/realms/kpu (its discovery document is at
	// <issuer>/.well-known/openid-configuration).
	Issuer       string `yaml:"issuer"`
	ClientID     string `yaml:"client_id"`
	ClientSecret Secret `yaml:"client_secret"`
	// RedirectURL is registered at the provider; default
	// <public_url>/signin/sso/callback.
	RedirectURL string   `yaml:"redirect_url"`
	Scopes      []string `yaml:"scopes"`
	// Claim names the humas user (preferred_username or email); Match is
	// the humas field it is compared with (name or email).
	Claim string `yaml:"claim"`
	Match string `yaml:"match"`
	// Label is the sign-in button's text.
	Label string `yaml:"label"`
	// MFAByProvider: the provider enforces its own second factor, so SSO
	// sign-ins skip humas' two-step verification.
	MFAByProvider bool `yaml:"mfa_by_provider"`
}

// Enabled reports whether single sign-on is configured.
func (o OIDC) Enabled() bool { return o.Issuer != "" }

// BaseURL is PublicURL, or http://<listen> (0.0.0.0 and :: read as
// 127.0.0.1) when it is empty; without a trailing slash.
func (c Config) BaseURL() string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	host, port, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return "http://127.0.0.1:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// SSORedirectURL is the callback registered at the provider.
func (c Config) SSORedirectURL() string {
	if c.OIDC.RedirectURL != "" {
		return c.OIDC.RedirectURL
	}
	return c.BaseURL() + "/signin/sso/callback"
}

// FacebookRedirectURL is the Facebook Login callback registered in the
// Meta app ("Valid OAuth Redirect URIs").
func (c Config) FacebookRedirectURL() string {
	if c.Graph.RedirectURL != "" {
		return c.Graph.RedirectURL
	}
	return c.BaseURL() + "/admin/channels/facebook/callback"
}

// Scheduler publishes due deliveries.
type Scheduler struct {
	Enabled bool `yaml:"enabled"`
	// Tick is a robfig/cron spec with seconds.
	Tick string `yaml:"tick"`
	// Workers is how many deliveries publish at once.
	Workers int `yaml:"workers"`
	// RetryDeadline is how long transient errors are retried.
	RetryDeadline Duration `yaml:"retry_deadline"`
	// TokenCheck is the cron spec (with seconds) of the daily token check.
	TokenCheck string `yaml:"token_check"`

	// StatusPollInterval is how often an Instagram container's or a
	// Facebook video's processing status is asked while it is not ready.
	StatusPollInterval Duration `yaml:"status_poll_interval"`
	// VideoReadyDeadline and ImageReadyDeadline: a video or image still
	// processing this long after upload fails its delivery.
	VideoReadyDeadline Duration `yaml:"video_ready_deadline"`
	ImageReadyDeadline Duration `yaml:"image_ready_deadline"`
	// PolicyBlockPause is how long a channel pauses after Meta blocks it
	// for posting too fast (code 368).
	PolicyBlockPause Duration `yaml:"policy_block_pause"`
	// InstagramHashtagsWarn: a caption with more hashtags gets a warning
	// (Instagram announced a cap of 5 from December 2025);
	// InstagramHashtagsMax: more is refused (the API reference says 30).
	InstagramHashtagsWarn int `yaml:"instagram_hashtags_warn"`
	InstagramHashtagsMax  int `yaml:"instagram_hashtags_max"`
}

// Collector pulls posts and insights into ClickHouse.
type Collector struct {
	Enabled bool `yaml:"enabled"`
	// Schedule is a robfig/cron spec with seconds.
	Schedule    string `yaml:"schedule"`
	Concurrency int    `yaml:"concurrency"`
	// Cadence: how often a post is collected as it ages; after the last
	// step it is no longer collected.
	Cadence []CadenceStep `yaml:"cadence"`
	// SlowdownPercent: a channel whose usage passes it is slowed down.
	SlowdownPercent int `yaml:"slowdown_percent"`
	// BufferPath holds snapshots while ClickHouse is unreachable.
	BufferPath     string `yaml:"buffer_path"`
	BufferMaxBytes int64  `yaml:"buffer_max_bytes"`
	// CarouselAs is the content type inferred for carousels found on a
	// channel (photo or interactive).
	CarouselAs string `yaml:"carousel_as"`
	// CommentsMaxAge: comments are read on posts younger than this (0
	// turns the comment inbox's collection off).
	CommentsMaxAge Duration `yaml:"comments_max_age"`
}

// CadenceStep collects a post every Every while it is younger than UpTo.
type CadenceStep struct {
	UpTo  Duration `yaml:"up_to"`
	Every Duration `yaml:"every"`
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Listen:           "127.0.0.1:8080",
		Timezone:         "Asia/Jakarta",
		MigrateOnStart:   true,
		ShutdownTimeout:  Duration(20 * time.Second),
		MemoryLimitBytes: DefaultMemoryLimit,
		Log:              Log{Level: "info", Format: "text"},
		ClickHouse: ClickHouse{
			Addr:         "127.0.0.1:9000",
			Database:     "humas",
			User:         "default",
			MaxOpenConns: 10,
			DialTimeout:  Duration(5 * time.Second),
			ReadTimeout:  Duration(60 * time.Second),
			QueryTimeout: Duration(30 * time.Second),
			Compression:  "lz4",
		},
		State: State{Driver: "sqlite", Path: "./var/humas.db", Lease: Duration(30 * time.Second)},
		Graph: Graph{
			URL:     "https://graph.facebook.com",
			Version: "v26.0",
			Timeout: Duration(30 * time.Second),
		},
		API: API{Enabled: true, MaxConcurrentReports: 4, ReportCacheBytes: 32 << 20, MaxBodyBytes: 1 << 20,
			ReadHeaderTimeout: Duration(10 * time.Second), ReadTimeout: Duration(30 * time.Second),
			WriteTimeout: Duration(90 * time.Second), IdleTimeout: Duration(120 * time.Second)},
		Web:  Web{SessionTTL: Duration(12 * time.Hour), SessionMaxAge: Duration(7 * 24 * time.Hour)},
		Auth: Auth{PasswordMinLength: 12, SetupLinkTTL: Duration(72 * time.Hour)},
		OIDC: OIDC{Scopes: []string{"openid", "profile", "email"}, Claim: "preferred_username", Match: "name",
			Label: "Masuk dengan SSO kantor"},
		Scheduler: Scheduler{
			Enabled:       true,
			Tick:          "* * * * * *",
			Workers:       16,
			RetryDeadline: Duration(30 * time.Minute),
			TokenCheck:    "0 0 6 * * *",

			StatusPollInterval:    Duration(30 * time.Second),
			VideoReadyDeadline:    Duration(15 * time.Minute),
			ImageReadyDeadline:    Duration(5 * time.Minute),
			PolicyBlockPause:      Duration(6 * time.Hour),
			InstagramHashtagsWarn: 5,
			InstagramHashtagsMax:  30,
		},
		Media:     defaultMedia(),
		Backup:    defaultBackup(),
		Retention: defaultRetention(),
		Collector: Collector{
			Enabled:     true,
			Schedule:    "0 */15 * * * *",
			Concurrency: 4,
			Cadence: []CadenceStep{
				{UpTo: Duration(24 * time.Hour), Every: Duration(time.Hour)},
				{UpTo: Duration(7 * 24 * time.Hour), Every: Duration(6 * time.Hour)},
				{UpTo: Duration(30 * 24 * time.Hour), Every: Duration(24 * time.Hour)},
				{UpTo: Duration(90 * 24 * time.Hour), Every: Duration(7 * 24 * time.Hour)},
			},
			SlowdownPercent: 75,
			BufferPath:      "./var/buffer",
			BufferMaxBytes:  256 << 20,
			CarouselAs:      "photo",
			CommentsMaxAge:  Duration(14 * 24 * time.Hour),
		},
		SMTP:    SMTP{Port: 587, TLS: "starttls", Timeout: Duration(30 * time.Second)},
		Reports: Reports{Enabled: true, Check: "0 */10 * * * *", SendHour: 7},
		PPID:    PPID{OfficeCloses: "16:00", OverdueCheck: "0 0 * * * *"},
	}
}

// Load builds the configuration: defaults, then the YAML file at path
// (skipped when path is empty), then the environment, then Validate.
func Load(path string, env func(string) (string, bool)) (Config, error) {
	cfg := Default()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("read config file: %w", err)
		}
		if err := decodeYAML(b, &cfg); err != nil {
			return cfg, fmt.Errorf("config file %s: %w", path, err)
		}
	}
	if env == nil {
		env = os.LookupEnv
	}
	if err := applyEnv(&cfg, env); err != nil {
		return cfg, err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// decodeYAML reads strictly: an unknown key is an error with its line.
func decodeYAML(b []byte, cfg *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // empty file: defaults
		}
		return fmt.Errorf("%w%s (keys are listed in the README's configuration table)", err, where(b, err))
	}
	return nil
}

var lineRef = regexp.MustCompile(`line (\d+)`)

// where names the key (as a dotted path) and quotes the line a YAML error
// points at, so a type error says which setting it is about.
func where(b []byte, err error) string {
	m := lineRef.FindStringSubmatch(err.Error())
	if m == nil {
		return ""
	}
	line, _ := strconv.Atoi(m[1])
	lines := strings.Split(string(b), "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	out := fmt.Sprintf("; line %d reads %q", line, strings.TrimSpace(lines[line-1]))
	var root yaml.Node
	if yaml.Unmarshal(b, &root) == nil {
		if path := keyAtLine(&root, line, ""); path != "" {
			out = fmt.Sprintf("; key %s%s", path, out)
		}
	}
	return out
}

// keyAtLine finds the dotted key path of the mapping entry on line.
func keyAtLine(n *yaml.Node, line int, prefix string) string {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if p := keyAtLine(c, line, prefix); p != "" {
				return p
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			path := k.Value
			if prefix != "" {
				path = prefix + "." + k.Value
			}
			if k.Line == line {
				return path
			}
			if p := keyAtLine(v, line, path); p != "" {
				return p
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if p := keyAtLine(c, line, fmt.Sprintf("%s[%d]", prefix, i)); p != "" {
				return p
			}
		}
	}
	return ""
}

// Effective renders the configuration as YAML with secrets masked.
func (c Config) Effective() string {
	b, err := yaml.Marshal(c)
	if err != nil {
		return fmt.Sprintf("cannot render config: %v", err)
	}
	return string(b)
}
