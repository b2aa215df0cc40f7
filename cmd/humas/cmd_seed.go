package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/analytics/seed"
	"github.com/humas-id/humas/collector"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/store"
)

func init() {
	register("seed", "load demo or benchmark data (posts, snapshots, followers) into a ClickHouse database you name", cmdSeed)
}

var dbName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func cmdSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("seed", stderr)
	database := fs.String("database", "", "ClickHouse `database` to fill (required; created and migrated if missing; e.g. humas_bench)")
	posts := fs.Int("posts", 250_000, "posts")
	snapshots := fs.Int("snapshots", 10_000_000, "snapshot rows in all (spread evenly over the posts)")
	days := fs.Int("days", 365, "posts are published over this many days ending --end")
	end := fs.String("end", "2025-12-31", "last publish `date` (YYYY-MM-DD, UTC)")
	batch := fs.Int("batch", 100_000, "rows per insert batch")
	inserters := fs.Int("inserters", 2, "inserts running at once")
	appendRows := fs.Bool("append", false, "add to a database that already holds snapshots")
	views := fs.Bool("views", false, "write the snapshots through post_metrics' views, as the collector does (slower; by default they are staged and the views' tables filled once)")
	refresh := fs.Bool("refresh", true, "build the report read model afterwards")
	resume := fs.String("resume", "", "finish a bulk load that failed after staging its snapshots: the staging `table` its error named")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !dbName.MatchString(*database) {
		return usageError{"--database is required: a name such as humas_bench (letters, digits, _)"}
	}
	endDate, err := time.Parse("2006-01-02", *end)
	if err != nil {
		return usageError{fmt.Sprintf("--end %q: write YYYY-MM-DD", *end)}
	}
	cfg, err := config.Load(*cfgPath, nil)
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log, stderr)
	chCfg := cfg.ClickHouse
	chCfg.Database = *database
	ch, err := store.OpenClickHouse(ctx, chCfg, log)
	if err != nil {
		return err
	}
	defer ch.Close()
	if _, err := ch.Migrate(ctx); err != nil {
		return err
	}
	if *resume != "" {
		start := time.Now()
		if err := seed.Resume(ctx, ch, *resume); err != nil {
			return resumeHint(err, *database)
		}
		fmt.Fprintf(stdout, "finished the load staged in %s in %s\n", *resume, time.Since(start).Round(time.Millisecond))
		if err := ch.MarkChanged(ctx, "seed", 0); err != nil {
			return err
		}
	} else {
		n, err := collector.CountSnapshots(ctx, ch)
		if err != nil {
			return err
		}
		if n > 0 && !*appendRows {
			return fmt.Errorf("database %s already holds %d snapshots: pass --append to add more, or drop it first (DROP DATABASE %s)", *database, n, *database)
		}
		last := time.Now()
		st, err := seed.Run(ctx, ch, seed.Options{Posts: *posts, Snapshots: *snapshots, Days: *days, Batch: *batch, Inserters: *inserters, Views: *views,
			End: endDate.Add(23 * time.Hour),
			Progress: func(rows int) {
				if time.Since(last) > 5*time.Second {
					last = time.Now()
					fmt.Fprintf(stderr, "  %d snapshots written\n", rows)
				}
			}})
		if err != nil {
			return resumeHint(err, *database)
		}
		fmt.Fprintf(stdout, "seeded %s: %d units, %d channels, %d posts, %d snapshots, %d follower rows in %s (%.0f snapshot rows/s)\n",
			*database, st.Units, st.Channels, st.Posts, st.Snapshots, st.FollowerRows, st.Took.Round(time.Millisecond),
			float64(st.Snapshots)/st.Took.Seconds())
		if err := ch.MarkChanged(ctx, "seed", int64(st.Posts+st.Snapshots)); err != nil {
			return err
		}
	}
	if *refresh {
		svc, err := analytics.New(ch, analytics.Options{Timezone: cfg.Timezone, Logger: log, RefreshEvery: -1})
		if err != nil {
			return err
		}
		start := time.Now()
		if err := svc.Refresh(ctx); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "report read model built in %s\n", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// resumeHint adds the command that finishes a bulk load to its error,
// when the load kept its staged snapshots.
func resumeHint(err error, database string) error {
	var se *seed.StagedError
	if errors.As(err, &se) {
		return fmt.Errorf("%w (run: humas seed --database %s --resume %s)", err, database, se.Table)
	}
	return err
}
