package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/retention"
)

func init() {
	register("retention", "apply the retention policy now (thin old snapshots; followers and audit log only when configured)", cmdRetention)
}

func cmdRetention(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("retention", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath, nil)
	if err != nil {
		return err
	}
	if err := clusterUnsupported(cfg, "retention"); err != nil {
		return err
	}
	log := newLogger(cfg.Log, stderr)
	st, err := openStores(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	pol := retention.Policy{SnapshotsFullMonths: cfg.Retention.SnapshotsFullMonths, FollowersMonths: cfg.Retention.FollowersMonths,
		AuditLogMonths: cfg.Retention.AuditLogMonths, ArchiveDir: filepath.Join(cfg.BackupDir(), "audit-archive")}
	svc, err := retention.New(st.ch, st.sql, pol, nil, log)
	if err != nil {
		return err
	}
	// As in serve's job: one bound for the whole run, which the driver
	// also takes instead of clickhouse.read_timeout for each statement.
	ctx, cancel := context.WithTimeout(ctx, retentionTimeout)
	defer cancel()
	start := time.Now()
	rep, err := svc.Run(ctx, time.Now())
	for _, r := range append(rep.Snapshots, rep.Followers...) {
		fmt.Fprintf(stdout, "%s partition %s: %s, %d rows → %d\n", r.Table, r.Partition, r.Action, r.RowsBefore, r.RowsAfter)
	}
	if rep.Audit.Rows > 0 {
		fmt.Fprintf(stdout, "audit_log: %d rows before %s archived to %s (sha256 %s), then removed\n", rep.Audit.Rows, rep.Audit.Through,
			rep.Audit.File, rep.Audit.SHA256)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "retention done in %s (snapshots whole for %d months; followers %s; audit log %s)\n",
		time.Since(start).Round(time.Millisecond), pol.SnapshotsFullMonths, months(pol.FollowersMonths), months(pol.AuditLogMonths))
	return nil
}

func months(n int) string {
	if n == 0 {
		return "kept forever"
	}
	return fmt.Sprintf("kept %d months", n)
}
