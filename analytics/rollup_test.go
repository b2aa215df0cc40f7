package analytics_test

import (
	"context"
	"testing"

	"github.com/humas-id/humas/analytics"
)

// TestRollUp: a unit's row counts its own posts and those of every unit
// below it, so a province's row equals the sum over itself and its
// sub-units, and the top row equals the report's totals (each post once).
func TestRollUp(t *testing.T) { bothModes(t, testRollUp) }

func testRollUp(t *testing.T, svc *analytics.Service) {
	ctx := context.Background()
	rep, err := svc.RollUp(ctx, query(t, "from=2025-03-01&to=2025-03-31&unit=1"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[uint64]analytics.RollUpRow{}
	var order []uint64
	for _, r := range rep.Rows {
		rows[r.Unit] = r
		order = append(order, r.Unit)
	}
	// Tree order: KPU RI, then Jawa Tengah with Salatiga below it, then Papua.
	if want := []uint64{1, 2, 3, 4}; len(order) != 4 || order[0] != 1 || order[1] != 2 || order[2] != 3 || order[3] != 4 {
		t.Fatalf("rows in order %v, want %v", order, want)
	}
	if rows[1].Depth != 0 || rows[2].Depth != 1 || rows[3].Depth != 2 || rows[4].Depth != 1 {
		t.Errorf("depths %d %d %d %d", rows[1].Depth, rows[2].Depth, rows[3].Depth, rows[4].Depth)
	}
	// March (WIB): A and E in Jawa Tengah, B and C in Salatiga, D in Papua.
	for unit, w := range map[uint64][2]uint64{1: {5, 0}, 2: {4, 2}, 3: {2, 2}, 4: {1, 1}} {
		if rows[unit].Posts != w[0] || rows[unit].Own.Posts != w[1] {
			t.Errorf("unit %d: %d posts (%d own), want %d (%d own)", unit, rows[unit].Posts, rows[unit].Own.Posts, w[0], w[1])
		}
	}
	// The province's row is the sum over itself and its sub-units, for
	// every figure the report shows.
	sum := func(ids ...uint64) (posts, reach, inter uint64) {
		for _, id := range ids {
			posts += rows[id].Own.Posts
			reach += rows[id].Own.Reach
			inter += rows[id].Own.Interactions
		}
		return
	}
	for unit, subtree := range map[uint64][]uint64{1: {1, 2, 3, 4}, 2: {2, 3}, 3: {3}, 4: {4}} {
		p, r, i := sum(subtree...)
		if got := rows[unit]; got.Posts != p || got.Reach != r || got.Interactions != i {
			t.Errorf("unit %d row %d/%d/%d, want the sum over %v: %d/%d/%d", unit, got.Posts, got.Reach, got.Interactions, subtree, p, r, i)
		}
	}
	// Jawa Tengah: A (reach 200, 10 interactions), E (100, 2), C (50, 5);
	// B has no reach. ER = 17 / 350.
	checkFigures(t, "Jawa Tengah rolled up", rows[2].Figures, want{posts: 4, reach: 350, inter: 21, rated: 3, er: 17.0 / 350, avg: (0.05 + 0.02 + 0.1) / 3})
	if top := rows[1]; top.Posts != rep.Totals.Posts || top.Reach != rep.Totals.Reach || top.Interactions != rep.Totals.Interactions {
		t.Errorf("top row %d/%d/%d, totals %d/%d/%d", top.Posts, top.Reach, top.Interactions, rep.Totals.Posts, rep.Totals.Reach, rep.Totals.Interactions)
	}
	// Own figures match the report grouped by unit (each post under its
	// own unit).
	eng, err := svc.Engagement(ctx, query(t, "from=2025-03-01&to=2025-03-31&unit=1&group_by=unit"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range eng.Rows {
		if own := rows[*r.Unit].Own; own.Posts != r.Posts || own.Reach != r.Reach {
			t.Errorf("unit %d own %d/%d, grouped by unit %d/%d", *r.Unit, own.Posts, own.Reach, r.Posts, r.Reach)
		}
	}
	// February (the period before): G in Jawa Tengah.
	if rows[1].Previous.Posts != 1 || rows[2].Previous.Posts != 1 || rows[3].Previous.Posts != 0 {
		t.Errorf("previous period: %d %d %d", rows[1].Previous.Posts, rows[2].Previous.Posts, rows[3].Previous.Posts)
	}
	// Scoped to the province: its subtree only, the province on top.
	sub, err := svc.RollUp(ctx, query(t, "from=2025-03-01&to=2025-03-31&unit=2"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sub.Rows) != 2 || sub.Rows[0].Unit != 2 || sub.Rows[0].Depth != 0 || sub.Rows[0].Posts != 4 || sub.Totals.Posts != 4 {
		t.Errorf("province scope: %+v totals %d", sub.Rows, sub.Totals.Posts)
	}
}
