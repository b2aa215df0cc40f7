package store_test

import (
	"bufio"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// owners is the table → owner list of doc.go, per database.
type owners map[string]map[string]string // db → table → package

// readOwners parses the "Table owners" lists of doc.go.
func readOwners(t *testing.T) owners {
	t.Helper()
	f, err := os.Open("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := owners{"sqlite": {}, "clickhouse": {}}
	db := ""
	line := regexp.MustCompile(`^//\t([a-z_]+)\s+([a-z/]+)$`)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		switch s := sc.Text(); {
		case strings.HasPrefix(s, "// SQLite"):
			db = "sqlite"
		case strings.HasPrefix(s, "// ClickHouse:"):
			db = "clickhouse"
		case db != "":
			if m := line.FindStringSubmatch(s); m != nil {
				out[db][m[1]] = m[2]
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out["sqlite"]) < 5 || len(out["clickhouse"]) < 5 {
		t.Fatalf("doc.go lists %d SQLite and %d ClickHouse tables: the lists did not parse", len(out["sqlite"]), len(out["clickhouse"]))
	}
	return out
}

// exceptions are reads of another package's tables that stay, each with
// its reason: package → tables.
var exceptions = map[string]map[string]string{
	"auth": {
		"posts":         "the admin audit query scopes each line by the unit of its post in the same statement (auditquery.go); to remove: record the unit on the audit line when it is written",
		"deliveries":    "the admin audit query scopes a delivery's line by its post's unit (auditquery.go), as above",
		"channels":      "the admin audit query scopes a channel's line by its unit (auditquery.go), as above",
		"comments":      "the admin audit query scopes an inbox comment's line by its unit (auditquery.go), as above",
		"ppid_requests": "the admin audit query scopes an information request's line by its unit (auditquery.go), as above",
	},
	"chdiff/seeded": {
		"post_facts":          "the differential test's workload counts the read model's rows on both engines after a refresh",
		"post_facts_gens":     "as above",
		"post_age_facts":      "as above",
		"post_age_facts_gens": "as above",
		"post_cells":          "as above",
		"post_cells_gens":     "as above",
	},
	"backup": {
		"media":             "a backup lists the media files its own copy of the state database names (a file in the backup, not the live database)",
		"schema_migrations": "a backup records the schema versions of its copy of the state database",
		"audit_log":         "a backup digests every audit row of its copy, byte for byte, so a restore can prove the log intact",
	},
	"retention": {
		"post_metrics":    "retention thins whole month partitions of the snapshot table (staging copy, checks, REPLACE PARTITION); to remove: move the thinning into collector",
		"account_metrics": "retention drops follower partitions older than retention.followers_months; to remove: a drop function in collector",
		"audit_log":       "retention archives audit rows to a checked file before removing them (retention.audit_log_months); to remove: an archive function in auth",
	},
	"analytics": {
		"post_metrics":    "read models are built in ClickHouse by INSERT ... SELECT over the raw snapshots",
		"posts":           "read models join the collector's post versions (content type, campaign) in ClickHouse",
		"account_metrics": "the followers report reads the daily follower counts in ClickHouse",
		"units":           "reports name and scope units by joining org's ClickHouse mirror",
		"channels":        "reports name channels by joining org's ClickHouse mirror",
	},
}

// generated are the top-level directories that hold build outputs, never
// source (.gitignore lists them).
var generated = map[string]bool{"artifacts": true, "bin": true}

// tableRef finds table names after the SQL keywords that name one.
var tableRef = regexp.MustCompile("\\b(?:FROM|JOIN|INTO|UPDATE|TABLE(?: IF NOT EXISTS| IF EXISTS)?|VIEW(?: IF NOT EXISTS)?)\\s+`?([a-z_][a-z_0-9]*)`?")

// TestTableOwners: every SQL string in the non-test Go files names only
// tables its package owns (doc.go's lists) or an exception listed above
// with its reason; every table the migrations create has an owner.
// A name used in both databases counts as the package's when it owns
// either (posts: the scheduler's in SQLite, the collector's in
// ClickHouse); the text of a statement does not say which database runs it.
func TestTableOwners(t *testing.T) {
	own := readOwners(t)
	known := map[string][]string{} // table → owners in either database
	for _, tables := range own {
		for table, pkg := range tables {
			if !contains(known[table], pkg) {
				known[table] = append(known[table], pkg)
			}
		}
	}

	// Every migrated table has an owner.
	for db, dir := range map[string]string{"sqlite": "sqlmigrations", "clickhouse": "chmigrations"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v (%d files)", dir, err, len(files))
		}
		create := regexp.MustCompile(`(?i)CREATE TABLE (?:IF NOT EXISTS )?([a-z_0-9]+)`)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range create.FindAllStringSubmatch(string(b), -1) {
				if _, ok := own[db][m[1]]; !ok && !strings.HasSuffix(m[1], "_new") {
					t.Errorf("%s creates %s table %s: add it with its owner to store/doc.go", f, db, m[1])
				}
			}
		}
	}

	root := ".."
	var checked int
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed while walking: not source, whatever it was
		}
		if err != nil {
			return err
		}
		if d.IsDir() {
			// var/ holds runtime data such as the test servers' files
			// (ClickHouse parts come and go while other packages' tests
			// run; a package's tests may make their own): sqllint skips it
			// the same way.
			if n := d.Name(); n == "testdata" || n == "node_modules" || n == "var" ||
				(strings.HasPrefix(n, ".") && path != root) || filepath.Dir(path) == root && generated[n] {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		pkg := filepath.ToSlash(filepath.Dir(rel))
		if strings.HasPrefix(pkg, "store") { // store runs the migrations and owns its own tables
			pkg = "store"
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			for _, m := range tableRef.FindAllStringSubmatch(s, -1) {
				table := m[1]
				pkgs, isTable := known[table]
				if !isTable {
					continue // json_each, system tables, subquery aliases
				}
				checked++
				if contains(pkgs, pkg) || pkg == "store" && table == "schema_migrations" {
					continue
				}
				if reason := exceptions[pkg][table]; reason != "" {
					continue
				}
				t.Errorf("%s: package %s names table %s, owned by %s: call the owner's exported functions instead",
					fset.Position(lit.Pos()), pkg, table, strings.Join(pkgs, " and "))
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d table references: the scan found too little SQL", checked)
	}
	var pkgs []string
	for p := range exceptions {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	t.Logf("checked %d table references; exceptions for %v", checked, pkgs)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
