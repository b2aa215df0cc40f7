package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"slices"
	"strconv"
	"strings"
)

// TableCopy is one table of a state copy: rows and a checksum of their
// contents read back from each side.
type TableCopy struct {
	Table          string
	SourceRows     int64
	TargetRows     int64
	SourceChecksum string
	TargetChecksum string
}

// OK reports whether both sides hold the same rows.
func (c TableCopy) OK() bool {
	return c.SourceRows == c.TargetRows && c.SourceChecksum == c.TargetChecksum
}

// copyBatch is how many rows go in one INSERT.
const copyBatch = 200

// CopyState copies every table of the migrated state database src (a
// SQLite file) into dst (an empty, migrated PostgreSQL database) in one
// transaction, parents before children, then sets dst's identity
// counters past the copied ids. It returns a count and a checksum per
// table, read back from both sides after the copy (SHA-256 over every
// row in primary-key order, values in a form both engines give alike).
// The caller should stop humas on src first.
func CopyState(ctx context.Context, src, dst *State) ([]TableCopy, error) {
	if src.Postgres() || !dst.Postgres() {
		return nil, fmt.Errorf("copy state: from sqlite to postgres only")
	}
	tables, err := sqliteTables(ctx, src)
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		var n int64
		if err := dst.DB.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(t.name)).Scan(&n); err != nil {
			return nil, fmt.Errorf("copy state: target table %s: %w (is the target migrated?)", t.name, err)
		}
		if n > 0 {
			return nil, fmt.Errorf("copy state: target table %s holds %d rows; copy into an empty database", t.name, n)
		}
	}
	tx, err := dst.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	for _, t := range tables {
		if err := copyTable(ctx, src, tx, t); err != nil {
			return nil, err
		}
		if t.identity {
			if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence(?, 'id'), max(id)) FROM `+quoteIdent(t.name)+
				` HAVING max(id) IS NOT NULL`, t.name); err != nil {
				return nil, fmt.Errorf("copy state: %s id counter: %w", t.name, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("copy state: commit: %w", err)
	}
	out := make([]TableCopy, 0, len(tables))
	for _, t := range tables {
		c := TableCopy{Table: t.name}
		if c.SourceRows, c.SourceChecksum, err = tableChecksum(ctx, src.DB, t); err != nil {
			return out, err
		}
		if c.TargetRows, c.TargetChecksum, err = tableChecksum(ctx, dst.DB, t); err != nil {
			return out, err
		}
		out = append(out, c)
	}
	return out, nil
}

type stateTable struct {
	name     string
	cols     []string
	key      []string // primary key columns, in order (rowid tables: id)
	identity bool     // an INTEGER PRIMARY KEY id (an identity column in PostgreSQL)
	parents  []string
}

// sqliteTables lists src's tables (schema_migrations aside: the target
// has its own) with their columns and keys, parents before children.
func sqliteTables(ctx context.Context, src *State) ([]stateTable, error) {
	rows, err := src.DB.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
    AND name != 'schema_migrations' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	byName := map[string]*stateTable{}
	for _, n := range names {
		t := &stateTable{name: n}
		cols, err := src.DB.QueryContext(ctx, `SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid`, n)
		if err != nil {
			return nil, err
		}
		type pkCol struct {
			name string
			at   int
		}
		var pks []pkCol
		for cols.Next() {
			var c, typ string
			var pk int
			if err := cols.Scan(&c, &typ, &pk); err != nil {
				cols.Close()
				return nil, err
			}
			t.cols = append(t.cols, c)
			if pk > 0 {
				pks = append(pks, pkCol{c, pk})
				if c == "id" && strings.EqualFold(typ, "INTEGER") {
					t.identity = true
				}
			}
		}
		cols.Close()
		slices.SortFunc(pks, func(a, b pkCol) int { return a.at - b.at })
		for _, p := range pks {
			t.key = append(t.key, p.name)
		}
		if len(t.key) == 0 {
			t.key = t.cols
		}
		if len(pks) != 1 {
			t.identity = false
		}
		fks, err := src.DB.QueryContext(ctx, `SELECT DISTINCT "table" FROM pragma_foreign_key_list(?)`, n)
		if err != nil {
			return nil, err
		}
		for fks.Next() {
			var p string
			if err := fks.Scan(&p); err != nil {
				fks.Close()
				return nil, err
			}
			if p != n {
				t.parents = append(t.parents, p)
			}
		}
		fks.Close()
		byName[n] = t
	}
	// Parents first (depth-first); rows of a self-referencing table go in
	// key order (a unit's parent, a series' first post come first).
	var out []stateTable
	done := map[string]bool{}
	var visit func(n string, depth int) error
	visit = func(n string, depth int) error {
		if done[n] {
			return nil
		}
		if depth > len(names) {
			return fmt.Errorf("copy state: foreign keys form a cycle through %s", n)
		}
		t, ok := byName[n]
		if !ok {
			return fmt.Errorf("copy state: a foreign key names table %s, which does not exist", n)
		}
		for _, p := range t.parents {
			if err := visit(p, depth+1); err != nil {
				return err
			}
		}
		done[n] = true
		out = append(out, *t)
		return nil
	}
	for _, n := range names {
		if err := visit(n, 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func copyTable(ctx context.Context, src *State, tx *sql.Tx, t stateTable) error {
	cols := quoteIdents(t.cols)
	rows, err := src.DB.QueryContext(ctx, `SELECT `+cols+` FROM `+quoteIdent(t.name)+` ORDER BY `+quoteIdents(t.key))
	if err != nil {
		return fmt.Errorf("copy state: read %s: %w", t.name, err)
	}
	defer rows.Close()
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + ")"
	insert := `INSERT INTO ` + quoteIdent(t.name) + ` (` + cols + `) VALUES `
	var args []any
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		q := insert + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("copy state: write %s: %w", t.name, err)
		}
		args, n = args[:0], 0
		return nil
	}
	for rows.Next() {
		vals := make([]any, len(t.cols))
		ptrs := make([]any, len(t.cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("copy state: read %s: %w", t.name, err)
		}
		args = append(args, vals...)
		if n++; n == copyBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("copy state: read %s: %w", t.name, err)
	}
	return flush()
}

// tableChecksum counts t's rows in db and hashes them in key order.
func tableChecksum(ctx context.Context, db *sql.DB, t stateTable) (int64, string, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+quoteIdents(t.cols)+` FROM `+quoteIdent(t.name)+` ORDER BY `+quoteIdents(t.key))
	if err != nil {
		return 0, "", fmt.Errorf("checksum %s: %w", t.name, err)
	}
	defer rows.Close()
	h := sha256.New()
	var n int64
	vals := make([]any, len(t.cols))
	ptrs := make([]any, len(t.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, "", fmt.Errorf("checksum %s: %w", t.name, err)
		}
		for _, v := range vals {
			writeCanonical(h, v)
		}
		h.Write([]byte{'\n'})
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, "", fmt.Errorf("checksum %s: %w", t.name, err)
	}
	return n, hex.EncodeToString(h.Sum(nil))[:16], nil
}

// writeCanonical writes v as both engines' drivers give it alike: NULL,
// whole numbers in decimal (a real that is whole too), other reals in the
// shortest exact form, text as is, bytes in hex.
func writeCanonical(h hash.Hash, v any) {
	var s string
	switch x := v.(type) {
	case nil:
		s = "\\N"
	case int64:
		s = strconv.FormatInt(x, 10)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			s = strconv.FormatInt(int64(x), 10)
		} else {
			s = strconv.FormatFloat(x, 'g', -1, 64)
		}
	case string:
		s = "'" + x
	case []byte:
		s = "x" + hex.EncodeToString(x)
	case bool:
		s = "0"
		if x {
			s = "1"
		}
	default:
		s = fmt.Sprint(x)
	}
	h.Write([]byte(strconv.Itoa(len(s))))
	h.Write([]byte{':'})
	h.Write([]byte(s))
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteIdents(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = quoteIdent(c)
	}
	return strings.Join(q, ", ")
}
