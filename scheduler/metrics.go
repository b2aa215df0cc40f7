package scheduler

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	lag           *prometheus.HistogramVec
	outcomes      *prometheus.CounterVec
	due           prometheus.Gauge
	reconnect     prometheus.Gauge
	tokenExpiring prometheus.Gauge
	missingPerms  prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		lag: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "humas_publish_lag_seconds",
			Help:    "Seconds from a delivery's scheduled time to its publication.",
			Buckets: []float64{.1, .25, .5, 1, 2, 5, 10, 30, 60, 300, 900, 3600},
		}, []string{"platform"}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "humas_publish_outcomes_total",
			Help: "Publish attempts by platform, outcome (published, reconciled, retry, failed) and error class.",
		}, []string{"platform", "outcome", "class"}),
		due: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "humas_deliveries_due",
			Help: "Deliveries whose time has come and that are not published yet.",
		}),
		reconnect: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "humas_channels_reconnect_needed",
			Help: "Channels whose token must be renewed before they can publish.",
		}),
		tokenExpiring: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "humas_channel_tokens_expiring",
			Help: "Channels whose token is invalid or expires within 7 days (daily check).",
		}),
		missingPerms: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "humas_channels_missing_permissions",
			Help: "Channels whose token lacks a permission humas needs (daily check).",
		}),
	}
	for _, c := range []prometheus.Collector{m.lag, m.outcomes, m.due, m.reconnect, m.tokenExpiring, m.missingPerms} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register scheduler metrics: %w", err)
		}
	}
	// Export the series dashboards plot from the start, not only after the
	// first publish: a missing series reads as "no data", not as zero.
	for _, platform := range []string{"facebook", "instagram"} {
		m.lag.WithLabelValues(platform)
		for _, outcome := range []string{"published", "reconciled"} {
			m.outcomes.WithLabelValues(platform, outcome, "none")
		}
	}
	return m, nil
}
