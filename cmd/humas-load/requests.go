package main

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/analytics/seed"
)

// space is what the random requests draw from: the routes, periods,
// filters, group-bys, methods and ages the report API accepts, with the
// ids and values of the benchmark data set (humas seed).
type space struct {
	first, last time.Time // publish dates of the data set
	units       int       // unit ids 1..units; unit u has channels 10u and 10u+1
	whole       bool      // every request covers first..last
	route       string    // only this route when set
}

// checkRoute reports a route the space does not draw.
func (sp space) checkRoute() error {
	if sp.route == "" {
		return nil
	}
	var known []string
	for _, rt := range routes {
		if rt.path == sp.route {
			return nil
		}
		known = append(known, rt.path)
	}
	return fmt.Errorf("--route %q: not a report route; use one of %s", sp.route, strings.Join(known, ", "))
}

// routes are the report routes, with how often each is drawn (engagement,
// the one every page asks for, most).
var routes = []struct {
	path   string
	weight int
}{
	{"/api/v1/engagement", 8},
	{"/api/v1/engagement/campaigns", 1},
	{"/api/v1/engagement/posts", 2},
	{"/api/v1/engagement/best-times", 1},
	{"/api/v1/engagement/hashtags", 1},
	{"/api/v1/followers", 1},
}

// draw makes one request (path and query) at random from the space.
func (sp space) draw(r *rand.Rand) string {
	path := sp.route
	if path == "" {
		path = pickRoute(r)
	}
	v := url.Values{}
	// Period: a year a quarter of the time, otherwise 1 to 365 days.
	span := int(sp.last.Sub(sp.first).Hours()/24) + 1
	days := span
	if !sp.whole && r.IntN(4) != 0 {
		days = 1 + r.IntN(span)
	}
	from := sp.first.AddDate(0, 0, r.IntN(span-days+1))
	v.Set("from", from.Format(analytics.DateLayout))
	v.Set("to", from.AddDate(0, 0, days-1).Format(analytics.DateLayout))
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	if path != "/api/v1/followers" {
		v.Set("method", pick(analytics.Methods))
		v.Set("age", pick(analytics.Ages))
		if r.IntN(5) == 0 {
			v.Set("content_type", pick(seed.ContentTypes))
		}
		if r.IntN(6) == 0 {
			v.Set("campaign", pick(seed.Campaigns))
		}
	}
	if r.IntN(4) == 0 {
		v.Set("platform", pick(analytics.Platforms))
	}
	unit := 0
	if r.IntN(3) == 0 {
		unit = 1 + r.IntN(sp.units)
		v.Set("unit", strconv.Itoa(unit))
	}
	if r.IntN(8) == 0 {
		if unit == 0 {
			unit = 1 + r.IntN(sp.units)
		}
		v.Set("channel", strconv.Itoa(unit*10+r.IntN(2))) // a channel of the unit (or, without a unit, of any)
	}
	switch path {
	case "/api/v1/engagement":
		keys := r.Perm(len(analytics.GroupKeys))[:1+r.IntN(3)]
		slices.Sort(keys) // every order of the same keys shares one answer: draw one order
		gb := ""
		for i, k := range keys {
			if i > 0 {
				gb += ","
			}
			gb += analytics.GroupKeys[k]
		}
		v.Set("group_by", gb)
	case "/api/v1/engagement/posts":
		v.Set("sort", pick(analytics.SortKeys))
		v.Set("order", pick(analytics.Orders))
		v.Set("limit", strconv.Itoa(1+r.IntN(50)))
	case "/api/v1/engagement/hashtags":
		v.Set("limit", strconv.Itoa(1+r.IntN(50)))
	}
	if r.IntN(10) == 0 {
		v.Set("format", "csv")
		v.Set("lang", pick([]string{"en", "id"}))
	}
	return path + "?" + v.Encode()
}

// pickRoute draws a route by its weight.
func pickRoute(r *rand.Rand) string {
	total := 0
	for _, rt := range routes {
		total += rt.weight
	}
	n := r.IntN(total)
	for _, rt := range routes {
		if n < rt.weight {
			return rt.path
		}
		n -= rt.weight
	}
	return routes[0].path
}

// distinct draws n different requests (it gives up when the space seems
// exhausted).
func (sp space) distinct(r *rand.Rand, n int) ([]string, error) {
	seen := make(map[string]bool, n)
	out := make([]string, 0, n)
	for tries := 0; len(out) < n; tries++ {
		if tries > 20*n {
			return nil, fmt.Errorf("only %d distinct requests in %d draws", len(out), tries)
		}
		u := sp.draw(r)
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out, nil
}
