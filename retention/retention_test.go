package retention_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/humas-id/humas/retention"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func followerMonths(t *testing.T, ch *store.ClickHouse) string {
	t.Helper()
	var s string
	if err := ch.QueryRow(context.Background(),
		`SELECT arrayStringConcat(arraySort(groupUniqArray(toString(toYYYYMM(day)))), ',') FROM account_metrics`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestFollowersKeptForeverUnlessConfigured: with followers_months 0 the job
// drops nothing; with 12 it drops the months before the last twelve whole
// ones, and counts them in its metrics.
func TestFollowersKeptForeverUnlessConfigured(t *testing.T) {
	ch := storetest.ClickHouse(t)
	ctx := context.Background()
	b, err := ch.PrepareBatch(ctx, `INSERT INTO account_metrics (day, collected_at, platform, channel_id, account_id, unit_id, followers)`)
	if err != nil {
		t.Fatal(err)
	}
	for d := day("2024-01-15"); d.Before(day("2026-03-01")); d = d.AddDate(0, 1, 0) {
		if err := b.Append(d, d.Add(time.Hour), "facebook", uint64(1), "acct", uint64(1), uint64(1000)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	all := followerMonths(t, ch)
	now := day("2026-03-10")
	forever, err := retention.New(ch, nil, retention.Policy{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := forever.Run(ctx, now); err != nil || len(rep.Followers)+len(rep.Snapshots) != 0 {
		t.Fatalf("the default policy did %+v (%v)", rep, err)
	}
	if got := followerMonths(t, ch); got != all {
		t.Fatalf("months %s after the default policy, want %s", got, all)
	}
	reg := prometheus.NewRegistry()
	svc, err := retention.New(ch, nil, retention.Policy{FollowersMonths: 12}, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := svc.Run(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Followers) != 14 { // 2024-01 … 2025-02
		t.Errorf("dropped %d partitions: %+v", len(rep.Followers), rep.Followers)
	}
	if got := followerMonths(t, ch); !strings.HasPrefix(got, "202503,") || !strings.HasSuffix(got, ",202602") {
		t.Errorf("months kept: %s, want 202503 … 202602", got)
	}
	if n := testutil.ToFloat64(svc.Metrics().Rows.WithLabelValues("account_metrics")); n != 14 {
		t.Errorf("humas_retention_rows_removed_total{table=account_metrics} = %v, want 14", n)
	}
	if n := testutil.ToFloat64(svc.Metrics().Runs.WithLabelValues("ok")); n != 1 {
		t.Errorf("runs ok = %v", n)
	}
}

// TestAuditLogArchivedFirst: with audit_log_months set, old rows are
// written to a checked archive file, then removed; the trigger still
// refuses deletes and updates afterwards, and the removal is itself in the
// audit log. Without the setting nothing is touched.
func TestAuditLogArchivedFirst(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	for i := range 30 {
		at := day("2023-01-01").AddDate(0, i, 0)
		if _, err := db.DB.Exec(`INSERT INTO audit_log (at, actor_name, entity, entity_id, action, detail) VALUES (?, 'sari', 'post', ?, 'approve', ?)`,
			store.FormatTime(at), i, fmt.Sprintf(`{"i":%d}`, i)); err != nil {
			t.Fatal(err)
		}
	}
	count := func() (n int) {
		t.Helper()
		if err := db.DB.QueryRow(`SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	now := day("2025-07-15")
	archive := t.TempDir()
	keep, _ := retention.New(nil, db, retention.Policy{}, nil, nil)
	if _, err := keep.Run(ctx, now); err != nil || count() != 30 {
		t.Fatalf("the default policy: %d rows, %v", count(), err)
	}
	svc, err := retention.New(nil, db, retention.Policy{AuditLogMonths: 12, ArchiveDir: archive}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := svc.Run(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	// Kept: from 2024-07-01 on (2024-07 … 2025-06: 12 rows), plus the
	// archive record.
	if rep.Audit.Rows != 18 || count() != 13 {
		t.Fatalf("archived %d rows, %d left; want 18 archived, 12 + 1 left", rep.Audit.Rows, count())
	}
	f, err := os.Open(rep.Audit.File)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	lines := 0
	for sc.Scan() {
		var row map[string]any
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatal(err)
		}
		if row["actor_name"] != "sari" || row["detail"] != fmt.Sprintf(`{"i":%d}`, lines) {
			t.Errorf("archive line %d: %v", lines+1, row)
		}
		lines++
	}
	if lines != 18 {
		t.Errorf("archive holds %d lines", lines)
	}
	if sum, err := os.ReadFile(rep.Audit.File + ".sha256"); err != nil || !strings.HasPrefix(string(sum), rep.Audit.SHA256) {
		t.Errorf("checksum file: %q %v", sum, err)
	}
	var action, detail string
	if err := db.DB.QueryRow(`SELECT action, detail FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&action, &detail); err != nil ||
		action != "archive" || !strings.Contains(detail, filepath.Base(rep.Audit.File)) || !strings.Contains(detail, rep.Audit.SHA256) {
		t.Errorf("last audit row: %s %s %v", action, detail, err)
	}
	for _, q := range []string{`DELETE FROM audit_log`, `UPDATE audit_log SET reason = 'x'`} {
		if _, err := db.DB.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s after archiving: %v, want the append-only refusal", q, err)
		}
	}
	if rep, err := svc.Run(ctx, now); err != nil || rep.Audit.Rows != 0 {
		t.Errorf("a second run archived %d rows (%v)", rep.Audit.Rows, err)
	}
}
