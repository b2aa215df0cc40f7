package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"

	"github.com/humas-id/humas/backup"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/retention"
)

// wireBackup adds the scheduled backup and retention jobs, their metrics
// and their /readyz details.
func wireBackup(a *app) ([]named, error) {
	bj := &backupJob{cfg: a.cfg, st: a.st, log: a.log.With("component", "backup"), now: time.Now}
	if err := bj.register(a.reg); err != nil {
		return nil, err
	}
	a.srv.AddDetail("backup", bj.describe)
	parts := []named{{name: "backup", c: bj}}

	pol := retention.Policy{SnapshotsFullMonths: a.cfg.Retention.SnapshotsFullMonths, FollowersMonths: a.cfg.Retention.FollowersMonths,
		AuditLogMonths: a.cfg.Retention.AuditLogMonths, ArchiveDir: filepath.Join(a.cfg.BackupDir(), "audit-archive")}
	svc, err := retention.New(a.st.ch, a.st.sql, pol, a.reg, a.log.With("component", "retention"))
	if err != nil {
		return nil, err
	}
	rj := &retentionJob{spec: a.cfg.Retention.Schedule, svc: svc, log: a.log.With("component", "retention"), pol: pol,
		unsupported: clusterUnsupported(a.cfg, "retention")}
	a.srv.AddDetail("retention", rj.describe)
	return append(parts, named{name: "retention", c: rj}), nil
}

// backupJob runs scheduled backups into backup.dir and rotates them.
type backupJob struct {
	cfg  config.Config
	st   *stores
	log  *slog.Logger
	now  func() time.Time
	cron *cron.Cron

	runs     *prometheus.CounterVec
	duration prometheus.Gauge
	size     *prometheus.GaugeVec

	mu      sync.Mutex
	lastErr string
	errAt   time.Time
	latest  *backup.Entry // newest complete backup in the folder, cached
	readAt  time.Time
}

func (j *backupJob) register(reg prometheus.Registerer) error {
	j.runs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "humas_backup_runs_total",
		Help: "Scheduled backups by outcome (ok, error)."}, []string{"outcome"})
	j.duration = prometheus.NewGauge(prometheus.GaugeOpts{Name: "humas_backup_last_duration_seconds",
		Help: "How long the last successful scheduled backup took."})
	j.size = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "humas_backup_last_bytes",
		Help: "Size of the last successful scheduled backup: all of it (total) and what it wrote afresh (new)."}, []string{"kind"})
	good := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "humas_backup_last_good_timestamp_seconds",
		Help: "When the newest complete backup in backup.dir was started (Unix seconds; 0: none). Alert when it falls behind."},
		func() float64 {
			if e := j.newest(); e != nil {
				return float64(e.CreatedAt.Unix())
			}
			return 0
		})
	for _, c := range []prometheus.Collector{j.runs, j.duration, j.size, good} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("backup metrics: %w", err)
		}
	}
	return nil
}

// newest reads the folder's newest complete backup at most every 30 s (a
// backup made by `humas backup` by hand counts too).
func (j *backupJob) newest() *backup.Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	if time.Since(j.readAt) < 30*time.Second {
		return j.latest
	}
	e, err := backup.Latest(j.cfg.BackupDir())
	if err != nil {
		j.log.Warn("backup folder unreadable", "dir", j.cfg.BackupDir(), "err", err)
	}
	j.latest, j.readAt = e, time.Now()
	return e
}

// describe is the /readyz detail: the last good backup and its age.
func (j *backupJob) describe() any {
	d := map[string]any{"dir": j.cfg.BackupDir(), "schedule": j.cfg.Backup.Schedule}
	e := j.newest()
	if e == nil {
		d["last_good"] = nil
		d["stale"] = true
	} else {
		age := j.now().Sub(e.CreatedAt)
		d["last_good"] = map[string]any{"name": e.Name, "started_at": e.CreatedAt.Format(time.RFC3339),
			"age_seconds": int64(age.Seconds()), "humas_version": e.Manifest.Humas}
		d["stale"] = age > j.cfg.Backup.StaleAfter.D()
	}
	j.mu.Lock()
	if j.lastErr != "" {
		d["last_error"] = j.lastErr
		d["last_error_at"] = j.errAt.Format(time.RFC3339)
	}
	j.mu.Unlock()
	return d
}

func (j *backupJob) Start(ctx context.Context) error {
	if j.cfg.Backup.Schedule == config.Off {
		j.log.Info("scheduled backups are off (backup.schedule)")
		return nil
	}
	j.cron = cron.New(cron.WithParser(config.CronParser), cron.WithChain(cron.SkipIfStillRunning(cron.DiscardLogger)))
	if _, err := j.cron.AddFunc(j.cfg.Backup.Schedule, func() { _ = j.Run(context.WithoutCancel(ctx)) }); err != nil {
		return fmt.Errorf("backup.schedule %q: %w", j.cfg.Backup.Schedule, err)
	}
	j.cron.Start()
	return nil
}

