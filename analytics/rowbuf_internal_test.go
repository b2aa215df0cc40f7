package analytics

import (
	"slices"
	"testing"
)

// TestRowBuf: rows come back in order, whole, at their exact length, for
// sizes around every chunk boundary; none is an empty slice, not nil.
func TestRowBuf(t *testing.T) {
	for _, n := range []int{0, 1, 15, 16, 17, 48, 49, 4095, 4096, 8191, 8192, 20000} {
		var b rowBuf[int]
		want := make([]int, 0, n)
		for i := range n {
			b.add(i * 3)
			want = append(want, i*3)
		}
		got := b.rows()
		if got == nil || len(got) != n || !slices.Equal(got, want) {
			t.Fatalf("%d rows: got %d (nil %v)", n, len(got), got == nil)
		}
		if n > 16 && cap(got) != n {
			t.Errorf("%d rows: capacity %d", n, cap(got))
		}
	}
}
