package meta

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// ListOptions selects a time range of posts or media.
type ListOptions struct {
	Since, Until time.Time // zero = unbounded
	// Limit is the page size (default and maximum 100).
	Limit int
	// WithInsights adds insights through field expansion.
	WithInsights bool
	// OmitMetrics names insights metrics to leave out of this call's
	// insights.metric(...) list, e.g. those Meta has retired: the listing
	// keeps one call per 100 posts and the figures left out come back as
	// not OK (missing, not zero). When every metric is left out, no
	// insights are requested.
	OmitMetrics []string
}

// without returns names minus those in omit, in order.
func without(names, omit []string) []string {
	if len(omit) == 0 {
		return names
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		if !slices.Contains(omit, n) {
			out = append(out, n)
		}
	}
	return out
}

const maxLimit = 100

func (o ListOptions) limit() int {
	if o.Limit <= 0 || o.Limit > maxLimit {
		return maxLimit
	}
	return o.Limit
}

type pageOf[T any] struct {
	Data   []T `json:"data"`
	Paging *struct {
		Next string `json:"next"`
	} `json:"paging"`
}

// listAll follows paging.next until it is absent or a page is empty.
func listAll[T any](ctx context.Context, c *Client, req request, each func(T)) error {
	return listWhile(ctx, c, req, func(it T) bool { each(it); return true })
}

// listWhile is listAll that stops after the page on which each first
// returns false (e.g. past the start of a newest-first time range). When
// Meta answers "Please reduce the amount of data" (code 1), the page is
// asked again at half the size, and the listing goes on at that size.
func listWhile[T any](ctx context.Context, c *Client, req request, each func(T) bool) error {
	return listPages(ctx, c, req, func(req request) (pageOf[T], error) {
		var p pageOf[T]
		_, err := c.call(ctx, req, &p)
		return p, err
	}, each)
}

// listPages is listWhile with the way each page is read given: fetch may
// recover a failed page another way (e.g. item by item).
func listPages[T any](ctx context.Context, c *Client, req request, fetch func(request) (pageOf[T], error), each func(T) bool) error {
	for pages := 0; ; pages++ {
		if pages >= c.maxPage {
			return fmt.Errorf("meta: %s: %w (%d)", req.endpoint, errNoProgress, pages)
		}
		p, err := fetch(req)
		if err != nil {
			smaller, ok := halveLimit(req)
			if !IsReduceData(err) || !ok {
				return err
			}
			c.log.WarnContext(ctx, "graph listing: Meta asked for less data; halving the page size",
				"endpoint", req.endpoint, "limit", smaller.params.Get("limit"))
			req = smaller
			continue
		}
		more := true
		for _, it := range p.Data {
			more = each(it) && more
		}
		if !more || len(p.Data) == 0 || p.Paging == nil || p.Paging.Next == "" {
			return nil
		}
		req = request{endpoint: req.endpoint, method: http.MethodGet, rawURL: p.Paging.Next, token: req.token}
	}
}

// pageLimit is the limit of a listing request (its params, or its next URL).
func pageLimit(req request) int {
	if v := req.params.Get("limit"); v != "" {
		n, _ := strconv.Atoi(v)
		return n
	}
	if u, err := url.Parse(req.rawURL); err == nil && req.rawURL != "" {
		n, _ := strconv.Atoi(u.Query().Get("limit"))
		return n
	}
	return 0
}

// halveLimit returns req asking for half as many items (false below 1).
func halveLimit(req request) (request, bool) {
	n := pageLimit(req)
	if n == 0 {
		n = 25 // Meta's default page size
	}
	if n/2 < 1 {
		return req, false
	}
	p := url.Values{}
	for k, vs := range req.params {
		p[k] = vs
	}
	p.Set("limit", strconv.Itoa(n/2))
	req.params = p
	return req, true
}

// graphTime parses Meta's "2019-09-26T22:36:43+0000".
func graphTime(s string) time.Time {
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

type summaryField struct {
	Summary struct {
		TotalCount int64 `json:"total_count"`
	} `json:"summary"`
}

type countField struct {
	Count int64 `json:"count"`
}
