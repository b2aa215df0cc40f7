package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
)

// publishDay plans cfg.Publish posts over one day, cfg.BurstShare of them
// at 09:00–09:04 WIB (a fifth on each whole minute, as staff schedule
// them), the rest at random seconds from 06:00 to 22:00 WIB, one channel
// each, round the channels; then publishes them with the real publisher
// (16 workers, a tick each second) against the simulator and reports the
// lag of each delivery from its scheduled time. The clock skips the idle
// stretches between due posts (see skipClock), so lag is real time.
func (w *world) publishDay(ctx context.Context, rep *report) error {
	svc := scheduler.NewService(w.sql, w.orgs, scheduler.ServiceOptions{Logger: w.log, Now: w.clock.Now})
	client, err := meta.New(meta.Options{BaseURL: w.url, Timeout: 10 * time.Second, Logger: w.log, AppID: "app", AppSecret: "appsecret",
		Now: w.clock.Now})
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	pub, err := scheduler.NewPublisher(svc, client, reg, scheduler.PublisherOptions{Workers: w.cfg.Workers, Logger: w.log,
		Now: w.clock.Now, BackoffBase: time.Second, BackoffMax: 30 * time.Second, ReadyCheck: time.Second})
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = pub.Stop(sctx)
	}()

	// The day after the history ends, in WIB.
	wib := time.FixedZone("WIB", 7*3600)
	now := w.clock.Now()
	d := now.In(wib).AddDate(0, 0, 1)
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, wib)
	rng := rand.New(rand.NewPCG(w.cfg.Seed, 5000))
	burst := int(float64(w.cfg.Publish) * w.cfg.BurstShare)
	times := make([]time.Time, 0, w.cfg.Publish)
	for i := range burst {
		times = append(times, day.Add(9*time.Hour+time.Duration(i%5)*time.Minute))
	}
	for range w.cfg.Publish - burst {
		times = append(times, day.Add(6*time.Hour+time.Duration(rng.IntN(16*3600))*time.Second))
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })

	planStart := time.Now()
	ids := make([]int64, 0, len(times))
	var events []time.Time // when the publisher has something to do
	for i, at := range times {
		c := w.channels[i%len(w.channels)]
		dr := scheduler.Draft{UnitID: c.UnitID, Caption: fmt.Sprintf("Jadwal tahapan pemilihan, kiriman %d #pemilu", i),
			ContentType: "text", Classification: scheduler.Classification{Level: scheduler.Public}, Channels: []int64{c.ID}, ScheduledAt: at}
		if c.Platform == org.Instagram {
			dr.ContentType = "photo"
			dr.Media = []scheduler.Media{{Type: "image", URL: fmt.Sprintf("https://cdn.example.org/kpu/%d.jpg", i)}}
			events = append(events, at.Add(-10*time.Minute)) // the container is prepared IGLead early
		}
		events = append(events, at)
		p, err := svc.CreatePost(ctx, w.admin, dr, true)
		if err != nil {
			return fmt.Errorf("plan post %d: %w", i, err)
		}
		if p.State != scheduler.StateScheduled {
			if p, err = svc.Approve(ctx, w.admin, p.ID, scheduler.Review{Version: p.Version}); err != nil {
				return fmt.Errorf("approve post %d: %w", i, err)
			}
		}
		if p.State != scheduler.StateScheduled {
			return fmt.Errorf("post %d is %s after approval, not scheduled", i, p.State)
		}
		ids = append(ids, p.ID)
	}
	slices.SortFunc(events, func(a, b time.Time) int { return a.Compare(b) })
	w.progress.Info("day planned", "posts", len(ids), "burst", burst, "took", time.Since(planStart).Round(time.Millisecond))

	t0 := time.Now()
	if err := drive(ctx, w.progress, w.clock, pub, reg, times, events); err != nil {
		return err
	}
	wall := time.Since(t0)

	var lags []time.Duration
	var burstLags []time.Duration
	failed := 0
	for _, id := range ids {
		p, err := svc.Post(ctx, w.admin, id)
		if err != nil {
			return err
		}
		for _, dv := range p.Deliveries {
			if dv.PublishedAt == nil {
				failed++
				continue
			}
			lag := dv.PublishedAt.Sub(dv.ScheduledAt)
			lags = append(lags, lag)
			if dv.ScheduledAt.Sub(day) >= 9*time.Hour && dv.ScheduledAt.Sub(day) < 9*time.Hour+5*time.Minute {
				burstLags = append(burstLags, lag)
			}
		}
	}
	s, b := sortedDurations(lags), sortedDurations(burstLags)
	rep.add("publish_posts", float64(len(ids)), "posts")
	rep.add("publish_published", float64(len(lags)), "deliveries")
	rep.add("publish_not_published", float64(failed), "deliveries")
	rep.add("publish_busy_wall", wall.Seconds(), "s")
	rep.add("publish_lag_p50", quantile(s, 0.5).Seconds(), "s")
	rep.add("publish_lag_p99", quantile(s, 0.99).Seconds(), "s")
	rep.add("publish_lag_max", quantile(s, 1).Seconds(), "s")
	rep.add("publish_burst_lag_p50", quantile(b, 0.5).Seconds(), "s")
	rep.add("publish_burst_lag_p99", quantile(b, 0.99).Seconds(), "s")
	if failed > 0 {
		return fmt.Errorf("%d deliveries were not published", failed)
	}
	return nil
}

// drive runs the publisher as its cron would (a tick each second) while
// deliveries are due and unfinished, and jumps the clock to the next event
// when none is.
func drive(ctx context.Context, log *slog.Logger, clock *skipClock, pub *scheduler.Publisher, reg *prometheus.Registry, due, events []time.Time) error {
	total := len(due)
	var lastTick time.Time
	lastLog := time.Now()
	deadline := time.Now().Add(2 * time.Hour)
	for {
		finished, err := finishedDeliveries(reg)
		if err != nil {
			return err
		}
		if finished >= total {
			pub.Wait()
			return nil
		}
		if time.Since(lastLog) > 30*time.Second {
			lastLog = time.Now()
			log.Info("publishing", "finished", finished, "of", total, "clock", clock.Now().Format(time.RFC3339))
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("publishing: %d of %d deliveries finished before the deadline (%v)", finished, total, ctx.Err())
		}
		now := clock.Now()
		dueNow, _ := slices.BinarySearchFunc(due, now, func(a, b time.Time) int {
			if a.After(b) {
				return 1
			}
			return -1
		})
		if finished >= dueNow {
			// Idle: nothing due is left. Jump to the next event, tick once
			// and let the work it starts finish.
			i, _ := slices.BinarySearchFunc(events, now, func(a, b time.Time) int {
				if a.After(b) {
					return 1
				}
				return -1
			})
			if i < len(events) {
				clock.Jump(events[i])
			}
			pub.Tick(ctx)
			pub.Wait()
			lastTick = clock.Now().Truncate(time.Second)
			continue
		}
		if sec := now.Truncate(time.Second); sec.After(lastTick) {
			lastTick = sec
			go pub.Tick(ctx) // cron's SkipIfStillRunning: Tick itself skips while one runs
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// finishedDeliveries sums the publisher's final outcomes.
func finishedDeliveries(reg *prometheus.Registry) (int, error) {
	mfs, err := reg.Gather()
	if err != nil {
		return 0, err
	}
	n := 0.0
	for _, mf := range mfs {
		if mf.GetName() != "humas_publish_outcomes_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "outcome" && l.GetValue() != "retry" {
					n += m.GetCounter().GetValue()
				}
			}
		}
	}
	return int(n), nil
}
