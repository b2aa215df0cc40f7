package meta

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults used by New. v26.0 is the current version (released
// 2026-07-29). Every call, video uploads included, goes to BaseURL: the
// graph-video.facebook.com host is deprecated; Reels upload to
// rupload.facebook.com (the upload_url Meta gives).
const (
	DefaultBaseURL = "https://graph.facebook.com"
	DefaultVersion = "v26.0"
	DefaultTimeout = 30 * time.Second
)

// Options configures a Client. Only BaseURL/Version defaults are filled in;
// AppID and AppSecret are needed for DebugToken and appsecret_proof.
type Options struct {
	BaseURL string // default https://graph.facebook.com (a simulator URL in tests and sandbox)
	// DialogURL is where the Facebook Login dialog is (default
	// https://www.facebook.com; the simulator's URL in tests and sandbox).
	DialogURL string
	Version   string // default v26.0
	AppID     string
	AppSecret string // when set, every call carries appsecret_proof and appsecret_time
	// Timeout bounds each HTTP call (default 30 s); UploadTimeout a call
	// that sends a file (default 30 min).
	Timeout       time.Duration
	UploadTimeout time.Duration
	HTTPClient    *http.Client
	Metrics       MetricNames // empty fields take DefaultMetricNames
	Logger        *slog.Logger
	// OnResponse, when set, is called once per HTTP call (e.g. to feed Prometheus).
	OnResponse func(CallInfo)
	// ReadRetries is how many times a GET is retried after a transient
	// failure (default 2; negative disables). Writes are never retried here.
	ReadRetries int
	// RetryBackoff is the first retry delay, doubled each time (default 500 ms).
	RetryBackoff time.Duration
	// MaxPages caps how many pages a listing follows (default 1000).
	MaxPages int
	// Now is the clock used for appsecret_time (default time.Now).
	Now func() time.Time
}

// CallInfo describes one HTTP call for metrics and logging.
type CallInfo struct {
	Endpoint   string // low-cardinality label, e.g. "page_feed_post"
	Method     string
	Class      Class // ClassNone on success
	HTTPStatus int   // 0 when no answer was read
	Duration   time.Duration
	Usage      Usage
	// Calls is how many rate-limited calls Meta counts for this request
	// (batch entries; 1 otherwise).
	Calls int
}

// Client is a Graph API client. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	dialog  *url.URL
	version string
	appID   string
	secret  string
	timeout time.Duration
	upload  time.Duration
	hc      *http.Client
	metrics MetricNames
	log     *slog.Logger
	onResp  func(CallInfo)
	retries int
	backoff time.Duration
	maxPage int
	now     func() time.Time
	// noSummaries holds the Pages whose post listings were refused the
	// reaction and comment summaries (counts then come from insights).
	noSummaries sync.Map
}

// idleConnsPerHost is how many idle connections to the Graph API the
// client keeps (more than the publisher's workers: scheduler.workers
// defaults to 16).
const idleConnsPerHost = 64

