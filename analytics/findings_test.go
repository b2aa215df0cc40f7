package analytics_test

import (
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
)

// pts makes n posts of one kind: reach 1000 each and interactions cycling
// through inter (so each group has a spread the bootstrap sees).
func pts(n int, current bool, ctype, platform string, unit uint64, hour int, inter ...uint64) []analytics.Point {
	out := make([]analytics.Point, n)
	for i := range out {
		out[i] = analytics.Point{Current: current, ContentType: ctype, Platform: platform, Unit: unit, Hour: hour,
			Published: time.Date(2026, 11, 1+i%28, hour, 0, 0, 0, time.UTC), Interactions: inter[i%len(inter)], Denominator: 1000, Reach: 1000}
	}
	return out
}

func concat(groups ...[]analytics.Point) []analytics.Point {
	var out []analytics.Point
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

func byKind(fs []analytics.Finding, kind string) (analytics.Finding, bool) {
	for _, f := range fs {
		if f.Kind == kind {
			return f, true
		}
	}
	return analytics.Finding{}, false
}

func mustSay(t *testing.T, f analytics.Finding, id, en []string) {
	t.Helper()
	for _, s := range id {
		if !strings.Contains(f.ID, s) {
			t.Errorf("%s finding (id) %q lacks %q", f.Kind, f.ID, s)
		}
	}
	for _, s := range en {
		if !strings.Contains(f.EN, s) {
			t.Errorf("%s finding (en) %q lacks %q", f.Kind, f.EN, s)
		}
	}
}

// A clear winner: video at about 8% against photos at about 3%, twenty
// posts each; evening posts far above the rest; last month 3%.
func TestFindingsClearWinner(t *testing.T) {
	in := analytics.FindingInput{
		Points: concat(
			pts(20, true, "video", "instagram", 3, 19, 70, 80, 90),
			pts(20, true, "photo", "facebook", 3, 10, 25, 30, 35),
			pts(30, false, "photo", "facebook", 3, 10, 25, 30, 35),
		),
		Words: analytics.MonthWords, Seed: 1,
	}
	fs := analytics.Findings(in)
	if len(fs) < 3 || len(fs) > analytics.MaxFindings {
		t.Fatalf("%d findings, want 3 to 5: %+v", len(fs), fs)
	}
	ct, ok := byKind(fs, "content_type")
	if !ok || !ct.Meaningful || ct.Direction != 1 || ct.Posts != 40 {
		t.Fatalf("content type finding %+v", ct)
	}
	mustSay(t, ct, []string{"Video paling efektif bulan ini (ER 8,0%)", "di atas foto 3,0%", "40 unggahan"},
		[]string{"Videos worked best this month (ER 8.0%)", "ahead of photos 3.0%", "40 posts"})
	ov, _ := byKind(fs, "overall")
	if !ov.Meaningful || ov.Direction != 1 {
		t.Errorf("overall finding %+v", ov)
	}
	mustSay(t, ov, []string{"naik 2,5 poin menjadi 5,5% dibanding bulan lalu (3,0%)", "40 unggahan bulan ini, 30 bulan lalu"},
		[]string{"rose 2.5 points to 5.5%"})
	bt, _ := byKind(fs, "best_time")
	if !bt.Meaningful {
		t.Errorf("best time finding %+v", bt)
	}
	mustSay(t, bt, []string{"Unggahan pukul 18.00–21.00 WIB mendapat ER tertinggi", "(8,0% atas 20 unggahan)", "(3,0%, 20 unggahan)"},
		[]string{"Posts at 18:00–21:00 WIB had the highest ER"})
	pf, _ := byKind(fs, "platform")
	mustSay(t, pf, []string{"Instagram paling efektif"}, nil)
	// Same input, same sentences: the bootstrap is seeded.
	again := analytics.Findings(in)
	for i := range fs {
		if fs[i] != again[i] {
			t.Errorf("finding %d differs between runs:\n%+v\n%+v", i, fs[i], again[i])
		}
	}
}

// A tie within noise: video 4.1% and photo 3.9% with a wide spread per
// post, and no change from last month beyond the noise.
func TestFindingsTieWithinNoise(t *testing.T) {
	in := analytics.FindingInput{
		Points: concat(
			pts(15, true, "video", "facebook", 3, 9, 5, 80, 38),
			pts(15, true, "photo", "facebook", 3, 20, 10, 70, 37),
			pts(30, false, "photo", "facebook", 3, 10, 8, 75, 37),
		),
		Words: analytics.MonthWords, Seed: 7,
	}
	fs := analytics.Findings(in)
	ct, ok := byKind(fs, "content_type")
	if !ok || ct.Meaningful || ct.Direction != 0 {
		t.Fatalf("content type finding %+v", ct)
	}
	mustSay(t, ct, []string{"ER menurut jenis konten tidak berbeda bermakna bulan ini", "video 4,1%", "foto 3,9%", "30 unggahan"},
		[]string{"not meaningfully different this month"})
	ov, _ := byKind(fs, "overall")
	if ov.Meaningful {
		t.Errorf("overall %+v", ov)
	}
	mustSay(t, ov, []string{"tidak berbeda bermakna dibanding bulan lalu", "masih dalam rentang ketidakpastian"}, nil)
	if bt, _ := byKind(fs, "best_time"); bt.Meaningful || !strings.Contains(bt.ID, "tidak berbeda bermakna") {
		t.Errorf("best time %+v", bt)
	}
	for _, f := range fs {
		if strings.Contains(f.ID, "paling efektif") {
			t.Errorf("a tie stated as a winner: %q", f.ID)
		}
	}
}

// Too few posts: four posts say so and compare nothing.
func TestFindingsTooFewPosts(t *testing.T) {
	fs := analytics.Findings(analytics.FindingInput{
		Points: concat(pts(2, true, "video", "facebook", 3, 19, 90), pts(2, true, "photo", "facebook", 3, 9, 10),
			pts(10, false, "photo", "facebook", 3, 9, 30)),
		Words: analytics.MonthWords, Seed: 1,
	})
	few, ok := byKind(fs, "few_posts")
	if !ok || few.Posts != 4 {
		t.Fatalf("no few-posts finding: %+v", fs)
	}
	mustSay(t, few, []string{"Hanya 4 unggahan bulan ini: terlalu sedikit"}, []string{"Only 4 posts this month: too few"})
	for _, kind := range []string{"content_type", "best_time", "platform", "unit"} {
		if f, ok := byKind(fs, kind); ok {
			t.Errorf("four posts compared anyway: %+v", f)
		}
	}
	// A group below the minimum is left out of a comparison and counted.
	fs = analytics.Findings(analytics.FindingInput{
		Points: concat(pts(12, true, "video", "facebook", 3, 19, 80), pts(12, true, "photo", "facebook", 3, 9, 30, 31),
			pts(3, true, "text", "facebook", 3, 9, 500)),
		Words: analytics.MonthWords, Seed: 1,
	})
	ct, _ := byKind(fs, "content_type")
	mustSay(t, ct, []string{"Video paling efektif", "3 unggahan lain dari jenis konten yang terlalu sedikit (< 5) tidak dibandingkan"}, nil)
	if strings.Contains(ct.ID, "teks") {
		t.Errorf("three text posts compared: %q", ct.ID)
	}
	// No post with reach: nothing to conclude.
	zero := pts(3, true, "photo", "facebook", 3, 9, 1)
	for i := range zero {
		zero[i].Denominator = 0
	}
	fs = analytics.Findings(analytics.FindingInput{Points: zero, Words: analytics.MonthWords})
	if len(fs) != 1 || fs[0].Kind != "few_posts" || !strings.Contains(fs[0].ID, "Belum ada unggahan dengan data jangkauan") {
		t.Errorf("no rated posts: %+v", fs)
	}
}

// A partial period: the quarter's data start mid-quarter (a channel was
// connected then) and last quarter's data are incomplete.
func TestFindingsPartialPeriod(t *testing.T) {
	from := time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC)
	fs := analytics.Findings(analytics.FindingInput{
		Points: concat(pts(20, true, "video", "instagram", 3, 19, 70, 80, 90), pts(20, true, "photo", "facebook", 3, 10, 25, 30, 35),
			pts(6, false, "photo", "facebook", 3, 10, 30)),
		Words: analytics.QuarterWords, Seed: 3,
		Coverage: analytics.FindingCoverage{CurrentFrom: &from, CurrentNoteID: "KPU Kota Salatiga (Facebook)",
			CurrentNote: "KPU Kota Salatiga (Facebook)", PreviousPartial: true},
	})
	if fs[0].Kind != "partial" {
		t.Fatalf("first finding %+v, want the partial period", fs[0])
	}
	mustSay(t, fs[0], []string{"Data triwulan ini baru tersedia sejak 2 Sep 2026 (KPU Kota Salatiga (Facebook))", "sebagian periode"},
		[]string{"Data for this quarter start only on 2 Sep 2026"})
	ov, _ := byKind(fs, "overall")
	mustSay(t, ov, []string{"dibanding triwulan lalu", "(data triwulan lalu tidak lengkap)"}, []string{"(figures for last quarter are incomplete)"})
	if len(fs) > analytics.MaxFindings {
		t.Errorf("%d findings, at most %d", len(fs), analytics.MaxFindings)
	}
}

