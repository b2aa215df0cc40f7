package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/store"
)

func init() {
	register("migrate-state", "copy the state database from SQLite to PostgreSQL (--from sqlite:PATH --to postgres:DSN)", cmdMigrateState)
}

// errStateMismatch: a table's rows or checksum differ after the copy.
var errStateMismatch = errors.New("the copy differs from the source")

// cmdMigrateState moves an installation's state from its SQLite file to an
// empty PostgreSQL database: both are migrated to this version first, then
// every table is copied in one transaction, and each table's row count and
// checksum are read back from both sides and printed. Stop humas first.
func cmdMigrateState(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("migrate-state", stderr)
	from := fs.String("from", "", "the source, `sqlite:PATH` (the state.path of the installation)")
	to := fs.String("to", "", "the target, `postgres:DSN` (an empty database), e.g. postgres:postgres://humas:secret@10.0.0.5/humas")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	path, ok := strings.CutPrefix(*from, "sqlite:")
	if !ok || path == "" {
		return usageError{"--from: want sqlite:PATH, e.g. --from sqlite:./var/humas.db"}
	}
	dsn, ok := strings.CutPrefix(*to, "postgres:")
	if !ok || dsn == "" {
		return usageError{"--to: want postgres:DSN, e.g. --to postgres:postgres://humas:secret@10.0.0.5:5432/humas"}
	}
	log := newLogger(config.Default().Log, stderr)
	src, err := store.OpenSQLite(ctx, path, log)
	if err != nil {
		return err
	}
	defer src.Close()
	if _, err := src.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate the source: %w", err)
	}
	dst, err := store.OpenPostgres(ctx, dsn, path, log)
	if err != nil {
		return err
	}
	defer dst.Close()
	if _, err := dst.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate the target: %w", err)
	}
	res, err := store.CopyState(ctx, src, dst)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "table\tsqlite rows\tpostgres rows\tsqlite checksum\tpostgres checksum\t\t")
	var bad []string
	var total int64
	for _, c := range res {
		mark := "ok"
		if !c.OK() {
			mark = "DIFFERS"
			bad = append(bad, c.Table)
		}
		total += c.TargetRows
		fmt.Fprintf(w, "%s\t%d\t%d\t%s\t%s\t%s\t\n", c.Table, c.SourceRows, c.TargetRows, c.SourceChecksum, c.TargetChecksum, mark)
	}
	w.Flush()
	if len(bad) > 0 {
		return fmt.Errorf("%w: %s", errStateMismatch, strings.Join(bad, ", "))
	}
	fmt.Fprintf(stdout, "%d tables, %d rows copied; set state.driver: postgres and state.dsn (HUMAS_STATE_DSN) to use it\n", len(res), total)
	return nil
}
