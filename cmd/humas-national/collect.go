package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/collector"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/meta"
)

// collect runs one full collection of the whole history and reports its
// time, Graph calls per 1,000 posts, rows per second and peak memory.
func (w *world) collect(ctx context.Context, rep *report) error {
	cfg := config.Default().Collector
	cfg.Concurrency = w.cfg.Concurrency
	dir, err := os.MkdirTemp("", "humas-national-buffer-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg.BufferPath = dir
	c, err := collector.New(collector.Options{
		Config: cfg, Graph: meta.Options{BaseURL: w.url, RetryBackoff: time.Millisecond, Now: w.clock.Now, AppID: "app", AppSecret: "appsecret"},
		Channels: w.orgs, ClickHouse: w.ch, SQLite: w.sql, Registerer: prometheus.NewRegistry(), Logger: w.log,
		Now:   w.clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error { w.clock.Advance(d); return ctx.Err() },
	})
	if err != nil {
		return err
	}
	w.sim.ResetCalls()
	runtime.GC()
	liveBefore := heapInuse()
	baseRSS := procStatusKB("VmRSS")
	resetPeakRSS()
	var peakHeap atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peakHeap.Load() {
				peakHeap.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	since := w.clock.Now().AddDate(0, 0, -w.cfg.Days-1)
	t0 := time.Now()
	last := time.Now()
	st, err := c.Run(ctx, collector.RunOptions{Since: since, OnProgress: func(s collector.RunStatus) {
		if time.Since(last) > 30*time.Second {
			last = time.Now()
			w.progress.Info("collecting", "channels_done", s.ChannelsDone, "of", s.ChannelsTotal, "posts", s.Posts, "rows", s.RowsWritten,
				"elapsed", time.Since(t0).Round(time.Second))
		}
	}})
	wall := time.Since(t0)
	close(stop)
	<-done
	if err != nil {
		return fmt.Errorf("collection: %w", err)
	}
	if st.Status != collector.StatusDone || st.ChannelsFailed > 0 {
		return fmt.Errorf("collection ended %s with %d failed channels: %+v", st.Status, st.ChannelsFailed, st.Errors)
	}
	peakRSS := procStatusKB("VmHWM")
	runtime.GC()
	liveAfter := heapInuse()
	if w.cfg.HeapProfile != "" {
		if err := writeHeapProfile(w.cfg.HeapProfile); err != nil {
			return err
		}
	}
	calls := w.sim.Calls()
	rep.add("collect_posts_seeded", float64(w.posts), "posts")
	rep.add("collect_posts", float64(st.Posts), "posts")
	rep.add("collect_wall", wall.Seconds(), "s")
	rep.add("collect_graph_calls", float64(calls.Total), "calls")
	rep.add("collect_graph_calls_per_1000_posts", float64(calls.Total)*1000/float64(max(st.Posts, 1)), "calls")
	rep.add("collect_http_requests", float64(calls.HTTPRequests), "requests")
	rep.add("collect_rows", float64(st.RowsWritten), "rows")
	rep.add("collect_rows_per_s", float64(st.RowsWritten)/wall.Seconds(), "rows/s")
	rep.add("collect_rows_buffered", float64(st.RowsBuffered), "rows")
	// The process holds the simulator's year of posts too: the live heap
	// before and after (each after a GC) tells what the collection keeps;
	// the peaks include the simulator and the garbage between GCs.
	rep.add("collect_go_heap_live_before", float64(liveBefore)/(1<<20), "MiB")
	rep.add("collect_go_heap_live_after", float64(liveAfter)/(1<<20), "MiB")
	rep.add("collect_go_heap_inuse_peak", float64(peakHeap.Load())/(1<<20), "MiB")
	rep.add("collect_rss_before", float64(baseRSS)/1024, "MiB")
	rep.add("collect_rss_peak", float64(peakRSS)/1024, "MiB")
	return nil
}

func heapInuse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// procStatusKB reads a "Name: N kB" line of /proc/self/status (0 where
// there is none).
func procStatusKB(name string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// resetPeakRSS makes VmHWM start again from the current RSS (Linux:
// clear_refs 5), so the peak is the collection's, not the seeding's.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }
