package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"time"
)

func run(ctx context.Context, cfg benchConfig, out io.Writer) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	progress := slog.New(slog.NewTextHandler(os.Stderr, nil))
	w, err := newWorld(ctx, cfg, log, progress)
	if err != nil {
		return err
	}
	defer w.Close()
	t0 := time.Now()
	if err := w.build(ctx); err != nil {
		return err
	}
	rep := &report{}
	rep.add("units", float64(cfg.Units), "units")
	rep.add("channels", float64(len(w.channels)), "channels")
	rep.add("days", float64(cfg.Days), "days")
	rep.add("cpus", float64(runtime.NumCPU()), "cpus")
	rep.add("seed_wall", time.Since(t0).Seconds(), "s")
	phases := []struct {
		name string
		fn   func(context.Context, *report) error
	}{{"collect", w.collect}, {"publish", w.publishDay}, {"rollup", w.rollup}}
	for _, p := range phases {
		if !cfg.has(p.name) {
			continue
		}
		progress.Info("phase start", "phase", p.name)
		t := time.Now()
		err := p.fn(ctx, rep)
		progress.Info("phase done", "phase", p.name, "took", time.Since(t).Round(time.Millisecond))
		if err != nil {
			rep.write(out)
			return fmt.Errorf("%s: %w", p.name, err)
		}
	}
	rep.write(out)
	return nil
}
