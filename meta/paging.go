package meta

import (
	"context"
	"fmt"
	"net/http"
	"slices"
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
// returns false (e.g. past the start of a newest-first time range).
func listWhile[T any](ctx context.Context, c *Client, req request, each func(T) bool) error {
	for pages := 0; ; pages++ {
		if pages >= c.maxPage {
			return fmt.Errorf("meta: %s: %w (%d)", req.endpoint, errNoProgress, pages)
		}
		var p pageOf[T]
		if _, err := c.call(ctx, req, &p); err != nil {
			return err
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
