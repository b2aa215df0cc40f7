package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/config"
)

func init() {
	register("serve", "run the API, scheduler and collector until SIGINT/SIGTERM", cmdServe)
}

// component is a part of the process with a lifecycle.
type component interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

type named struct {
	name string
	c    component
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("serve", stderr)
	sandbox := fs.Bool("sandbox", false, "run the Graph API simulator in-process with demo channels (no Meta account needed)")
	noMigrate := fs.Bool("no-migrate", false, "do not apply migrations on start")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath, nil)
	if err != nil {
		return err
	}
	if *sandbox {
		cfg.Sandbox = true
	}
	if *noMigrate {
		cfg.MigrateOnStart = false
	}
	log := newLogger(cfg.Log, stderr)
	slog.SetDefault(log)
	memLimit, memFrom := cfg.ApplyMemoryLimit()
	log.Info("humas starting", "version", version, "listen", cfg.Listen, "sandbox", cfg.Sandbox,
		"api", cfg.API.Enabled, "scheduler", cfg.Scheduler.Enabled, "collector", cfg.Collector.Enabled,
		"memory_limit", memLimit, "memory_limit_from", memFrom)

	st, err := openStores(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if cfg.MigrateOnStart {
		if err := backupBeforeUpgrade(ctx, cfg, st, log); err != nil {
			return err
		}
		if _, _, err := st.migrate(ctx); err != nil {
			return fmt.Errorf("migrate on start: %w (or start with --no-migrate)", err)
		}
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	srv, err := api.New(api.Options{
		Listen:   cfg.Listen,
		Logger:   log,
		Registry: reg,
		Checks: []api.Check{
			{Name: "clickhouse", Ping: st.ch.Ping},
			{Name: "sqlite", Ping: st.sql.Ping},
		},
		MaxBodyBytes:      cfg.API.MaxBodyBytes,
		ReadHeaderTimeout: cfg.API.ReadHeaderTimeout.D(),
		ReadTimeout:       cfg.API.ReadTimeout.D(),
		WriteTimeout:      cfg.API.WriteTimeout.D(),
		IdleTimeout:       cfg.API.IdleTimeout.D(),
		TrustedProxies:    cfg.API.TrustedProxies,
	})
	if err != nil {
		return err
	}

	parts, err := assemble(ctx, cfg, log, reg, st, srv)
	if err != nil {
		return err
	}
	if cfg.API.Enabled {
		parts = append(parts, named{"http", srv})
	}
	return runComponents(ctx, cfg, log, parts)
}

// failer is a component that can fail after Start (the HTTP listener
// breaks, the collector loses its lease): Failed receives the error.
// Components that recover by themselves (retrying loops) do not have it.
type failer interface {
	Failed() <-chan error
}

// runComponents is the process's run group (as Prometheus' oklog/run): it
// starts parts in order and runs until ctx ends or a started part fails,
// then stops every started part in reverse with a fresh timeout (the
// cancelled ctx would make every final flush fail at once). A part's
// failure is returned, so the process exits non-zero; every goroutine it
// starts has ended when it returns.
func runComponents(ctx context.Context, cfg config.Config, log *slog.Logger, parts []named) error {
	failures := make(chan error, len(parts))
	done := make(chan struct{})
	var watchers sync.WaitGroup
	defer watchers.Wait()
	defer close(done)
	watch := func(p named) {
		f, ok := p.c.(failer)
		if !ok {
			return
		}
		failed := f.Failed()
		watchers.Add(1)
		go func() {
			defer watchers.Done()
			select {
			case err := <-failed:
				if err == nil {
					err = errors.New("stopped unexpectedly")
				}
				failures <- fmt.Errorf("%s failed: %w", p.name, err)
			case <-done:
			}
		}()
	}

	var started []named
	var startErr, runErr error
	for _, p := range parts {
		if err := p.c.Start(ctx); err != nil {
			startErr = fmt.Errorf("start %s: %w", p.name, err)
			break
		}
		log.Info("started", "component", p.name)
		started = append(started, p)
		watch(p)
	}
	if startErr == nil {
		log.Info("humas is running")
		select {
		case <-ctx.Done():
			log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
		case runErr = <-failures:
			log.Error("a component failed; shutting down", "err", runErr, "timeout", cfg.ShutdownTimeout.String())
		}
	}
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout.D())
	defer cancel()
	var errs []error
	for i := len(started) - 1; i >= 0; i-- {
		if err := started[i].c.Stop(stopCtx); err != nil {
			errs = append(errs, fmt.Errorf("stop %s: %w", started[i].name, err))
		}
		log.Info("stopped", "component", started[i].name)
	}
	return errors.Join(append([]error{runErr, startErr}, errs...)...)
}
