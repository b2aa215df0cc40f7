package sqllint

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/humas-id/humas/dashboards"
	"github.com/humas-id/humas/store"
)

// Source is one SQL text and where it lives.
type Source struct {
	Where string
	SQL   string
	// parts are the literals a folded constant is made of; a rule that
	// already fired on one of them is not reported again for the whole.
	parts []string
}

// Lint checks every source and returns the findings in source order.
func Lint(sources []Source) []Finding {
	var out []Finding
	for _, s := range sources {
		partRules := map[string]bool{}
		for _, p := range s.parts {
			for _, f := range Check(p) {
				partRules[f.Rule] = true
			}
		}
		for _, f := range Check(s.SQL) {
			if partRules[f.Rule] {
				continue
			}
			f.Where = s.Where
			out = append(out, f)
		}
	}
	return out
}

// GoSources reads the non-test Go files under root (skipping testdata,
// hidden directories and var/): every string literal, and every string
// constant built by concatenating others (folded within its package), so a
// statement split over several constants is checked whole.
func GoSources(root string) ([]Source, error) {
	dirs := map[string][]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (name == "testdata" || name == "var" || name == "node_modules" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			dirs[filepath.Dir(p)] = append(dirs[filepath.Dir(p)], p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var keys []string
	for d := range dirs {
		keys = append(keys, d)
	}
	sort.Strings(keys)
	var out []Source
	for _, d := range keys {
		src, err := packageSources(root, dirs[d])
		if err != nil {
			return nil, err
		}
		out = append(out, src...)
	}
	return out, nil
}

func packageSources(root string, files []string) ([]Source, error) {
	fset := token.NewFileSet()
	consts := map[string]ast.Expr{}
	var parsed []*ast.File
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		parsed = append(parsed, file)
		ast.Inspect(file, func(n ast.Node) bool {
			if spec, ok := n.(*ast.ValueSpec); ok {
				for i, name := range spec.Names {
					if i < len(spec.Values) {
						consts[name.Name] = spec.Values[i]
					}
				}
			}
			return true
		})
	}
	where := func(pos token.Pos) string {
		p := fset.Position(pos)
		rel, err := filepath.Rel(root, p.Filename)
		if err != nil {
			rel = p.Filename
		}
		return fmt.Sprintf("%s:%d", filepath.ToSlash(rel), p.Line)
	}
	var out []Source
	for _, file := range parsed {
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if n.Kind == token.STRING {
					if s, err := strconv.Unquote(n.Value); err == nil {
						out = append(out, Source{Where: where(n.Pos()), SQL: s})
					}
				}
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if i >= len(n.Values) {
						continue
					}
					if _, lit := n.Values[i].(*ast.BasicLit); lit {
						continue // checked as a literal
					}
					var parts []string
					if s, ok := fold(n.Values[i], consts, &parts, 0); ok {
						out = append(out, Source{Where: where(name.Pos()) + " (" + name.Name + ")", SQL: s, parts: parts})
					}
				}
			}
			return true
		})
	}
	return out, nil
}

// fold evaluates a string constant expression of literals, constants of
// the same package and +.
func fold(e ast.Expr, consts map[string]ast.Expr, parts *[]string, depth int) (string, bool) {
	if depth > 50 {
		return "", false
	}
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		if err != nil {
			return "", false
		}
		*parts = append(*parts, s)
		return s, true
	case *ast.Ident:
		v, ok := consts[e.Name]
		if !ok {
			return "", false
		}
		return fold(v, consts, parts, depth+1)
	case *ast.ParenExpr:
		return fold(e.X, consts, parts, depth+1)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok := fold(e.X, consts, parts, depth+1)
		if !ok {
			return "", false
		}
		b, ok := fold(e.Y, consts, parts, depth+1)
		return a + b, ok
	}
	return "", false
}

// MigrationSources are the statements of the migrations a new database
// runs: a superseded migration is history (databases that ran it keep it,
// new ones skip it), so it is not held to today's rules.
func MigrationSources(migs []store.Migration) []Source {
	var out []Source
	for _, m := range migs {
		if m.SupersededBy != 0 {
			continue
		}
		for i, st := range m.Statements {
			out = append(out, Source{Where: fmt.Sprintf("store/chmigrations/%04d_%s.sql statement %d", m.Version, m.Name, i+1), SQL: st})
		}
	}
	return out
}

// DashboardSources are every ClickHouse panel query and query variable of
// the dashboards, as written (the rules read through Grafana macros).
func DashboardSources(dbs []dashboards.Dashboard) []Source {
	var out []Source
	for _, d := range dbs {
		for _, v := range d.Templating.List {
			if v.Type == "query" {
				if sql := v.SQL(); sql != "" {
					out = append(out, Source{Where: fmt.Sprintf("dashboards/json/%s variable %s", d.Path, v.Name), SQL: sql})
				}
			}
		}
		for _, p := range d.AllPanels() {
			for _, t := range p.Targets {
				if t.RawSQL != "" {
					out = append(out, Source{Where: fmt.Sprintf("dashboards/json/%s panel %d %q", d.Path, p.ID, p.Title), SQL: t.RawSQL})
				}
			}
		}
	}
	return out
}

// Repository gathers every SQL source of the module rooted at root.
func Repository(root string) ([]Source, error) {
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return nil, fmt.Errorf("%s is not the module root: %w", root, err)
	}
	out, err := GoSources(root)
	if err != nil {
		return nil, err
	}
	migs, err := store.ClickHouseMigrations()
	if err != nil {
		return nil, err
	}
	out = append(out, MigrationSources(migs)...)
	dbs, err := dashboards.Load()
	if err != nil {
		return nil, err
	}
	return append(out, DashboardSources(dbs)...), nil
}
