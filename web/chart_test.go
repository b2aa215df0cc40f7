package web

import (
	"math"
	"strings"
	"testing"
)

func TestNiceMax(t *testing.T) {
	tests := []struct{ in, want float64 }{
		{0, 0.01}, {-1, 0.01}, {math.NaN(), 0.01},
		{0.0123, 0.02}, {0.02, 0.02}, {0.021, 0.025}, {0.03, 0.05}, {0.07, 0.1}, {0.1, 0.1}, {1.3, 2},
	}
	for _, tt := range tests {
		if got := niceMax(tt.in); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("niceMax(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestBarChartSVG(t *testing.T) {
	c := BarChart{ID: "c1", Title: "ER menurut jenis konten", Desc: "Foto: 2,35%",
		Categories: []string{"Foto", "<script>x</script>", "Video"},
		Series: []BarSeries{
			{Name: "Periode ini", Class: "cur", Values: []float64{0.0235, 0.01, math.NaN()}},
			{Name: "Periode sebelumnya", Class: "prev", Values: []float64{0.019, math.NaN(), 0.03}},
		}}
	svg := string(c.SVG(LangID))
	for _, want := range []string{
		`role="img"`, `aria-labelledby="c1-t c1-d"`, `<title id="c1-t">ER menurut jenis konten</title>`,
		`<desc id="c1-d">Foto: 2,35%</desc>`, `&lt;script&gt;x&lt;/script&gt;`, `>2,35%<`, `>1,90%<`,
		`<title>Foto, Periode ini: 2,35%</title>`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("svg lacks %q:\n%s", want, svg)
		}
	}
	if !strings.Contains(svg, `>1,25%</text>`) || !strings.Contains(svg, `>5,0%</text>`) {
		t.Errorf("axis ticks of a 5%% axis should read 1,25%% … 5,0%%:\n%s", svg)
	}
	if strings.Contains(svg, "<script>") {
		t.Error("category text not escaped")
	}
	// 4 values drawn (2 NaN skipped) + 2 legend swatches.
	if n := strings.Count(svg, `<rect class="bar `); n != 6 {
		t.Errorf("bars = %d, want 6", n)
	}
	// The tallest bar (3%) reaches the top of a 5% axis at 60%: height = 196*0.6.
	if !strings.Contains(svg, `height="117.6"`) {
		t.Errorf("3%% bar not scaled to the 5%% axis:\n%s", svg)
	}
}

func TestTimeGridSVG(t *testing.T) {
	var g TimeGrid
	g.ID, g.Title, g.Desc, g.MinPosts = "g", "Waktu terbaik", "desc", 3
	for r := range g.Cells {
		for h := range g.Cells[r] {
			g.Cells[r][h].Value = math.NaN()
		}
	}
	g.Cells[0][9] = GridCell{Value: 0.04, Posts: 5}  // Monday 09
	g.Cells[6][20] = GridCell{Value: 0.02, Posts: 1} // Sunday 20: too few
	svg := string(g.SVG(LangID, "sedikit"))
	for _, want := range []string{
		`<title id="g-t">Waktu terbaik</title>`, `<title>Sen 09.00: 4,00% (5)</title>`,
		`<title>Min 20.00: sedikit (1)</title>`, `class="cell few"`, `fill-opacity="1.00"`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("grid lacks %q", want)
		}
	}
	if n := strings.Count(svg, `<rect class="cell`); n != 7*24 {
		t.Errorf("cells = %d, want 168", n)
	}
	if n := strings.Count(svg, `class="count`); n != 2 {
		t.Errorf("post counts shown = %d, want 2", n)
	}
	// The darkest cell's count is white, to be read on it.
	if !strings.Contains(svg, `<text class="count light" x="271" y="41" text-anchor="middle">5</text>`) {
		t.Errorf("the count on the darkest cell is not light")
	}
}
