package throttle

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock               { return &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }
func quiet() *slog.Logger            { return slog.New(slog.DiscardHandler) }
func policy(c *clock) Policy {
	return Policy{Free: 3, Base: time.Second, Max: 8 * time.Second, Forget: time.Hour, Now: c.now, Logger: quiet()}
}
func fail(l *Limiter, keys ...string) Decision { return l.Fail(context.Background(), "test", keys...) }

// TestExponentialLock: the free failures pass, then each failure locks
// twice as long as the one before, up to Max; the lock ends by itself.
func TestExponentialLock(t *testing.T) {
	c := newClock()
	l := New(policy(c))
	a := Addr("203.0.113.7")
	var waits []time.Duration
	for i := 0; i < 8; i++ {
		if w := l.Check(a); w != 0 {
			t.Fatalf("attempt %d: locked for %s before failing", i+1, w)
		}
		d := fail(l, a)
		waits = append(waits, d.Wait)
		if d.Failures != i+1 || d.Key != a {
			t.Fatalf("failure %d: %+v", i+1, d)
		}
		if d.Wait > 0 {
			if got := l.Check(a); got != d.Wait {
				t.Fatalf("check right after the lock: %s, want %s", got, d.Wait)
			}
			c.add(d.Wait) // wait it out
		}
	}
	want := fmt.Sprint([]time.Duration{0, 0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second})
	if fmt.Sprint(waits) != want {
		t.Fatalf("waits %v, want %v", waits, want)
	}
}

// TestAddressAndAccountAreSeparate: failures for one account from many
// addresses lock the account (not the addresses), and failures from one
// address over many accounts lock the address.
func TestAddressAndAccountAreSeparate(t *testing.T) {
	c := newClock()
	l := New(policy(c))
	acct := Account("Admin")
	for i := 0; i < 4; i++ {
		fail(l, Addr(fmt.Sprintf("198.51.100.%d", i+1)), acct)
	}
	if l.Check(Account("admin")) == 0 {
		t.Fatal("the account is not locked after 4 failures from 4 addresses")
	}
	if w := l.Check(Addr("198.51.100.1")); w != 0 {
		t.Fatalf("an address with one failure is locked for %s", w)
	}
	if w := l.Check(Addr("198.51.100.9"), Account("editor")); w != 0 {
		t.Fatalf("another account from another address is locked for %s", w)
	}
	spray := Addr("192.0.2.1")
	for i := 0; i < 4; i++ {
		fail(l, spray, Account(fmt.Sprintf("user%d", i)))
	}
	if l.Check(spray) == 0 {
		t.Fatal("an address trying 4 accounts is not locked")
	}
	// A success resets the account, not the address.
	l.Reset(acct)
	if l.Check(acct) != 0 {
		t.Fatal("reset account still locked")
	}
}

// TestForgetAfterQuiet: an hour without failures starts the count afresh.
func TestForgetAfterQuiet(t *testing.T) {
	c := newClock()
	l := New(policy(c))
	a := Addr("203.0.113.8")
	for i := 0; i < 3; i++ {
		fail(l, a)
	}
	c.add(time.Hour)
	if d := fail(l, a); d.Failures != 1 || d.Wait != 0 {
		t.Fatalf("after an hour of quiet: %+v, want a first, free failure", d)
	}
}

// TestIPv6KeyedBySlash64: addresses of one /64 share a key.
func TestIPv6KeyedBySlash64(t *testing.T) {
	if a, b := Addr("2001:db8:1:2::1"), Addr("2001:db8:1:2:ffff::9"); a != b {
		t.Fatalf("same /64, different keys: %s %s", a, b)
	}
	if a, b := Addr("2001:db8:1:2::1"), Addr("2001:db8:1:3::1"); a == b {
		t.Fatalf("different /64, same key %s", a)
	}
	if got := Addr("::ffff:192.0.2.1"); got != "addr:192.0.2.1" {
		t.Fatalf("IPv4-mapped: %s", got)
	}
}

// TestMemoryBounded: a flood of addresses never holds more than MaxKeys.
func TestMemoryBounded(t *testing.T) {
	c := newClock()
	p := policy(c)
	p.MaxKeys = 1000
	l := New(p)
	for i := 0; i < 20000; i++ {
		fail(l, Addr(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)))
	}
	if n := l.Len(); n > 1000 {
		t.Fatalf("%d keys kept, bound is 1000", n)
	}
}

// TestLogsFailuresAndLocks: each failure is logged with the key and
// count, a lock as a warning with the wait.
func TestLogsFailuresAndLocks(t *testing.T) {
	c := newClock()
	p := policy(c)
	var buf bytes.Buffer
	p.Logger = slog.New(slog.NewTextHandler(&buf, nil))
	l := New(p)
	for i := 0; i < 4; i++ {
		fail(l, Addr("203.0.113.9"))
	}
	out := buf.String()
	for _, want := range []string{`msg="sign-in failed" via=test key=addr:203.0.113.9 failures=1`,
		`level=WARN msg="sign-in throttled" via=test key=addr:203.0.113.9 failures=4 retry_after_s=1`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	for d, want := range map[time.Duration]int{0: 1, 300 * time.Millisecond: 1, time.Second: 1, 1500 * time.Millisecond: 2, 15 * time.Minute: 900} {
		if got := RetryAfter(d); got != want {
			t.Errorf("RetryAfter(%s) = %d, want %d", d, got, want)
		}
	}
}
