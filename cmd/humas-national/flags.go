package main

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"
)

// benchConfig is the simulation's size and what to run.
type benchConfig struct {
	Units, Provinces     int
	Days                 int
	MinPerDay, MaxPerDay int
	Publish              int
	BurstShare           float64
	RollupRuns           int
	Concurrency          int
	Workers              int
	Database             string
	Addr                 string
	Cluster              string
	StatePath            string
	Phases               []string
	Seed                 uint64
	HeapProfile          string
}

func parseFlags(args []string) (benchConfig, error) {
	var c benchConfig
	fs := flag.NewFlagSet("humas-national", flag.ContinueOnError)
	fs.IntVar(&c.Units, "units", 550, "offices: one national, --provinces provinces, the rest cities; each has a Page and an Instagram account")
	fs.IntVar(&c.Provinces, "provinces", 38, "provincial offices (cities are spread over them)")
	fs.IntVar(&c.Days, "days", 365, "days of history per channel")
	fs.IntVar(&c.MinPerDay, "min-per-day", 3, "fewest posts a channel a day")
	fs.IntVar(&c.MaxPerDay, "max-per-day", 10, "most posts a channel a day")
	fs.IntVar(&c.Publish, "publish", 5000, "posts due in the day of publishing")
	fs.Float64Var(&c.BurstShare, "burst", 0.2, "share of them due in the same five minutes")
	fs.IntVar(&c.RollupRuns, "rollup-runs", 5, "runs of the national roll-up (cache off)")
	fs.IntVar(&c.Concurrency, "concurrency", 4, "collector.concurrency")
	fs.IntVar(&c.Workers, "workers", 16, "scheduler.workers")
	fs.StringVar(&c.Database, "database", "humas_national", "ClickHouse database (dropped and made again)")
	fs.StringVar(&c.Addr, "clickhouse", "127.0.0.1:9000", "ClickHouse address(es), comma-separated (clickhouse.addr)")
	fs.StringVar(&c.Cluster, "cluster", "", "clickhouse.cluster (replicated tables ON CLUSTER); empty: one server")
	fs.StringVar(&c.StatePath, "state", "", "SQLite state file (default: a new temporary file)")
	phases := fs.String("phases", "collect,publish,rollup", "phases to run, comma-separated")
	fs.Uint64Var(&c.Seed, "seed", 18, "simulator seed")
	fs.StringVar(&c.HeapProfile, "heap-profile", "", "write a heap profile (pprof) after the collection to this file")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.Phases = strings.Split(*phases, ",")
	for _, p := range c.Phases {
		if !slices.Contains([]string{"collect", "publish", "rollup"}, p) {
			return c, fmt.Errorf("--phases: unknown phase %q (collect, publish, rollup)", p)
		}
	}
	switch {
	case c.Units < 2 || c.Provinces < 1 || c.Provinces >= c.Units:
		return c, errors.New("--units must be at least 2 and --provinces between 1 and units-1")
	case c.Days < 1:
		return c, errors.New("--days must be at least 1")
	case c.MinPerDay < 1 || c.MaxPerDay < c.MinPerDay:
		return c, errors.New("--min-per-day must be at least 1 and --max-per-day at least that")
	case c.Publish < 1 || c.BurstShare < 0 || c.BurstShare > 1:
		return c, errors.New("--publish must be at least 1 and --burst between 0 and 1")
	case c.RollupRuns < 1:
		return c, errors.New("--rollup-runs must be at least 1")
	}
	return c, nil
}

func (c benchConfig) has(phase string) bool { return slices.Contains(c.Phases, phase) }

// start is the simulated "now" the history ends at.
var start = time.Date(2026, 3, 2, 3, 30, 0, 0, time.UTC)
