package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/backup"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store"
)

func init() {
	register("backup", "back up the state database, ClickHouse data and media while humas runs (--to DIR)", cmdBackup)
	register("backup verify", "check a backup without restoring it: every file's size and SHA-256, row counts", cmdBackupVerify)
	register("backup list", "list the backups in backup.dir with their age and size", cmdBackupList)
	register("restore", "restore a backup into an empty installation (--from DIR; --force replaces a non-empty one)", cmdRestore)
}

// secretKey is the configured key that seals stored tokens (in sandbox
// mode the generated one kept beside the state database), or nil.
func secretKey(cfg config.Config) ([]byte, error) {
	s := cfg.SecretKey.Reveal()
	if s == "" && cfg.Sandbox {
		if b, err := os.ReadFile(filepath.Join(filepath.Dir(cfg.State.Path), "sandbox-secret.key")); err == nil {
			s = strings.TrimSpace(string(b))
		}
	}
	if s == "" {
		return nil, nil
	}
	k, err := config.DecodeKey(s)
	if err != nil {
		return nil, fmt.Errorf("secret_key: %w", err)
	}
	return k, nil
}

// mediaBlobs opens the media library's blob store as configured.
func mediaBlobs(cfg config.Config, log *slog.Logger) (media.Blobs, error) {
	if cfg.Media.Store == "s3" {
		s := cfg.Media.S3
		return media.NewS3Blobs(media.S3Options{Endpoint: s.Endpoint, Bucket: s.Bucket, Region: s.Region, AccessKey: s.AccessKey,
			SecretKey: s.SecretKey.Reveal(), UseTLS: s.TLS, Prefix: s.Prefix, PathStyle: s.PathStyle})
	}
	return media.NewLocalBlobs(filepath.Join(cfg.MediaPath(), "files"), log)
}

// backupOptions are a backup of the configured installation into dir,
// based on the newest complete backup beside it (unless full).
func backupOptions(cfg config.Config, st *stores, dir string, full bool, log *slog.Logger) (backup.Options, error) {
	if err := stateUnsupported(cfg, "a backup"); err != nil {
		return backup.Options{}, err
	}
	key, err := secretKey(cfg)
	if err != nil {
		return backup.Options{}, err
	}
	o := backup.Options{Dir: dir, Version: version, SecretKey: key, State: backup.SQLiteSource{DB: st.sql, Dir: filepath.Dir(cfg.State.Path)},
		ClickHouse: st.ch, Logger: log}
	if cfg.Backup.Media {
		blobs, err := mediaBlobs(cfg, log)
		if err != nil {
			return o, err
		}
		o.Media = &backup.MediaStore{Blobs: blobs, Kind: cfg.Media.Store}
	}
	if !full {
		if prev, err := backup.Latest(filepath.Dir(dir)); err == nil && prev != nil {
			o.Base = prev.Dir
		}
	}
	return o, nil
}

func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("backup", stderr)
	to := fs.String("to", "", "the new backup's `folder` (default: a new folder in backup.dir)")
	full := fs.Bool("full", false, "read everything again instead of reusing the newest backup's unchanged files")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath, nil)
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log, stderr)
	st, err := openStores(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	dir := *to
	if dir == "" {
		dir = backup.NewDir(cfg.BackupDir(), time.Now(), "")
	}
	o, err := backupOptions(cfg, st, dir, *full, log)
	if err != nil {
		return err
	}
	res, err := backup.Run(ctx, o)
	if err != nil {
		return err
	}
	printBackup(stdout, res)
	return nil
}

