package dashboards

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Files holds the provisioning and the dashboards exactly as docker compose
// mounts them into Grafana.
//
//go:embed provisioning json
var Files embed.FS

// Datasource plugin types the dashboards use.
const (
	TypeClickHouse = "grafana-clickhouse-datasource"
	TypePrometheus = "prometheus"
)

// Ref names a datasource by type and uid, as panels and targets do.
type Ref struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// UnmarshalJSON accepts the object form and the legacy name string.
func (r *Ref) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		r.UID = s
		return nil
	}
	type plain Ref
	return json.Unmarshal(b, (*plain)(r))
}

// GridPos is a panel's place on the 24-column grid.
type GridPos struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

// Target is one query of a panel: RawSQL for ClickHouse, Expr for
// Prometheus.
type Target struct {
	RefID      string `json:"refId"`
	Datasource *Ref   `json:"datasource"`
	EditorType string `json:"editorType"`
	QueryType  string `json:"queryType"`
	Format     any    `json:"format"`
	RawSQL     string `json:"rawSql"`
	Expr       string `json:"expr"`
	Legend     string `json:"legendFormat"`
}

// Panel is a dashboard panel; rows carry their collapsed panels.
type Panel struct {
	ID         int            `json:"id"`
	Type       string         `json:"type"`
	Title      string         `json:"title"`
	GridPos    GridPos        `json:"gridPos"`
	Datasource *Ref           `json:"datasource"`
	Targets    []Target       `json:"targets"`
	Panels     []Panel        `json:"panels"`
	FieldCfg   map[string]any `json:"fieldConfig"`
	Options    map[string]any `json:"options"`
}

// Option is one value of a variable.
type Option struct {
	Text     any  `json:"text"`
	Value    any  `json:"value"`
	Selected bool `json:"selected"`
}

// Variable is a dashboard template variable.
type Variable struct {
	Name       string   `json:"name"`
	Label      string   `json:"label"`
	Type       string   `json:"type"`
	Datasource *Ref     `json:"datasource"`
	Query      any      `json:"query"`
	Multi      bool     `json:"multi"`
	IncludeAll bool     `json:"includeAll"`
	AllValue   *string  `json:"allValue"`
	Current    Option   `json:"current"`
	Options    []Option `json:"options"`
}

// SQL is the variable's query text (string form or {rawSql} object).
func (v Variable) SQL() string {
	switch q := v.Query.(type) {
	case string:
		return q
	case map[string]any:
		if s, ok := q["rawSql"].(string); ok {
			return s
		}
		if s, ok := q["query"].(string); ok {
			return s
		}
	}
	return ""
}

// Dashboard is one dashboard file.
type Dashboard struct {
	Path       string  `json:"-"` // under json/, e.g. "Humas/engagement.json"
	UID        string  `json:"uid"`
	Title      string  `json:"title"`
	Panels     []Panel `json:"panels"`
	Templating struct {
		List []Variable `json:"list"`
	} `json:"templating"`
}

// Folder is the Grafana folder the file provider puts the dashboard in
// (foldersFromFilesStructure).
func (d Dashboard) Folder() string { return path.Dir(d.Path) }

// AllPanels lists every panel, rows' nested panels included, rows excluded.
func (d Dashboard) AllPanels() []Panel {
	var out []Panel
	var walk func([]Panel)
	walk = func(ps []Panel) {
		for _, p := range ps {
			if p.Type != "row" {
				out = append(out, p)
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return out
}

// Variable finds a variable by name.
func (d Dashboard) Variable(name string) (Variable, bool) {
	for _, v := range d.Templating.List {
		if v.Name == name {
			return v, true
		}
	}
	return Variable{}, false
}

// Load parses every dashboard under json/, sorted by path.
func Load() ([]Dashboard, error) {
	var out []Dashboard
	err := fs.WalkDir(Files, "json", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		b, err := Files.ReadFile(p)
		if err != nil {
			return err
		}
		var d Dashboard
		if err := json.Unmarshal(b, &d); err != nil {
			return fmt.Errorf("dashboard %s: %w (fix the JSON syntax)", p, err)
		}
		d.Path = strings.TrimPrefix(p, "json/")
		out = append(out, d)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, err
}

// ProvisionedDatasource is one entry of provisioning/datasources.
type ProvisionedDatasource struct {
	Name     string         `yaml:"name"`
	UID      string         `yaml:"uid"`
	Type     string         `yaml:"type"`
	URL      string         `yaml:"url"`
	JSONData map[string]any `yaml:"jsonData"`
}

// Datasources parses every file under provisioning/datasources.
func Datasources() ([]ProvisionedDatasource, error) {
	var out []ProvisionedDatasource
	entries, err := fs.ReadDir(Files, "provisioning/datasources")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		b, err := Files.ReadFile("provisioning/datasources/" + e.Name())
		if err != nil {
			return nil, err
		}
		var f struct {
			Datasources []ProvisionedDatasource `yaml:"datasources"`
		}
		if err := yaml.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("provisioning/datasources/%s: %w", e.Name(), err)
		}
		out = append(out, f.Datasources...)
	}
	return out, nil
}
