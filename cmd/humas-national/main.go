// Command humas-national is the national-scale simulation benchmark (issue
// 18): the Graph API simulator holds an election commission's offices (one
// national office, 38 provinces, the rest cities: 550 units by default),
// each with a Facebook Page and its Instagram account (1,100 channels), and
// a year of history at 3–10 posts a channel a day. It then measures, on a
// fresh ClickHouse database and a fresh SQLite file:
//
//   - collect: one full collection of that year (wall time, Graph calls
//     per 1,000 posts, rows per second, peak memory);
//
//   - publish: a day of publishing with 5,000 posts due, 20% of them in
//     the same five minutes (lag p50/p99/max from the scheduled time);
//
//   - rollup: the national roll-up report over the year with the answer
//     cache off (latency of each run).
//
//     go run ./cmd/humas-national                      # full size
//     go run ./cmd/humas-national --units 55 --days 30 # a tenth of the offices, a month
//
// Every size is a flag; the figures go to stdout, one "name value unit"
// line each, and progress to stderr.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := parseFlags(os.Args[1:])
	if err == nil {
		err = run(ctx, cfg, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "humas-national:", err)
		os.Exit(1)
	}
}
