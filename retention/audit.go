package retention

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/store"
)

// The audit log is the office's legal record and is kept forever unless an
// institution sets retention.audit_log_months. Then the rows older than
// that are first written to an archive file (JSON Lines, one row per line
// with every column, plus a .sha256 file), the file is read back and
// checked, and only then are the rows removed, in one transaction that
// lifts the append-only trigger for that delete alone and appends an audit
// row naming the archive and its checksum.

// AuditResult is what archiving the audit log did.
type AuditResult struct {
	Rows    int64  `json:"rows"`
	File    string `json:"file,omitempty"`
	SHA256  string `json:"sha256,omitempty"`
	MaxID   int64  `json:"max_id,omitempty"`
	Through string `json:"before,omitempty"`
}

const (
	qAuditOld     = `SELECT count(*), COALESCE(max(id), 0) FROM audit_log WHERE at < ?`
	qAuditColumns = `SELECT name FROM pragma_table_info('audit_log') ORDER BY cid`
	qNoDelete     = `SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_log_no_delete'`
)

// ArchiveAuditLog archives and removes the audit rows written before
// before, into dir.
func ArchiveAuditLog(ctx context.Context, db *store.SQLite, dir string, before, now time.Time) (AuditResult, error) {
	res := AuditResult{Through: store.FormatTime(before)}
	if err := db.DB.QueryRowContext(ctx, qAuditOld, res.Through).Scan(&res.Rows, &res.MaxID); err != nil {
		return res, fmt.Errorf("count old audit rows: %w", err)
	}
	if res.Rows == 0 {
		return res, nil
	}
	cols, err := columns(ctx, db.DB)
	if err != nil {
		return res, err
	}
	if err := store.PrivateDir(dir, nil); err != nil {
		return res, fmt.Errorf("audit archive folder %s: %w", dir, err)
	}
	name := fmt.Sprintf("audit-log-before-%s-%s.jsonl", before.UTC().Format("2006-01-02"), now.UTC().Format("20060102T150405Z"))
	res.File = filepath.Join(dir, name)
	written, sum, err := writeArchive(ctx, db.DB, cols, res.File, res.MaxID, res.Through)
	if err != nil {
		os.Remove(res.File)
		return res, err
	}
	if written != res.Rows {
		os.Remove(res.File)
		return res, fmt.Errorf("audit archive: wrote %d rows, %d were counted: nothing was removed", written, res.Rows)
	}
	res.SHA256 = sum
	if err := store.WritePrivateFile(res.File+".sha256", []byte(sum+"  "+name+"\n")); err != nil {
		return res, err
	}
	// Read it back before anything is removed.
	if n, s, err := readArchive(res.File); err != nil || n != res.Rows || s != sum {
		return res, fmt.Errorf("audit archive %s does not read back as written (%d rows, %v): nothing was removed", res.File, n, err)
	}
	return res, removeArchived(ctx, db, res, now)
}

func columns(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, qAuditColumns)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func quoted(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
	}
	return strings.Join(q, ", ")
}

// writeArchive writes the rows (id <= maxID, at < through) as JSON Lines
// with the columns in table order, synced, and returns the count and the
// file's SHA-256.
func writeArchive(ctx context.Context, db *sql.DB, cols []string, path string, maxID int64, through string) (int64, string, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+quoted(cols)+` FROM audit_log WHERE id <= ? AND at < ? ORDER BY id`, maxID, through)
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, store.PrivateFileMode)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	w := bufio.NewWriter(f)
	out := func(b []byte) { w.Write(b); h.Write(b) }
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, "", err
		}
		var line bytes.Buffer
		line.WriteByte('{')
		for i, c := range cols {
			if i > 0 {
				line.WriteByte(',')
			}
			k, _ := json.Marshal(c)
			v := vals[i]
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			jv, err := json.Marshal(v)
			if err != nil {
				return n, "", err
			}
			line.Write(k)
			line.WriteByte(':')
			line.Write(jv)
		}
		line.WriteString("}\n")
		out(line.Bytes())
		n++
	}
	if err := rows.Err(); err != nil {
		return n, "", err
	}
	if err := w.Flush(); err != nil {
		return n, "", err
	}
	if err := f.Sync(); err != nil {
		return n, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), f.Close()
}

// readArchive counts an archive's lines (each must be a JSON object) and
// hashes it.
func readArchive(path string) (int64, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, "", err
	}
	sum := sha256.Sum256(b)
	var n int64
	for _, line := range bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n")) {
		var obj map[string]any
		if err := json.Unmarshal(line, &obj); err != nil {
			return n, "", fmt.Errorf("line %d: %w", n+1, err)
		}
		n++
	}
	return n, hex.EncodeToString(sum[:]), nil
}

// removeArchived deletes exactly the archived rows with the append-only
// trigger lifted inside the transaction, puts the trigger back as it was,
// and appends the audit row that says so.
func removeArchived(ctx context.Context, db *store.SQLite, res AuditResult, now time.Time) error {
	tx, err := db.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var trigger string
	if err := tx.QueryRowContext(ctx, qNoDelete).Scan(&trigger); err != nil {
		return fmt.Errorf("read the audit log's append-only trigger: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DROP TRIGGER audit_log_no_delete`); err != nil {
		return err
	}
	r, err := tx.ExecContext(ctx, `DELETE FROM audit_log WHERE id <= ? AND at < ?`, res.MaxID, res.Through)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n != res.Rows {
		return fmt.Errorf("removing %d archived audit rows would remove %d: nothing was removed", res.Rows, n)
	}
	if _, err := tx.ExecContext(ctx, trigger); err != nil {
		return fmt.Errorf("restore the append-only trigger: %w", err)
	}
	if err := auth.AppendAudit(ctx, tx, now, auth.AuditRecord{Actor: auth.SystemActor, Entity: "audit_log", Action: "archive",
		Reason: "retention.audit_log_months", Detail: map[string]any{"rows": res.Rows, "before": res.Through, "last_id": res.MaxID,
			"file": filepath.Base(res.File), "sha256": res.SHA256}}); err != nil {
		return err
	}
	return tx.Commit()
}
