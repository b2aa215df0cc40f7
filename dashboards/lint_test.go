package dashboards

import (
	"strings"
	"testing"
)

func loadAll(t *testing.T) ([]Dashboard, []ProvisionedDatasource) {
	t.Helper()
	ds, err := Datasources()
	if err != nil {
		t.Fatal(err)
	}
	dbs, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(dbs) < 2 {
		t.Fatalf("want the Engagement and Publishing dashboards, found %d", len(dbs))
	}
	return dbs, ds
}

func TestProvisionedDatasources(t *testing.T) {
	ds, err := Datasources()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"humas-clickhouse": TypeClickHouse, "humas-prometheus": TypePrometheus}
	for _, d := range ds {
		if typ, ok := want[d.UID]; ok && typ == d.Type {
			delete(want, d.UID)
		}
	}
	if len(want) > 0 {
		t.Fatalf("provisioning/datasources lacks %v", want)
	}
}

func TestDashboardsLint(t *testing.T) {
	dbs, ds := loadAll(t)
	seen := map[string]string{}
	for _, d := range dbs {
		if prev, dup := seen[d.UID]; dup {
			t.Errorf("%s and %s share uid %q", prev, d.Path, d.UID)
		}
		seen[d.UID] = d.Path
		if d.Folder() == "." {
			t.Errorf("%s sits at the top of json/: put it in a folder (foldersFromFilesStructure)", d.Path)
		}
		for _, err := range Lint(d, ds) {
			t.Error(err)
		}
	}
}

// TestLintCatches proves Lint reports each broken case.
func TestLintCatches(t *testing.T) {
	ds := []ProvisionedDatasource{{UID: "humas-clickhouse", Type: TypeClickHouse}}
	ch := &Ref{Type: TypeClickHouse, UID: "humas-clickhouse"}
	okTarget := []Target{{RefID: "A", Datasource: ch, EditorType: "sql", RawSQL: "SELECT 1"}}
	tests := []struct {
		name string
		d    Dashboard
		want string
	}{
		{"duplicate id", Dashboard{Panels: []Panel{
			{ID: 1, Title: "a", GridPos: GridPos{0, 0, 12, 4}, Targets: okTarget},
			{ID: 1, Title: "b", GridPos: GridPos{12, 0, 12, 4}, Targets: okTarget}}}, "panel id 1 is used by"},
		{"unknown uid", Dashboard{Panels: []Panel{{ID: 1, Title: "a", GridPos: GridPos{0, 0, 12, 4},
			Targets: []Target{{RefID: "A", Datasource: &Ref{UID: "nope"}, RawSQL: "SELECT 1"}}}}}, `datasource uid "nope"`},
		{"undefined variable", Dashboard{Panels: []Panel{{ID: 1, Title: "a", GridPos: GridPos{0, 0, 12, 4},
			Targets: []Target{{RefID: "A", Datasource: ch, EditorType: "sql", RawSQL: "SELECT 1 WHERE x IN (${ghost})"}}}}}, "$ghost is used"},
		{"overlap", Dashboard{Panels: []Panel{
			{ID: 1, Title: "a", GridPos: GridPos{0, 0, 12, 4}, Targets: okTarget},
			{ID: 2, Title: "b", GridPos: GridPos{6, 2, 12, 4}, Targets: okTarget}}}, "overlap"},
		{"no title", Dashboard{Panels: []Panel{{ID: 1, GridPos: GridPos{0, 0, 12, 4}, Targets: okTarget}}}, "has no title"},
		{"18.16 macro", Dashboard{Panels: []Panel{{ID: 1, Title: "a", GridPos: GridPos{0, 0, 12, 4},
			Targets: []Target{{RefID: "A", Datasource: ch, EditorType: "sql", RawSQL: "SELECT $__timeInterval(t)"}}}}}, "18.16"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.d.UID, tc.d.Title, tc.d.Path = "u", "t", "F/x.json"
			errs := Lint(tc.d, ds)
			var all []string
			for _, e := range errs {
				all = append(all, e.Error())
			}
			if !strings.Contains(strings.Join(all, "\n"), tc.want) {
				t.Fatalf("want an error containing %q, got %q", tc.want, all)
			}
		})
	}
}