func printBackup(w io.Writer, res *backup.Result) {
	m := res.Manifest
	var rows uint64
	parts, reused := 0, 0
	for _, t := range m.ClickHouse.Tables {
		for _, p := range t.Partitions {
			rows += p.Rows
			parts++
		}
	}
	for _, f := range m.Files {
		if f.Reused {
			reused++
		}
	}
	fmt.Fprintf(w, "backup written to %s in %s\n", res.Dir, res.Took.Round(time.Millisecond))
	fmt.Fprintf(w, "  state: %s, %d tables, %d audit rows\n", m.State.Kind, len(m.State.Tables), m.State.AuditLog.Rows)
	fmt.Fprintf(w, "  clickhouse: %d rows in %d partitions of %d tables (derived, rebuilt on restore: %s)\n", rows, parts,
		len(m.ClickHouse.Tables), strings.Join(m.ClickHouse.Derived, ", "))
	if m.Media.Included {
		fmt.Fprintf(w, "  media: %d files from %s", len(m.Media.Blobs), m.Media.Location)
		if len(m.Media.Missing) > 0 {
			fmt.Fprintf(w, " (%d named by the state but missing from the store)", len(m.Media.Missing))
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintln(w, "  media: left out (backup.media is false)")
	}
	fmt.Fprintf(w, "  %d files, %s; %s written now, %d files reused from %s\n", len(m.Files), bytesText(res.Bytes),
		bytesText(res.NewBytes), reused, orNone(m.Base))
	if m.SecretKeyFingerprint != "" {
		fmt.Fprintf(w, "  secret key fingerprint %s: the key itself is NOT in the backup; keep it separately\n", m.SecretKeyFingerprint)
	}
}

func orNone(s string) string {
	if s == "" {
		return "no earlier backup"
	}
	return s
}

func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func cmdBackupVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("backup verify", stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return usageError{err.Error()}
	}
	if fs.NArg() != 1 {
		return usageError{"give the backup folder: humas backup verify DIR"}
	}
	dir := fs.Arg(0)
	start := time.Now()
	m, err := backup.Verify(ctx, dir)
	if err != nil {
		return err
	}
	var size int64
	for _, f := range m.Files {
		size += f.Size
	}
	fmt.Fprintf(stdout, "backup %s is good: %d files, %s, made by humas %s at %s (checked in %s)\n", dir, len(m.Files),
		bytesText(size), m.Humas, m.CreatedAt.Format(time.RFC3339), time.Since(start).Round(time.Millisecond))
	return nil
}

func cmdBackupList(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("backup list", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath, nil)
	if err != nil {
		return err
	}
	all, err := backup.List(cfg.BackupDir())
	if err != nil {
		return err
	}
	if len(all) == 0 {
		fmt.Fprintf(stdout, "no backups in %s\n", cfg.BackupDir())
		return nil
	}
	for _, e := range all {
		var size int64
		for _, f := range e.Manifest.Files {
			size += f.Size
		}
		fmt.Fprintf(stdout, "%s  %s  %s ago  %s  humas %s\n", e.Name, e.CreatedAt.Format(time.RFC3339),
			time.Since(e.CreatedAt).Round(time.Minute), bytesText(size), e.Manifest.Humas)
	}
	return nil
}

func cmdRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("restore", stderr)
	from := fs.String("from", "", "the backup `folder` to restore (required)")
	force := fs.Bool("force", false, "replace an installation that holds data (the old state database is kept aside)")
	withoutKey := fs.Bool("without-key", false, "restore although the configured secret key is not the backup's (channels must be connected again)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return usageError{"--from is required: the backup folder to restore"}
	}
	cfg, err := config.Load(*cfgPath, nil)
	if err != nil {
		return err
	}
	if err := stateUnsupported(cfg, "a restore"); err != nil {
		return err
	}
	if err := clusterUnsupported(cfg, "restore"); err != nil {
		return fmt.Errorf("%w; restore into a single server, then copy into the cluster as the README says for a new cluster", err)
	}
	log := newLogger(cfg.Log, stderr)
	key, err := secretKey(cfg)
	if err != nil {
		return err
	}
	ch, err := store.OpenClickHouse(ctx, cfg.ClickHouse, log)
	if err != nil {
		return err
	}
	defer ch.Close()
	o := backup.RestoreOptions{From: *from, Force: *force, SecretKey: key, WithoutKey: *withoutKey,
		State: backup.SQLiteTarget{Path: cfg.State.Path}, ClickHouse: ch, Logger: log}
	if m, err := backup.ReadManifest(*from); err == nil && m.Media.Included && len(m.Media.Blobs) > 0 {
		if o.Media, err = mediaBlobs(cfg, log); err != nil {
			return err
		}
	}
	res, err := backup.Restore(ctx, o)
	if err != nil {
		return err
	}
	loaded := time.Now()
	up, err := finishRestore(ctx, cfg, ch, log)
	if err != nil {
		return fmt.Errorf("the backup is restored, but finishing failed: %w", err)
	}
	m := res.Manifest
	fmt.Fprintf(stdout, "restored %s (made by humas %s at %s) in %s\n", *from, m.Humas, m.CreatedAt.Format(time.RFC3339),
		(res.Took + time.Since(loaded)).Round(time.Millisecond))
	fmt.Fprintf(stdout, "  state: %s (%d audit rows); clickhouse: %d rows into %s; media: %d files\n", cfg.State.Path,
		m.State.AuditLog.Rows, res.Rows, cfg.ClickHouse.Database, res.Blobs)
	fmt.Fprintf(stdout, "  upgraded: %d sqlite and %d clickhouse migration(s); %d due deliveries will be checked on their channel before any send; report read model rebuilt\n",
		up.sqlite, up.clickhouse, up.reconcile)
	return nil
}

