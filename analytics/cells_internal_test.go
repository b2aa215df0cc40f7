package analytics

import (
	"slices"
	"testing"
)

// TestCellPlan: every level is built, from a level built before it that
// keeps every dimension it keeps, and the levels are listed by size.
func TestCellPlan(t *testing.T) {
	built := []uint8{7, 28}
	for _, d := range cellParents {
		if !slices.Contains(built, d.from) {
			t.Errorf("level %d is summed from level %d, not built before it", d.lvl, d.from)
		}
		if d.from&d.lvl != d.lvl {
			t.Errorf("level %d is summed from level %d, which does not keep all its dimensions", d.lvl, d.from)
		}
		built = append(built, d.lvl)
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
