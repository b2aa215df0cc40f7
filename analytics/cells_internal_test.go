package analytics

import (
	"slices"
	"testing"
	"time"
)

// TestCellPlan: every level read is built, from the posts or from a
// level that keeps every dimension it keeps, and every level built is
// read.
func TestCellPlan(t *testing.T) {
	built := []uint8{7, 28}
	for from, children := range cellChildren {
		if !slices.Contains([]uint8{7, 28}, from) {
			t.Errorf("level %d is summed from level %d, which is not built from the posts", children, from)
		}
		for _, l := range children {
			if from&l != l {
				t.Errorf("level %d is summed from level %d, which does not keep all its dimensions", l, from)
			}
			built = append(built, l)
		}
	}
	for _, l := range cellLevels {
		if !slices.Contains(built, l) {
			t.Errorf("level %d is read but not built", l)
		}
	}
	for _, l := range built {
		if !slices.Contains(cellLevels, l) {
			t.Errorf("level %d is built but never read", l)
		}
	}
	for k, d := range groupDims {
		if _, ok := groupExprs[k]; !ok || d == 0 {
			t.Errorf("group key %s: dimension %d", k, d)
		}
	}
}

// TestPartDays: for every period of up to 70 days over two years, the
// fragments it covers whole and the part days it reads are every day of
// the period exactly once.
func TestPartDays(t *testing.T) {
	start := time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)
	for a := range 400 {
		from := start.AddDate(0, 0, a)
		for n := range 70 {
			to := from.AddDate(0, 0, n)
			seen := map[time.Time]int{}
			for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
				if ff, fl := fragment(d); !ff.Before(from) && !fl.After(to) {
					seen[d]++ // read through its fragment's cell
				}
			}
			for _, r := range partDays(from, to) {
				for d := r[0]; !d.After(r[1]); d = d.AddDate(0, 0, 1) {
					seen[d]++
				}
			}
			for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
				if seen[d] != 1 {
					t.Fatalf("%s..%s: day %s read %d times", from.Format(DateLayout), to.Format(DateLayout), d.Format(DateLayout), seen[d])
				}
			}
			if len(seen) != n+1 {
				t.Fatalf("%s..%s: %d days read, want %d", from.Format(DateLayout), to.Format(DateLayout), len(seen), n+1)
			}
		}
	}
	// Fragments: within one week and one month, and the first day of the
	// next one follows the last.
	for d := start; d.Before(start.AddDate(1, 0, 0)); d = d.AddDate(0, 0, 1) {
		ff, fl := fragment(d)
		if ff.After(d) || fl.Before(d) || ff.Month() != fl.Month() || fl.Sub(ff) > 6*24*time.Hour || ff.Weekday() != time.Monday && ff.Day() != 1 {
			t.Fatalf("fragment of %s: %s..%s", d.Format(DateLayout), ff.Format(DateLayout), fl.Format(DateLayout))
		}
	}
}
