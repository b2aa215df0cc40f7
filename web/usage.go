package web

import (
	"github.com/prometheus/client_golang/prometheus"
)

// usageMetric is the gauge the Graph client's observer sets per account.
const usageMetric = "humas_graph_usage_percent"

// RegistryUsage reads Graph API usage per account from the process's
// Prometheus registry, so the health page shows what /metrics shows.
type RegistryUsage struct {
	G prometheus.Gatherer
}

// AccountUsage returns the last usage percentage reported for id.
func (r RegistryUsage) AccountUsage(id string) (float64, bool) {
	if r.G == nil {
		return 0, false
	}
	mfs, err := r.G.Gather()
	if err != nil {
		return 0, false
	}
	for _, mf := range mfs {
		if mf.GetName() != usageMetric {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == "account" && lp.GetValue() == id {
					return m.GetGauge().GetValue(), true
				}
			}
		}
	}
	return 0, false
}
