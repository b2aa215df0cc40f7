package api_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/auth/throttle"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// throttledAPI is a server whose bearer tokens go through a limiter (5
// free failures, then 1 s, 2 s, 4 s …) on an injected clock.
func throttledAPI(t *testing.T, trusted []string) (http.Handler, *testClock, *syncBuffer) {
	t.Helper()
	clock := &testClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	var logs syncBuffer
	lim := throttle.New(throttle.Policy{Now: clock.Now, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	srv, err := api.New(api.Options{Registry: prometheus.NewRegistry(), TrustedProxies: trusted, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	g := srv.V1().Group("", api.RequireAuth(staticAuth{}, api.WithThrottle(lim)))
	g.GET("/whoami", api.Handle(func(c *gin.Context) (any, error) { return gin.H{"name": api.Principal(c).Name}, nil }))
	return srv.Engine(), clock, &logs
}

func bearer(h http.Handler, remote, xff, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", "/api/v1/whoami", nil)
	req.RemoteAddr = remote + ":40000"
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// TestBearerTokenThrottle: wrong tokens from one address are free five
// times, then the address waits (429 with Retry-After), exponentially
// longer; even a good token waits until the lock ends. A forged
// X-Forwarded-For does not change the address when no proxy is trusted.
// Failures are logged, the tried tokens never.
func TestBearerTokenThrottle(t *testing.T) {
	h, clock, logs := throttledAPI(t, nil)
	const attacker = "203.0.113.7"
	for i := 1; i <= 5; i++ {
		// Each guess claims another client address: believed, it would
		// escape the throttle.
		w := bearer(h, attacker, "198.51.100."+strconv.Itoa(i), "humas_guess"+strconv.Itoa(i))
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d %s, want 401", i, w.Code, w.Body)
		}
	}
	w := bearer(h, attacker, "198.51.100.6", "humas_guess6")
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "1" || !strings.Contains(w.Body.String(), `"too_many_failures"`) ||
		!strings.Contains(w.Body.String(), "try again in 1 s") {
		t.Fatalf("6th guess: %d Retry-After %q %s, want 429 with Retry-After 1", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	if w := bearer(h, attacker, "", "t0ken"); w.Code != http.StatusTooManyRequests {
		t.Fatalf("good token during the lock: %d, want 429 (the address waits)", w.Code)
	}
	if w := bearer(h, "192.0.2.44", "", "humas_other"); w.Code != http.StatusUnauthorized {
		t.Fatalf("another address: %d, want 401 (not throttled)", w.Code)
	}
	clock.Add(time.Second)
	if w := bearer(h, attacker, "", "t0ken"); w.Code != http.StatusOK {
		t.Fatalf("good token after the lock: %d %s", w.Code, w.Body)
	}
	w = bearer(h, attacker, "", "humas_guess7")
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "2" {
		t.Fatalf("7th guess: %d Retry-After %q, want 429 with a doubled wait of 2", w.Code, w.Header().Get("Retry-After"))
	}
	out := logs.String()
	if !strings.Contains(out, `msg="sign-in throttled" via=api key=addr:203.0.113.7 failures=6 retry_after_s=1`) ||
		!strings.Contains(out, `msg="sign-in failed" via=api key=addr:203.0.113.7 failures=1`) {
		t.Errorf("failures and the lock are not logged:\n%s", out)
	}
	if strings.Contains(out, "humas_guess") || strings.Contains(out, "198.51.100") {
		t.Errorf("the log holds a tried token or a forged address:\n%s", out)
	}
}

// TestBearerThrottleTrustedProxy: behind a configured proxy the client
// address comes from X-Forwarded-For, so one client's failures do not
// lock the others behind the same proxy; a request from elsewhere cannot
// pick its address with the header.
func TestBearerThrottleTrustedProxy(t *testing.T) {
	h, _, _ := throttledAPI(t, []string{"10.0.0.0/8"})
	const proxy = "10.0.0.5"
	for i := 1; i <= 6; i++ {
		bearer(h, proxy, "203.0.113.7", "humas_guess"+strconv.Itoa(i))
	}
	if w := bearer(h, proxy, "203.0.113.7", "humas_guess7"); w.Code != http.StatusTooManyRequests {
		t.Fatalf("the guessing client behind the proxy: %d, want 429", w.Code)
	}
	if w := bearer(h, proxy, "198.51.100.20", "t0ken"); w.Code != http.StatusOK {
		t.Fatalf("another client behind the same proxy: %d, want 200", w.Code)
	}
	// Not from the proxy: X-Forwarded-For is ignored, the peer is the
	// address (fresh, so 401, not the locked client's 429).
	if w := bearer(h, "192.0.2.9", "203.0.113.7", "humas_x"); w.Code != http.StatusUnauthorized {
		t.Fatalf("header from an untrusted peer: %d, want 401", w.Code)
	}
	// Spoofing the proxy chain: a client-written left part before the
	// proxy's own entry is not what counts.
	if w := bearer(h, proxy, "203.0.113.7, 198.51.100.77", "t0ken"); w.Code != http.StatusOK {
		t.Fatalf("client 198.51.100.77 (with a forged first hop): %d, want 200", w.Code)
	}
}