type finished struct {
	sqlite, clickhouse int
	reconcile          int64
}

// finishRestore upgrades the restored schemas to this version, marks the
// deliveries that may have gone out after the backup for reconciliation,
// and builds the report read model.
func finishRestore(ctx context.Context, cfg config.Config, ch *store.ClickHouse, log *slog.Logger) (finished, error) {
	var f finished
	sq, err := store.OpenSQLite(ctx, cfg.State.Path, log)
	if err != nil {
		return f, err
	}
	defer sq.Close()
	ran, err := sq.Migrate(ctx)
	if err != nil {
		return f, err
	}
	f.sqlite = len(ran)
	if f.reconcile, err = scheduler.ReconcileAfterRestore(ctx, sq, time.Now()); err != nil {
		return f, err
	}
	chRan, err := ch.Migrate(ctx)
	if err != nil {
		return f, err
	}
	f.clickhouse = len(chRan)
	svc, err := analytics.New(ch, analytics.Options{Timezone: cfg.Timezone, Logger: log, RefreshEvery: -1})
	if err != nil {
		return f, err
	}
	return f, svc.Refresh(ctx)
}

// backupBeforeUpgrade takes a backup into backup.dir before migrations
// change an installation that holds data (backup.before_upgrade): the
// copy a destructive change would need comes first. A new installation,
// or one without pending migrations, is left alone.
func backupBeforeUpgrade(ctx context.Context, cfg config.Config, st *stores, log *slog.Logger) error {
	if !cfg.Backup.BeforeUpgrade {
		return nil
	}
	if err := stateUnsupported(cfg, "a backup before the upgrade"); err != nil {
		log.Warn("no backup before the upgrade", "reason", err.Error())
		return nil
	}
	sqlPending, err := st.sql.Pending(ctx)
	if err != nil {
		return err
	}
	chPending, err := st.ch.Pending(ctx)
	if err != nil {
		return err
	}
	if len(sqlPending)+len(chPending) == 0 {
		return nil
	}
	held, err := backup.SQLiteTarget{Path: cfg.State.Path}.Holds(ctx)
	if err != nil {
		return err
	}
	if held == "" {
		return nil // nothing to lose yet
	}
	dir := backup.NewDir(cfg.BackupDir(), time.Now(), "-before-upgrade")
	log.Info("pending migrations: backing up first (backup.before_upgrade)", "sqlite", len(sqlPending), "clickhouse", len(chPending), "dir", dir)
	o, err := backupOptions(cfg, st, dir, false, log)
	if err != nil {
		return err
	}
	res, err := backup.Run(ctx, o)
	if err != nil {
		return fmt.Errorf("backup before the upgrade failed, so no migration was applied (set backup.before_upgrade to false to skip it): %w", err)
	}
	log.Info("backup before the upgrade done", "dir", res.Dir, "bytes", res.Bytes, "took", res.Took.Round(time.Millisecond))
	return nil
}

// stateUnsupported refuses backups and restores of a PostgreSQL state
// database: only the SQLite source exists (backup.StateSource; a pg_dump
// source is not written yet).
func stateUnsupported(cfg config.Config, what string) error {
	if cfg.State.Driver != "postgres" {
		return nil
	}
	return fmt.Errorf("%s of a PostgreSQL state database (state.driver postgres) is not supported yet: humas backs up "+
		"SQLite only; back PostgreSQL up with pg_dump, and ClickHouse and media as the README says", what)
}
