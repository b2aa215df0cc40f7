package analytics

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// RollUpRow is one office of the roll-up: its figures include the posts
// of every unit below it (as the definition says: a unit includes its
// sub-units); Own counts its own posts only.
type RollUpRow struct {
	Unit     uint64 `json:"unit"`
	UnitName string `json:"unit_name"`
	Parent   uint64 `json:"parent"`
	// Depth is 0 for the top of the report's scope, 1 below it, …
	Depth int `json:"depth"`
	Figures
	Own      Figures `json:"own"`
	Previous Figures `json:"previous"`
	Change   Change  `json:"change"`
}

// RollUpReport is the office roll-up: one row per unit in scope, in tree
// order (each unit followed by the units below it, by name).
type RollUpReport struct {
	Method     string      `json:"method"`
	Age        string      `json:"age"`
	From       string      `json:"from"`
	To         string      `json:"to"`
	Timezone   string      `json:"timezone"`
	Definition Definition  `json:"definition"`
	Rows       []RollUpRow `json:"rows"`
	// Totals count each post once (the sum of the units' own figures).
	Totals   Figures `json:"totals"`
	Previous Figures `json:"previous"`
}

// UnitNode is a unit as the ClickHouse dimension table mirrors it.
type UnitNode struct {
	ID        uint64
	Parent    uint64
	Name      string
	Ancestors []uint64 // the unit itself and every unit above it
}

// The reports this file and points.go, coverage.go add to the answer
// cache, with what their answers depend on (see reportKinds).
func init() {
	reportKinds["rollup"] = reportKind{days: 30, methodAge: true, postFilters: true}
	reportKinds["points"] = reportKind{days: 30, methodAge: true, postFilters: true}
	reportKinds["coverage"] = reportKind{days: 30}
}

// qUnitTree reads the mirrored unit tree (the newest mirror of each unit).
const qUnitTree = `SELECT unit_id, argMax(parent_id, version), argMax(name, version), argMax(ancestors, version)
FROM units
GROUP BY unit_id`

// UnitTree reads the units mirrored into ClickHouse, by id.
func (s *Service) UnitTree(ctx context.Context) (map[uint64]UnitNode, error) {
	rows, err := s.ch.Query(ctx, qUnitTree)
	if err != nil {
		return nil, fmt.Errorf("read unit tree: %w", err)
	}
	defer rows.Close()
	out := map[uint64]UnitNode{}
	for rows.Next() {
		var u UnitNode
		if err := rows.Scan(&u.ID, &u.Parent, &u.Name, &u.Ancestors); err != nil {
			return nil, fmt.Errorf("scan unit tree: %w", err)
		}
		out[u.ID] = u
	}
	return out, rows.Err()
}

// RollUp gives every unit in scope (q.Unit and the units below it, or
// every unit) with its own posts and those of its sub-units, for the
// period and the one before it.
func (s *Service) RollUp(ctx context.Context, q Query) (*RollUpReport, error) {
	return remember(ctx, s, "rollup", q, func(ctx context.Context) (*RollUpReport, error) {
		return s.rollUp(ctx, q)
	})
}

func (s *Service) rollUp(ctx context.Context, q Query) (*RollUpReport, error) {
	p, err := s.resolve(ctx, q, 30)
	if err != nil {
		return nil, err
	}
	var b sqlBuf
	byUnit := q
	byUnit.GroupBy = []string{"unit"}
	if lvl, ok := s.cellLevel(byUnit, p); ok {
		b.add("SELECT cur, unit AS g_unit,\n    " + cellFigures(q.Method) + "\nFROM (\n")
		cellRows(&b, byUnit, p, lvl)
	} else {
		b.add("SELECT cur, unit AS g_unit,\n    " + figures(q.Method) + "\nFROM (\n")
		perPost(&b, q, p, true)
	}
	b.add("\n)\nGROUP BY cur, g_unit\nORDER BY cur DESC, g_unit")
	rows, err := s.ch.Query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("roll-up query: %w", err)
	}
	defer rows.Close()
	own := map[uint64]Figures{}
	prev := map[uint64]Figures{}
	for rows.Next() {
		var cur uint8
		var unit uint64
		var fr figureRow
		if err := rows.Scan(append([]any{&cur, &unit}, fr.dest()...)...); err != nil {
			return nil, fmt.Errorf("roll-up scan: %w", err)
		}
		if cur == 1 {
			own[unit] = fr.figures()
		} else {
			prev[unit] = fr.figures()
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("roll-up rows: %w", err)
	}
	tree, err := s.UnitTree(ctx)
	if err != nil {
		return nil, err
	}
	rep := &RollUpReport{Method: q.Method, Age: q.Age, From: p.fromDate.Format(DateLayout), To: p.toDate.Format(DateLayout),
		Timezone: p.tz, Definition: definition(q.Method, q.Age, p.tz)}
	rep.Rows = RollUpTree(tree, q.Unit, own, prev)
	for _, f := range own {
		rep.Totals.add(f)
	}
	for _, f := range prev {
		rep.Previous.add(f)
	}
	for i := range rep.Rows {
		r := &rep.Rows[i]
		r.finish(q.Method)
		r.Own.finish(q.Method)
		r.Previous.finish(q.Method)
		r.Change = change(r.Figures, r.Previous)
	}
	rep.Totals.finish(q.Method)
	rep.Previous.finish(q.Method)
	return rep, nil
}

// RollUpTree adds each unit's own figures (own, prev: by unit id, this
// period and the one before) to the unit and to every unit above it, and
// lists the units at or below root (0: every unit) in tree order. Rates are
// left for finish. Posts of a unit the tree does not know count for that
// unit alone.
func RollUpTree(tree map[uint64]UnitNode, root uint64, own, prev map[uint64]Figures) []RollUpRow {
	inScope := func(u UnitNode) bool { return root == 0 || slices.Contains(u.Ancestors, root) }
	byID := map[uint64]*RollUpRow{}
	children := map[uint64][]uint64{}
	for id, u := range tree {
		if !inScope(u) {
			continue
		}
		byID[id] = &RollUpRow{Unit: id, UnitName: u.Name, Parent: u.Parent}
	}
	for id := range byID {
		p := tree[id].Parent
		if _, ok := byID[p]; !ok || p == id {
			p = 0 // the top of the scope
		}
		children[p] = append(children[p], id)
	}
	addUp := func(m map[uint64]Figures, set func(r *RollUpRow, f Figures)) {
		for unit, f := range m {
			anc := tree[unit].Ancestors
			if len(anc) == 0 {
				anc = []uint64{unit}
			}
			for _, a := range anc {
				if r, ok := byID[a]; ok {
					set(r, f)
				}
			}
		}
	}
	addUp(own, func(r *RollUpRow, f Figures) { r.Figures.add(f) })
	addUp(prev, func(r *RollUpRow, f Figures) { r.Previous.add(f) })
	for unit, f := range own {
		if r, ok := byID[unit]; ok {
			r.Own.add(f)
		}
	}
	var out []RollUpRow
	var walk func(parent uint64, depth int)
	walk = func(parent uint64, depth int) {
		ids := children[parent]
		slices.SortFunc(ids, func(a, b uint64) int {
			if c := strings.Compare(byID[a].UnitName, byID[b].UnitName); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		for _, id := range ids {
			r := byID[id]
			r.Depth = depth
			out = append(out, *r)
			walk(id, depth+1)
		}
	}
	walk(0, 0)
	return out
}
