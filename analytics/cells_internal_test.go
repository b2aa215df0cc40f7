package analytics

import (
	"slices"
	"testing"
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
