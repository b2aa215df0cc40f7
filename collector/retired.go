package collector

import (
	"sort"
	"strings"
	"sync"
	"time"
)

// RetiredMetric is an insights metric Meta no longer accepts.
type RetiredMetric struct {
	Metric    string    `json:"metric"`
	Platform  string    `json:"platform"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Times     int       `json:"times"`
	// Fix says which setting takes the replacement name.
	Fix string `json:"fix"`
}

type retiredSet struct {
	mu sync.Mutex
	m  map[string]*RetiredMetric // platform/metric
	// confirmed[platform] is set once a listing with insights succeeded
	// with the metrics then requested; until then gates[platform]
	// serialises listings so a retired metric is found and named once.
	confirmed map[string]bool
	gates     map[string]*sync.Mutex
}

func newRetiredSet() *retiredSet {
	return &retiredSet{m: map[string]*RetiredMetric{}, confirmed: map[string]bool{}, gates: map[string]*sync.Mutex{}}
}

// gate waits for the platform's discovery lock while no listing has yet
// succeeded on it, and returns its release (a no-op once confirmed).
func (s *retiredSet) gate(platform string) (unlock func()) {
	s.mu.Lock()
	if s.confirmed[platform] {
		s.mu.Unlock()
		return func() {}
	}
	g := s.gates[platform]
	if g == nil {
		g = &sync.Mutex{}
		s.gates[platform] = g
	}
	s.mu.Unlock()
	g.Lock()
	return g.Unlock
}

// confirm records that a listing with insights succeeded on platform.
func (s *retiredSet) confirm(platform string) {
	s.mu.Lock()
	s.confirmed[platform] = true
	s.mu.Unlock()
}

// note records metrics (comma-separated) as retired and returns the names
// seen for the first time.
func (s *retiredSet) note(platform, metrics string, now time.Time, fix func(string) string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var fresh []string
	for _, name := range strings.Split(metrics, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		k := platform + "/" + name
		r, ok := s.m[k]
		if !ok {
			delete(s.confirmed, platform) // a new retirement: find it once again
			r = &RetiredMetric{Metric: name, Platform: platform, FirstSeen: now, Fix: fix(name)}
			s.m[k] = r
			fresh = append(fresh, name)
		}
		r.LastSeen = now
		r.Times++
	}
	return fresh
}

// names lists a platform's metrics known retired (for
// meta.ListOptions.OmitMetrics).
func (s *retiredSet) names(platform string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range s.m {
		if r.Platform == platform && r.Metric != "unknown" {
			out = append(out, r.Metric)
		}
	}
	sort.Strings(out)
	return out
}

// list returns the retired metrics, sorted.
func (s *retiredSet) list() []RetiredMetric {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]RetiredMetric, 0, len(s.m))
	for _, r := range s.m {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Platform+out[i].Metric < out[j].Platform+out[j].Metric })
	return out
}
