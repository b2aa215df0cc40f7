package config

import (
	"strings"
	"time"
)

// Backup is the scheduled backup (issue 21): where backups go, when, and
// how many are kept. `humas backup` by hand writes into the same folder
// unless given --to.
type Backup struct {
	// Dir holds one directory per backup; default "backups" beside the
	// state database. Copy it off the machine (README: Backups).
	Dir string `yaml:"dir"`
	// Schedule is a cron spec with seconds, or "off".
	Schedule string `yaml:"schedule"`
	// KeepDaily and KeepMonthly: the newest backup of each of the last
	// KeepDaily days and of each of the last KeepMonthly months is kept,
	// the others are deleted after each scheduled backup.
	KeepDaily   int `yaml:"keep_daily"`
	KeepMonthly int `yaml:"keep_monthly"`
	// Media includes the media library's files (local folder or S3).
	Media bool `yaml:"media"`
	// StaleAfter: /readyz details mark the last good backup stale when it
	// is older (readiness itself does not depend on it).
	StaleAfter Duration `yaml:"stale_after"`
	// BeforeUpgrade takes a backup before migrations are applied to an
	// installation that holds data (serve and humas migrate).
	BeforeUpgrade bool `yaml:"before_upgrade"`
}

// Retention is how long data is kept at full resolution (issue 21).
type Retention struct {
	// Schedule is a cron spec with seconds, or "off".
	Schedule string `yaml:"schedule"`
	// SnapshotsFullMonths: snapshot history is kept whole this many
	// months, then thinned to the snapshots reports need (each post's
	// latest, those nearest 24h, 7d and 28d, one per age bucket); 0 never
	// thins.
	SnapshotsFullMonths int `yaml:"snapshots_full_months"`
	// FollowersMonths: follower history older than this many months is
	// dropped; 0 keeps it forever.
	FollowersMonths int `yaml:"followers_months"`
	// AuditLogMonths: audit rows older than this many months are written
	// to an archive file in backup.dir and then removed; 0 keeps the
	// audit log forever.
	AuditLogMonths int `yaml:"audit_log_months"`
}

func defaultBackup() Backup {
	return Backup{Schedule: "0 0 2 * * *", KeepDaily: 7, KeepMonthly: 12, Media: true,
		StaleAfter: Duration(48 * time.Hour), BeforeUpgrade: true}
}

func defaultRetention() Retention {
	return Retention{Schedule: "0 30 4 * * *", SnapshotsFullMonths: 13}
}

// Off is the schedule value that turns a job off.
const Off = "off"

func (c Config) validateBackup(add func(FieldError)) {
	b := c.Backup
	if strings.TrimSpace(c.BackupDir()) == "" {
		add(fieldf("backup.dir", b.Dir, "a folder for backups, e.g. /var/backups/humas (default: backups beside state.path)"))
	}
	if b.Schedule != Off {
		if _, err := CronParser.Parse(b.Schedule); err != nil {
			add(fieldf("backup.schedule", b.Schedule, "a cron spec with seconds, e.g. \"0 0 2 * * *\" (02:00 daily), or off"))
		}
	}
	if b.KeepDaily < 1 || b.KeepDaily > 366 {
		add(fieldf("backup.keep_daily", b.KeepDaily, "a number of days from 1 to 366, e.g. 7"))
	}
	if b.KeepMonthly < 0 || b.KeepMonthly > 1200 {
		add(fieldf("backup.keep_monthly", b.KeepMonthly, "a number of months from 0 to 1200, e.g. 12"))
	}
	if b.StaleAfter.D() < time.Hour {
		add(fieldf("backup.stale_after", b.StaleAfter, "at least 1h, e.g. 48h (a daily backup missed twice)"))
	}
	r := c.Retention
	if r.Schedule != Off {
		if _, err := CronParser.Parse(r.Schedule); err != nil {
			add(fieldf("retention.schedule", r.Schedule, "a cron spec with seconds, e.g. \"0 30 4 * * *\" (04:30 daily), or off"))
		}
	}
	if n := r.SnapshotsFullMonths; n != 0 && (n < 4 || n > 1200) {
		add(fieldf("retention.snapshots_full_months", n, "0 (never thin) or 4 to 1200 months, e.g. 13: the collector still writes snapshots of posts up to 90 days old"))
	}
	if n := r.FollowersMonths; n != 0 && (n < 12 || n > 1200) {
		add(fieldf("retention.followers_months", n, "0 (keep forever) or 12 to 1200 months"))
	}
	if n := r.AuditLogMonths; n != 0 && (n < 12 || n > 1200) {
		add(fieldf("retention.audit_log_months", n, "0 (keep forever) or 12 to 1200 months: the audit log is the office's legal record"))
	}
}

// BackupDir is backup.dir, or "backups" beside the state database.
func (c Config) BackupDir() string {
	if c.Backup.Dir != "" {
		return c.Backup.Dir
	}
	dir := c.State.Path
	if i := strings.LastIndexAny(dir, `/\`); i >= 0 {
		dir = dir[:i]
	} else {
		dir = "."
	}
	return dir + "/backups"
}
