package collector

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/humas-id/humas/meta"
)

// pacer tracks the usage Meta reports per object (a Page or Instagram
// account id, or "app") and slows down the calls of a channel whose usage
// passed the threshold: the further past it, the longer each call waits.
type pacer struct {
	threshold int
	maxDelay  time.Duration
	sleep     func(ctx context.Context, d time.Duration) error
	onUsage   func(objectID string, pct int)

	mu    sync.Mutex
	usage map[string]int // object id or "app" → percent
}

func newPacer(threshold int, maxDelay time.Duration, sleep func(context.Context, time.Duration) error) *pacer {
	return &pacer{threshold: threshold, maxDelay: maxDelay, sleep: sleep, usage: map[string]int{}}
}

// slowdown is the wait before each call at usage pct: none up to the
// threshold, then growing linearly to maxDelay at 100%.
func slowdown(pct, threshold int, maxDelay time.Duration) time.Duration {
	if pct <= threshold || threshold >= 100 {
		return 0
	}
	if pct >= 100 {
		return maxDelay
	}
	return time.Duration(float64(maxDelay) * float64(pct-threshold) / float64(100-threshold))
}

// observe records the usage headers of an answer.
func (p *pacer) observe(u meta.Usage) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if u.App != nil {
		p.usage["app"] = max(u.App.CallCount, u.App.TotalTime, u.App.TotalCPUTime)
	}
	for id, list := range u.BusinessUseCase {
		m := 0
		for _, b := range list {
			m = max(m, b.CallCount, b.TotalTime, b.TotalCPUTime)
		}
		p.usage[id] = m
		if p.onUsage != nil {
			p.onUsage(id, m)
		}
	}
}

// percent is the usage that applies to an object: its own or the app's.
func (p *pacer) percent(objectID string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return max(p.usage[objectID], p.usage["app"])
}

// wait delays a call for objectID when its usage is past the threshold.
func (p *pacer) wait(ctx context.Context, objectID string) error {
	d := slowdown(p.percent(objectID), p.threshold, p.maxDelay)
	if d <= 0 {
		return nil
	}
	return p.sleep(ctx, d)
}

// transport wraps an HTTP transport: before a request it waits as the
// object's usage requires, after it records the usage headers.
func (p *pacer) transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if id := objectOf(r.URL.Path); id != "" {
			if err := p.wait(r.Context(), id); err != nil {
				return nil, err
			}
		}
		resp, err := next.RoundTrip(r)
		if resp != nil {
			p.observe(meta.ParseUsage(resp.Header))
		}
		return resp, err
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// objectOf returns the account a Graph path acts on: the first segment
// after the version ("/v24.0/{id}/posts"), the Page of a "<page>_<post>"
// id, "" for batch calls and others.
func objectOf(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) < 2 || !strings.HasPrefix(parts[0], "v") {
		return ""
	}
	id := parts[1]
	if page, _, ok := strings.Cut(id, "_"); ok {
		id = page
	}
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return ""
	}
	return id
}
