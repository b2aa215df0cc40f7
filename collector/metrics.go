package collector

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	runs          *prometheus.CounterVec // by trigger and status
	runDuration   prometheus.Histogram   // seconds
	posts         *prometheus.CounterVec // by platform
	graphCalls    *prometheus.CounterVec // by endpoint and outcome
	usage         *prometheus.GaugeVec   // by channel
	rowsWritten   *prometheus.CounterVec // by table
	rowsBuffered  *prometheus.CounterVec // by table
	bufferBytes   prometheus.Gauge       // on-disk buffer size
	bufferFull    prometheus.Counter     // batches refused by a full buffer
	bufferDamaged prometheus.Counter     // segments moved to damaged/
	retired       *prometheus.CounterVec // by metric
	channelErrors *prometheus.CounterVec // by reason
	throttles     *prometheus.CounterVec // by channel
	comments      *prometheus.CounterVec // new comments stored, by platform
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "humas_collector_runs_total", Help: "Collection runs by trigger and final status.",
		}, []string{"trigger", "status"}),
		runDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "humas_collector_run_duration_seconds", Help: "Duration of collection runs.",
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600},
		}),
		posts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "humas_collector_posts_collected_total", Help: "Posts and media whose snapshot was taken, by platform.",
		}, []string{"platform"}),
		graphCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "humas_collector_graph_calls_total", Help: "Graph API calls (as Meta counts them) by endpoint and outcome.",
		}, []string{"endpoint", "outcome"}),
		usage: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "humas_collector_usage_percent", Help: "Highest Graph API usage percentage last reported for a channel.",
		}, []string{"channel_id"}),
		rowsWritten: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "humas_collector_rows_written_total", Help: "Rows written to ClickHouse, by table.",
		}, []string{"table"}),
		rowsBuffered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "humas_collector_rows_buffered_total", Help: "Rows kept in the on-disk buffer while ClickHouse was unreachable, by table.",
		}, []string{"table"}),
		bufferBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "humas_collector_buffer_bytes", Help: "Size of the on-disk buffer waiting for ClickHouse.",
		}),
		bufferFull: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "humas_collector_buffer_full_total", Help: "Batches that did not fit in the full on-disk buffer (snapshots not stored).",
		}),
		bufferDamaged: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "humas_collector_buffer_damaged_segments_total",
			Help: "Buffer segments that could not be read back and were moved to the buffer's damaged/ folder (their snapshots are not written).",
		}),
		retired: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "humas_collector_retired_metric_total", Help: "Times a Graph insights metric was found retired, by metric.",
		}, []string{"metric"}),
		channelErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "humas_collector_channel_errors_total", Help: "Channel collections that failed, by reason.",
		}, []string{"reason"}),
		throttles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "humas_collector_throttles_total", Help: "Throttle answers that paused a channel.",
		}, []string{"channel_id"}),
		comments: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "humas_collector_comments_total", Help: "New comments stored in the inbox, by platform.",
		}, []string{"platform"}),
	}
	for _, c := range []prometheus.Collector{m.runs, m.runDuration, m.posts, m.graphCalls, m.usage, m.rowsWritten,
		m.rowsBuffered, m.bufferBytes, m.bufferFull, m.bufferDamaged, m.retired, m.channelErrors, m.throttles, m.comments} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register collector metrics: %w", err)
		}
	}
	// Export the series dashboards plot from the start; in a healthy
	// process these stay at zero and would otherwise be absent.
	for _, table := range []string{"posts", "post_metrics", "account_metrics"} {
		m.rowsWritten.WithLabelValues(table)
		m.rowsBuffered.WithLabelValues(table)
	}
	for _, reason := range []string{"clickhouse_unavailable", "buffer_full", "no_token", "graph_auth", "graph_throttled", "graph_transient", "graph_network", "error", "comments"} {
		m.channelErrors.WithLabelValues(reason)
	}
	return m, nil
}
