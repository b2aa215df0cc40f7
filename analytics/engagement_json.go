package analytics

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
)

// AppendJSON appends r as json.Marshal writes it, without reflection: the
// API streams a report's rows through it, and a year by channel, campaign
// and week is 80,000 rows (about 75 ms through json.Marshal, a quarter of
// the server's CPU for such a report).
func (r *EngagementRow) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, '{')
	str := func(key string, v *string) {
		if v != nil {
			b = append(b, key...)
			b = appendJSONString(b, *v)
			b = append(b, ',')
		}
	}
	num := func(key string, v *uint64) {
		if v != nil {
			b = append(b, key...)
			b = strconv.AppendUint(b, *v, 10)
			b = append(b, ',')
		}
	}
	str(`"content_type":`, r.ContentType)
	str(`"platform":`, r.Platform)
	num(`"unit":`, r.Unit)
	str(`"unit_name":`, r.UnitName)
	num(`"channel":`, r.Channel)
	str(`"channel_name":`, r.ChannelName)
	str(`"campaign":`, r.Campaign)
	str(`"week":`, r.Week)
	str(`"month":`, r.Month)
	return r.Figures.appendJSONFields(b)
}

// appendJSONFields appends f's fields and the closing brace.
func (f *Figures) appendJSONFields(b []byte) ([]byte, error) {
	for _, c := range [...]struct {
		key string
		v   uint64
	}{
		{`"posts":`, f.Posts}, {`,"reach":`, f.Reach}, {`,"views":`, f.Views}, {`,"interactions":`, f.Interactions},
		{`,"reactions":`, f.Reactions}, {`,"likes":`, f.Likes}, {`,"comments":`, f.Comments}, {`,"shares":`, f.Shares},
		{`,"saves":`, f.Saves}, {`,"clicks":`, f.Clicks}, {`,"video_views":`, f.VideoViews}, {`,"rated_posts":`, f.RatedPosts},
	} {
		b = append(b, c.key...)
		b = strconv.AppendUint(b, c.v, 10)
	}
	var err error
	b = append(b, `,"engagement_rate":`...)
	if b, err = appendJSONRate(b, f.EngagementRate); err != nil {
		return b, err
	}
	b = append(b, `,"avg_post_engagement_rate":`...)
	if b, err = appendJSONRate(b, f.AvgPostEngagementRate); err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

// appendJSONRate appends a rate as encoding/json writes a *float64 (its
// floatEncoder: 'f' format, 'e' below 1e-6 and from 1e21 with the
// exponent's leading zero dropped; NaN and infinities are an error).
func appendJSONRate(b []byte, p *float64) ([]byte, error) {
	if p == nil {
		return append(b, "null"...), nil
	}
	f := *p
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, &json.UnsupportedValueError{Value: reflect.ValueOf(f), Str: strconv.FormatFloat(f, 'g', -1, 64)}
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// appendJSONString appends s quoted as json.Marshal writes it: as is when
// every byte is printable ASCII json leaves alone (no quote, backslash or
// HTML character), through json.Marshal otherwise.
func appendJSONString(b []byte, s string) []byte {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
