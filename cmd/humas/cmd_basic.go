package main

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"github.com/humas-id/humas/config"
)

func init() {
	register("version", "print the version", cmdVersion)
	register("config check", "validate the config and print it with secrets masked", cmdConfigCheck)
	register("migrate", "apply ClickHouse and SQLite migrations (idempotent)", cmdMigrate)
}

func cmdVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("version", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "humas %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

func cmdConfigCheck(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("config check", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath, nil)
	if err != nil {
		return err
	}
	src := *cfgPath
	if src == "" {
		src = "defaults and environment"
	}
	fmt.Fprintf(stdout, "# configuration is valid (from %s)\n%s", src, cfg.Effective())
	return nil
}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("migrate", stderr)
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
	if err := backupBeforeUpgrade(ctx, cfg, st, log); err != nil {
		return err
	}
	chRan, sqlRan, err := st.migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "clickhouse: %d migration(s) applied; state (%s): %d migration(s) applied\n", len(chRan), st.sql.Dialect(), len(sqlRan))
	return nil
}
