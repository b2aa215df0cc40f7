package main

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/meta"
)

// graphMetrics counts the Graph API calls of every client the process
// builds: the one the scheduler and the token checks share (a.graph) and
// the collector's own (newCollector sets its OnResponse to observe).
type graphMetrics struct {
	calls    *prometheus.CounterVec
	duration *prometheus.HistogramVec
	usage    *prometheus.GaugeVec
}

func newGraphMetrics(reg prometheus.Registerer) (*graphMetrics, error) {
	m := &graphMetrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "humas_graph_calls_total",
			Help: "Graph API calls by endpoint and outcome class (batch entries count one each).",
		}, []string{"endpoint", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "humas_graph_call_duration_seconds",
			Help:    "Graph API HTTP call duration by endpoint.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"endpoint"}),
		usage: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "humas_graph_usage_percent",
			Help: "Highest Graph API usage percentage last reported for an account (Page or Instagram id), or app.",
		}, []string{"account"}),
	}
	for _, c := range []prometheus.Collector{m.calls, m.duration, m.usage} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *graphMetrics) observe(ci meta.CallInfo) {
	outcome := ci.Class.String()
	if outcome == "" {
		outcome = "ok"
	}
	n := ci.Calls
	if n < 1 {
		n = 1
	}
	m.calls.WithLabelValues(ci.Endpoint, outcome).Add(float64(n))
	m.duration.WithLabelValues(ci.Endpoint).Observe(ci.Duration.Seconds())
	if a := ci.Usage.App; a != nil {
		m.usage.WithLabelValues("app").Set(float64(max(a.CallCount, a.TotalTime, a.TotalCPUTime)))
	}
	for id, entries := range ci.Usage.BusinessUseCase {
		top := 0
		for _, e := range entries {
			top = max(top, e.CallCount, e.TotalTime, e.TotalCPUTime)
		}
		m.usage.WithLabelValues(id).Set(float64(top))
	}
}

// graphOptions are the Graph client options of this process, feeding
// the shared call metrics.
func graphOptions(cfg config.Graph, log *slog.Logger, m *graphMetrics) meta.Options {
	o := meta.OptionsFromConfig(cfg, log)
	o.OnResponse = m.observe
	return o
}
