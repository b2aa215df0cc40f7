package config

import (
	"math"
	"os"
	"runtime/debug"
)

// ApplyMemoryLimit sets the Go runtime's soft memory limit to
// MemoryLimitBytes, unless GOMEMLIMIT is set (the runtime applied it at
// start and it wins) or the key is 0. It returns the limit in effect
// (0: none) and where it came from, for the start-up log line.
func (c Config) ApplyMemoryLimit() (limit int64, from string) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return current(debug.SetMemoryLimit(-1)), "GOMEMLIMIT"
	}
	if c.MemoryLimitBytes <= 0 {
		return current(debug.SetMemoryLimit(-1)), "none"
	}
	debug.SetMemoryLimit(c.MemoryLimitBytes)
	return c.MemoryLimitBytes, "memory_limit_bytes"
}

// current is a limit read back from the runtime, 0 for none.
func current(l int64) int64 {
	if l == math.MaxInt64 {
		return 0
	}
	return l
}
