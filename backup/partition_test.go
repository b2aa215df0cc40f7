package backup

import (
	"slices"
	"testing"
)

// TestPartitionWhere: a month partition is selected by its key as well as
// its id (so 18.16 reads only that month's parts); anything else by id.
func TestPartitionWhere(t *testing.T) {
	cases := []struct {
		key, id, where string
		args           []any
	}{
		{"toYYYYMM(slot)", "202601", " WHERE toYYYYMM(`slot`) = ? AND _partition_id = ?", []any{uint32(202601), "202601"}},
		{"toYYYYMM(`day`)", "202412", " WHERE toYYYYMM(`day`) = ? AND _partition_id = ?", []any{uint32(202412), "202412"}},
		{"", "all", " WHERE _partition_id = ?", []any{"all"}},
		{"toYYYYMM(slot)", "all", " WHERE _partition_id = ?", []any{"all"}},
		{"toDate(slot)", "20260101", " WHERE _partition_id = ?", []any{"20260101"}},
		{"toYYYYMM(slot), platform", "202601-1", " WHERE _partition_id = ?", []any{"202601-1"}},
		{"toYYYYMM(slot) OR 1", "202601", " WHERE _partition_id = ?", []any{"202601"}},
	}
	for _, c := range cases {
		where, args := partitionWhere(Table{PartitionKey: c.key}, c.id)
		if where != c.where || !slices.Equal(args, c.args) {
			t.Errorf("%q, %q: %q %v, want %q %v", c.key, c.id, where, args, c.where, c.args)
		}
	}
}
