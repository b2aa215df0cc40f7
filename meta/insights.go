package meta

import (
	"bytes"
	"encoding/json"
)

// Value is one insights or count figure with its provenance: the Graph
// metric (or field) name it came from. OK is false when Meta returned no
// data for it, which is different from a zero.
type Value struct {
	Metric string
	Value  int64
	OK     bool
}

// Breakdown is an insights figure whose value is an object, e.g.
// post_reactions_by_type_total → {"like":3,"love":1}.
type Breakdown struct {
	Metric string
	Values map[string]int64
	OK     bool
}

// PostInsights are a Facebook post's lifetime insights.
type PostInsights struct {
	Reach           Value // post_total_media_view_unique
	Views           Value // post_media_view
	Clicks          Value // post_clicks
	ReactionsByType Breakdown
	// Activity is post_activity_by_action_type (like, comment, share),
	// read only when the reaction and comment summaries are refused.
	Activity Breakdown
}

// IGInsights are an Instagram media's lifetime insights. Likes, Comments and
// Saved are not available for stories.
type IGInsights struct {
	Reach             Value
	Views             Value
	Likes             Value
	Comments          Value
	Shares            Value
	Saved             Value
	TotalInteractions Value
}

// InsightsResponse is the insights shape: {"data":[...],"paging":{...}}.
type InsightsResponse struct {
	Data []Insight `json:"data"`
}

// Insight is one metric of an insights answer.
type Insight struct {
	Name        string         `json:"name"`
	Period      string         `json:"period"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	ID          string         `json:"id"`
	Values      []InsightValue `json:"values"`
	TotalValue  *InsightValue  `json:"total_value"`
}

// InsightValue is one value of a metric: a number or an object.
type InsightValue struct {
	Value   json.RawMessage `json:"value"`
	EndTime string          `json:"end_time,omitempty"`
}

// latest returns the last value, or the total_value.
func (in Insight) latest() (json.RawMessage, bool) {
	if n := len(in.Values); n > 0 {
		return in.Values[n-1].Value, true
	}
	if in.TotalValue != nil {
		return in.TotalValue.Value, true
	}
	return nil, false
}

// Int returns the latest value as an integer.
func (in Insight) Int() (int64, bool) {
	raw, ok := in.latest()
	if !ok {
		return 0, false
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil {
		return 0, false
	}
	return int64(f), true
}

// Map returns the latest value as a breakdown object.
func (in Insight) Map() (map[string]int64, bool) {
	raw, ok := in.latest()
	if !ok || !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		return nil, false
	}
	var m map[string]float64
	if json.Unmarshal(raw, &m) != nil {
		return nil, false
	}
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = int64(v)
	}
	return out, true
}

// Find returns the metric with the given name.
func (r InsightsResponse) Find(name string) (Insight, bool) {
	for _, in := range r.Data {
		if in.Name == name {
			return in, true
		}
	}
	return Insight{}, false
}

func (r InsightsResponse) value(name string) Value {
	v := Value{Metric: name}
	if in, ok := r.Find(name); ok {
		v.Value, v.OK = in.Int()
	}
	return v
}

func (r InsightsResponse) breakdown(name string) Breakdown {
	b := Breakdown{Metric: name}
	if in, ok := r.Find(name); ok {
		b.Values, b.OK = in.Map()
	}
	return b
}

func (m MetricNames) postInsights(r InsightsResponse) PostInsights {
	return PostInsights{
		Reach:           r.value(m.FBReach),
		Views:           r.value(m.FBViews),
		Clicks:          r.value(m.FBClicks),
		ReactionsByType: r.breakdown(m.FBReactionsByType),
		Activity:        r.breakdown(m.FBActivity),
	}
}

func (m MetricNames) igInsights(r InsightsResponse) IGInsights {
	return IGInsights{
		Reach:             r.value(m.IGReach),
		Views:             r.value(m.IGViews),
		Likes:             r.value(m.IGLikes),
		Comments:          r.value(m.IGComments),
		Shares:            r.value(m.IGShares),
		Saved:             r.value(m.IGSaved),
		TotalInteractions: r.value(m.IGTotalInteractions),
	}
}
