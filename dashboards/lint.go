package dashboards

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// grafanaGlobals are variables Grafana defines itself.
var grafanaGlobals = map[string]bool{
	"__from": true, "__to": true, "__interval": true, "__interval_ms": true, "__rate_interval": true,
	"__rate_interval_ms": true, "__range": true, "__range_s": true, "__range_ms": true, "__dashboard": true,
	"__user": true, "__org": true, "__name": true, "__timeFilter": true, "timeFilter": true,
	"__data": true, "__field": true, "__series": true, "__value": true, "__url_time_range": true,
	"__all": true,
}

// Lint reports what Grafana rejects or silently breaks on: panels without
// an id or a title, duplicate panel ids, datasource uids that are not
// provisioned (or whose type differs), variables used but not defined,
// overlapping or out-of-grid panels, targets without a query or with
// duplicate refIds, and macros that fail on ClickHouse 18.16.
func Lint(d Dashboard, ds []ProvisionedDatasource) []error {
	var errs []error
	bad := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{d.Path}, a...)...))
	}
	if d.UID == "" || d.Title == "" {
		bad("dashboard needs a uid and a title (the file provider keys dashboards by uid)")
	}
	uids := map[string]string{}
	for _, s := range ds {
		uids[s.UID] = s.Type
	}
	checkRef := func(where string, r *Ref) {
		if r == nil || strings.HasPrefix(r.UID, "$") || r.UID == "-- Dashboard --" || r.UID == "grafana" {
			return
		}
		typ, ok := uids[r.UID]
		switch {
		case !ok:
			bad("%s uses datasource uid %q, which provisioning/datasources does not define (known: %s)", where, r.UID, keys(uids))
		case r.Type != "" && r.Type != typ:
			bad("%s names datasource %q as type %q, but it is provisioned as %q", where, r.UID, r.Type, typ)
		}
	}

	defined := map[string]bool{}
	for _, v := range d.Templating.List {
		if v.Name == "" {
			bad("a variable has no name")
		}
		if defined[v.Name] {
			bad("variable %q is defined twice", v.Name)
		}
		defined[v.Name] = true
		checkRef("variable "+v.Name, v.Datasource)
		if v.Type == "query" && v.SQL() == "" {
			bad("variable %q has no query", v.Name)
		}
	}

	ids := map[int]string{}
	type box struct {
		title string
		g     GridPos
	}
	var boxes []box
	var walk func(ps []Panel, inCollapsedRow bool)
	walk = func(ps []Panel, inCollapsed bool) {
		for _, p := range ps {
			where := fmt.Sprintf("panel %d %q", p.ID, p.Title)
			if p.ID <= 0 {
				bad("%s has no id", where)
			} else if prev, dup := ids[p.ID]; dup {
				bad("panel id %d is used by %q and %q", p.ID, prev, p.Title)
			} else {
				ids[p.ID] = p.Title
			}
			if strings.TrimSpace(p.Title) == "" {
				bad("panel %d has no title", p.ID)
			}
			g := p.GridPos
			if g.W <= 0 || g.H <= 0 || g.X < 0 || g.Y < 0 || g.X+g.W > 24 {
				bad("%s has gridPos %+v outside the 24-column grid", where, g)
			}
			if !inCollapsed {
				boxes = append(boxes, box{p.Title, g})
			}
			checkRef(where, p.Datasource)
			refs := map[string]bool{}
			for _, t := range p.Targets {
				if refs[t.RefID] {
					bad("%s has two targets with refId %q", where, t.RefID)
				}
				refs[t.RefID] = true
				tr := t.Datasource
				if tr == nil {
					tr = p.Datasource
				}
				checkRef(where+" target "+t.RefID, tr)
				q := t.RawSQL + t.Expr
				if strings.TrimSpace(q) == "" {
					bad("%s target %s has no query", where, t.RefID)
				}
				if tr != nil && tr.Type == TypeClickHouse && t.EditorType != "sql" {
					bad("%s target %s: editorType must be \"sql\" for a raw SQL query", where, t.RefID)
				}
				for _, m := range Macros18_16 {
					if regexp.MustCompile(`\$__` + m + `\b`).MatchString(q) {
						bad("%s target %s uses $__%s, whose expansion does not exist on ClickHouse 18.16", where, t.RefID, m)
					}
				}
			}
			if p.Type != "row" && len(p.Targets) == 0 {
				bad("%s has no query", where)
			}
			walk(p.Panels, p.Type == "row" && len(p.Panels) > 0)
		}
	}
	walk(d.Panels, false)
	for i := range boxes {
		for j := i + 1; j < len(boxes); j++ {
			a, b := boxes[i].g, boxes[j].g
			if a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H {
				bad("panels %q and %q overlap (%+v, %+v)", boxes[i].title, boxes[j].title, a, b)
			}
		}
	}

	for name, where := range UsedVariables(d) {
		if !defined[name] && !grafanaGlobals[name] && !strings.HasPrefix(name, "__") {
			bad("variable $%s is used by %s but not defined in templating", name, where)
		}
	}
	return errs
}

// UsedVariables maps each variable name a query, a variable query or a
// link mentions to the first place that mentions it.
func UsedVariables(d Dashboard) map[string]string {
	used := map[string]string{}
	note := func(text, where string) {
		for _, m := range varRe.FindAllStringSubmatch(text, -1) {
			name := m[1] + m[2] + m[4]
			if _, ok := used[name]; !ok {
				used[name] = where
			}
		}
	}
	for _, v := range d.Templating.List {
		note(v.SQL(), "variable "+v.Name)
	}
	for _, p := range d.AllPanels() {
		note(p.Title, fmt.Sprintf("panel %q title", p.Title))
		for _, t := range p.Targets {
			note(t.RawSQL+"\n"+t.Expr, fmt.Sprintf("panel %q target %s", p.Title, t.RefID))
		}
	}
	return used
}

func keys(m map[string]string) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
