package config

import (
	"runtime/debug"
	"testing"
)

// TestApplyMemoryLimit: memory_limit_bytes becomes the runtime's soft
// limit; 0 leaves the runtime's; GOMEMLIMIT wins over the key.
func TestApplyMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })

	if d := Default().MemoryLimitBytes; d != 100<<20 {
		t.Errorf("default memory_limit_bytes %d, want 100 MiB", d)
	}
	t.Setenv("GOMEMLIMIT", "")
	c := Default()
	c.MemoryLimitBytes = 64 << 20
	if l, from := c.ApplyMemoryLimit(); l != 64<<20 || from != "memory_limit_bytes" {
		t.Errorf("applied %d from %q", l, from)
	}
	if got := debug.SetMemoryLimit(-1); got != 64<<20 {
		t.Errorf("runtime limit %d, want %d", got, 64<<20)
	}

	c.MemoryLimitBytes = 0
	if l, from := c.ApplyMemoryLimit(); l != 64<<20 || from != "none" {
		t.Errorf("0: in effect %d from %q, want the runtime's (64 MiB, set above) from none", l, from)
	}

	debug.SetMemoryLimit(200 << 20) // as the runtime does with GOMEMLIMIT=200MiB
	t.Setenv("GOMEMLIMIT", "200MiB")
	c.MemoryLimitBytes = 64 << 20
	if l, from := c.ApplyMemoryLimit(); l != 200<<20 || from != "GOMEMLIMIT" {
		t.Errorf("with GOMEMLIMIT: %d from %q", l, from)
	}
	if got := debug.SetMemoryLimit(-1); got != 200<<20 {
		t.Errorf("runtime limit %d: the key overrode GOMEMLIMIT", got)
	}
}
