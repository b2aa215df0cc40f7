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
}

func newRetiredSet() *retiredSet { return &retiredSet{m: map[string]*RetiredMetric{}} }

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
			r = &RetiredMetric{Metric: name, Platform: platform, FirstSeen: now, Fix: fix(name)}
			s.m[k] = r
			fresh = append(fresh, name)
		}
		r.LastSeen = now
		r.Times++
	}
	return fresh
}

// has reports whether a platform's metric is known retired.
func (s *retiredSet) has(platform, metric string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[platform+"/"+metric]
	return ok
}

// any reports whether one of metrics is known retired on platform.
func (s *retiredSet) any(platform string, metrics []string) bool {
	for _, m := range metrics {
		if s.has(platform, m) {
			return true
		}
	}
	return false
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