// New returns a Client.
func New(o Options) (*Client, error) {
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(strings.TrimRight(o.BaseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("meta: invalid base URL %q", o.BaseURL)
	}
	if o.DialogURL == "" {
		o.DialogURL = DefaultDialogURL
	}
	d, err := url.Parse(strings.TrimRight(o.DialogURL, "/"))
	if err != nil || (d.Scheme != "http" && d.Scheme != "https") || d.Host == "" {
		return nil, fmt.Errorf("meta: invalid dialog URL %q", o.DialogURL)
	}
	if o.Version == "" {
		o.Version = DefaultVersion
	}
	if !strings.HasPrefix(o.Version, "v") {
		return nil, fmt.Errorf("meta: invalid API version %q (want like v26.0)", o.Version)
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.UploadTimeout <= 0 {
		o.UploadTimeout = DefaultUploadTimeout
	}
	if o.HTTPClient == nil {
		// Every call goes to one host: Go's default transport keeps two
		// idle connections per host, so with the publisher's workers
		// calling at once most calls would open (and, to Meta, handshake)
		// a new connection and close it after.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = idleConnsPerHost
		o.HTTPClient = &http.Client{Transport: t}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.ReadRetries == 0 {
		o.ReadRetries = 2
	}
	if o.ReadRetries < 0 {
		o.ReadRetries = 0
	}
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = 500 * time.Millisecond
	}
	if o.MaxPages <= 0 {
		o.MaxPages = 1000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	m := o.Metrics.WithDefaults()
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("meta: %w", err)
	}
	return &Client{
		base: u, dialog: d, version: o.Version, appID: o.AppID, secret: o.AppSecret,
		timeout: o.Timeout, upload: o.UploadTimeout, hc: o.HTTPClient, metrics: m, log: o.Logger, onResp: o.OnResponse,
		retries: o.ReadRetries, backoff: o.RetryBackoff, maxPage: o.MaxPages, now: o.Now,
	}, nil
}

// Metrics returns the metric names in use.
func (c *Client) Metrics() MetricNames { return c.metrics }

// request is one Graph call.
type request struct {
	endpoint string
	method   string
	path     string     // relative to /<version>/, e.g. "123/feed"
	rawURL   string     // absolute URL (a paging "next"); overrides path
	params   url.Values // without token
	token    string
	calls    int // rate-limited call count (batch entries)
	// idempotent marks a POST that may be retried like a GET (a batch of reads).
	idempotent bool
	// header holds extra request headers; tokenHeader sends the token as
	// "Authorization: OAuth <token>" instead of access_token (rupload).
	header      http.Header
	tokenHeader bool
	// file is sent as the multipart field fileField (with params as the
	// other fields), or as the raw body with rawFile (rupload).
	file      *File
	fileField string
	rawFile   bool
}

// ruploadHost is Meta's resumable-upload host (Reels and IG uploads): the
// only host besides BaseURL's a token is ever sent to.
const ruploadHost = "rupload.facebook.com"

// AppSecretProof computes the time-based appsecret_proof:
// hex(HMAC-SHA256(key=appSecret, msg=token+"|"+unixTime)).
func AppSecretProof(appSecret, token string, unixTime int64) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write([]byte(token + "|" + strconv.FormatInt(unixTime, 10)))
	return hex.EncodeToString(mac.Sum(nil))
}

// call performs req with GET retries and decodes a success body into out.
func (c *Client) call(ctx context.Context, req request, out any) (Usage, error) {
	attempts := 1
	if req.method == http.MethodGet || req.idempotent {
		attempts += c.retries
	}
	delay := c.backoff
	var (
		u   Usage
		err error
	)
	for i := 0; i < attempts; i++ {
		if i > 0 {
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return u, fmt.Errorf("meta: %s: %w (after: %w)", req.endpoint, ctx.Err(), err)
			case <-t.C:
			}
			delay *= 2
		}
		if err := checkWrite(ctx, req); err != nil {
			return u, err
		}
		u, err = c.once(ctx, req, out)
		if err == nil || ClassOf(err) != ClassTransient || ctx.Err() != nil || IsReduceData(err) {
			return u, err
		}
	}
	return u, err
}

func (c *Client) buildURL(req request) (*url.URL, url.Values, error) {
	var u *url.URL
	q := url.Values{}
	if req.rawURL != "" {
		p, err := url.Parse(req.rawURL)
		if err != nil {
			return nil, nil, fmt.Errorf("meta: %s: bad paging URL", req.endpoint)
		}
		upload := req.tokenHeader && p.Scheme == "https" && p.Host == ruploadHost
		if (p.Scheme != c.base.Scheme || p.Host != c.base.Host) && !upload {
			// Never send a token to a host we were not configured for.
			return nil, nil, fmt.Errorf("meta: %s: paging URL points at another host %q", req.endpoint, p.Host)
		}
		q = p.Query()
		p.RawQuery = ""
		u = p
	} else {
		u = c.base.JoinPath(c.version, req.path)
	}
	for k, vs := range req.params {
		q[k] = vs
	}
	for _, k := range []string{"access_token", "appsecret_proof", "appsecret_time"} {
		q.Del(k)
	}
	if req.token != "" && !req.tokenHeader {
		q.Set("access_token", req.token)
		if c.secret != "" {
			now := c.now().Unix()
			q.Set("appsecret_proof", AppSecretProof(c.secret, req.token, now))
			q.Set("appsecret_time", strconv.FormatInt(now, 10))
		}
	}
	return u, q, nil
}

// redact removes the tokens of req from s.
func redact(s string, secrets ...string) string {
	for _, t := range secrets {
		if len(t) >= 4 {
			s = strings.ReplaceAll(s, t, "[redacted]")
		}
	}
	return s
}

// errNoProgress is returned when a listing exceeds MaxPages.
var errNoProgress = errors.New("too many pages")

// AppID is the app id the client was configured with.
func (c *Client) AppID() string { return c.appID }
