// Package throttle slows down repeated sign-in failures: per client
// address and per account, a few failures are free, then each further
// failure locks the key for twice as long as the one before, up to a cap.
// The web token sign-in and API bearer tokens use it today; password
// sign-in will key it by account as well.
package throttle

import (
	"context"
	"log/slog"
	"math"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Policy says how failures turn into waits. Zero fields take the
// defaults noted.
type Policy struct {
	// Free is how many failures a key may have before any lock (5).
	Free int
	// Base is the first lock (1s); each further failure doubles it.
	Base time.Duration
	// Max caps a lock (15m).
	Max time.Duration
	// Forget: a key without a failure for this long starts afresh (1h).
	Forget time.Duration
	// MaxKeys bounds the keys remembered (100 000), so a flood of
	// addresses cannot grow memory without end.
	MaxKeys int
	// Now is the clock (time.Now).
	Now func() time.Time
	// Logger gets a line per failure and per lock (slog.Default).
	Logger *slog.Logger
}

// Limiter remembers failures per key. It is safe for concurrent use.
type Limiter struct {
	p  Policy
	mu sync.Mutex
	m  map[string]*entry
}

type entry struct {
	failures int
	last     time.Time // last failure
	until    time.Time // locked until (zero: not locked)
}

// New returns a limiter with p's zero fields defaulted.
func New(p Policy) *Limiter {
	if p.Free <= 0 {
		p.Free = 5
	}
	if p.Base <= 0 {
		p.Base = time.Second
	}
	if p.Max <= 0 {
		p.Max = 15 * time.Minute
	}
	if p.Forget <= 0 {
		p.Forget = time.Hour
	}
	if p.MaxKeys <= 0 {
		p.MaxKeys = 100_000
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.Logger == nil {
		p.Logger = slog.Default()
	}
	return &Limiter{p: p, m: map[string]*entry{}}
}

// Addr is the key of a client address. IPv6 addresses are keyed by their
// /64 network: one host usually holds a whole /64.
func Addr(ip string) string {
	parsed := net.ParseIP(strings.TrimSpace(ip))
	switch {
	case parsed == nil:
		return "addr:" + ip
	case parsed.To4() != nil:
		return "addr:" + parsed.To4().String()
	default:
		n := net.IPNet{IP: parsed.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}
		return "addr:" + n.String()
	}
}

// Account is the key of an account name (case-insensitive).
func Account(name string) string { return "account:" + strings.ToLower(strings.TrimSpace(name)) }

// Decision is the state of the worst key after a failure.
type Decision struct {
	// Wait is how long the keys are locked from now (0: not locked).
	Wait time.Duration
	// Failures is the failure count of the worst key.
	Failures int
	// Key is the worst key.
	Key string
}

// Check answers how long a caller with these keys must wait before trying
// again (0: it may try now).
func (l *Limiter) Check(keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.p.Now()
	var wait time.Duration
	for _, k := range keys {
		if e, ok := l.m[k]; ok && e.until.After(now) {
			wait = max(wait, e.until.Sub(now))
		}
	}
	return wait
}

// Fail records a failed attempt under every key and answers the worst
// resulting lock. via says where (e.g. "web", "api") for the log; the
// log never carries the secret that was tried.
func (l *Limiter) Fail(ctx context.Context, via string, keys ...string) Decision {
	l.mu.Lock()
	now := l.p.Now()
	var d Decision
	for _, k := range keys {
		e, ok := l.m[k]
		if !ok || (now.Sub(e.last) >= l.p.Forget && !e.until.After(now)) {
			if !ok {
				l.makeRoom(now)
			}
			e = &entry{}
			l.m[k] = e
		}
		e.failures++
		e.last = now
		if lock := l.lockFor(e.failures); lock > 0 {
			e.until = now.Add(lock)
		}
		wait := time.Duration(0)
		if e.until.After(now) {
			wait = e.until.Sub(now)
		}
		if wait > d.Wait || (wait == d.Wait && e.failures > d.Failures) {
			d = Decision{Wait: wait, Failures: e.failures, Key: k}
		}
	}
	l.mu.Unlock()
	if d.Wait > 0 {
		l.p.Logger.WarnContext(ctx, "sign-in throttled", "via", via, "key", d.Key, "failures", d.Failures,
			"retry_after_s", RetryAfter(d.Wait))
	} else {
		l.p.Logger.InfoContext(ctx, "sign-in failed", "via", via, "key", d.Key, "failures", d.Failures)
	}
	return d
}

// Reset forgets the failures of keys (e.g. an account after a good
// sign-in). Addresses are not reset by a success: one valid credential
// must not buy unlimited guesses at others from the same place.
func (l *Limiter) Reset(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		delete(l.m, k)
	}
}

// lockFor is the lock after the n-th failure: none within the free
// failures, then Base, 2·Base, 4·Base … up to Max.
func (l *Limiter) lockFor(n int) time.Duration {
	over := n - l.p.Free
	if over <= 0 {
		return 0
	}
	if over > 40 {
		return l.p.Max
	}
	d := l.p.Base << (over - 1)
	if d <= 0 || d > l.p.Max {
		return l.p.Max
	}
	return d
}

// makeRoom keeps the map under MaxKeys: first drop keys that are
// forgotten and unlocked, then (under a flood) arbitrary unlocked ones.
// Called with mu held.
func (l *Limiter) makeRoom(now time.Time) {
	if len(l.m) < l.p.MaxKeys {
		return
	}
	for k, e := range l.m {
		if now.Sub(e.last) >= l.p.Forget && !e.until.After(now) {
			delete(l.m, k)
		}
	}
	target := l.p.MaxKeys * 9 / 10
	for k, e := range l.m {
		if len(l.m) <= target {
			return
		}
		if !e.until.After(now) {
			delete(l.m, k)
		}
	}
	for k := range l.m { // all locked: drop any
		if len(l.m) <= target {
			return
		}
		delete(l.m, k)
	}
}

// Len is the number of keys remembered.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}

// RetryAfter is a wait as whole seconds for a Retry-After header (at
// least 1).
func RetryAfter(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// RetryAfterHeader is RetryAfter as header text.
func RetryAfterHeader(d time.Duration) string { return strconv.Itoa(RetryAfter(d)) }
