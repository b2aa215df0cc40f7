package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/term"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/collector"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/inbox"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/valid"
)

func init() {
	register("collect", "collect posts, snapshots and followers now (--channel ID, --since DATE)", cmdCollect)
}

func cmdCollect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("collect", stderr)
	channel := fs.Int64("channel", 0, "collect only this channel `ID` (default: every active channel)")
	sinceText := fs.String("since", "", "collect posts published since `DATE` (2026-01-31 or RFC 3339), also beyond the cadence")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var since time.Time
	if *sinceText != "" {
		t, err := api.ParseSince(*sinceText)
		if err != nil {
			return usageError{"--since: " + err.Error()}
		}
		since = t
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
	if cfg.MigrateOnStart {
		if _, _, err := st.migrate(ctx); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	if cfg.Sandbox {
		// The demo accounts live in an in-process simulator of this run.
		sb, err := startSandbox(ctx, &cfg, filepath.Dir(cfg.State.Path))
		if err != nil {
			return err
		}
		defer sb.Stop(context.WithoutCancel(ctx))
	}
	var key []byte
	if cfg.SecretKey != "" {
		if key, err = config.DecodeKey(cfg.SecretKey.Reveal()); err != nil {
			return fmt.Errorf("secret_key: %w", err)
		}
	}
	orgs := org.NewStore(st.sql, key).WithDefaultTimezone(cfg.Timezone)
	if cfg.Sandbox {
		path := filepath.Join(filepath.Dir(cfg.State.Path), "sandbox-users.txt")
		if _, err := seedSandbox(ctx, orgs, auth.NewStore(st.sql), path); err != nil {
			return err
		}
	}
	col, err := newCollector(cfg, log.With("component", "collector"), prometheus.NewRegistry(), st, orgs, nil, nil,
		inbox.New(st.sql, orgs, inbox.Options{Logger: log.With("component", "inbox")}))
	if err != nil {
		return err
	}

	bar := newProgressBar(stderr)
	start := time.Now()
	res, err := col.Run(ctx, collector.RunOptions{ChannelID: *channel, Since: since, Trigger: collector.TriggerCLI,
		RequestedBy: "cli", OnProgress: bar.update})
	bar.done()
	if err != nil {
		var ie *collector.InputError
		if errors.As(err, &ie) {
			return usageError{"--channel: " + ie.Message}
		}
		if p, ok := valid.ProblemOf(err); ok && errors.Is(err, valid.ErrNotFound) {
			return usageError{"--channel: " + p.Msg} // no such channel
		}
		var busy *collector.RunInProgressError
		if errors.As(err, &busy) {
			return fmt.Errorf("another collection is running on this state database (run %s, e.g. in humas serve); "+
				"nothing was collected: try again when it has finished / koleksi lain sedang berjalan pada basis data "+
				"state ini (run %s, misalnya di humas serve); tidak ada yang dikoleksi: coba lagi setelah selesai", busy.ID, busy.ID)
		}
		return err
	}
	for _, e := range res.Errors {
		fmt.Fprintf(stderr, "channel %d (%s): %s: %s\n", e.ChannelID, e.Channel, e.Reason, e.Message)
	}
	if res.RowsWritten > 0 {
		// Rebuild the report read model here, so a running serve (which
		// sees the change marker this run bumped) takes the new generation
		// within seconds instead of rebuilding it itself.
		reports, err := analytics.New(st.ch, analytics.Options{Timezone: cfg.Timezone, Logger: log, RefreshEvery: -1})
		if err == nil {
			err = reports.Refresh(ctx)
		}
		if err != nil {
			log.Warn("report tables not rebuilt here; a running humas serve rebuilds them within seconds", "err", err)
		}
	}
	fmt.Fprintf(stdout, "collect %s: %s: %d/%d channels, %d failed, %d paused; %d posts; %d rows written, %d buffered; %d Graph calls; %s\n",
		res.ID, res.Status, res.ChannelsDone, res.ChannelsTotal, res.ChannelsFailed, res.ChannelsPaused, res.Posts,
		res.RowsWritten, res.RowsBuffered, res.GraphCalls, time.Since(start).Round(100*time.Millisecond))
	switch res.Status {
	case collector.StatusDone:
		return nil
	case collector.StatusPartial:
		return fmt.Errorf("%d channel(s) not collected, %d paused by Meta (see above)", res.ChannelsFailed, res.ChannelsPaused)
	}
	return errors.New("nothing was collected (see above)")
}

// progressBar draws the run's progress on a terminal; elsewhere it is silent.
type progressBar struct {
	w   io.Writer
	tty bool
	on  bool
}

func newProgressBar(w io.Writer) *progressBar {
	f, ok := w.(*os.File)
	return &progressBar{w: w, tty: ok && term.IsTerminal(int(f.Fd()))}
}

func (p *progressBar) update(s collector.RunStatus) {
	if !p.tty || s.ChannelsTotal == 0 {
		return
	}
	const width = 30
	n := s.ChannelsDone + s.ChannelsFailed + s.ChannelsPaused
	fill := width * n / s.ChannelsTotal
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d channels  %d posts  %d Graph calls ", strings.Repeat("#", fill),
		strings.Repeat(".", width-fill), n, s.ChannelsTotal, s.Posts, s.GraphCalls)
	p.on = true
}

func (p *progressBar) done() {
	if p.on {
		fmt.Fprintln(p.w)
	}
}
