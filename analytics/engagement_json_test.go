package analytics_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/humas-id/humas/analytics"
)

// TestEngagementRowAppendJSON: a row's AppendJSON is json.Marshal's bytes
// for random rows: any set of group keys, names json must escape (quotes,
// HTML, control characters, line separators, invalid UTF-8, Indonesian
// text), rates across every float format, null rates.
func TestEngagementRowAppendJSON(t *testing.T) {
	strs := []string{"", "photo", "facebook", "KPU Kota Salatiga", `Kanal "Jateng"`, "a<b>&c", "tab\there", "line\nbreak",
		"\x00\x1f", "Humas Papua \u2028 x", "sep\u2029", "ñandú ✓ 漢字", "bad \xff utf8", `back\slash`, "2025-03-03", "2025-03",
		"0", "\u007f del"}
	floats := []float64{0, math.Copysign(0, -1), 0.1, 1.0 / 3, 0.0123, 1, 2.5, 1e-6, 9.99e-7, 1e-7, 5e-324, 1e20, 1e21, 1.5e300,
		123456789.125, -0.5, -1e-9, math.MaxFloat64, math.SmallestNonzeroFloat64 * 4}
	r := rand.New(rand.NewPCG(7, 11))
	sp := func() *string {
		if r.IntN(3) == 0 {
			return nil
		}
		s := strs[r.IntN(len(strs))]
		return &s
	}
	np := func() *uint64 {
		if r.IntN(3) == 0 {
			return nil
		}
		v := []uint64{0, 1, 42, 1 << 40, math.MaxUint64}[r.IntN(5)]
		return &v
	}
	fp := func() *float64 {
		if r.IntN(4) == 0 {
			return nil
		}
		f := floats[r.IntN(len(floats))]
		return &f
	}
	for i := range 5000 {
		row := analytics.EngagementRow{ContentType: sp(), Platform: sp(), Unit: np(), UnitName: sp(), Channel: np(),
			ChannelName: sp(), Campaign: sp(), Week: sp(), Month: sp()}
		row.Posts, row.Reach, row.Views, row.Interactions = r.Uint64(), uint64(r.IntN(1000)), uint64(i), r.Uint64()>>r.IntN(64)
		row.Reactions, row.Likes, row.Comments, row.Shares = uint64(r.IntN(9)), 0, math.MaxUint64, uint64(i*7)
		row.Saves, row.Clicks, row.VideoViews, row.RatedPosts = 1, 2, 3, uint64(r.IntN(100))
		row.EngagementRate, row.AvgPostEngagementRate = fp(), fp()
		want, err := json.Marshal(&row)
		if err != nil {
			t.Fatal(err)
		}
		got, err := row.AppendJSON([]byte("prefix"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, append([]byte("prefix"), want...)) {
			t.Fatalf("row %d:\n got %s\nwant prefix%s", i, got, want)
		}
	}
	// The float formats were all met.
	for _, f := range floats {
		if _, err := json.Marshal(f); err != nil {
			t.Fatal(err)
		}
	}
	nan := math.NaN()
	bad := analytics.EngagementRow{}
	bad.AvgPostEngagementRate = &nan
	if _, err := bad.AppendJSON(nil); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("a NaN rate: err %v, want one naming NaN", err)
	}
}
