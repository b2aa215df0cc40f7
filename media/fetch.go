package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"syscall"
	"time"
)

// FetchOptions bound the download of a pasted URL.
type FetchOptions struct {
	// MaxBytes: larger is refused (default the upload limit).
	MaxBytes int64
	// Timeout bounds the whole download (default 2 min).
	Timeout time.Duration
	// AllowAddrs are host:port addresses allowed although private (tests
	// serve files on loopback); never set in production.
	AllowAddrs []string
	// Accept is the request's Accept header (default "image/*, video/*",
	// what the media library downloads).
	Accept string
}

// FetchError is a URL humas will not or could not download (HTTP 422).
type FetchError struct {
	URL              string
	Reason, ReasonID string
}

func (e *FetchError) Error() string { return "cannot download " + e.URL + ": " + e.Reason }

// MessageID is the error in Bahasa Indonesia.
func (e *FetchError) MessageID() string { return "tidak dapat mengunduh " + e.URL + ": " + e.ReasonID }

type fetcher struct {
	opt    FetchOptions
	client *http.Client
}

// blocked are the ranges a download may never reach, besides loopback,
// private, link-local, multicast and unspecified addresses: shared address
// space (CGNAT), IETF protocol assignments, benchmarking, reserved, NAT64
// and documentation ranges.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// publicAddr reports whether ip is a public unicast address.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

func newFetcher(o FetchOptions) *fetcher {
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	if o.Accept == "" {
		o.Accept = "image/*, video/*"
	}
	allowed := map[string]bool{}
	for _, a := range o.AllowAddrs {
		allowed[a] = true
	}
	// The check runs on the address actually connected to, after DNS
	// resolution: a name that resolves to a public address when checked
	// and a private one when used (DNS rebinding) is caught here.
	dialer := &net.Dialer{Timeout: 15 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("refused address %q", address)
		}
		if !publicAddr(ap.Addr()) && !allowed[address] {
			return &blockedAddrError{addr: ap.Addr().String()}
		}
		return nil
	}}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would connect for us, past the check
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	c := &http.Client{Transport: tr, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("more than 5 redirects")
		}
		return checkScheme(req.URL) // the next address is checked when dialled
	}}
	return &fetcher{opt: o, client: c}
}

type blockedAddrError struct{ addr string }

func (e *blockedAddrError) Error() string {
	return "the address " + e.addr + " is private, loopback or reserved"
}

func checkScheme(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("the scheme %q is not allowed (http or https only)", u.Scheme)
	}
	if u.User != nil {
		return errors.New("addresses with a user name or password are not allowed")
	}
	if u.Host == "" {
		return errors.New("the address has no host")
	}
	return nil
}

// get starts the download: the body (caller closes) and a file name taken
// from the URL's path.
func (f *fetcher) get(ctx context.Context, raw string) (io.ReadCloser, string, error) {
	fail := func(en, id string) (io.ReadCloser, string, error) {
		return nil, "", &FetchError{URL: raw, Reason: en, ReasonID: id}
	}
	if len(raw) > 2048 {
		return fail("the address is longer than 2048 characters", "alamat lebih dari 2048 karakter")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fail("it is not a URL", "bukan alamat URL")
	}
	if err := checkScheme(u); err != nil {
		return fail(err.Error(), "hanya alamat http atau https publik yang dapat diunduh")
	}
	ctx, cancel := context.WithTimeout(ctx, f.opt.Timeout)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		cancel()
		return fail("it is not a URL", "bukan alamat URL")
	}
	req.Header.Set("User-Agent", "humas-media-import/1")
	req.Header.Set("Accept", f.opt.Accept)
	resp, err := f.client.Do(req)
	if err != nil {
		cancel()
		var be *blockedAddrError
		if errors.As(err, &be) {
			return fail(be.Error()+": humas only downloads from public addresses",
				"alamat "+be.addr+" bersifat privat, loopback atau khusus: humas hanya mengunduh dari alamat publik")
		}
		return fail("the server did not answer ("+unwrapURLErr(err).Error()+")", "server tidak menjawab ("+unwrapURLErr(err).Error()+")")
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		cancel()
		return fail(fmt.Sprintf("the server answered %s", resp.Status), fmt.Sprintf("server menjawab %s", resp.Status))
	}
	if resp.ContentLength > f.opt.MaxBytes {
		resp.Body.Close()
		cancel()
		return nil, "", &TooLargeError{Limit: f.opt.MaxBytes}
	}
	name := path.Base(resp.Request.URL.Path)
	return cancelOnClose{resp.Body, cancel}, name, nil
}

func unwrapURLErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// Fetcher downloads a URL for another package (the agenda's iCalendar
// import) under the same rules as a pasted media URL: http or https only,
// no user name in the address, at most 5 redirects, public addresses only
// (checked on the address actually dialled, after each redirect), a time
// limit and a size limit.
type Fetcher struct {
	f *fetcher
}

// DefaultFetchBytes is a Fetcher's size limit when FetchOptions.MaxBytes is 0.
const DefaultFetchBytes = 4 << 20

// NewFetcher returns a Fetcher (MaxBytes 0: DefaultFetchBytes).
func NewFetcher(o FetchOptions) *Fetcher {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultFetchBytes
	}
	return &Fetcher{f: newFetcher(o)}
}

// Open starts the download of raw: the body (the caller closes it), which
// fails with a *FetchError once it passes the size limit. Every refusal is
// a *FetchError naming the URL and what is wrong, in English and Bahasa
// Indonesia.
func (f *Fetcher) Open(ctx context.Context, raw string) (io.ReadCloser, error) {
	body, _, err := f.f.get(ctx, raw)
	var tl *TooLargeError
	if errors.As(err, &tl) {
		return nil, f.tooLarge(raw)
	}
	if err != nil {
		return nil, err
	}
	return &limitedBody{ReadCloser: body, left: f.f.opt.MaxBytes, over: func() error { return f.tooLarge(raw) }}, nil
}

func (f *Fetcher) tooLarge(raw string) error {
	size := fmtBytes(f.f.opt.MaxBytes)
	return &FetchError{URL: raw, Reason: "the file is larger than " + size, ReasonID: "berkas lebih besar dari " + size}
}

// limitedBody reads at most left bytes; one more is an error (over).
type limitedBody struct {
	io.ReadCloser
	left int64
	over func() error
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, b.over()
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return 0, b.over()
	}
	return n, err
}
