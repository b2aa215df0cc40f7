package meta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// MaxBatch is the most entries Meta accepts in one batch request.
const MaxBatch = 50

// BatchRequest is one entry of a batch.
type BatchRequest struct {
	Method      string // GET or POST
	RelativeURL string // e.g. "123/insights?metric=reach" (no token)
	Body        string // url-encoded, POST only
	Name        string // optional, for depends_on/JSONPath
}

// BatchResponse is one entry's answer. Err is set when the entry failed
// (an *Error; a null entry gives a retryable ClassTransient error).
type BatchResponse struct {
	Code    int
	Headers http.Header
	Body    json.RawMessage
	Err     error
}

// Decode unmarshals the entry body.
func (r BatchResponse) Decode(out any) error {
	if r.Err != nil {
		return r.Err
	}
	if err := json.Unmarshal(r.Body, out); err != nil {
		return fmt.Errorf("meta: batch entry: decode: %w", err)
	}
	return nil
}

type rawBatchEntry struct {
	Code    int `json:"code"`
	Headers []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"headers"`
	Body *string `json:"body"`
}

// Batch sends the requests as batch calls of at most 50 entries each and
// returns one answer per request, in order. Meta counts every entry as a call.
func (c *Client) Batch(ctx context.Context, token string, reqs []BatchRequest) ([]BatchResponse, error) {
	out := make([]BatchResponse, 0, len(reqs))
	for start := 0; start < len(reqs); start += MaxBatch {
		chunk := reqs[start:min(start+MaxBatch, len(reqs))]
		res, err := c.batchOnce(ctx, token, chunk)
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
	}
	return out, nil
}

func (c *Client) batchOnce(ctx context.Context, token string, reqs []BatchRequest) ([]BatchResponse, error) {
	type entry struct {
		Method      string `json:"method"`
		RelativeURL string `json:"relative_url"`
		Body        string `json:"body,omitempty"`
		Name        string `json:"name,omitempty"`
	}
	entries := make([]entry, len(reqs))
	for i, r := range reqs {
		m := strings.ToUpper(r.Method)
		if m == "" {
			m = http.MethodGet
		}
		entries[i] = entry{Method: m, RelativeURL: strings.TrimPrefix(r.RelativeURL, "/"), Body: r.Body, Name: r.Name}
	}
	b, err := json.Marshal(entries)
	if err != nil {
		return nil, fmt.Errorf("meta: batch: %w", err)
	}
	var raw []*rawBatchEntry
	req := request{endpoint: "batch", method: http.MethodPost, path: "", params: url.Values{"batch": {string(b)}, "include_headers": {"true"}},
		token: token, calls: len(reqs), idempotent: allGET(reqs)}
	if _, err := c.call(ctx, req, &raw); err != nil {
		return nil, err
	}
	if len(raw) != len(reqs) {
		return nil, fmt.Errorf("meta: batch: %d answers for %d requests", len(raw), len(reqs))
	}
	out := make([]BatchResponse, len(reqs))
	for i, e := range raw {
		if e == nil || e.Body == nil {
			out[i].Err = &Error{Endpoint: "batch_entry", Code: 0, Class: ClassTransient, IsTransient: true,
				Message: "batch entry was not completed (null answer); retry it"}
			continue
		}
		out[i].Code = e.Code
		out[i].Headers = http.Header{}
		for _, h := range e.Headers {
			out[i].Headers.Add(h.Name, h.Value)
		}
		out[i].Body = json.RawMessage(*e.Body)
		if e.Code != http.StatusOK {
			entryReq := request{endpoint: "batch_entry", method: reqs[i].Method, token: token}
			var env envelope
			if json.Unmarshal(out[i].Body, &env) == nil && env.Error != nil {
				out[i].Err = c.graphErr(entryReq, e.Code, ParseUsage(out[i].Headers), env.Error)
			} else {
				ge := &Error{Endpoint: "batch_entry", HTTPStatus: e.Code, Message: fmt.Sprintf("batch entry HTTP %d without a Graph error body", e.Code)}
				ge.classify()
				out[i].Err = ge
			}
		}
	}
	return out, nil
}

// FindInvalidMetrics returns the names among metrics that Meta rejects as
// invalid insights metrics on objectID. One bad name fails a whole insights
// call, so it asks for groups of metrics and halves the groups that fail:
// one retired name among seven costs about four calls instead of seven.
func (c *Client) FindInvalidMetrics(ctx context.Context, token, objectID string, metrics []string) ([]string, error) {
	return c.findInvalidMetrics(ctx, token, objectID, metrics, false)
}

// findInvalidMetrics is FindInvalidMetrics; failing means metrics as a
// whole is already known to fail (a listing that asked for them failed),
// which saves asking for them all once more.
func (c *Client) findInvalidMetrics(ctx context.Context, token, objectID string, metrics []string, failing bool) ([]string, error) {
	var bad []string
	// find names the invalid metrics of ms; failing: ms holds at least one.
	var find func(ms []string, failing bool) error
	find = func(ms []string, failing bool) error {
		if len(ms) == 0 {
			return nil
		}
		if !failing {
			ok, err := c.metricsValid(ctx, token, objectID, ms)
			if err != nil || ok {
				return err
			}
		}
		if len(ms) == 1 {
			bad = append(bad, ms[0])
			return nil
		}
		a, b := ms[:len(ms)/2], ms[len(ms)/2:]
		ok, err := c.metricsValid(ctx, token, objectID, a)
		if err != nil {
			return err
		}
		if ok {
			return find(b, true)
		}
		if err := find(a, true); err != nil {
			return err
		}
		return find(b, false)
	}
	if err := find(metrics, failing); err != nil {
		return nil, err
	}
	return bad, nil
}

// metricsValid asks objectID's insights for ms and reports whether Meta
// accepted every name. Errors other than a retired (invalid) metric that
// concern the request (e.g. a metric unsuited to the media type, a missing
// permission) do not make a name retired; others are returned.
func (c *Client) metricsValid(ctx context.Context, token, objectID string, ms []string) (bool, error) {
	var r InsightsResponse
	v := url.Values{"metric": {strings.Join(ms, ",")}}
	_, err := c.call(ctx, request{endpoint: "metric_probe", method: http.MethodGet, path: objectID + "/insights", params: v, token: token}, &r)
	switch ClassOf(err) {
	case ClassNone, ClassInvalid, ClassPermission, ClassUnknown:
		return true, nil
	case ClassRetiredMetric:
		return false, nil
	}
	return false, err
}

// knownRetired are metric names Meta has retired (see the deprecations table).
var knownRetired = map[string]bool{
	"post_impressions": true, "post_impressions_unique": true, "post_impressions_paid": true, "post_impressions_organic": true,
	"post_impressions_fan": true, "post_impressions_viral": true, "post_impressions_nonviral": true,
	"post_engaged_users": true, "impressions": true, "plays": true, "video_views": true, "clips_replays_count": true,
	"ig_reels_aggregated_all_plays_count": true, "engagement": true, "page_impressions": true, "page_fans": true,
}

// nameRetiredMetric fills Error.Metric of a ClassRetiredMetric error: from
// the known-retired list, or by probing each metric on one object.
func (c *Client) nameRetiredMetric(ctx context.Context, token string, err error, probeObject func() (string, error), metrics []string) {
	var me *Error
	if !errors.As(err, &me) || me.Class != ClassRetiredMetric || me.Metric != "" {
		return
	}
	if m := metricFromMessage(me.Message, metrics); m != "" {
		me.Metric = m // Instagram says which (by name, or by its index in the request)
		return
	}
	var named []string
	for _, m := range metrics {
		if knownRetired[m] {
			named = append(named, m)
		}
	}
	if len(named) == 0 && len(metrics) == 1 {
		named = metrics
	}
	if len(named) == 0 {
		if id, perr := probeObject(); perr == nil && id != "" {
			if bad, berr := c.findInvalidMetrics(ctx, token, id, metrics, true); berr == nil {
				named = bad
			}
		}
	}
	me.Metric = strings.Join(named, ",")
}

func allGET(reqs []BatchRequest) bool {
	for _, r := range reqs {
		if r.Method != "" && !strings.EqualFold(r.Method, http.MethodGet) {
			return false
		}
	}
	return true
}
