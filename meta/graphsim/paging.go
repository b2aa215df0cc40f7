package graphsim

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const graphTimeLayout = "2006-01-02T15:04:05-0700"

func gtime(t time.Time) string { return t.UTC().Format(graphTimeLayout) }

// parseTimeParam accepts a unix time, RFC 3339, Graph's layout or a date.
func parseTimeParam(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	for _, l := range []string{time.RFC3339, graphTimeLayout, "2006-01-02"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// timeRange reads since/until.
func timeRange(q *rq) (since, until time.Time, e *gErr) {
	if v := q.params.Get("since"); v != "" {
		t, ok := parseTimeParam(v)
		if !ok {
			return since, until, errInvalidParam("The since parameter is not a valid time")
		}
		since = t
	}
	if v := q.params.Get("until"); v != "" {
		t, ok := parseTimeParam(v)
		if !ok {
			return since, until, errInvalidParam("The until parameter is not a valid time")
		}
		until = t
	}
	return since, until, nil
}

func inRange(t, since, until time.Time) bool {
	return (since.IsZero() || !t.Before(since)) && (until.IsZero() || !t.After(until))
}

func encodeCursor(off int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(off)))
}

func decodeCursor(c string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), "o:") {
		return 0, false
	}
	n, err := strconv.Atoi(string(b[2:]))
	return n, err == nil && n >= 0
}

// pageList renders items [offset, offset+limit) of n with Meta's paging
// object; next carries every original parameter (token included) and points
// back at the simulator.
func (s *Sim) pageList(q *rq, n int, render func(i int) (map[string]any, *gErr)) (any, *gErr) {
	off, end, e := s.pageSpan(q, n)
	if e != nil {
		return nil, e
	}
	data := []map[string]any{}
	for i := off; i < end; i++ {
		m, e := render(i)
		if e != nil {
			return nil, e
		}
		data = append(data, m)
	}
	out := map[string]any{"data": data}
	if len(data) > 0 {
		paging := map[string]any{"cursors": map[string]string{"before": encodeCursor(off), "after": encodeCursor(end)}}
		if end < n {
			paging["next"] = s.nextURL(q, encodeCursor(end))
		}
		out["paging"] = paging
	}
	return out, nil
}

// pageSpan is the range [off, end) of n items the request's limit and
// after cursor select.
func (s *Sim) pageSpan(q *rq, n int) (off, end int, e *gErr) {
	limit := s.opt.DefaultPageLimit
	if v := q.params.Get("limit"); v != "" {
		l, err := strconv.Atoi(v)
		if err != nil || l < 0 {
			return 0, 0, errInvalidParam("The limit parameter must be a non-negative integer")
		}
		limit = l
	}
	limit = min(limit, s.opt.MaxPageLimit)
	if c := q.params.Get("after"); c != "" {
		o, ok := decodeCursor(c)
		if !ok {
			return 0, 0, errInvalidParam("Invalid cursor")
		}
		off = o
	}
	return off, max(off, min(off+limit, n)), nil
}

func hasField(fs []field, name string) bool {
	for _, f := range fs {
		if f.name == name {
			return true
		}
	}
	return false
}

func (s *Sim) nextURL(q *rq, after string) string {
	v := url.Values{}
	for k, vs := range q.params {
		v[k] = vs
	}
	v.Del("after")
	v.Del("before")
	v.Set("after", after)
	if v.Get("access_token") == "" && q.token != "" {
		v.Set("access_token", q.token)
	}
	path := strings.Join(q.segs, "/")
	if q.version != "" {
		path = q.version + "/" + path
	}
	return q.base + "/" + path + "?" + v.Encode()
}
