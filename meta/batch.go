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

// FindInvalidMetrics asks for each metric separately on objectID's insights
// (one batch; each entry counts as a call) and returns the names Meta rejects
// as invalid insights metrics. One bad name fails a whole insights call, so
// this is how to name it.
func (c *Client) FindInvalidMetrics(ctx context.Context, token, objectID string, metrics []string) ([]string, error) {
	reqs := make([]BatchRequest, len(metrics))
	for i, m := range metrics {
		reqs[i] = BatchRequest{Method: http.MethodGet, RelativeURL: objectID + "/insights?metric=" + url.QueryEscape(m)}
	}
	res, err := c.Batch(ctx, token, reqs)
	if err != nil {
		return nil, err
	}
	var bad []string
	for i, r := range res {
		if ClassOf(r.Err) == ClassRetiredMetric {
			bad = append(bad, metrics[i])
		}
	}
	return bad, nil
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
			if bad, berr := c.FindInvalidMetrics(ctx, token, id, metrics); berr == nil {
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
