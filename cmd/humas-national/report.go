package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// report collects the figures in the order they were measured.
type report struct{ lines []figure }

type figure struct {
	name  string
	value float64
	unit  string
}

func (r *report) add(name string, v float64, unit string) {
	r.lines = append(r.lines, figure{name, v, unit})
}

func (r *report) write(out io.Writer) {
	for _, f := range r.lines {
		fmt.Fprintf(out, "%-40s %14.3f %s\n", f.name, f.value, f.unit)
	}
}

// quantile of sorted durations (nearest rank).
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func sortedDurations(d []time.Duration) []time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s
}
