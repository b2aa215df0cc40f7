package meta

import (
	"encoding/json"
	"math"
	"net/http"
	"time"
)

// CallUsage is an X-App-Usage or X-Page-Usage figure, in whole percent.
type CallUsage struct {
	CallCount    int `json:"call_count"`
	TotalTime    int `json:"total_time"`
	TotalCPUTime int `json:"total_cputime"`
}

func (c CallUsage) max() int { return max(c.CallCount, c.TotalTime, c.TotalCPUTime) }

// BUCUsage is one entry of X-Business-Use-Case-Usage.
type BUCUsage struct {
	Type         string `json:"type"`
	CallCount    int    `json:"call_count"`
	TotalTime    int    `json:"total_time"`
	TotalCPUTime int    `json:"total_cputime"`
	// EstimatedTimeToRegainAccess is in minutes.
	EstimatedTimeToRegainAccess int `json:"estimated_time_to_regain_access"`
}

// Usage is the rate-limit state Meta reports in response headers.
type Usage struct {
	App  *CallUsage // X-App-Usage
	Page *CallUsage // X-Page-Usage
	// BusinessUseCase is X-Business-Use-Case-Usage, keyed by object id.
	BusinessUseCase map[string][]BUCUsage
}

// Empty reports whether no usage header was present.
func (u Usage) Empty() bool {
	return u.App == nil && u.Page == nil && len(u.BusinessUseCase) == 0
}

// MaxPercent is the highest usage percentage among all figures.
func (u Usage) MaxPercent() int {
	m := 0
	if u.App != nil {
		m = max(m, u.App.max())
	}
	if u.Page != nil {
		m = max(m, u.Page.max())
	}
	for _, list := range u.BusinessUseCase {
		for _, b := range list {
			m = max(m, b.CallCount, b.TotalTime, b.TotalCPUTime)
		}
	}
	return m
}

// RegainAfter is the largest estimated_time_to_regain_access (0 if none).
func (u Usage) RegainAfter() time.Duration {
	m := 0
	for _, list := range u.BusinessUseCase {
		for _, b := range list {
			m = max(m, b.EstimatedTimeToRegainAccess)
		}
	}
	return time.Duration(m) * time.Minute
}

// ParseUsage reads the usage headers. Malformed headers are ignored.
func ParseUsage(h http.Header) Usage {
	var u Usage
	if v := h.Get("X-App-Usage"); v != "" {
		if c, ok := parseCallUsage(v); ok {
			u.App = &c
		}
	}
	if v := h.Get("X-Page-Usage"); v != "" {
		if c, ok := parseCallUsage(v); ok {
			u.Page = &c
		}
	}
	if v := h.Get("X-Business-Use-Case-Usage"); v != "" {
		var raw map[string][]map[string]any
		if json.Unmarshal([]byte(v), &raw) == nil {
			u.BusinessUseCase = make(map[string][]BUCUsage, len(raw))
			for id, list := range raw {
				for _, m := range list {
					t, _ := m["type"].(string)
					u.BusinessUseCase[id] = append(u.BusinessUseCase[id], BUCUsage{
						Type:                        t,
						CallCount:                   num(m["call_count"]),
						TotalTime:                   num(m["total_time"]),
						TotalCPUTime:                num(m["total_cputime"]),
						EstimatedTimeToRegainAccess: num(m["estimated_time_to_regain_access"]),
					})
				}
			}
		}
	}
	return u
}

func parseCallUsage(v string) (CallUsage, bool) {
	var m map[string]any
	if json.Unmarshal([]byte(v), &m) != nil {
		return CallUsage{}, false
	}
	return CallUsage{CallCount: num(m["call_count"]), TotalTime: num(m["total_time"]), TotalCPUTime: num(m["total_cputime"])}, true
}

// num accepts integers, floats and numeric strings (Meta sends integers; be lenient).
func num(v any) int {
	switch x := v.(type) {
	case float64:
		return int(math.Ceil(x))
	case string:
		var f float64
		if json.Unmarshal([]byte(x), &f) == nil {
			return int(math.Ceil(f))
		}
	}
	return 0
}
