package retention

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/store"
)

// Policy is how long data is kept (config.Retention).
type Policy struct {
	// SnapshotsFullMonths: months of snapshot history kept whole (0:
	// never thinned).
	SnapshotsFullMonths int
	// FollowersMonths: months of follower history kept (0: forever).
	FollowersMonths int
	// AuditLogMonths: months of audit log kept in the database (0:
	// forever); older rows go to an archive file in ArchiveDir first.
	AuditLogMonths int
	ArchiveDir     string
}

// Report is what one run did.
type Report struct {
	Snapshots []PartitionResult `json:"snapshots"`
	Followers []PartitionResult `json:"followers"`
	Audit     AuditResult       `json:"audit_log"`
}

// Service applies the policy.
type Service struct {
	ch  *store.ClickHouse
	db  *store.SQLite
	pol Policy
	log *slog.Logger
	m   *Metrics
}

// Metrics are the job's Prometheus series.
type Metrics struct {
	Runs        *prometheus.CounterVec
	Rows        *prometheus.CounterVec
	Partitions  *prometheus.CounterVec
	LastSuccess prometheus.Gauge
}

// Metrics returns the service's series (tests read them).
func (s *Service) Metrics() *Metrics { return s.m }

// New makes a Service; reg (optional) gets its metrics.
func New(ch *store.ClickHouse, db *store.SQLite, pol Policy, reg prometheus.Registerer, log *slog.Logger) (*Service, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if pol.AuditLogMonths > 0 && pol.ArchiveDir == "" {
		return nil, errors.New("retention: audit log archiving needs a folder for the archive")
	}
	m := &Metrics{
		Runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "humas_retention_runs_total",
			Help: "Retention job runs by outcome (ok, error)."}, []string{"outcome"}),
		Rows: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "humas_retention_rows_removed_total",
			Help: "Rows the retention job removed, by table (post_metrics thinned, account_metrics dropped, audit_log archived)."},
			[]string{"table"}),
		Partitions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "humas_retention_partitions_total",
			Help: "Partitions the retention job rewrote or dropped, by table and action."}, []string{"table", "action"}),
		LastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: "humas_retention_last_success_timestamp_seconds",
			Help: "When the retention job last finished without error (Unix seconds; 0: not yet)."}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.Runs, m.Rows, m.Partitions, m.LastSuccess} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("retention metrics: %w", err)
			}
		}
	}
	return &Service{ch: ch, db: db, pol: pol, log: log, m: m}, nil
}

// Run applies the policy as of now.
func (s *Service) Run(ctx context.Context, now time.Time) (Report, error) {
	rep, err := s.run(ctx, now)
	outcome := "ok"
	if err != nil {
		outcome = "error"
	} else {
		s.m.LastSuccess.Set(float64(now.Unix()))
	}
	s.m.Runs.WithLabelValues(outcome).Inc()
	for _, r := range append(rep.Snapshots, rep.Followers...) {
		s.m.Rows.WithLabelValues(r.Table).Add(float64(r.RowsBefore - r.RowsAfter))
		if r.Action != "unchanged" {
			s.m.Partitions.WithLabelValues(r.Table, r.Action).Inc()
		}
	}
	s.m.Rows.WithLabelValues("audit_log").Add(float64(rep.Audit.Rows))
	return rep, err
}

func (s *Service) run(ctx context.Context, now time.Time) (Report, error) {
	var rep Report
	var err error
	if s.pol.SnapshotsFullMonths > 0 {
		before := cutoff(now, s.pol.SnapshotsFullMonths)
		if rep.Snapshots, err = ThinSnapshots(ctx, s.ch, before, now); err != nil {
			return rep, err
		}
		for _, r := range rep.Snapshots {
			s.log.InfoContext(ctx, "retention: snapshot partition", "partition", r.Partition, "action", r.Action,
				"rows_before", r.RowsBefore, "rows_after", r.RowsAfter)
		}
	}
	if s.pol.FollowersMonths > 0 {
		if rep.Followers, err = DropFollowers(ctx, s.ch, cutoff(now, s.pol.FollowersMonths), now); err != nil {
			return rep, err
		}
		for _, r := range rep.Followers {
			s.log.InfoContext(ctx, "retention: follower partition dropped", "partition", r.Partition, "rows", r.RowsBefore)
		}
	}
	if s.pol.AuditLogMonths > 0 {
		first := time.Date(now.UTC().Year(), now.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
		if rep.Audit, err = ArchiveAuditLog(ctx, s.db, s.pol.ArchiveDir, first.AddDate(0, -s.pol.AuditLogMonths, 0), now); err != nil {
			return rep, err
		}
		if rep.Audit.Rows > 0 {
			s.log.InfoContext(ctx, "retention: audit rows archived and removed", "rows", rep.Audit.Rows, "file", rep.Audit.File)
		}
	}
	return rep, nil
}

func sortStrings(s []string) { sort.Strings(s) }
