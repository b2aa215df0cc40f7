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
// line each, and progress to stderr. SIGTERM or Ctrl-C stops the run: the
// phase in progress is cancelled, the figures so far are printed, and the
// process exits 128+signal within stopGrace even if a phase does not
// return (a second signal ends it at once).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// stopGrace is how long a phase has to return once a signal cancelled it.
const stopGrace = 10 * time.Second

func main() {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "humas-national:", err)
		os.Exit(2)
	}
	os.Exit(runMain(cfg, sigs, func() { signal.Stop(sigs) }, os.Stdout, os.Stderr, stopGrace))
}

// interrupted is the cause of a run cancelled by a signal.
type interrupted struct{ sig os.Signal }

func (e *interrupted) Error() string { return "interrupted by " + signalName(e.sig) }

func signalName(s os.Signal) string {
	switch s {
	case syscall.SIGTERM:
		return "SIGTERM"
	case os.Interrupt:
		return "SIGINT (Ctrl-C)"
	}
	return s.String()
}

// exitCode is 128+n for signal n, as a shell reports it.
func exitCode(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 1
}

// runMain runs the benchmark until it ends or a signal arrives on sigs;
// then release restores the default handling (a second signal ends the
// process), the run is cancelled and given grace to return.
func runMain(cfg benchConfig, sigs <-chan os.Signal, release func(), stdout, stderr io.Writer, grace time.Duration) int {
	var err error
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, stdout) }()
	select {
	case err = <-done:
	case sig := <-sigs:
		release()
		fmt.Fprintf(stderr, "humas-national: %s received: stopping the run (a second signal ends it at once)\n", signalName(sig))
		cancel(&interrupted{sig})
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case err = <-done:
		case <-t.C:
			fmt.Fprintf(stderr, "humas-national: the run did not stop within %v of %s; exiting without its figures\n", grace, signalName(sig))
			return exitCode(sig)
		}
		if err == nil {
			err = context.Cause(ctx) // it ended just as the signal came
		}
	}
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "humas-national:", err)
	if in := (*interrupted)(nil); errors.As(err, &in) {
		return exitCode(in.sig)
	}
	return 1
}
