package main

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/humas-id/humas/analytics"
)

// rollup builds the read model once (timed) and then runs the national
// roll-up over the whole history cfg.RollupRuns times with the answer
// cache off, reporting each latency.
func (w *world) rollup(ctx context.Context, rep *report) error {
	svc, err := analytics.New(w.ch, analytics.Options{Logger: w.log, CacheTTL: -1, RefreshEvery: -1, ChangePoll: -1, Now: w.clock.Now})
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := svc.Refresh(ctx); err != nil {
		return fmt.Errorf("read model: %w", err)
	}
	rep.add("rollup_read_model_build", time.Since(t0).Seconds(), "s")
	to := w.clock.Now().UTC().Truncate(24 * time.Hour)
	// As the API parses GET /api/v1/engagement/rollup?from=…&to=…&unit=…
	q, err := analytics.ParseQuery(url.Values{"from": {to.AddDate(0, 0, -w.cfg.Days).Format(analytics.DateLayout)},
		"to": {to.Format(analytics.DateLayout)}, "unit": {strconv.FormatInt(w.national.ID, 10)}})
	if err != nil {
		return err
	}
	var lat []time.Duration
	var rows int
	var posts uint64
	for range w.cfg.RollupRuns {
		t := time.Now()
		r, err := svc.RollUp(ctx, q)
		if err != nil {
			return fmt.Errorf("national roll-up: %w", err)
		}
		lat = append(lat, time.Since(t))
		rows, posts = len(r.Rows), r.Totals.Posts
	}
	s := sortedDurations(lat)
	rep.add("rollup_rows", float64(rows), "units")
	rep.add("rollup_posts", float64(posts), "posts")
	rep.add("rollup_latency_min", s[0].Seconds(), "s")
	rep.add("rollup_latency_median", quantile(s, 0.5).Seconds(), "s")
	rep.add("rollup_latency_max", s[len(s)-1].Seconds(), "s")
	if stats := svc.CacheStats(); stats.Hits > 0 {
		return fmt.Errorf("the answer cache answered %d times though it is off", stats.Hits)
	}
	return nil
}