func (j *backupJob) Stop(ctx context.Context) error {
	if j.cron == nil {
		return nil
	}
	select {
	case <-j.cron.Stop().Done():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run makes one backup into backup.dir (reusing the newest one's unchanged
// files) and deletes those the keep policy no longer keeps.
func (j *backupJob) Run(ctx context.Context) error {
	dir := backup.NewDir(j.cfg.BackupDir(), j.now(), "")
	err := func() error {
		o, err := backupOptions(j.cfg, j.st, dir, false, j.log)
		if err != nil {
			return err
		}
		res, err := backup.Run(ctx, o)
		if err != nil {
			return err
		}
		j.duration.Set(res.Took.Seconds())
		j.size.WithLabelValues("total").Set(float64(res.Bytes))
		j.size.WithLabelValues("new").Set(float64(res.NewBytes))
		j.log.Info("backup done", "dir", res.Dir, "bytes", res.Bytes, "new_bytes", res.NewBytes, "took", res.Took.Round(time.Millisecond))
		removed, err := backup.Prune(j.cfg.BackupDir(), j.cfg.Backup.KeepDaily, j.cfg.Backup.KeepMonthly, j.now())
		if len(removed) > 0 {
			j.log.Info("old backups deleted", "removed", removed)
		}
		return err
	}()
	j.mu.Lock()
	j.readAt = time.Time{} // read the folder again
	if err != nil {
		j.lastErr, j.errAt = err.Error(), j.now()
	} else {
		j.lastErr = ""
	}
	j.mu.Unlock()
	if err != nil {
		j.runs.WithLabelValues("error").Inc()
		j.log.Error("backup failed", "dir", dir, "err", err)
		return err
	}
	j.runs.WithLabelValues("ok").Inc()
	return nil
}

// retentionTimeout bounds one retention run (by hand or scheduled).
const retentionTimeout = 6 * time.Hour

// retentionJob applies the retention policy on its schedule.
type retentionJob struct {
	spec string
	svc  *retention.Service
	pol  retention.Policy
	log  *slog.Logger
	cron *cron.Cron

	// unsupported says why the job cannot run here (nil: it can).
	unsupported error

	mu      sync.Mutex
	lastAt  time.Time
	lastErr string
	last    retention.Report
}

func (j *retentionJob) Start(ctx context.Context) error {
	if j.spec == config.Off {
		j.log.Info("the retention job is off (retention.schedule)")
		return nil
	}
	if j.unsupported != nil {
		j.log.Warn("the retention job does not run", "reason", j.unsupported.Error())
		return nil
	}
	j.cron = cron.New(cron.WithParser(config.CronParser), cron.WithChain(cron.SkipIfStillRunning(cron.DiscardLogger)))
	if _, err := j.cron.AddFunc(j.spec, func() {
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), retentionTimeout)
		defer cancel()
		rep, err := j.svc.Run(c, time.Now())
		j.mu.Lock()
		j.lastAt, j.last = time.Now(), rep
		j.lastErr = ""
		if err != nil {
			j.lastErr = err.Error()
		}
		j.mu.Unlock()
		if err != nil {
			j.log.Error("retention failed", "err", err)
		}
	}); err != nil {
		return fmt.Errorf("retention.schedule %q: %w", j.spec, err)
	}
	j.cron.Start()
	return nil
}

func (j *retentionJob) Stop(ctx context.Context) error {
	if j.cron == nil {
		return nil
	}
	select {
	case <-j.cron.Stop().Done():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (j *retentionJob) describe() any {
	j.mu.Lock()
	defer j.mu.Unlock()
	d := map[string]any{"schedule": j.spec, "snapshots_full_months": j.pol.SnapshotsFullMonths,
		"followers_months": j.pol.FollowersMonths, "audit_log_months": j.pol.AuditLogMonths}
	if !j.lastAt.IsZero() {
		d["last_run"] = j.lastAt.Format(time.RFC3339)
		d["partitions"] = len(j.last.Snapshots) + len(j.last.Followers)
	}
	if j.lastErr != "" {
		d["last_error"] = j.lastErr
	}
	if j.unsupported != nil {
		d["not_running"] = j.unsupported.Error()
	}
	return d
}

// clusterUnsupported refuses what is made for one ClickHouse server when
// clickhouse.cluster is set: retention's staging table would copy the
// replicated table's ZooKeeper path, and a restore drops and rebuilds the
// database on one replica only.
func clusterUnsupported(cfg config.Config, what string) error {
	if cfg.ClickHouse.Cluster == "" {
		return nil
	}
	return fmt.Errorf("%s with a replicated ClickHouse (clickhouse.cluster %q) is not supported yet: it is made for one server", what,
		cfg.ClickHouse.Cluster)
}