// The per-unit finding names the office whose ER changed, with its
// sub-units' posts counted in it.
func TestFindingsUnitChange(t *testing.T) {
	units := map[uint64]analytics.UnitNode{
		1: {ID: 1, Name: "KPU Provinsi Jawa Tengah", Ancestors: []uint64{1}},
		2: {ID: 2, Parent: 1, Name: "KPU Kota Salatiga", Ancestors: []uint64{2, 1}},
		3: {ID: 3, Parent: 1, Name: "KPU Kota Semarang", Ancestors: []uint64{3, 1}},
	}
	fs := analytics.Findings(analytics.FindingInput{
		Points: concat(
			pts(20, true, "photo", "facebook", 2, 9, 55, 60, 65), pts(20, false, "photo", "facebook", 2, 9, 25, 30, 35),
			pts(20, true, "photo", "facebook", 3, 9, 28, 30, 32), pts(20, false, "photo", "facebook", 3, 9, 28, 30, 32),
			pts(10, true, "photo", "facebook", 1, 9, 30), pts(10, false, "photo", "facebook", 1, 9, 30),
		),
		Units: units, Root: 1, Words: analytics.MonthWords, Seed: 5,
	})
	u, ok := byKind(fs, "unit")
	if !ok || !u.Meaningful || u.Direction != 1 {
		t.Fatalf("unit finding %+v in %+v", u, fs)
	}
	mustSay(t, u, []string{"KPU Kota Salatiga naik 3,0 poin dibanding bulan lalu (ER 6,0% dari 3,0%; 20 unggahan bulan ini, 20 bulan lalu)"}, nil)
}

