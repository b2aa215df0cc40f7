package main

import (
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/analytics/seed"
)

// TestDistinctRequestsAreValidAndVaried: every drawn request is one the
// API accepts, no two are equal, and the draws cover every route,
// method, age, group key and filter.
func TestDistinctRequestsAreValidAndVaried(t *testing.T) {
	sp := space{first: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), last: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC),
		units: seed.Units}
	urls, err := sp.distinct(rand.New(rand.NewPCG(1, 20)), 5000)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	covered := map[string]bool{}
	for _, u := range urls {
		if seen[u] {
			t.Fatalf("drawn twice: %s", u)
		}
		seen[u] = true
		path, raw, _ := strings.Cut(u, "?")
		v, err := url.ParseQuery(raw)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		q, err := analytics.ParseQuery(v)
		if err != nil {
			t.Fatalf("%s: not accepted: %v", u, err)
		}
		if q.From.Before(sp.first) || q.To.After(sp.last) {
			t.Fatalf("%s: outside the data set's dates", u)
		}
		if q.Channel != 0 && q.Unit != 0 && q.Channel/10 != q.Unit {
			t.Fatalf("%s: channel of another unit", u)
		}
		covered[path] = true
		for _, k := range []string{"method", "age", "platform"} {
			covered[k+"="+v.Get(k)] = true
		}
		for _, k := range []string{"unit", "channel", "content_type", "campaign", "format"} {
			if v.Get(k) != "" {
				covered[k] = true
			}
		}
		for _, g := range q.GroupBy {
			if path == "/api/v1/engagement" {
				covered["group_by="+g] = true
			}
		}
	}
	var want []string
	for _, r := range routes {
		want = append(want, r.path)
	}
	for _, m := range analytics.Methods {
		want = append(want, "method="+m)
	}
	for _, a := range analytics.Ages {
		want = append(want, "age="+a)
	}
	for _, p := range analytics.Platforms {
		want = append(want, "platform="+p)
	}
	for _, g := range analytics.GroupKeys {
		want = append(want, "group_by="+g)
	}
	want = append(want, "unit", "channel", "content_type", "campaign", "format")
	for _, w := range want {
		if !covered[w] {
			t.Errorf("no request with %s in 5000 draws", w)
		}
	}
}

// TestRouteOnly: with a route set, every request is on it; an unknown
// route is refused with the known ones named.
func TestRouteOnly(t *testing.T) {
	sp := space{first: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), last: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC),
		units: seed.Units, route: "/api/v1/engagement/posts"}
	if err := sp.checkRoute(); err != nil {
		t.Fatal(err)
	}
	urls, err := sp.distinct(rand.New(rand.NewPCG(1, 20)), 200)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range urls {
		if !strings.HasPrefix(u, "/api/v1/engagement/posts?") || !strings.Contains(u, "sort=") {
			t.Fatalf("drawn %s", u)
		}
	}
	sp.route = "/api/v1/nope"
	if err := sp.checkRoute(); err == nil || !strings.Contains(err.Error(), "/api/v1/engagement/hashtags") {
		t.Fatalf("unknown route: %v", err)
	}
}
