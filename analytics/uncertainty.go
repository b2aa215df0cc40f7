package analytics

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
)

// DefaultResamples is how many bootstrap resamples an interval uses.
const DefaultResamples = 2000

// Interval is a difference between two groups of posts (a − b) with its
// 95% bootstrap interval: posts are resampled with replacement within
// each group, the statistic recomputed, and the 2.5th and 97.5th
// percentiles of the differences taken.
type Interval struct {
	A, B   float64 // the statistic of each group
	Diff   float64 // A − B
	Lo, Hi float64 // 95% interval of Diff
	NA, NB int     // posts behind each side
}

// Meaningful is true when the interval excludes zero: the difference is
// larger than its uncertainty.
func (iv Interval) Meaningful() bool {
	return iv.NA > 0 && iv.NB > 0 && (iv.Lo > 0 || iv.Hi < 0)
}

// Sign is +1 or −1 for a meaningful difference, 0 otherwise.
func (iv Interval) Sign() int {
	switch {
	case !iv.Meaningful():
		return 0
	case iv.Diff > 0:
		return 1
	default:
		return -1
	}
}

// rng returns a generator seeded by seed and key, so each comparison is
// reproducible and independent of the order comparisons are made in.
func rng(seed uint64, key string) *rand.Rand {
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// rated keeps the posts with a non-zero denominator.
func rated(pts []Point) []Point {
	out := make([]Point, 0, len(pts))
	for _, p := range pts {
		if p.Denominator > 0 {
			out = append(out, p)
		}
	}
	return out
}

// rate is Σ interactions ÷ Σ denominator (NaN without a denominator).
func rate(pts []Point) float64 {
	var num, den float64
	for _, p := range pts {
		num += float64(p.Interactions)
		den += float64(p.Denominator)
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

// CompareRates compares the engagement rate (Σ interactions ÷ Σ
// denominator over rated posts) of a with that of b.
func CompareRates(a, b []Point, seed uint64, key string, resamples int) Interval {
	a, b = rated(a), rated(b)
	return compare(a, b, seed, key, resamples, func(p Point) (float64, float64) {
		return float64(p.Interactions), float64(p.Denominator)
	}, true)
}

// CompareTotals compares the sum of value over a with that over b (the
// number of posts fixed at each side's count).
func CompareTotals(a, b []Point, value func(Point) float64, seed uint64, key string, resamples int) Interval {
	return compare(a, b, seed, key, resamples, func(p Point) (float64, float64) { return value(p), 1 }, false)
}

// compare bootstraps the difference of a statistic of two samples: the
// ratio Σnum ÷ Σden when ratio is set, Σnum otherwise.
func compare(a, b []Point, seed uint64, key string, resamples int, f func(Point) (float64, float64), ratio bool) Interval {
	if resamples <= 0 {
		resamples = DefaultResamples
	}
	iv := Interval{NA: len(a), NB: len(b), A: math.NaN(), B: math.NaN(), Diff: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	if len(a) == 0 || len(b) == 0 {
		return iv
	}
	na, da := split(a, f)
	nb, db := split(b, f)
	stat := func(sn, sd float64) float64 {
		if !ratio {
			return sn
		}
		if sd == 0 {
			return math.NaN()
		}
		return sn / sd
	}
	sum := func(xs []float64) float64 {
		t := 0.0
		for _, x := range xs {
			t += x
		}
		return t
	}
	iv.A, iv.B = stat(sum(na), sum(da)), stat(sum(nb), sum(db))
	iv.Diff = iv.A - iv.B
	r := rng(seed, key)
	// One resample: n draws with replacement from a sample of n.
	resample := func(num, den []float64) float64 {
		var sn, sd float64
		n := uint64(len(num))
		for range num {
			i := r.Uint64N(n)
			sn += num[i]
			sd += den[i]
		}
		return stat(sn, sd)
	}
	diffs := make([]float64, 0, resamples)
	for range resamples {
		if d := resample(na, da) - resample(nb, db); !math.IsNaN(d) {
			diffs = append(diffs, d)
		}
	}
	if len(diffs) == 0 {
		return iv
	}
	slices.Sort(diffs)
	iv.Lo = diffs[int(math.Floor(0.025*float64(len(diffs)-1)))]
	iv.Hi = diffs[int(math.Ceil(0.975*float64(len(diffs)-1)))]
	return iv
}

func split(pts []Point, f func(Point) (float64, float64)) (num, den []float64) {
	num, den = make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		num[i], den[i] = f(p)
	}
	return num, den
}

// CountsDiffer is true when two post counts differ by more than their
// Poisson noise (|a − b| > 1.96 √(a + b)).
func CountsDiffer(a, b int) bool {
	if a+b == 0 {
		return false
	}
	return math.Abs(float64(a-b)) > 1.96*math.Sqrt(float64(a+b))
}
