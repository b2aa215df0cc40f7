// Package analyticstest lists report requests that together exercise every
// report, group key, age, method and filter, runs them on a Service (or
// names their HTTP path), and compares two answers figure by figure. Tests
// that must prove data handling leaves reports unchanged (thinning,
// backup and restore, upgrades) use it.
package analyticstest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"

	"github.com/humas-id/humas/analytics"
)

// Request is one report request: its kind and its query string.
type Request struct {
	Kind string // engagement, posts, best-times, hashtags, campaigns, followers
	Raw  string
}

// Label names a request in messages.
func (r Request) Label() string { return r.Kind + "?" + r.Raw }

// Path is the request's path under /api/v1.
func (r Request) Path() string {
	switch r.Kind {
	case "engagement", "followers":
		return "/api/v1/" + r.Kind + "?" + r.Raw
	}
	return "/api/v1/engagement/" + r.Kind + "?" + r.Raw
}

// Requests returns the requests for each period ("from=…&to=…"): every
// group key alone and two combinations, every age with every method,
// platform, unit and content-type filters, top and bottom posts by every
// sort key, best times, hashtags and campaigns at every age, and
// followers.
func Requests(units []string, periods ...string) []Request {
	var out []Request
	add := func(kind, raw string) { out = append(out, Request{kind, raw}) }
	for _, p := range periods {
		for _, g := range analytics.GroupKeys {
			add("engagement", p+"&group_by="+g)
		}
		add("engagement", p+"&group_by=content_type,platform")
		add("engagement", p+"&group_by=unit,month")
		for _, age := range analytics.Ages {
			for _, m := range analytics.Methods {
				add("engagement", p+"&group_by=content_type&age="+age+"&method="+m)
			}
			add("engagement", p+"&group_by=week&age="+age+"&platform=instagram")
			add("engagement", p+"&group_by=channel&age="+age+"&content_type=photo")
			for _, u := range units {
				add("engagement", p+"&group_by=platform&age="+age+"&unit="+u)
			}
			add("posts", p+"&age="+age+"&limit=50")
			add("best-times", p+"&age="+age)
			add("hashtags", p+"&age="+age)
			add("campaigns", p+"&age="+age)
		}
		for _, s := range analytics.SortKeys {
			add("posts", p+"&sort="+s+"&order=asc&limit=20")
		}
		add("best-times", p+"&method=views")
		add("followers", p)
	}
	return out
}

// Run answers r on svc.
func Run(ctx context.Context, svc *analytics.Service, r Request) (any, error) {
	v, err := url.ParseQuery(r.Raw)
	if err != nil {
		return nil, err
	}
	q, err := analytics.ParseQuery(v)
	if err != nil {
		return nil, err
	}
	switch r.Kind {
	case "engagement":
		return svc.Engagement(ctx, q)
	case "posts":
		return svc.TopPosts(ctx, q)
	case "best-times":
		return svc.BestTimes(ctx, q)
	case "hashtags":
		return svc.Hashtags(ctx, q)
	case "campaigns":
		return svc.Campaigns(ctx, q)
	case "followers":
		return svc.Followers(ctx, q)
	}
	return nil, fmt.Errorf("unknown report kind %q", r.Kind)
}

// Answers runs every request and returns each answer as JSON, by label.
func Answers(ctx context.Context, svc *analytics.Service, reqs []Request) (map[string][]byte, error) {
	out := make(map[string][]byte, len(reqs))
	for _, r := range reqs {
		v, err := Run(ctx, svc, r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Label(), err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		out[r.Label()] = b
	}
	return out, nil
}

// Diff compares two JSON answers: the same structure and values, numbers
// within 1e-9 (relative above 1). It returns "" when they agree, else the
// first difference with its path.
func Diff(want, got []byte) string {
	var a, b any
	da := json.NewDecoder(bytes.NewReader(want))
	da.UseNumber()
	db := json.NewDecoder(bytes.NewReader(got))
	db.UseNumber()
	if err := da.Decode(&a); err != nil {
		return "want: " + err.Error()
	}
	if err := db.Decode(&b); err != nil {
		return "got: " + err.Error()
	}
	return diff("$", a, b, false)
}

// DiffFigures compares an answer of an earlier humas (want) with today's
// (got): every value want has must be in got, equal as in Diff; fields
// added since are allowed, and the definition texts (reworded between
// versions) are not compared.
func DiffFigures(want, got []byte) string {
	var a, b any
	da := json.NewDecoder(bytes.NewReader(want))
	da.UseNumber()
	db := json.NewDecoder(bytes.NewReader(got))
	db.UseNumber()
	if err := da.Decode(&a); err != nil {
		return "want: " + err.Error()
	}
	if err := db.Decode(&b); err != nil {
		return "got: " + err.Error()
	}
	return diff("$", a, b, true)
}

// texts are fields whose wording may change between versions.
var texts = map[string]bool{"definition": true, "description": true}

func diff(path string, a, b any, subset bool) string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: %v, want an object", path, b)
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		if !subset {
			for k := range y {
				if _, ok := x[k]; !ok {
					keys = append(keys, k)
				}
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if subset && texts[k] {
				continue
			}
			if d := diff(path+"."+k, x[k], y[k], subset); d != "" {
				return d
			}
		}
		return ""
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return fmt.Sprintf("%s: %s, want %s", path, short(b), short(a))
		}
		for i := range x {
			if d := diff(fmt.Sprintf("%s[%d]", path, i), x[i], y[i], subset); d != "" {
				return d
			}
		}
		return ""
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return fmt.Sprintf("%s: %v, want %v", path, b, a)
		}
		if x == y {
			return ""
		}
		fa, _ := x.Float64()
		fb, _ := y.Float64()
		if math.Abs(fa-fb) <= 1e-9*math.Max(1, math.Abs(fa)) {
			return ""
		}
		return fmt.Sprintf("%s: %v, want %v", path, y, x)
	default:
		if fmt.Sprint(a) != fmt.Sprint(b) {
			return fmt.Sprintf("%s: %s, want %s", path, short(b), short(a))
		}
		return ""
	}
}

func short(v any) string {
	b, _ := json.Marshal(v)
	s := string(b)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return strings.TrimSpace(s)
}
