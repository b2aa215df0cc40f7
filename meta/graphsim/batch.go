package graphsim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

type batchEntry struct {
	Method      string `json:"method"`
	RelativeURL string `json:"relative_url"`
	Body        string `json:"body"`
	Name        string `json:"name"`
	AccessToken string `json:"access_token"`
}

// serveBatch answers POST / with batch=[...]: every entry is counted as a
// call; answers are {code, headers, body-as-string} or null. Lock held.
func (s *Sim) serveBatch(q *rq) *resp {
	var entries []batchEntry
	if err := json.Unmarshal([]byte(q.params.Get("batch")), &entries); err != nil {
		return s.errResp(errInvalidParam("The batch parameter must be a JSON array"), nil)
	}
	if len(entries) > 50 {
		return s.errResp(&gErr{status: 400, code: 100, typ: "GraphBatchException", msg: "Too many requests in batch message. Maximum batch size is 50"}, nil)
	}
	if len(entries) == 0 {
		return s.errResp(errInvalidParam("The batch parameter must not be empty"), nil)
	}
	if _, e := s.authenticate(q); e != nil {
		s.calls["batch"]++
		return s.errResp(e, nil)
	}
	includeHeaders := boolParam(q.params, "include_headers", true)
	out := make([]any, len(entries))
	for i, e := range entries {
		eq, err := s.entryRequest(q, e)
		if err != nil {
			out[i] = s.entryAnswer(s.errResp(err, nil), includeHeaders)
			continue
		}
		label := s.label(eq)
		if s.takeFault(label, FaultBatchNull) != nil || (s.opt.Faults.BatchNullRate > 0 && s.rng.Float64() < s.opt.Faults.BatchNullRate) {
			out[i] = nil
			continue
		}
		if f := s.takeFault(label, FaultTransient, FaultGraphError); f != nil {
			s.calls[label]++
			out[i] = s.entryAnswer(s.faultResp(f), includeHeaders)
			continue
		}
		out[i] = s.entryAnswer(s.handle(eq), includeHeaders)
	}
	return s.okResp(out, nil)
}

func (s *Sim) entryRequest(q *rq, e batchEntry) (*rq, *gErr) {
	m := strings.ToUpper(e.Method)
	if m == "" {
		m = http.MethodGet
	}
	u, err := url.Parse("/" + strings.TrimPrefix(e.RelativeURL, "/"))
	if err != nil {
		return nil, errInvalidParam("Invalid relative_url")
	}
	params := u.Query()
	if e.Body != "" && m != http.MethodGet {
		b, err := url.ParseQuery(e.Body)
		if err != nil {
			return nil, errInvalidParam("Invalid body")
		}
		for k, vs := range b {
			params[k] = vs
		}
	}
	eq := &rq{method: m, params: params, token: q.token, base: q.base, inBatch: true}
	if t := e.AccessToken; t != "" {
		eq.token = t
	} else if t := params.Get("access_token"); t != "" {
		eq.token = t
	}
	eq.version, eq.segs = parsePath(u.Path)
	if eq.version == "" {
		eq.version = q.version
	}
	if len(eq.segs) == 0 {
		return nil, errInvalidParam("Invalid relative_url")
	}
	return eq, nil
}

func (s *Sim) entryAnswer(r *resp, includeHeaders bool) map[string]any {
	a := map[string]any{"code": r.status, "body": string(r.body)}
	if includeHeaders {
		hs := []map[string]string{{"name": "Content-Type", "value": "text/javascript; charset=UTF-8"}}
		for k, vs := range r.header {
			for _, v := range vs {
				hs = append(hs, map[string]string{"name": k, "value": v})
			}
		}
		a["headers"] = hs
	}
	return a
}

// serveIDs answers GET /?ids=a,b&fields=...: one call per id. Lock held.
func (s *Sim) serveIDs(q *rq) *resp {
	ids := splitList(q.params.Get("ids"))
	if len(ids) == 0 || len(ids) > 50 {
		return s.errResp(errInvalidParam("The ids parameter must list 1 to 50 ids"), nil)
	}
	out := map[string]json.RawMessage{}
	for _, id := range ids {
		eq := &rq{method: http.MethodGet, params: url.Values{}, token: q.token, base: q.base, version: q.version, segs: []string{id}}
		for k, vs := range q.params {
			if k != "ids" {
				eq.params[k] = vs
			}
		}
		r := s.handle(eq)
		if r.status != http.StatusOK {
			return r
		}
		out[id] = r.body
	}
	return s.okResp(out, nil)
}