func TestIntervals(t *testing.T) {
	a := pts(30, true, "photo", "facebook", 1, 9, 40, 50, 60)
	b := pts(30, true, "photo", "facebook", 1, 9, 40, 50, 60)
	iv := analytics.CompareRates(a, b, 1, "same", 0)
	if iv.Meaningful() || iv.Diff != 0 || !(iv.Lo < 0 && iv.Hi > 0) {
		t.Errorf("identical groups: %+v", iv)
	}
	c := pts(30, true, "photo", "facebook", 1, 9, 90, 100, 110)
	iv = analytics.CompareRates(c, a, 1, "apart", 0)
	if !iv.Meaningful() || iv.Sign() != 1 || iv.Lo <= 0 || iv.Diff < 0.0499 || iv.Diff > 0.0501 {
		t.Errorf("groups 5 points apart: %+v", iv)
	}
	if analytics.CountsDiffer(100, 110) || !analytics.CountsDiffer(100, 160) {
		t.Error("post counts: 100 vs 110 is noise, 100 vs 160 is not")
	}
}

// BenchmarkFindings: a quarter of a province (about 500 posts, and 500 the
// quarter before) through every finding's bootstrap.
func BenchmarkFindings(b *testing.B) {
	units := map[uint64]analytics.UnitNode{1: {ID: 1, Name: "KPU Provinsi", Ancestors: []uint64{1}}}
	var points []analytics.Point
	for u := uint64(2); u <= 6; u++ {
		units[u] = analytics.UnitNode{ID: u, Parent: 1, Name: "KPU Kota", Ancestors: []uint64{u, 1}}
		for _, ct := range []string{"photo", "video", "interactive", "text", "link"} {
			points = append(points, pts(20, true, ct, "facebook", u, 9+int(u), 30, 45, 60, 20)...)
			points = append(points, pts(20, false, ct, "instagram", u, 19, 35, 40, 55)...)
		}
	}
	in := analytics.FindingInput{Points: points, Units: units, Root: 1, Words: analytics.QuarterWords, Seed: 1}
	b.ResetTimer()
	for range b.N {
		if fs := analytics.Findings(in); len(fs) < 3 {
			b.Fatalf("%d findings", len(fs))
		}
	}
}
